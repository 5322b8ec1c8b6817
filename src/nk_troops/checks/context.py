"""What the row rules look spans up in: documents, entities, clusters."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..incidents import Incident

Table = dict[str, list[Any]]


@dataclass(frozen=True)
class Doc:
    doc_id: str
    fold: int
    text: str
    line: int
    passages: tuple[tuple[int, int, str], ...]  # (start, end, type) in reading order

    @cached_property
    def starts(self) -> list[int]:
        return [p[0] for p in self.passages]

    def passage_at(self, start: int, end: int) -> tuple[int, int, str] | None:
        """The passage holding [start, end), or None when the range crosses or misses passages."""
        i = bisect.bisect_right(self.starts, start) - 1
        if i < 0:
            return None
        p = self.passages[i]
        return p if p[0] <= start and end <= p[1] else None


@dataclass
class Context:
    """Reference data for the rules; ``entities``/``clusters`` are None when no registry was given."""

    docs: dict[str, Doc] = field(default_factory=dict)
    entities: dict[str, frozenset[str]] | None = None  # id -> aliases
    clusters: dict[str, tuple[int, tuple[str, ...]]] | None = None  # id -> (line, claim ids)
    documents_file: str = "documents.jsonl"


def incident(code: str, file: str, line: int | None, found: Any = None, expected: Any = None, **loc: Any) -> Incident:
    """An incident; found/expected that are not strings are shown as Python literals."""
    show = lambda v: v if v is None or isinstance(v, str) else repr(v)  # noqa: E731
    return Incident(code, file=file, line=line, found=show(found), expected=show(expected), **loc)


def rows(t: Table, *names: str) -> Any:
    """Zip of the line column and the named columns."""
    return zip(t["line"], *(t[n] for n in names), strict=True)

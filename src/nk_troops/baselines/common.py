"""What every rule baseline needs: the documents and registry it reads, mention search, span records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..incidents import IncidentError
from ..model import LAYER_ID_CODE, Entity, Layer, Span, from_dict
from ..text import context


@dataclass(frozen=True)
class Doc:
    """The parts of a released document row the baselines read."""

    doc_id: str
    fold: int
    text: str
    story_date: str
    passages: tuple[tuple[int, int, str], ...]  # (start, end, type)
    sentences: tuple[tuple[int, int], ...]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Doc:
        passages = tuple((p["start"], p["end"], p["type"]) for p in row["passages"])
        return cls(
            row["doc_id"],
            row["fold"],
            row["text"],
            row["provenance"]["story_date"],
            passages,
            tuple((s["start"], s["end"]) for s in row["sentences"]),
        )

    def passage_of(self, pos: int) -> tuple[int, int, str]:
        return next(p for p in self.passages if p[0] <= pos < p[1])


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    entity: str


def load_inputs(release: Path) -> tuple[list[Doc], list[Entity]]:
    """Documents and the entity registry of a release folder."""
    from ..evaluate import read_jsonl
    from ..paths import data_file

    docs, doc_incidents = read_jsonl(release / data_file("documents"))
    entities, entity_incidents = read_jsonl(release / data_file("entities"))
    if doc_incidents or entity_incidents:
        raise IncidentError(doc_incidents + entity_incidents)
    return [Doc.from_row(d) for _, d in docs], [from_dict(Entity, e) for _, e in entities]


def find_mentions(text: str, entities: list[Entity], lo: int, hi: int) -> list[Mention]:
    """Non-overlapping alias mentions in ``text[lo:hi]``, longest alias first, then by entity id."""
    aliases = sorted(((a, e.id) for e in entities for a in e.aliases), key=lambda x: (-len(x[0]), x[1]))
    found: list[Mention] = []
    for alias, entity in aliases:
        for m in re.finditer(rf"(?<!\w){re.escape(alias)}(?!\w)", text[lo:hi]):
            s, e = lo + m.start(), lo + m.end()
            if all(e <= f.start or s >= f.end for f in found):
                found.append(Mention(s, e, entity))
    return sorted(found, key=lambda m: m.start)


def make_id(doc_id: str, layer: Layer, n: int) -> str:
    return f"{doc_id}-{LAYER_ID_CODE[layer]}-{n:02d}"


def make_span(cls: type, doc: Doc, n: int, start: int, end: int, **attributes: Any) -> Span:
    """A span record with id, document, offsets and context filled in."""
    span_id = make_id(doc.doc_id, cls.LAYER, n)
    prefix, suffix = context(doc.text, start, end)
    return cls(span_id, doc.doc_id, doc.fold, start, end, doc.text[start:end], prefix, suffix, **attributes)

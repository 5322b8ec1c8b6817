"""Reading JSONL: every way a file or a line can be unreadable is an incident, located by file and line.

Files are opened as ``files.open_regular`` opens them (regular files only, size caps); each line is decoded by ``files.decode`` (strict
JSON: a duplicate key, a number too long to convert and nesting too deep for the parser are incidents at that line).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import DATA_CAP, decode, open_regular
from ..incidents import Incident
from ..sources import jsonable

LINE_CAP = 1 << 27  # bytes of one line (a release document row is about 30 kB)
_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


@dataclass
class Source:
    """One input: a file, or rows already in memory; iterating yields (line, row) of its JSON objects."""

    label: str
    path: Path | None = None
    rows: Sequence[Any] | None = None
    incidents: list[Incident] = field(default_factory=list)
    complete: bool = True  # every line was read and decoded: an id missing from it is really missing
    not_finite: set[int] = field(default_factory=set)  # lines that may hold NaN or Infinity
    nested: bool = False  # no file: the records nested in the documents are the table (sentences of a pair)
    may_be_empty: bool = False  # (predictions: a model may predict nothing)

    def _fail(self, code: str, line: int | None = None, detail: str | None = None, found: Any = None, expected: Any = None) -> None:
        self.incidents.append(Incident(code, file=self.label, line=line, detail=detail, found=found, expected=expected))
        self.complete &= code == "file-bom"

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        records = 0
        for n, text, ended in self._lines() if self.path is not None else self._rows():
            obj, code, detail = decode(text, ended)
            if code is not None or not isinstance(obj, dict):
                self._fail(code or "json-not-object", n, detail, found=None if code else type(obj).__name__)
                continue
            if "NaN" in text or "Infinity" in text:
                self.not_finite.add(n)
            records += 1
            yield n, obj
        if not records and self.complete and not self.nested and not self.may_be_empty:
            self._fail("file-empty")

    def _rows(self) -> Iterator[tuple[int, str, bool]]:
        """Rows in memory go through the same strict decoding as a file's lines."""
        for n, row in enumerate(self.rows or (), start=1):
            try:
                yield n, json.dumps(row, ensure_ascii=False, default=jsonable), True
            except (TypeError, ValueError, RecursionError) as exc:
                self._fail("json-too-deep" if isinstance(exc, RecursionError) else "json-malformed", n, f"not JSON data: {exc}"[:120])

    def _lines(self) -> Iterator[tuple[int, str, bool]]:
        """(line number, text, whether a line break ends it) of each line with content."""
        f, problem = open_regular(self.path, self.label)  # type: ignore[arg-type]
        if f is None:
            self.incidents.append(problem)  # type: ignore[arg-type]
            self.complete = False
            return
        with f:
            bom = next((b for b in _BOMS if f.read(4).startswith(b)), b"")
            if bom and _BOMS[bom] != "utf-8":
                return self._fail("file-encoding", 1, f"starts with a {_BOMS[bom]} byte-order mark")
            if bom:
                self._fail("file-bom", 1)
            f.seek(len(bom))
            blank, read = [], 0  # a blank line is an error only when a record follows it
            for n, raw in enumerate(iter(lambda: f.readline(LINE_CAP), b""), start=1):
                if (read := read + len(raw)) > DATA_CAP or (len(raw) == LINE_CAP and not raw.endswith(b"\n")):
                    return self._fail("file-too-large", n, expected=f"files of {DATA_CAP} bytes, lines of {LINE_CAP} at most")
                if not raw.strip():
                    blank.append(n)
                    continue
                for b in blank:
                    self._fail("json-malformed", b, "blank line")
                blank = []
                try:
                    yield n, raw.decode("utf-8"), raw.endswith(b"\n")
                except UnicodeDecodeError as exc:
                    self._fail("file-encoding", n, f"byte {exc.start}: {exc.reason}", found=raw[exc.start : exc.start + 4].hex())


def source(src: Path | Sequence[Any], name: str | None = None) -> Source:
    """A Source of a path or of rows in memory."""
    if isinstance(src, str | os.PathLike):
        return Source(name or str(src), path=Path(src))
    return Source(name or "<rows>", rows=src)

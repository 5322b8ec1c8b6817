"""Robust JSONL reading: every way a file can be unreadable becomes an incident.

Files are read in blocks and decoded in chunks of lines, so a million-line file
never sits in memory as one list of dicts. The fast path decodes a whole chunk
with msgspec; a chunk that fails is decoded line by line with the standard
library to say which line is wrong and why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from .incidents import Incident

CHUNK_LINES = 20_000
BLOCK_BYTES = 1 << 23
_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
_DECODER = msgspec.json.Decoder()


class JsonlReader:
    """Iterates chunks of (line number, object); ``incidents`` collects reading problems."""

    def __init__(self, path: Path, label: str | None = None):
        self.path = path
        self.label = label or str(path)
        self.incidents: list[Incident] = []
        self.unreadable = False  # missing, a folder, no permission: the run cannot use it

    def _fail(self, code: str, line: int | None = None, detail: str | None = None, found: str | None = None) -> None:
        self.incidents.append(Incident(code, file=self.label, line=line, detail=detail, found=found))

    def _lines(self) -> Iterator[tuple[int, bytes, bool]]:
        """(line number, bytes without the line break, whether a line break ended it)."""
        try:
            f = self.path.open("rb")
        except OSError as exc:
            self.unreadable = True
            self._fail("file-missing", detail=exc.strerror or type(exc).__name__)
            return
        with f:
            head = f.read(4)
            bom = next((b for b in _BOMS if head.startswith(b)), None)
            if bom is not None and _BOMS[bom] != "utf-8":
                self._fail("file-encoding", 1, f"starts with a {_BOMS[bom]} byte-order mark")
                return
            if bom:
                self._fail("file-bom", 1)
            rest, n = head[len(bom or b"") :], 0
            while block := f.read(BLOCK_BYTES):
                parts = (rest + block).split(b"\n")
                rest = parts.pop()
                for part in parts:
                    n += 1
                    yield n, part.rstrip(b"\r"), True
            if rest:
                yield n + 1, rest.rstrip(b"\r"), False

    def chunks(self) -> Iterator[list[tuple[int, Any]]]:
        batch: list[tuple[int, bytes, bool]] = []
        blank: list[int] = []  # blank lines are an error only when a record follows them
        self.records = 0
        for n, raw, ended in self._lines():
            if not raw.strip():
                blank.append(n)
                continue
            for b in blank:
                self._fail("json-malformed", b, "blank line")
            blank = []
            batch.append((n, raw, ended))
            if len(batch) >= CHUNK_LINES:
                yield self._decode(batch)
                batch = []
        if batch:
            yield self._decode(batch)
        if not self.records and not self.unreadable and all(i.code == "file-bom" for i in self.incidents):
            self._fail("file-empty")

    def _decode(self, batch: list[tuple[int, bytes, bool]]) -> list[tuple[int, Any]]:
        try:
            objs = _DECODER.decode_lines(b"\n".join(raw for _, raw, _ in batch))
            if len(objs) == len(batch) and all(type(o) is dict for o in objs):
                self.records += len(objs)
                return [(n, o) for (n, _, _), o in zip(batch, objs, strict=True)]
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
            pass
        out = []
        for n, raw, ended in batch:
            obj = self._decode_line(n, raw, ended)
            if obj is not None:
                out.append((n, obj))
        self.records += len(out)
        return out

    def _decode_line(self, n: int, raw: bytes, ended: bool) -> dict[str, Any] | None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._fail("file-encoding", n, f"byte {exc.start}: {exc.reason}", found=repr(raw[exc.start : exc.start + 4]))
            return None
        try:
            obj = json.loads(text)  # accepts NaN/Infinity, which the shape pass then reports
        except json.JSONDecodeError as exc:
            truncated = not ended and exc.pos >= len(text.rstrip()) - 1
            self._fail("json-truncated" if truncated else "json-malformed", n, f"column {exc.colno}: {exc.msg}")
            return None
        if not isinstance(obj, dict):
            self._fail("json-not-object", n, found=type(obj).__name__)
            return None
        return obj


def read_all(path: Path, label: str | None = None) -> tuple[list[tuple[int, Any]], JsonlReader]:
    """Every record of a small file (documents, entities, clusters)."""
    reader = JsonlReader(path, label)
    records = [r for chunk in reader.chunks() for r in chunk]
    return records, reader

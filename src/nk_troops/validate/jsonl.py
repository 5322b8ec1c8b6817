"""Robust JSONL reading: every way a file can be unreadable becomes an incident.

Files are read in blocks of whole lines, so a million-line file never sits in
memory at once. The fast path decodes a whole block with msgspec (into typed
Structs when a decoder is given, see ``checks/typed.py``); a block that fails is
decoded line by line, and a line msgspec rejects is read again with the standard
library to say which line is wrong and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import msgspec

from ..incidents import Incident

BLOCK_BYTES = 1 << 23
_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
_DECODER = msgspec.json.Decoder()
_BLANK = re.compile(rb"\n[ \t\r\x0b\x0c]*\n")  # a blank line: whitespace only, as bytes.strip() sees it
_BLANK_FIRST = re.compile(rb"[ \t\r\x0b\x0c]*\n")


class Decoder(Protocol):
    """What decodes lines: msgspec's JSON decoder, or the typed one of ``checks/typed.py``."""

    def decode_lines(self, block: bytes) -> list[Any]: ...

    def decode(self, line: bytes) -> Any: ...


class JsonlReader:
    """Iterates chunks of (line number, object); ``incidents`` collects reading problems."""

    def __init__(self, path: Path, label: str | None = None, part: tuple[int, int | None] = (0, None)):
        self.path = path
        self.label = label or str(path)
        self.part = part  # the bytes [start, end) to read, from the start of a line; lines are numbered from 1 there
        self.incidents: list[Incident] = []
        self.unreadable = False  # missing, a folder, no permission: the run cannot use it
        self.records = 0
        self.lines = 0  # line breaks read

    def _fail(self, code: str, line: int | None = None, detail: str | None = None, found: str | None = None) -> None:
        self.incidents.append(Incident(code, file=self.label, line=line, detail=detail, found=found))

    def _blocks(self) -> Iterator[tuple[int, bytes, bool, int]]:
        """(number of the first line, whole lines of the file, whether a line break ends them, line breaks)."""
        try:
            f = self.path.open("rb")
        except OSError as exc:
            self.unreadable = True
            self._fail("file-missing", detail=exc.strerror or type(exc).__name__)
            return
        with f:
            start, end = self.part
            f.seek(start)
            left = None if end is None else end - start
            head = f.read(4 if left is None else min(4, left))
            bom = next((b for b in _BOMS if head.startswith(b)), None) if not start else None
            if bom is not None and _BOMS[bom] != "utf-8":
                self._fail("file-encoding", 1, f"starts with a {_BOMS[bom]} byte-order mark")
                return
            if bom:
                self._fail("file-bom", 1)
            rest, n = head[len(bom or b"") :], 1
            if left is not None:
                left -= len(head)
            while block := f.read(BLOCK_BYTES if left is None else min(BLOCK_BYTES, left)):
                if left is not None:
                    left -= len(block)
                rest += block
                cut = rest.rfind(b"\n") + 1
                if cut:
                    breaks = rest.count(b"\n", 0, cut)
                    yield n, rest[:cut], True, breaks
                    n += breaks
                    rest = rest[cut:]
            self.lines = n - 1
            if rest:
                yield n, rest, False, 0

    def chunks(self, decoder: Decoder | None = None) -> Iterator[list[tuple[int, Any]]]:
        """Chunks of (line number, record); a typed ``decoder`` yields its Structs for the lines it accepts
        and plain dicts for the others, which the JSON Schema pass then explains."""
        self.records = 0
        blank: list[int] = []  # blank lines are an error only when a record follows them
        for first, block, ended, breaks in self._blocks():
            whole = ended and not _BLANK_FIRST.match(block) and not _BLANK.search(block)
            fast = self._fast(first, block, breaks, decoder) if whole else None
            if fast is not None:
                blank = self._blank_before(blank)
                self.records += len(fast)
                yield fast
                continue
            out = []
            lines = block.split(b"\n")
            if ended:
                lines.pop()
            for i, raw in enumerate(lines):
                n, raw = first + i, raw.rstrip(b"\r")
                if not raw.strip():
                    blank.append(n)
                    continue
                blank = self._blank_before(blank)
                obj = self._decode_typed(raw, decoder) if decoder is not None else None
                if obj is None:
                    obj = self._decode_line(n, raw, ended or i + 1 < len(lines))
                if obj is not None:
                    out.append((n, obj))
            self.records += len(out)
            if out:
                yield out
        if self.part == (0, None) and empty(self.records, self.incidents, self.unreadable):
            self._fail("file-empty")

    def _blank_before(self, blank: list[int]) -> list[int]:
        for b in blank:
            self._fail("json-malformed", b, "blank line")
        return []

    @staticmethod
    def _fast(first: int, block: bytes, breaks: int, decoder: Decoder | None) -> list[tuple[int, Any]] | None:
        """Every line of a block decoded in one call, or None when one of them needs a closer look."""
        try:
            objs = (decoder or _DECODER).decode_lines(block)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
            return None
        if len(objs) != breaks or (decoder is None and not all(type(o) is dict for o in objs)):
            return None
        return list(zip(range(first, first + len(objs)), objs, strict=True))

    @staticmethod
    def _decode_typed(raw: bytes, decoder: Decoder) -> Any:
        try:
            return decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
            return None

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


def empty(records: int, incidents: list[Incident], unreadable: bool) -> bool:
    """A file read without a problem that holds no record."""
    return not records and not unreadable and all(i.code == "file-bom" for i in incidents)


def read_all(path: Path, label: str | None = None) -> tuple[list[tuple[int, Any]], JsonlReader]:
    """Every record of a small file (documents, entities, clusters)."""
    reader = JsonlReader(path, label)
    records = [r for chunk in reader.chunks() for r in chunk]
    return records, reader

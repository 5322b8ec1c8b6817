"""Reading untrusted files: every way a file or a line can be unreadable is an incident.

A file is opened only as a regular file (never a FIFO or device) and read with a size cap; a name
taken from a file is opened only when it is relative, normalised and inside its folder, symlinks
followed (``safe_path``). Each JSONL line is decoded by the standard library, made strict: a duplicate
key, a number too long to convert and nesting too deep for the parser are incidents at that line.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..incidents import Incident

DATA_CAP = 1 << 32  # bytes of one data file
LINE_CAP = 1 << 27  # bytes of one line (a release document row is about 30 kB)
BLOB_CAP = 1 << 26  # bytes of a file read whole (raw article, manifest, card, Croissant)
_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


class _Duplicate(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Duplicate(next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i])))
    return obj


def _number(literal: str) -> float | int:
    """An integral float is the integer it spells (JSON Schema takes 3.0 for an integer; text is sliced with it)."""
    value = float(literal)
    return int(value) if value.is_integer() else value


_JSON = json.JSONDecoder(object_pairs_hook=_object, parse_float=_number)  # NaN, Infinity: floats, for the shape pass


def decode(text: str, ended: bool = True) -> tuple[Any, str | None, str | None]:
    """(value, incident code, detail) of a JSON text; ``ended``: it ended with a line break (else an error at
    its end means it was cut off)."""
    try:
        return _JSON.decode(text), None, None
    except _Duplicate as exc:
        return None, "json-duplicate-key", str(exc)
    except json.JSONDecodeError as exc:
        truncated = not ended and exc.pos >= len(text.rstrip()) - 1
        return None, "json-truncated" if truncated else "json-malformed", f"column {exc.colno}: {exc.msg}"
    except RecursionError:
        return None, "json-too-deep", None
    except ValueError as exc:  # an integer beyond sys.get_int_max_str_digits()
        return None, "json-number-too-long", str(exc)[:80]


def safe_path(folder: Path, name: Any, file: str) -> tuple[Path | None, Incident | None]:
    """``folder/name`` when ``name`` is a normalised relative name that stays inside ``folder``."""
    text = name if isinstance(name, str) else ""
    pure = PurePosixPath(text)
    if not text or "\\" in text or "\0" in text or pure.is_absolute() or ".." in pure.parts or pure.as_posix() != text:
        return None, Incident("path-unsafe", file=file, found=name, expected="a relative name inside the folder")
    try:
        inside = (folder / text).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    return (folder / text, None) if inside else (None, Incident("path-unsafe", file=file, found=name, detail="leads out of the folder"))


def _open(path: Path, label: str) -> tuple[Any, Incident | None]:
    """An open binary file, or the incident that says why not (a FIFO is opened without blocking, then refused)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:  # ENXIO, EISDIR: a socket or a folder
        return None, Incident("file-not-regular" if exc.errno in (6, 21) else "file-missing", file=label, detail=exc.strerror)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None, Incident("file-not-regular", file=label)
    return os.fdopen(fd, "rb"), None


def read_blob(path: Path, label: str) -> tuple[bytes | None, Incident | None]:
    """A whole small file, or the incident that says why not."""
    f, problem = _open(path, label)
    if f is None:
        return None, problem
    with f:
        data = f.read(BLOB_CAP + 1)
    return (data, None) if len(data) <= BLOB_CAP else (None, Incident("file-too-large", file=label, expected=f"at most {BLOB_CAP} bytes"))


def sha256_file(path: Path, label: str) -> tuple[str | None, int, Incident | None]:
    """(SHA-256, size, None) of a file read in blocks, or (None, size, the incident that says why not)."""
    f, problem = _open(path, label)
    if f is None:
        return None, 0, problem
    digest, size = hashlib.sha256(), 0
    with f:
        while (block := f.read(1 << 20)) and size <= DATA_CAP:
            size += len(block)
            digest.update(block)
    if size > DATA_CAP:
        return None, size, Incident("file-too-large", file=label, expected=f"at most {DATA_CAP} bytes")
    return digest.hexdigest(), size, None


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
                yield n, json.dumps(row, ensure_ascii=False), True
            except (TypeError, ValueError, RecursionError) as exc:
                self._fail("json-too-deep" if isinstance(exc, RecursionError) else "json-malformed", n, f"not JSON data: {exc}"[:120])

    def _lines(self) -> Iterator[tuple[int, str, bool]]:
        """(line number, text, whether a line break ends it) of each line with content."""
        f, problem = _open(self.path, self.label)  # type: ignore[arg-type]
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

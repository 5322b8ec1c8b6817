"""Reading untrusted files: every way a file or a line can be unreadable becomes an incident.

A file is opened only if it is a regular file inside the folder it belongs to (no
absolute or ``..`` name, no symlink leading out, no FIFO or device), and read with a
size cap. JSONL is read line by line (a million-line file never sits in memory); each
line is decoded with the standard library, made strict: a duplicate key, ``NaN`` or
``Infinity``, a number too long to convert and nesting too deep for the parser are
incidents at that line, never exceptions.
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

DATA_CAP = 1 << 32  # bytes read of one JSONL file
LINE_CAP = 1 << 27  # bytes of one line (a release document row is about 30 kB)
BLOB_CAP = 1 << 26  # bytes of a file read whole (raw article, manifest, card, Croissant)
_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


class _Duplicate(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        raise _Duplicate(next(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
    return obj


def _number(literal: str) -> float | int:
    """An integral float is the integer it spells (JSON Schema takes 3.0 for an integer; text is sliced with it)."""
    value = float(literal)
    return int(value) if value.is_integer() else value


def safe_path(folder: Path, name: Any, file: str) -> tuple[Path | None, Incident | None]:
    """``folder/name`` when ``name`` is a normalised relative name that stays inside ``folder``."""
    text = name if isinstance(name, str) else ""
    pure = PurePosixPath(text)
    if not text or "\\" in text or "\0" in text or pure.is_absolute() or ".." in pure.parts or pure.as_posix() != text:
        return None, Incident("path-unsafe", file=file, found=name, expected="a relative name inside the folder")
    path = folder / text
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    if not inside:
        return None, Incident("path-unsafe", file=file, found=name, detail="leads out of the folder")
    return path, None


def _open(path: Path, label: str) -> tuple[Any, Incident | None]:
    """An open binary file, or the incident that says why not (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        code = "file-not-regular" if exc.errno in (21, 6) else "file-missing"  # EISDIR, ENXIO
        return None, Incident(code, file=label, detail=exc.strerror)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None, Incident("file-not-regular", file=label)
    return os.fdopen(fd, "rb"), None


def read_blob(path: Path, label: str, cap: int = BLOB_CAP) -> tuple[bytes | None, Incident | None]:
    """A whole small file, or the incident that says why not."""
    f, problem = _open(path, label)
    if f is None:
        return None, problem
    with f:
        data = f.read(cap + 1)
    if len(data) > cap:
        return None, Incident("file-too-large", file=label, found=len(data), expected=f"at most {cap} bytes")
    return data, None


class Decoder:
    """Strict JSON: ``decode`` gives (value, incident code, detail); ``not_finite`` tells whether the last
    text held NaN or Infinity (kept as floats, so that the shape pass names the record and field)."""

    def __init__(self) -> None:
        self.not_finite = False
        self._json = json.JSONDecoder(object_pairs_hook=_object, parse_constant=self._constant, parse_float=_number)

    def _constant(self, name: str) -> float:
        self.not_finite = True
        return float(name)

    def decode(self, text: str) -> tuple[Any, str | None, str | None]:
        self.not_finite = False
        try:
            return self._json.decode(text), None, None
        except _Duplicate as exc:
            return None, "json-duplicate-key", str(exc)
        except json.JSONDecodeError as exc:
            return None, "json-malformed", f"column {exc.colno}: {exc.msg}"
        except RecursionError:
            return None, "json-too-deep", None
        except ValueError as exc:  # an integer beyond sys.get_int_max_str_digits()
            return None, "json-number-too-long", str(exc)[:80]


@dataclass
class Source:
    """One input: a file, or rows already in memory; iterating yields (line, row) of its JSON objects."""

    label: str
    path: Path | None = None
    rows: Sequence[Any] | None = None
    incidents: list[Incident] = field(default_factory=list)
    complete: bool = True  # every line was read and decoded: an id missing from it is really missing
    not_finite: set[int] = field(default_factory=set)  # lines holding NaN or Infinity
    nested: bool = False  # no file: the records nested in the documents are the table (sentences of a pair)

    def _fail(self, code: str, line: int | None = None, detail: str | None = None, found: Any = None) -> None:
        self.incidents.append(Incident(code, file=self.label, line=line, detail=detail, found=found))
        if code != "file-bom":
            self.complete = False

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.nested:
            return
        records = 0
        for line, obj in self._rows() if self.rows is not None else self._lines():
            if isinstance(obj, dict):
                records += 1
                yield line, obj
            else:
                self._fail("json-not-object", line, found=type(obj).__name__)
        if not records and self.complete:
            self._fail("file-empty")

    def _rows(self) -> Iterator[tuple[int, Any]]:
        """Rows in memory go through the same strict decoding as a file's lines."""
        decoder = Decoder()
        for n, row in enumerate(self.rows or (), start=1):
            try:
                text = json.dumps(row, ensure_ascii=False)
            except (TypeError, ValueError, RecursionError) as exc:
                self._fail("json-too-deep" if isinstance(exc, RecursionError) else "json-malformed", n, f"not JSON data: {exc}"[:120])
                continue
            yield from self._checked(n, text, decoder, ended=True)

    def _lines(self) -> Iterator[tuple[int, Any]]:
        assert self.path is not None
        f, problem = _open(self.path, self.label)
        if f is None:
            self.incidents.append(problem)  # type: ignore[arg-type]
            self.complete = False
            return
        with f:
            yield from self._decoded(f)

    def _decoded(self, f: Any) -> Iterator[tuple[int, Any]]:
        head = f.read(4)
        bom = next((b for b in _BOMS if head.startswith(b)), b"")
        if bom and _BOMS[bom] != "utf-8":
            return self._fail("file-encoding", 1, f"starts with a {_BOMS[bom]} byte-order mark")
        if bom:
            self._fail("file-bom", 1)
        f.seek(len(bom))
        blank: list[int] = []  # blank lines are an error only when a record follows them
        read, decoder = 0, Decoder()
        for n, raw in enumerate(iter(lambda: f.readline(LINE_CAP), b""), start=1):
            read += len(raw)
            if read > DATA_CAP:
                return self._fail("file-too-large", n, found=read, expected=f"at most {DATA_CAP} bytes")
            if len(raw) == LINE_CAP and not raw.endswith(b"\n"):
                self._fail("file-too-large", n, expected=f"lines of at most {LINE_CAP} bytes")
                while (rest := f.readline(LINE_CAP)) and not rest.endswith(b"\n"):
                    pass
                continue
            if not raw.strip():
                blank.append(n)
                continue
            for b in blank:
                self._fail("json-malformed", b, "blank line")
            blank = []
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._fail("file-encoding", n, f"byte {exc.start}: {exc.reason}", found=raw[exc.start : exc.start + 4].hex())
                continue
            yield from self._checked(n, text, decoder, raw.endswith(b"\n"))

    def _checked(self, n: int, text: str, decoder: Decoder, ended: bool) -> Iterator[tuple[int, Any]]:
        obj, code, detail = decoder.decode(text)
        if code == "json-malformed" and not ended and detail and _at_end(text, detail):
            code = "json-truncated"
        if code is not None:
            self._fail(code, n, detail)
            return
        if decoder.not_finite:
            self.not_finite.add(n)
        yield n, obj


def _at_end(text: str, detail: str) -> bool:
    """Whether a decoding error at ``column N`` lies at the end of the (last, unterminated) line."""
    column = int(detail.split(":")[0].removeprefix("column "))
    return column >= len(text.rstrip()) - 1


def source(src: Path | Sequence[Any], name: str | None = None) -> Source:
    if isinstance(src, str | os.PathLike):
        return Source(name or str(src), path=Path(src))
    return Source(name or "<rows>", rows=src)


def sha256_file(path: Path, label: str, cap: int = DATA_CAP) -> tuple[str | None, int, Incident | None]:
    """(SHA-256, size) of a file read in blocks, or the incident that says why not."""
    f, problem = _open(path, label)
    if f is None:
        return None, 0, problem
    digest, size = hashlib.sha256(), 0
    with f:
        while block := f.read(1 << 20):
            size += len(block)
            if size > cap:
                return None, size, Incident("file-too-large", file=label, expected=f"at most {cap} bytes")
            digest.update(block)
    return digest.hexdigest(), size, None

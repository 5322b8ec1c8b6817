"""Reading files someone else wrote: only regular files, only inside their folder, with a size cap; JSON strictly.

A name taken from a file is opened only when it is relative, normalised and inside its folder, symlinks
followed (``safe_path``); a file is opened only as a regular file (a FIFO is opened without blocking, then
refused; a device never) and read with a size cap. JSON is decoded by the standard library, made strict
(``decode``): a duplicate key, a number too long to convert and nesting too deep for the parser are
incidents like any other. Each way reading fails is an incident, never an exception.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .incidents import Incident

DATA_CAP = 1 << 32  # bytes of one data file
BLOB_CAP = 1 << 26  # bytes of a file read whole (raw article, manifest, card, Croissant, a page)


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
        where = f"line {exc.lineno} column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"  # (a JSONL line is one line)
        return None, "json-truncated" if truncated else "json-malformed", f"{where}: {exc.msg}"
    except RecursionError:
        return None, "json-too-deep", None
    except ValueError as exc:  # an integer beyond sys.get_int_max_str_digits()
        return None, "json-number-too-long", str(exc)[:80]


def safe_path(folder: Path, name: Any, file: str) -> tuple[Path | None, Incident | None]:
    """``folder/name`` when ``name`` (found in ``file``) is a normalised relative name that stays inside ``folder``."""
    text = name if isinstance(name, str) else ""
    pure = PurePosixPath(text)
    if not text or "\\" in text or "\0" in text or pure.is_absolute() or ".." in pure.parts or pure.as_posix() != text:
        return None, Incident("path-unsafe", file=file, found=name, expected="a relative name inside the folder")
    try:
        inside = (folder / text).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    return (folder / text, None) if inside else (None, Incident("path-unsafe", file=file, found=name, detail="leads out of the folder"))


def open_regular(path: Path, label: str) -> tuple[IO[bytes] | None, Incident | None]:
    """An open binary file, or the incident that says why not."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:  # ENXIO, EISDIR: a socket or a folder
        code = "file-not-regular" if exc.errno in (errno.ENXIO, errno.EISDIR) else "file-missing"
        return None, Incident(code, file=label, detail=exc.strerror)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None, Incident("file-not-regular", file=label)
    return os.fdopen(fd, "rb"), None


def read_blob(path: Path, label: str) -> tuple[bytes | None, Incident | None]:
    """A whole small file, or the incident that says why not."""
    f, problem = open_regular(path, label)
    if f is None:
        return None, problem
    with f:
        data = f.read(BLOB_CAP + 1)
    return (data, None) if len(data) <= BLOB_CAP else (None, Incident("file-too-large", file=label, expected=f"at most {BLOB_CAP} bytes"))


def read_inside(folder: Path, name: Any, file: str) -> tuple[bytes | None, Incident | None]:
    """The whole small file ``folder/name`` (a name found in ``file``), or the incident that says why not."""
    path, unsafe = safe_path(folder, name, file)
    return read_blob(path, name) if path else (None, unsafe)


def sha256_file(path: Path, label: str) -> tuple[str | None, int, Incident | None]:
    """(SHA-256, size, None) of a file read in blocks, or (None, size, the incident that says why not)."""
    f, problem = open_regular(path, label)
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

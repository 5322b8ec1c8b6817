"""Generated blocks inside hand-written Markdown (README.md, DATASHEET.md, docs/VALIDATION.md).

A block sits between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``; the build
rewrites it and a test fails when a committed copy differs from a fresh one.
"""

from __future__ import annotations

import os
from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def section(text: str, name: str) -> str | None:
    """The current body of a block, None when its markers are missing."""
    begin, end = markers(name)
    if begin not in text or end not in text:
        return None
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n")


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with the block's body replaced (the block appended when absent)."""
    begin, end = markers(name)
    if begin not in text or end not in text:
        return f"{text.rstrip()}\n\n{begin}\n{body}\n{end}\n".lstrip()
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def render(text: str, bodies: dict[str, str]) -> str:
    """``text`` with the named blocks replaced."""
    for name, body in bodies.items():
        text = replace_section(text, name, body.strip("\n"))
    return text


def write(path: Path, bodies: dict[str, str]) -> bool:
    """Rewrite the named blocks of a file (created when missing) by an atomic rename; True when it changed."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = render(old, bodies)
    if new != old:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(new, encoding="utf-8")
        os.replace(tmp, path)
    return new != old

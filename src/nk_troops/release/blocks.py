"""Generated blocks inside hand-written Markdown (README.md, DATASHEET.md).

A block sits between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``; the build
rewrites it and a test fails when a committed copy differs from a fresh one.
"""

from __future__ import annotations

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


def write(path: Path, bodies: dict[str, str]) -> bool:
    """Rewrite the named blocks of a file (created when missing); True when it changed."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = old
    for name, body in bodies.items():
        new = replace_section(new, name, body.strip("\n"))
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old

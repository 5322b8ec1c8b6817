"""Deterministic sentence splitting over a document's passages.

A sentence ends after ``.``, ``?`` or ``!`` (and any closing quotation marks or
brackets right after it) when whitespace and a capital, a digit, an opening
quotation mark or an opening bracket follow, unless the word before the full
stop is a known abbreviation, or a quotation is still open: a quoted passage of
two sentences stays inside one reported sentence. Every passage starts a sentence.
"""

from __future__ import annotations

import re

from ..model import Document
from ..text import is_abbreviation

_END = re.compile(r"[.?!][”’\")]*(?=\s+[A-Z0-9“‘\"(])")


def _open_quote_at(text: str, pos: int) -> bool:
    """True when a double quotation opened before ``pos`` is still open there."""
    depth = 0
    for ch in text[:pos]:
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
    return depth > 0


def split_passage(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text[start:end]``, in document offsets."""
    body = text[start:end]
    bounds, begin = [], 0
    for m in _END.finditer(body):
        if is_abbreviation(body, m.start()) or _open_quote_at(body, m.end()):
            continue
        bounds.append((begin, m.end()))
        nxt = m.end()
        while body[nxt].isspace():
            nxt += 1
        begin = nxt
    bounds.append((begin, len(body)))
    return [(start + s, start + e) for s, e in bounds if e > s]


def split_document(doc: Document) -> list[tuple[int, int, int]]:
    """(passage index, start, end) of every sentence of a document."""
    return [(p.index, s, e) for p in doc.passages for s, e in split_passage(doc.text, p.start, p.end)]

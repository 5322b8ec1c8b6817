"""Span edges: no whitespace at either end, no quotation marks in a quote, no final stop on a claim."""

from __future__ import annotations

from functools import cache

import numpy as np

from ...incidents import Incident
from ...model import Layer
from ...text import is_abbreviation
from .context import Table, incident, packed, rows, subset

QUOTE_MARKS = '“”‘’"«»„‟‹›'
QUOTE_TRAILING = ",."


# every whitespace character is below U+3001; anything above is left to the exact loop rather than listed
_RARE = 0x3001


@cache
def _edge_chars() -> tuple[np.ndarray, np.ndarray]:
    """Code points that may trigger a rule as the first / the last character of a span."""
    first = [c for c in range(_RARE) if chr(c).isspace()] + [ord(c) for c in QUOTE_MARKS]
    return np.array(first, dtype=np.uint32), np.array(first + [ord(c) for c in QUOTE_TRAILING], dtype=np.uint32)


def check(t: Table, file: str) -> list[Incident]:
    texts = t["text"]
    if not set(map(type, texts)) <= {str} or "" in texts:
        return _exact(t, file)
    buf, offset, length = packed(texts)
    first, last = _edge_chars()
    head, tail = buf[offset], buf[offset + length - 1]
    suspect = np.isin(head, first) | np.isin(tail, last) | (head >= _RARE) | (tail >= _RARE)
    return _exact(subset(t, np.nonzero(suspect)[0]), file)


def _exact(t: Table, file: str) -> list[Incident]:
    out = []
    for line, sid, doc_id, layer, start, end, text in rows(t, "id", "doc_id", "layer", "start", "end", "text"):
        loc = {"doc_id": doc_id, "span_id": sid, "start": start, "end": end}
        if text[0].isspace() or text[-1].isspace():
            out.append(incident("span-whitespace-edge", file, line, text[:60], "no whitespace at either end", **loc))
        if layer == Layer.QUOTE and (text[0] in QUOTE_MARKS or text[-1] in QUOTE_MARKS + QUOTE_TRAILING):
            out.append(incident("quote-includes-marks", file, line, text[:60], "the content inside the marks", **loc))
        elif layer == Layer.CLAIM and text.endswith(".") and not is_abbreviation(text, len(text) - 1):
            out.append(incident("claim-final-stop", file, line, text[-30:], "no sentence-final full stop", **loc))
    return out

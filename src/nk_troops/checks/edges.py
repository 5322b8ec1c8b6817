"""Span edges: no whitespace at either end, no quotation marks in a quote, no final stop on a claim."""

from __future__ import annotations

from ..incidents import Incident
from ..model import Layer
from ..sentences import _is_abbreviation
from .context import Table, incident, rows

QUOTE_MARKS = '“”‘’"«»„‟‹›'
QUOTE_TRAILING = ",."


def check(t: Table, file: str) -> list[Incident]:
    out = []
    for line, sid, doc_id, layer, start, end, text in rows(t, "id", "doc_id", "layer", "start", "end", "text"):
        loc = {"doc_id": doc_id, "span_id": sid, "start": start, "end": end}
        if text[0].isspace() or text[-1].isspace():
            out.append(incident("span-whitespace-edge", file, line, text[:60], "no whitespace at either end", **loc))
        if layer == Layer.QUOTE and (text[0] in QUOTE_MARKS or text[-1] in QUOTE_MARKS + QUOTE_TRAILING):
            out.append(incident("quote-includes-marks", file, line, text[:60], "the content inside the marks", **loc))
        elif layer == Layer.CLAIM and text.endswith(".") and not _is_abbreviation(text, len(text) - 1):
            out.append(incident("claim-final-stop", file, line, text[-30:], "no sentence-final full stop", **loc))
    return out

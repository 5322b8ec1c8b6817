"""Omissions made visible: every number and quotation mark is explained.

Every digit sequence and number word must lie inside a figure span or be listed
in the document's ``not_figures`` with a reason; every quotation mark must be the
edge of a quote span, an apostrophe between two letters, or listed in
``not_quotes``. Anything else is an incident, so leaving a number or a quotation
unannotated is always a recorded decision.
"""

from __future__ import annotations

import re

from ..incidents import Incident
from ..model import Document
from ..text import NUMBER_WORDS, QUOTE_MARKS
from .anchors import DocumentAnnotations

NUMBER_RE = re.compile(r"\d+|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
# A closing mark may sit after the comma or full stop that ends the quoted words.
_CLOSING_GAP = ",."


def unexplained_numbers(doc: Document, ann: DocumentAnnotations) -> list[tuple[int, int]]:
    """Numbers that no figure covers and no ``not_figures`` entry explains."""
    covered = [(f.start, f.end) for f in ann.figures] + [(x.start, x.end) for x in ann.not_figures]
    return [(m.start(), m.end()) for m in NUMBER_RE.finditer(doc.text) if not any(s <= m.start() and m.end() <= e for s, e in covered)]


def _is_apostrophe(text: str, i: int) -> bool:
    return text[i] in "’‘" and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()


def unexplained_marks(doc: Document, ann: DocumentAnnotations) -> list[int]:
    """Positions of quotation marks that delimit no quote span and are not explained."""
    text = doc.text
    opens = {q.start - 1 for q in ann.quotes}
    closes = set()
    for q in ann.quotes:
        i = q.end
        while i < len(text) and text[i] in _CLOSING_GAP:
            i += 1
        closes.add(i)
    listed = {x.start for x in ann.not_quotes}
    return [
        i
        for i, ch in enumerate(text)
        if ch in QUOTE_MARKS and i not in opens and i not in closes and i not in listed and not _is_apostrophe(text, i)
    ]


def check(doc: Document, ann: DocumentAnnotations, file: str) -> list[Incident]:
    """Incidents for every unexplained number and quotation mark of one document."""
    out = [
        Incident(
            "figure-unexplained",
            file=file,
            doc_id=doc.doc_id,
            start=s,
            end=e,
            found=doc.text[s:e],
            expected="a figure or a not_figures entry",
        )
        for s, e in unexplained_numbers(doc, ann)
    ]
    out += [
        Incident(
            "quote-mark-unexplained",
            file=file,
            doc_id=doc.doc_id,
            start=i,
            end=i + 1,
            found=doc.text[max(0, i - 20) : i + 21],
            expected="a quote edge or a not_quotes entry",
        )
        for i in unexplained_marks(doc, ann)
    ]
    return out

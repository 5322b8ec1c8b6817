"""quotes-rules: text between quotation-mark pairs, its cue verb and the nearest named speaker.

Content is what lies between a pair of double quotation marks (curly or straight),
without a trailing comma or full stop inside the marks. The cue is the reporting
verb nearest to the quote in its sentence; the speaker is the registry alias
nearest to the cue (else to the quote) in the same passage, else in the document. A quote that starts
its sentence or follows a colon or comma and begins with a capital is direct,
any other partial. Single quotation marks are skipped: in these texts they are
mostly apostrophes.
"""

from __future__ import annotations

import re

from ..model import Entity, Offsets, Quote, QuoteType
from ..text import REPORTING_CUES
from .common import Doc, Mention, find_mentions, make_span

CUES = (*REPORTING_CUES, "warned", "described", "labeled", "called", "dismissing", "promised", "recognized", "review")
_PAIR = re.compile(r"[“\"]([^“”\"]+)[”\"]")
_CUE = re.compile(r"\b(" + "|".join(CUES) + r")\b")


def _nearest(mentions: list[Mention], pos: int) -> Mention | None:
    return min(mentions, key=lambda m: (abs(m.start - pos), m.start), default=None)


def predict(doc: Doc, entities: list[Entity]) -> list[Quote]:
    out = []
    for m in _PAIR.finditer(doc.text):
        start, end = m.start(1), m.end(1)
        while end > start and doc.text[end - 1] in ",. ":
            end -= 1
        if end <= start:
            continue
        sent = next((s for s in doc.sentences if s[0] <= start < s[1]), (start, end))
        p_start, p_end, _ = doc.passage_of(start)
        cues = [c for c in _CUE.finditer(doc.text, sent[0], sent[1]) if not m.start() <= c.start() < m.end()]
        cue = min(cues, key=lambda c: (min(abs(c.start() - m.end()), abs(c.end() - m.start())), c.start()), default=None)
        anchor = cue.start() if cue else start
        speaker = _nearest(find_mentions(doc.text, entities, p_start, p_end), anchor)
        if speaker is None:  # nobody named in the passage: the nearest mention anywhere in the document
            speaker = _nearest(find_mentions(doc.text, entities, 0, len(doc.text)), start)
        before = doc.text[p_start : m.start()].rstrip()
        opens_clause = not before or before[-1] in ":,." or before == doc.text[sent[0] : m.start()].rstrip() == ""
        direct = opens_clause and doc.text[start].isupper()
        out.append(
            make_span(
                Quote,
                doc,
                len(out) + 1,
                start,
                end,
                quote_type=QuoteType.DIRECT if direct else QuoteType.PARTIAL,
                speaker=speaker.entity if speaker else "unknown",
                speaker_span=Offsets(speaker.start, speaker.end) if speaker else None,
                cue_span=Offsets(cue.start(), cue.end()) if cue else None,
            )
        )
    return out

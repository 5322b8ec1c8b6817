"""claims-rules: sentences with an attribution cue or a figure, minus the attribution frame.

A sentence (not a heading, not a question) is a claim when it holds a reporting
cue or a number that figures-rules finds. ``According to X, ...`` and
``X said that ...`` frames are cut off and X's registry entity becomes the
claimant; any other cue's claimant is the entity mentioned nearest before it in
the sentence, and a sentence with no cue is the author's. The span drops the
final full stop. Claims sharing a count of 100 or more share a cluster (the
same number is likely the same proposition); every other claim is its own cluster.
"""

from __future__ import annotations

import re

from ..model import AUTHOR, Claim, Entity, FigureKind, Offsets
from ..text import REPORTING_CUES
from . import figures_rules
from .common import Doc, Mention, find_mentions, make_span

CUES = (*REPORTING_CUES, "confirmed", "revealed", "reported", "disclosed", "indicated", "announced", "denied")
_CUE = re.compile(r"\b(" + "|".join(CUES) + r")\b")
_ACCORDING = re.compile(r"^According to ([^,]+), ")
_THAT = re.compile(r"\b(" + "|".join(CUES) + r")(?: \w+day)? that ")
_HEDGE = re.compile(r"\b(reportedly|may|might|could|suggest\w*|allegedly|possib\w*|if confirmed|unconfirmed)\b", re.IGNORECASE)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding whitespace, an opening quotation mark and the final full stop (also before a closing mark)."""
    while end > start and text[end - 1].isspace():
        end -= 1
    if text[start:end].endswith((".”", '."')):
        end -= 2
    elif text[start:end].endswith("."):
        end -= 1
    while start < end and (text[start].isspace() or text[start] in '“"'):
        start += 1
    return start, end


def _claimant(mentions: list[Mention], lo: int, hi: int) -> Mention | None:
    """The mention ending last within ``[lo, hi)``: the subject nearest before a cue."""
    inside = [m for m in mentions if lo <= m.start and m.end <= hi]
    return max(inside, key=lambda m: m.end, default=None)


def predict(doc: Doc, entities: list[Entity]) -> list[Claim]:
    figures = figures_rules.predict(doc)
    headings = [(s, e) for s, e, kind in doc.passages if kind == "heading"]
    out = []
    for s, e in doc.sentences:
        text = doc.text[s:e]
        inside = [f for f in figures if s <= f.start and f.end <= e]
        cue = _CUE.search(text)
        if text.rstrip().endswith("?") or any(hs <= s < he for hs, he in headings) or not (cue or inside):
            continue
        mentions = find_mentions(doc.text, entities, s, e)
        start, claimant = s, None
        if m := _ACCORDING.match(text):
            start, claimant = s + m.end(), _claimant(mentions, s + m.start(1), s + m.end(1))
        elif m := _THAT.search(text):
            start, claimant = s + m.end(), _claimant(mentions, s, s + m.start())
        elif cue:
            claimant = _claimant(mentions, s, s + cue.start())
        start, end = _trim(doc.text, start, e)
        if end <= start:
            continue
        counts = [f.value for f in inside if f.kind is FigureKind.COUNT and f.value and f.value >= 100 and start <= f.start]
        span_id = f"{doc.doc_id}-clm-{len(out) + 1:02d}"
        out.append(
            make_span(
                Claim,
                doc,
                len(out) + 1,
                start,
                end,
                claimant=claimant.entity if claimant else AUTHOR,
                claimant_span=Offsets(claimant.start, claimant.end) if claimant else None,
                hedged=bool(_HEDGE.search(doc.text, start, end)),
                cluster=f"count-{int(counts[0])}" if counts else span_id,
                figures=(),
                quotes=(),
            )
        )
    return out

"""Offsets: each span lies in a known document, in range, on the text it claims,
inside one passage that is not a heading, with its prefix/suffix context."""

from __future__ import annotations

from ..anchors import CONTEXT
from ..incidents import Incident
from ..model import PassageType
from .context import Context, Table, incident, rows

MENTIONS = ("speaker_span", "cue_span", "claimant_span")


def check(t: Table, ctx: Context, file: str, gold: bool = True) -> list[Incident]:
    """Offsets of spans (``gold``) or predictions (no passage/context rules, absent columns skipped)."""
    out: list[Incident] = []
    docs = ctx.docs
    blank = [None] * len(t["line"])  # sentences and predictions lack some columns
    cols = [t.get(name, blank) for name in ("id", "doc_id", "fold", "start", "end", "text", "prefix", "suffix")]
    for line, sid, doc_id, fold, start, end, text, prefix, suffix in zip(t["line"], *cols, strict=True):
        loc = {"doc_id": doc_id, "span_id": sid, "start": start, "end": end}
        doc = docs.get(doc_id)
        if doc is None:
            out.append(incident("document-unknown", file, line, doc_id, sorted(docs)[:5], span_id=sid))
            continue
        if fold is not None and fold != doc.fold:
            out.append(incident("fold-mismatch", file, line, fold, doc.fold, **loc))
        if not 0 <= start < end <= len(doc.text):
            out.append(incident("offset-out-of-range", file, line, [start, end], f"0 <= start < end <= {len(doc.text)}", **loc))
            continue
        surface = doc.text[start:end]
        if text is not None and surface != text:
            out.append(incident("offset-text-mismatch", file, line, text, surface, **loc))
        if not gold:
            continue
        before, after = doc.text[max(0, start - CONTEXT) : start], doc.text[end : end + CONTEXT]
        if (prefix, suffix) != (before, after):
            out.append(incident("span-context-mismatch", file, line, [prefix, suffix], [before, after], **loc))
        passage = doc.passage_at(start, end)
        if passage is None:
            out.append(incident("span-crosses-passage", file, line, surface[:60], "a range inside one passage", **loc))
        elif passage[2] == PassageType.HEADING:
            out.append(incident("span-in-heading", file, line, surface[:60], "no span in a heading", **loc))
    if gold:
        out.extend(_mentions(t, ctx, file))
    return out


def _mentions(t: Table, ctx: Context, file: str) -> list[Incident]:
    out = []
    for name in MENTIONS:
        for line, sid, doc_id, m in rows(t, "id", "doc_id", name):
            doc = ctx.docs.get(doc_id)
            if m is None or doc is None:
                continue
            if not 0 <= m["start"] < m["end"] <= len(doc.text):
                found = [m["start"], m["end"]]
                out.append(
                    incident(
                        "offset-out-of-range",
                        file,
                        line,
                        found,
                        f"0 <= start < end <= {len(doc.text)}",
                        doc_id=doc_id,
                        span_id=sid,
                        detail=name,
                    )
                )
    return out


def in_range(t: Table, ctx: Context) -> Table:
    """The rows of a known document with offsets in range (the others are reported above)."""
    keep = [
        i
        for i, (d, s, e) in enumerate(zip(t["doc_id"], t["start"], t["end"], strict=True))
        if d in ctx.docs and 0 <= s < e <= len(ctx.docs[d].text)
    ]
    return {name: [col[i] for i in keep] for name, col in t.items()}

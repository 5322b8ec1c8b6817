"""Offsets: each span lies in a known document, in range, on the text it claims,
inside one passage that is not a heading, with its prefix/suffix context."""

from __future__ import annotations

from operator import attrgetter

import numpy as np

from ...incidents import Incident
from ...model import PassageType
from ...text import CONTEXT
from .context import Context, Table, incident, int_column, present, rows, subset

MENTIONS = ("speaker_span", "cue_span", "claimant_span")


def check(t: Table, ctx: Context, file: str, gold: bool = True) -> list[Incident]:
    """Offsets of spans (``gold``) or predictions (no passage/context rules, absent columns skipped)."""
    out = _exact(subset(t, np.nonzero(~_clean(t, ctx, gold))[0]), ctx, file, gold)
    if gold:
        out.extend(_mentions(subset(t, _mention_suspects(t, ctx)), ctx, file))
    return out


def _clean(t: Table, ctx: Context, gold: bool) -> np.ndarray:
    """Rows every rule of ``_exact`` passes (a screen: False only means "look closer")."""
    n = len(t)
    start, end = t.ints("start"), t.ints("end")
    if start is None or end is None or not ctx.docs:
        return np.zeros(n, dtype=bool)
    c = ctx.corpus
    di = t.doc_index(c)
    ok = (start >= 0) & (start < end) & (end <= c.length[di])
    for name in ("fold", "text"):  # predictions may leave them out: the exact loop skips None
        col = t.get(name)
        if col is None:
            continue
        given = present(col, n)
        if name == "fold":
            f = int_column([x if x is not None else -1 for x in col]) if None in col else t.ints("fold")
            same = f == c.fold[di] if f is not None else np.zeros(n, dtype=bool)
        elif set(map(type, col)) <= {str, type(None)}:
            same = c.matches(di, start, end, col, ok & given)
        else:
            same = np.zeros(n, dtype=bool)
        ok &= same | ~given
    if gold:
        ok = c.matches(di, np.maximum(start - CONTEXT, 0), start, t["prefix"], ok)
        ok = c.matches(di, end, np.minimum(end + CONTEXT, c.length[di]), t["suffix"], ok)
        ok &= c.in_one_passage(di, start, end)
    return ok


def _exact(t: Table, ctx: Context, file: str, gold: bool) -> list[Incident]:
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
    return out


def _mention_suspects(t: Table, ctx: Context) -> list[int]:
    """Rows with a mention that is not plainly in range of a known document."""
    suspects: set[int] = set()
    for name in MENTIONS:
        col = t[name]
        given = np.flatnonzero(present(col, len(col)))
        if not len(given):
            continue
        ms = [col[i] for i in given.tolist()]
        if dict in set(map(type, ms)):
            starts, ends = [m["start"] for m in ms], [m["end"] for m in ms]
        else:  # typed Offsets
            starts, ends = list(map(attrgetter("start"), ms)), list(map(attrgetter("end"), ms))
        start, end = int_column(starts), int_column(ends)
        if start is None or end is None or not ctx.docs:
            suspects.update(given.tolist())
            continue
        di = t.doc_index(ctx.corpus)[given]
        ok = (start >= 0) & (start < end) & (end <= ctx.corpus.length[di])
        suspects.update(given[~ok].tolist())
    return sorted(suspects)


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
    start, end = t.ints("start"), t.ints("end")
    if start is not None and end is not None and ctx.docs:
        di = t.doc_index(ctx.corpus)
        return subset(t, np.nonzero((start >= 0) & (start < end) & (end <= ctx.corpus.length[di]))[0])
    keep = [
        i
        for i, (d, s, e) in enumerate(zip(t["doc_id"], t["start"], t["end"], strict=True))
        if d in ctx.docs and 0 <= s < e <= len(ctx.docs[d].text)
    ]
    return subset(t, keep)

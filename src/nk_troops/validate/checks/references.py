"""References: ids are unique and every id a record names resolves to the right thing.

Row rules (speaker/claimant entities and their mentions) run per chunk; table rules
(duplicates, claim and sentence members, clusters) run once over the kept columns, except
that each part of a large file already clears the claim members of the documents it holds
whole (``clean_members``, see ``span_pass.py``).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from functools import cached_property
from itertools import chain, repeat
from typing import Any

import numpy as np

from ...incidents import Incident
from ...model import RESERVED_CLAIMANTS, Layer
from ...text import PRONOUNS
from .context import Context, Corpus, Table, incident, present, rows, subset
from .typed import MASK


def mentions(t: Table, ctx: Context, file: str) -> list[Incident]:
    """Speakers and claimants are registry entities; their mentions are aliases or pronouns."""
    if ctx.entities is None:
        return []
    out = []
    for who, span in (("speaker", "speaker_span"), ("claimant", "claimant_span")):
        named = subset(t, [i for i, entity in enumerate(t[who]) if entity is not None])
        for line, sid, doc_id, entity, m in rows(named, "id", "doc_id", who, span):
            if entity is None or entity in RESERVED_CLAIMANTS and who == "claimant":
                continue
            loc = {"doc_id": doc_id, "span_id": sid}
            aliases = ctx.entities.get(entity)
            if aliases is None:
                out.append(incident("entity-unknown", file, line, entity, "an id of entities.jsonl", detail=who, **loc))
                continue
            doc = ctx.docs.get(doc_id)
            if m is None or doc is None or not 0 <= m["start"] < m["end"] <= len(doc.text):
                continue
            said = doc.text[m["start"] : m["end"]]
            if said not in aliases and said.lower() not in PRONOUNS:
                out.append(incident("mention-not-alias", file, line, said, sorted(aliases)[:5], detail=f"{span} of {entity}", **loc))
    return out


def duplicates(t: Table, file: str, column: str = "id") -> list[Incident]:
    if t.unique(column):  # else a value repeats, or one the schema let through is unhashable: the loop reports it
        return []
    first: dict[Any, int] = {}
    out = []
    for line, value in rows(t, column):
        if value in first:
            out.append(incident("duplicate-id", file, line, value, f"unique (first on line {first[value]})", span_id=value))
        else:
            first[value] = line
    return out


class SpanIndex:
    """Where each span is, and each layer's spans per document sorted by start."""

    def __init__(self, t: Table, corpus: Corpus, broken: set[str] | None = None, complete: bool = True):
        self.t, self.corpus = t, corpus
        self.broken = broken or set()  # ids of spans that failed their shape: already reported
        self.complete = complete  # False when lines of the spans file were unreadable: an unknown id may be one of them
        self._orders: dict[int, np.ndarray] = {}

    @cached_property
    def row(self) -> dict[str, int]:
        return dict(zip(self.t["id"], range(len(self.t["id"])), strict=True))  # the last row of an id, as a dict keeps it

    @cached_property
    def ids(self) -> np.ndarray:
        return np.array(self.t["id"], dtype=object)

    def order(self, layer: Layer) -> np.ndarray | None:
        """Rows of ``layer`` sorted by document, start and end; None when offsets are not plain integers."""
        t = self.t
        start, end = t.ints("start"), t.ints("end")
        if start is None or end is None:
            return None
        code = list(Layer).index(layer)
        if code not in self._orders:
            rows = np.flatnonzero(t.layer_code == code)
            doc = t.doc_index(self.corpus)
            self._orders[code] = rows[np.lexsort((end[rows], start[rows], doc[rows]))]
        return self._orders[code]

    def sorted_spans(self, layer: Layer) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Rows of ``layer`` in ``order``, with their document positions, starts and ends."""
        order = self.order(layer)
        if order is None:
            return None
        t = self.t
        return order, t.doc_index(self.corpus)[order], t.ints("start")[order], t.ints("end")[order]  # type: ignore[index]

    @cached_property
    def where(self) -> dict[str, tuple[str, str, int, int]]:
        t = self.t
        return {sid: (t["doc_id"][i], t["layer"][i], t["start"][i], t["end"][i]) for sid, i in self.row.items()}

    @cached_property
    def sorted(self) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
        by: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
        for sid, (doc, layer, s, e) in self.where.items():
            by[doc, layer].append((s, e, sid))
        return {k: sorted(v) for k, v in by.items()}

    @cached_property
    def starts(self) -> dict[tuple[str, str], list[int]]:
        return {k: [s for s, _, _ in v] for k, v in self.sorted.items()}

    def inside(self, doc: str, layer: str, start: int, end: int) -> set[str]:
        key = (doc, layer)
        spans, starts = self.sorted.get(key, []), self.starts.get(key, [])
        out = set()
        for s, e, sid in spans[bisect.bisect_left(starts, start) :]:
            if s >= end:
                break
            if e <= end:
                out.add(sid)
        return out


def members(t: Table, index: SpanIndex, file: str, column: str, layer: Layer, cleared: np.ndarray | None = None) -> list[Incident]:
    """Rows whose ``column`` lists the ``layer`` spans inside them: exactly those, all existing.
    ``cleared`` marks rows that ``clean_members`` has cleared already (on the part of the file that holds
    all of their document's spans): only the others are screened here."""
    clean = clean_members(t, index, column, layer, among=None if cleared is None else np.flatnonzero(~cleared))
    return _members(subset(t, np.flatnonzero(~clean if cleared is None else ~(clean | cleared))), index, file, column, layer)


def listed_digest(t: Table, column: str) -> int:
    """Order-free digest of the (document, start, end, id) of each id a row lists in ``column``; equal to
    ``inside_digest`` when the rows list exactly the spans inside them, as ``members`` requires."""
    lists = [refs or () for refs in t[column]]
    counts = list(map(len, lists))
    each = [chain.from_iterable(map(repeat, t[name], counts)) for name in ("doc_id", "start", "end")]  # once per listed id
    return sum(map(hash, zip(*each, chain.from_iterable(lists), strict=True))) & MASK


def inside_digest(t: Table, index: SpanIndex, layer: Layer) -> int | None:
    """The same digest over each (row, ``layer`` span inside it) of known documents; None (no screen)
    when offsets are not plain integers or rows of a document overlap (a span could lie in two)."""
    start, end, spans = t.ints("start"), t.ints("end"), index.sorted_spans(layer)
    if start is None or end is None or spans is None:
        return None
    order, s_doc, s_start, s_end = spans
    if not len(t) or not len(order):
        return 0  # no pair, as the sum of none
    unknown = len(index.corpus.index)
    doc = t.doc_index(index.corpus)
    big = int(max(end.max(initial=0), s_end.max(initial=0))) + 1
    rows = np.lexsort((end, start, doc))
    key, end_key = doc[rows] * big + start[rows], doc[rows] * big + end[rows]
    if np.any(end_key[:-1] > key[1:]):
        return None
    k = np.maximum(np.searchsorted(key, s_doc * big + s_start, side="right") - 1, 0)
    inside = (s_doc != unknown) & (doc[rows][k] == s_doc) & (key[k] <= s_doc * big + s_start) & (s_doc * big + s_end <= end_key[k])
    row, span = rows[k[inside]].tolist(), order[inside].tolist()
    pairs = zip(
        map(t["doc_id"].__getitem__, row), start[row].tolist(), end[row].tolist(), map(index.t["id"].__getitem__, span), strict=True
    )
    return sum(map(hash, pairs)) & MASK


def clean_members(t: Table, index: SpanIndex, column: str, layer: Layer, among: np.ndarray | None = None) -> np.ndarray:
    """Rows (of ``among``, else all) that list nothing, or that list, in order, exactly the ``layer`` spans
    inside them (a screen: with unique ids, equal ids are those spans, so each exists, is of the layer and
    lies inside)."""
    n = len(t)
    listed = t[column]
    clean = np.zeros(n, dtype=bool)
    among = np.arange(n) if among is None else among
    unlisted = ~present(map(listed.__getitem__, among.tolist()), len(among))
    clean[among[unlisted]] = True
    rows = among[~unlisted]  # the rows that list, the only ones looked at below
    if not len(rows):
        return clean
    start, end, spans = t.ints("start"), t.ints("end"), index.sorted_spans(layer)
    if start is None or end is None or spans is None or index.broken or not index.t.unique("id"):
        return clean
    order, s_doc, s_start, s_end = spans
    picked = [listed[i] for i in rows.tolist()]
    try:  # anything sized lines up with its elements; what is not equal to the expected ids is left to the exact loop
        count = np.fromiter(map(len, picked), dtype=np.int64, count=len(picked))
    except TypeError:
        return clean
    flat = np.fromiter(chain.from_iterable(picked), dtype=object, count=int(count.sum()))
    # the layer's spans inside each row: a run of its document's spans sorted by start (their ends must then be sorted too)
    doc, start, end = t.doc_index(index.corpus)[rows], start[rows], end[rows]
    big = int(max(s_end.max(initial=0), end.max(initial=0))) + 1
    key, end_key = s_doc * big + s_start, s_doc * big + s_end
    if np.any(np.diff(end_key) < 0):
        return clean
    lo = np.searchsorted(key, doc * big + start, side="left")
    hi = np.searchsorted(key, doc * big + end, side="left")
    within = np.maximum(np.minimum(np.searchsorted(end_key, doc * big + end, side="right"), hi) - lo, 0)
    ok = (doc < len(index.corpus.index)) & (within == count)
    # their ids, in order, against the listed ones
    take = ok & (count > 0)
    m = count[take]
    first = np.cumsum(m) - m
    expected = index.ids[order[np.repeat(lo[take], m) + np.arange(int(m.sum())) - np.repeat(first, m)]]
    same = expected == flat[np.repeat(take, count)]
    ok[np.flatnonzero(take)[np.repeat(np.arange(len(m)), m)[~same]]] = False
    clean[rows[ok]] = True
    return clean


def _members(t: Table, index: SpanIndex, file: str, column: str, layer: Layer) -> list[Incident]:
    out = []
    for line, sid, doc_id, start, end, listed in rows(t, "id", "doc_id", "start", "end", column):
        if listed is None:
            continue
        loc = {"doc_id": doc_id, "span_id": sid, "start": start, "end": end}
        for ref in listed:
            where = index.where.get(ref)
            if ref in index.broken or (where is None and not index.complete):
                continue
            if where is None or where[1] != layer:
                out.append(incident("span-unknown", file, line, ref, f"a {layer.value} id", detail=column, **loc))
            elif where[0] != doc_id or not (start <= where[2] and where[3] <= end):
                out.append(incident("claim-member-outside", file, line, [ref, where[2], where[3]], [start, end], detail=column, **loc))
        missing = index.inside(doc_id, layer, start, end) - set(listed)
        if missing:
            out.append(incident("claim-members-mismatch", file, line, sorted(listed), sorted(set(listed) | missing), detail=column, **loc))
    return out


def clusters(t: Table, ctx: Context, index: SpanIndex, spans_file: str, clusters_file: str) -> list[Incident]:
    """Each claim's cluster exists and lists it; each cluster's claims and conflicts exist."""
    if ctx.clusters is None:
        return []
    out = []
    listed_by: dict[str, str] = {}
    for cid, (_, claims) in ctx.clusters.items():
        for ref in claims:
            listed_by[ref] = cid
    claim_ids = set()
    for line, sid, doc_id, layer, cluster in rows(t, "id", "doc_id", "layer", "cluster"):
        if layer != Layer.CLAIM:
            continue
        claim_ids.add(sid)
        if cluster not in ctx.clusters:
            out.append(incident("cluster-unknown", spans_file, line, cluster, "an id of clusters.jsonl", doc_id=doc_id, span_id=sid))
        elif listed_by.get(sid) != cluster:
            out.append(incident("cluster-members-mismatch", spans_file, line, listed_by.get(sid), cluster, doc_id=doc_id, span_id=sid))
    for cid, (line, claims) in ctx.clusters.items():
        for ref in claims:
            if ref not in claim_ids and ref not in index.broken and index.complete:
                out.append(incident("span-unknown", clusters_file, line, ref, "a claim id", detail=f"cluster {cid}"))
    return out


def conflicts(records: list[tuple[int, dict]], file: str) -> list[Incident]:
    known = {r["id"] for _, r in records}
    return [
        incident("cluster-unknown", file, line, c["cluster"], "an id of clusters.jsonl", detail=f"conflicts_with of {r['id']}")
        for line, r in records
        for c in r["conflicts_with"]
        if c["cluster"] not in known
    ]


def sentence_decisions(t: Table, file: str) -> list[Incident]:
    return [
        incident("sentence-decision", file, line, [claims, reason], "claims or a reason, not both", doc_id=doc_id, span_id=sid)
        for line, sid, doc_id, claims, reason in rows(t, "id", "doc_id", "claims", "no_claim_reason")
        if bool(claims) == (reason is not None)
    ]

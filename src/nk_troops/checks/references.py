"""References: ids are unique and every id a record names resolves to the right thing.

Row rules (speaker/claimant entities and their mentions) run per chunk; table rules
(duplicates, claim and sentence members, clusters) run once over the kept columns.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from functools import cached_property
from itertools import repeat
from typing import Any

import numpy as np

from ..incidents import Incident
from ..model import RESERVED_CLAIMANTS, Layer
from .context import Context, Table, codes, incident, int_column, rows, subset

PRONOUNS = frozenset(["he", "she", "they", "it", "him", "her", "them", "his", "its", "their"])


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
    values = t[column]
    try:
        if len(set(values)) == len(values):
            return []
    except TypeError:  # an unhashable value the schema let through: the loop below reports it
        pass
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

    def __init__(self, t: Table, broken: set[str] | None = None, complete: bool = True):
        self.broken = broken or set()  # ids of spans that failed their shape: already reported
        self.complete = complete  # False when lines of the spans file were unreadable: an unknown id may be one of them
        self.t = t
        self.row = dict(zip(t["id"], range(len(t["id"])), strict=True))  # the last row of an id, as a dict keeps it

    @cached_property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, int]] | None:
        """(start, end, document code, layer) of every row, and the document codes; None when not plain integers."""
        t = self.t
        start, end = int_column(t["start"]), int_column(t["end"])
        if start is None or end is None:
            return None
        doc = codes(t["doc_id"])
        doc_code = dict(zip(t["doc_id"], doc.tolist(), strict=True))
        return start, end, doc, np.array(t["layer"], dtype=object), doc_code

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


def members(t: Table, index: SpanIndex, file: str, column: str, layer: Layer) -> list[Incident]:
    """Rows whose ``column`` lists the ``layer`` spans inside them: exactly those, all existing."""
    listing = [i for i, listed in enumerate(t[column]) if listed is not None]
    return _members(
        subset(t, sorted(set(listing) - _clean_members(subset(t, listing), index, column, layer, listing))), index, file, column, layer
    )


def _clean_members(t: Table, index: SpanIndex, column: str, layer: Layer, positions: list[int]) -> set[int]:
    """Positions (in ``positions``) of rows whose list is exactly the spans inside them (a screen)."""
    n = len(t)
    start, end = int_column(t["start"]), int_column(t["end"])
    arrays = index.arrays
    if not n or start is None or end is None or arrays is None or index.broken:
        return set()
    s_start, s_end, s_doc, s_layer, doc_code = arrays
    size = len(s_start)
    if not size:
        return set()
    # every listed id: an existing span of the layer, in the same document, inside the row
    listed = t[column]
    count = np.fromiter(map(len, listed), dtype=np.int64, count=n)
    owner = np.repeat(np.arange(n), count)
    ref = np.fromiter(map(index.row.get, (r for refs in listed for r in refs), repeat(-1)), dtype=np.int64, count=int(count.sum()))
    doc = np.fromiter(map(doc_code.get, t["doc_id"], repeat(-1)), dtype=np.int64, count=n)
    mine = s_layer == layer.value
    r = np.maximum(ref, 0)
    good = (ref >= 0) & mine[r] & (s_doc[r] == doc[owner]) & (start[owner] <= s_start[r]) & (s_end[r] <= end[owner])
    bad = np.zeros(n, dtype=bool)
    bad[owner[~good]] = True
    distinct = np.bincount(np.unique(owner * (size + 1) + r) // (size + 1), minlength=n)
    # the layer's spans inside each row, from its document's run sorted by start (their ends must then be sorted too)
    order = np.nonzero(mine)[0]
    order = order[np.lexsort((s_end[order], s_start[order], s_doc[order]))]
    big = int(max(s_end.max(initial=0), end.max(initial=0))) + 1
    key, end_key = s_doc[order] * big + s_start[order], s_doc[order] * big + s_end[order]
    if np.any(np.diff(end_key) < 0):
        return set()
    lo = np.searchsorted(key, doc * big + start, side="left")
    hi = np.searchsorted(key, doc * big + end, side="left")
    within = np.maximum(np.minimum(np.searchsorted(end_key, doc * big + end, side="right"), hi) - lo, 0)
    ok = ~bad & (distinct == count) & (within == count) & (doc >= 0)
    return {positions[i] for i in np.nonzero(ok)[0].tolist()}


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

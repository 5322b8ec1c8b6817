"""References: ids are unique, every id a record lists resolves to the right record, spans of a layer do
not overlap, clusters and claims agree, and each row equals the record its document row nests."""

from __future__ import annotations

from collections.abc import Iterator

from ...incidents import Incident
from ...model import Layer, Sentence, flat_span_columns
from ..registry import rule
from ..run import Kept, Rows, Run, at

# (the owners' table, the list, the members' layer)
MEMBERS = (("spans", "figures", Layer.FIGURE.value), ("spans", "quotes", Layer.QUOTE.value), ("sentences", "claims", Layer.CLAIM.value))
# a row has every column; a nested span only its layer's (a span row has the other layers' null)
NULLS = {"spans": dict.fromkeys(c for c, *_ in flat_span_columns()), "sentences": dict.fromkeys(Sentence.__annotations__)}


@rule("duplicate-id", on=("documents", "entities", "clusters", "spans", "sentences", "tokens"))
def unique_ids(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """Ids are unique within their file."""
    for line, row in rows:
        value = row["doc_id" if table == "documents" else "id"]
        if (first := run.seen[table].setdefault(value, line)) != line:
            yield at("duplicate-id", run.file(table), line, None, value, f"unique (first on line {first})", span_id=value)


@rule("sentence-decision", on="sentences")
def sentence_decision(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """A sentence lists the claims inside it or gives a no-claim reason, never both, never neither."""
    for line, row in rows:
        if bool(row["claims"]) == (row["no_claim_reason"] is not None):
            found = [row["claims"], row["no_claim_reason"]]
            yield at("sentence-decision", run.file(table), line, row, found, "claims or a reason, not both")


@rule("row-document-mismatch", on=("spans", "sentences"), needs=("documents",), finish=True)
def nested_twins(run: Run, table: str, rows: Rows | None) -> Iterator[Incident]:
    """Each span and sentence row equals the record of that id its document row nests, and each nested record has its row."""
    nested, waiting = run.nested[table], run.waiting[table]
    if run.sources[table].nested:  # no sentences file: the nested sentences are the table
        return
    for line, row in rows if rows is not None else waiting:  # (the waiting rows once every document has been read)
        held, file = nested.pop(row["id"], None), run.file(table)
        if held is None and rows is not None:  # nested in a document not read yet, or in none
            waiting.append((line, row))
        elif held is None:
            if run.complete("documents"):  # else its record may be on a line that could not be read
                yield at("row-document-mismatch", file, line, row, detail="no record of this id in documents.jsonl")
        elif row != (want := NULLS[table] | held[2]):
            key = next(k for k in [*want, *row] if row.get(k) != want.get(k))
            yield at("row-document-mismatch", file, line, row, row.get(key), want.get(key), detail=f"{key}: documents.jsonl line {held[0]}")
    for sid, (doc_line, doc_id, _) in nested.items() if rows is None and run.complete(table) else ():
        if sid not in run.broken:  # a nested record no row claimed
            where = {"doc_id": doc_id, "span_id": sid, "detail": f"no row in {run.file(table)}"}
            yield at("row-document-mismatch", run.file("documents"), doc_line, None, **where)


def _members(run: Run, owner: Kept, listed: tuple[str, ...], column: str, layer: str, file: str) -> Iterator[Incident]:
    for ref in listed:
        k = run.ids["spans"].get(ref)
        if ref in run.broken or (k is None and not run.complete("spans")):
            continue  # reported already, or on a line that could not be read
        if k is None or k.layer != layer:
            yield at("span-unknown", file, owner.line, owner, ref, f"a {layer} id", detail=column)
        elif k.doc_id != owner.doc_id or not owner.start <= k.start <= k.end <= owner.end:
            yield at("claim-member-outside", file, owner.line, owner, [ref, k.start, k.end], [owner.start, owner.end], detail=column)
    inside = [k.id for k in run.inside(owner.doc_id, layer, owner.start, owner.end)]
    if any(ref not in listed for ref in inside) or len(set(listed)) != len(listed):  # one missing, or one listed twice
        yield at("claim-members-mismatch", file, owner.line, owner, sorted(listed), sorted(set(listed).union(inside)), detail=column)


@rule("span-unknown", "claim-member-outside", "claim-members-mismatch", needs=("spans",))
def claim_members(run: Run) -> Iterator[Incident]:
    """A claim's ``figures`` and ``quotes`` and a sentence's ``claims`` list, once each, exactly the spans
    of that layer inside it, each an existing span of the same document."""
    for table, column, layer in MEMBERS:
        if table in run.sources:
            file = run.file("documents") if run.sources[table].nested else run.file(table)
            for owner in run.kept[table]:
                if getattr(owner, column) is not None:
                    yield from _members(run, owner, getattr(owner, column), column, layer, file)


@rule("layer-overlap", needs=("spans", "documents"))
def layer_overlap(run: Run) -> Iterator[Incident]:
    """Two spans of one layer in one document never overlap."""
    for _, spans in run.sorted_spans.values():
        reach: Kept | None = None  # of the spans so far, the one reaching furthest
        for prev, k in zip(spans, spans[1:], strict=False):
            reach = prev if reach is None or prev.end > reach.end else reach
            if k.start < reach.end:
                yield at("layer-overlap", run.file("spans"), k.line, k, [k.start, k.end], f"after {prev.id} ends ({prev.end})")


@rule("cluster-unknown", "cluster-members-mismatch", needs=("spans", "clusters"))
def cluster_members(run: Run) -> Iterator[Incident]:
    """Each claim's cluster exists and lists it; each cluster lists only claims that name it; conflicts name existing clusters."""
    listed_by = {ref: cid for cid, (_, claims) in run.clusters.items() for ref in claims}
    spans, clusters, claims = run.file("spans"), run.file("clusters"), {}
    for k in run.kept["spans"]:
        if k.cluster is not None:
            claims[k.id], where = k.cluster, {"start": None, "end": None}
            if k.cluster not in run.clusters:
                yield at("cluster-unknown", spans, k.line, k, k.cluster, "an id of clusters.jsonl", **where)
            elif listed_by.get(k.id) != k.cluster:
                yield at("cluster-members-mismatch", spans, k.line, k, listed_by.get(k.id), k.cluster, **where)
    for cid, (line, refs) in run.clusters.items():
        for ref in refs:
            if ref not in claims and ref not in run.broken and run.complete("spans"):
                expected = "ids of claims naming this cluster"
                yield at("cluster-members-mismatch", clusters, line, None, ref, expected, detail=f"cluster {cid}")
    for line, conflict, owner in run.conflicts:
        if conflict not in run.clusters:
            yield at("cluster-unknown", clusters, line, None, conflict, "an id of clusters.jsonl", detail=f"conflicts_with of {owner}")

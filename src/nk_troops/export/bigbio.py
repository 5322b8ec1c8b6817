"""BigBio knowledge-base (kb) schema: one JSONL example per document.

No ``bigbio`` package is on PyPI, so ``KB_FEATURES`` reproduces the kb schema
as BigBio publishes it (``bigbio/utils/schemas/kb.py``). BigBio defines an
example's text as its passages joined by one space; offsets here are in that
text, which differs from the release's (passages joined by a blank line) by one
character per preceding passage. Entities are the span and mention regions;
``normalized`` links quotes, claims and mentions to the entity registry and
claims to their cluster; claims of one cluster in a document form a
coreference; relations are the links of ``common.py``. Figure values and the
categorical attributes have no kb field: use another format for them.
"""

from __future__ import annotations

from typing import Any

from ..release.write import render_jsonl
from ..text import PASSAGE_SEPARATOR
from .common import DocView, Output

ENTITY_DB = "nk-troops-entities"
CLUSTER_DB = "nk-troops-clusters"
BIGBIO_SEPARATOR = " "  # how BigBio joins passages into an example's text


def kb_features() -> Any:
    import datasets

    norm = [{"db_name": datasets.Value("string"), "db_id": datasets.Value("string")}]
    texts, offsets = datasets.Sequence(datasets.Value("string")), datasets.Sequence([datasets.Value("int32")])
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "document_id": datasets.Value("string"),
            "passages": [{"id": datasets.Value("string"), "type": datasets.Value("string"), "text": texts, "offsets": offsets}],
            "entities": [
                {"id": datasets.Value("string"), "type": datasets.Value("string"), "text": texts, "offsets": offsets, "normalized": norm}
            ],
            "events": [
                {
                    "id": datasets.Value("string"),
                    "type": datasets.Value("string"),
                    "trigger": {"text": texts, "offsets": offsets},
                    "arguments": [{"role": datasets.Value("string"), "ref_id": datasets.Value("string")}],
                }
            ],
            "coreferences": [{"id": datasets.Value("string"), "entity_ids": datasets.Sequence(datasets.Value("string"))}],
            "relations": [
                {
                    "id": datasets.Value("string"),
                    "type": datasets.Value("string"),
                    "arg1_id": datasets.Value("string"),
                    "arg2_id": datasets.Value("string"),
                    "normalized": norm,
                }
            ],
        }
    )


def shift(view: DocView):
    """Release offset -> BigBio offset: each earlier passage boundary is one character shorter."""
    passages = view.doc["passages"]
    gap = len(PASSAGE_SEPARATOR) - len(BIGBIO_SEPARATOR)

    def to_kb(offset: int) -> int:
        return offset - gap * sum(1 for p in passages[1:] if p["start"] <= offset)

    return to_kb


def example(view: DocView) -> dict[str, Any]:
    to_kb = shift(view)
    passages = [
        {
            "id": f"{view.doc_id}-p{p['index']:02d}",
            "type": p["type"],
            "text": [view.text[p["start"] : p["end"]]],
            "offsets": [[to_kb(p["start"]), to_kb(p["start"]) + p["end"] - p["start"]]],
        }
        for p in view.doc["passages"]
    ]
    entities = []
    linked: dict[str, list[dict[str, str]]] = {}
    for label, mention, span_id in view.links:
        if label in ("SpeakerOf", "ClaimantOf"):
            span = next(r.span for r in view.regions if r.id == span_id)
            entry = {"db_name": ENTITY_DB, "db_id": span["speaker" if label == "SpeakerOf" else "claimant"]}
            if entry not in linked.setdefault(mention, []):
                linked[mention].append(entry)
    for r in view.regions:
        if r.span is None:
            normalized = linked.get(r.id, [])
        elif r.span["layer"] == "quote":
            normalized = [{"db_name": ENTITY_DB, "db_id": r.span["speaker"]}]
        elif r.span["layer"] == "claim":
            normalized = [{"db_name": ENTITY_DB, "db_id": r.span["claimant"]}, {"db_name": CLUSTER_DB, "db_id": r.span["cluster"]}]
        else:
            normalized = []
        start = to_kb(r.start)
        entities.append(
            {"id": r.id, "type": r.label.lower(), "text": [r.text], "offsets": [[start, start + r.end - r.start]], "normalized": normalized}
        )
    clusters: dict[str, list[str]] = {}
    for claim in view.spans():
        if claim["layer"] == "claim":
            clusters.setdefault(claim["cluster"], []).append(claim["id"])
    return {
        "id": view.doc_id,
        "document_id": view.doc_id,
        "passages": passages,
        "entities": entities,
        "events": [],
        "coreferences": [{"id": f"{view.doc_id}-{c}", "entity_ids": ids} for c, ids in clusters.items() if len(ids) > 1],
        "relations": [
            {"id": f"{view.doc_id}-r{n:03d}", "type": label, "arg1_id": a, "arg2_id": b, "normalized": []}
            for n, (label, a, b) in enumerate(view.links, start=1)
        ],
    }


def render(views: list[DocView], rows: dict[str, list[dict[str, Any]]]) -> Output:
    return Output({"bigbio_kb.jsonl": render_jsonl([example(v) for v in views])})

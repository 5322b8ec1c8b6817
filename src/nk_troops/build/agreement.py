"""Agreement between the two independent annotation passes.

Spans are paired one to one as the scorer pairs them (``matching.assign``) and
reported by exact span and by overlap; claim edges are the hardest decision. On
matched spans each attribute is compared; claim clusters are compared with
B-cubed F1 over the claims both passes found, which needs no shared cluster ids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..matching import assign, bcubed
from ..model import Document, Layer, SpanBase
from ..text import markdown_table
from .anchors import DocumentAnnotations, resolve_folder

ATTRIBUTES = {
    Layer.FIGURE: ("kind", "value", "value_max", "normalized", "qualifier", "unit", "year_inferred"),
    Layer.QUOTE: ("quote_type", "speaker", "speaker_span", "cue_span"),
    Layer.CLAIM: ("claimant", "claimant_span", "hedged"),
}
LAYER_FIELD = {Layer.FIGURE: "figures", Layer.QUOTE: "quotes", Layer.CLAIM: "claims"}


@dataclass(frozen=True)
class LayerAgreement:
    layer: Layer
    n_a: int
    n_b: int
    exact_matches: int
    overlap_matches: int
    attributes: dict[str, tuple[int, int]]  # name -> (equal, compared) over matched pairs
    cluster_bcubed_f1: float | None

    @staticmethod
    def f1(matches: int, n_a: int, n_b: int) -> float:
        return 2 * matches / (n_a + n_b) if n_a + n_b else 1.0

    @property
    def exact_f1(self) -> float:
        return self.f1(self.exact_matches, self.n_a, self.n_b)

    @property
    def overlap_f1(self) -> float:
        return self.f1(self.overlap_matches, self.n_a, self.n_b)


def _overlap_pairs(a: list[SpanBase], b: list[SpanBase]) -> list[tuple[SpanBase, SpanBase]]:
    """One-to-one pairs of overlapping spans, matched as the scorer matches them."""
    return [(a[i], b[j]) for i, j in assign([(x.start, x.end) for x in a], [(y.start, y.end) for y in b])]


def _bcubed_f1(pairs: list[tuple[SpanBase, SpanBase]]) -> float | None:
    """B-cubed F1 of pass B's clustering against pass A's over the matched claims."""
    result = bcubed([x.cluster for x, _ in pairs], [y.cluster for _, y in pairs])
    return None if result is None else result.f1


def compare(a: dict[str, DocumentAnnotations], b: dict[str, DocumentAnnotations], layer: Layer) -> LayerAgreement:
    spans_a = [s for doc in sorted(a) for s in getattr(a[doc], LAYER_FIELD[layer])]
    spans_b = [s for doc in sorted(b) for s in getattr(b[doc], LAYER_FIELD[layer])]
    pairs = [
        p
        for doc in sorted(a)
        for p in _overlap_pairs(getattr(a[doc], LAYER_FIELD[layer]), getattr(b.get(doc, DocumentAnnotations()), LAYER_FIELD[layer]))
    ]
    exact = [(x, y) for x, y in pairs if (x.start, x.end) == (y.start, y.end)]
    compared = exact if layer is not Layer.CLAIM else pairs
    attributes = {name: (sum(getattr(x, name) == getattr(y, name) for x, y in compared), len(compared)) for name in ATTRIBUTES[layer]}
    return LayerAgreement(
        layer,
        len(spans_a),
        len(spans_b),
        len(exact),
        len(pairs),
        attributes,
        _bcubed_f1(pairs) if layer is Layer.CLAIM else None,
    )


def disagreements(a: dict[str, DocumentAnnotations], b: dict[str, DocumentAnnotations], layer: Layer) -> list[dict]:
    """Every span found by one pass only, and every attribute the passes set differently."""
    out = []
    for doc in sorted(a):
        sa, sb = getattr(a[doc], LAYER_FIELD[layer]), getattr(b.get(doc, DocumentAnnotations()), LAYER_FIELD[layer])
        pairs = _overlap_pairs(sa, sb)
        paired_a, paired_b = {x.id for x, _ in pairs}, {y.id for _, y in pairs}
        for x in sa:
            if x.id not in paired_a:
                out.append({"doc_id": doc, "layer": layer.value, "pass_a": x.text, "pass_b": None})
        for y in sb:
            if y.id not in paired_b:
                out.append({"doc_id": doc, "layer": layer.value, "pass_a": None, "pass_b": y.text})
        for x, y in pairs:
            if (x.start, x.end) != (y.start, y.end):
                out.append({"doc_id": doc, "layer": layer.value, "span": x.text, "field": "extent", "pass_a": x.text, "pass_b": y.text})
            for name in ATTRIBUTES[layer]:
                va, vb = getattr(x, name), getattr(y, name)
                if va != vb:
                    out.append({"doc_id": doc, "layer": layer.value, "span": x.text, "field": name, "pass_a": str(va), "pass_b": str(vb)})
    return out


def _cluster_splits(pairs: list[tuple[SpanBase, SpanBase]], side: int) -> list[dict]:
    """Clusters of one pass whose matched claims the other pass spreads over several clusters."""
    members: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for pair in pairs:
        mine, other = pair[side], pair[1 - side]
        members[mine.cluster][other.cluster].append(pair[0].id)
    name = ("pass_a", "pass_b")
    return [
        {"doc_id": "*", "layer": "claim", "field": "cluster", name[side]: cluster, name[1 - side]: dict(sorted(split.items()))}
        for cluster, split in sorted(members.items())
        if len(split) > 1
    ]


def cluster_disagreements(a: dict[str, DocumentAnnotations], b: dict[str, DocumentAnnotations]) -> list[dict]:
    pairs = [p for doc in sorted(a) for p in _overlap_pairs(a[doc].claims, b.get(doc, DocumentAnnotations()).claims)]
    return _cluster_splits(pairs, 0) + _cluster_splits(pairs, 1)


def sentence_agreement(a: dict[str, DocumentAnnotations], b: dict[str, DocumentAnnotations]) -> tuple[int, int, int]:
    """(same claim/no-claim decision, same reason or same claim ids, sentences)."""
    decision = exact = total = 0
    for doc in sorted(a):
        for x, y in zip(a[doc].sentences, b[doc].sentences, strict=True):
            total += 1
            decision += bool(x.claims) == bool(y.claims)
            exact += x.no_claim_reason == y.no_claim_reason
    return decision, exact, total


def resolve_passes(docs: list[Document], annotations: Path) -> tuple[dict[str, DocumentAnnotations], dict[str, DocumentAnnotations]]:
    """Pass A and pass B, resolved like the gold annotations."""
    return resolve_folder(docs, annotations / "passes" / "a"), resolve_folder(docs, annotations / "passes" / "b")


def render(a: dict[str, DocumentAnnotations], b: dict[str, DocumentAnnotations]) -> str:
    """Markdown table of the agreement figures, then the sentence-decision agreement."""
    rows = []
    for layer in (Layer.FIGURE, Layer.QUOTE, Layer.CLAIM):
        r = compare(a, b, layer)
        attrs = ", ".join(f"{name} {eq}/{n}" for name, (eq, n) in r.attributes.items())
        cluster = "—" if r.cluster_bcubed_f1 is None else f"{r.cluster_bcubed_f1:.3f}"
        rows.append([r.layer.value, r.n_a, r.n_b, f"{r.exact_f1:.3f}", f"{r.overlap_f1:.3f}", attrs, cluster])
    header = ["layer", "pass A", "pass B", "exact-span F1", "overlap F1", "attribute agreement on matched spans", "cluster B-cubed F1"]
    decision, exact, total = sentence_agreement(a, b)
    return (
        markdown_table(header, rows, "lrrrrlr")
        + f"\n\nSentence decisions: claim / no claim agree on {decision}/{total} sentences; the reason (or its absence) on {exact}/{total}."
    )

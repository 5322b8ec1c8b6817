"""Agreement between the annotation passes: what the datasheet reports is computed, not typed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nk_troops.build.agreement import cluster_disagreements, compare, disagreements, resolve_passes, sentence_agreement
from nk_troops.build.documents import build_documents
from nk_troops.model import Layer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def passes():
    docs = build_documents(ROOT / "annotations/recipes", ROOT / "dataset/raw")
    return resolve_passes(docs, ROOT / "annotations")


def test_a_pass_agrees_with_itself_everywhere(passes):
    a, _ = passes
    for layer in Layer:
        r = compare(a, a, layer)
        assert r.exact_f1 == r.overlap_f1 == 1.0
        assert all(eq == n for eq, n in r.attributes.values())
        assert disagreements(a, a, layer) == []
    assert compare(a, a, Layer.CLAIM).cluster_bcubed_f1 == 1.0
    assert cluster_disagreements(a, a) == []
    decision, exact, total = sentence_agreement(a, a)
    assert decision == exact == total == 111


def test_a_shifted_figure_and_a_changed_speaker_are_counted(passes):
    a, _ = passes
    ann = a["nk004"]
    figure, quote = ann.figures[0], ann.quotes[0]
    shifted = replace(
        ann, figures=[replace(figure, start=figure.start + 1), *ann.figures[1:]], quotes=[replace(quote, speaker="x"), *ann.quotes[1:]]
    )
    b = {**a, "nk004": shifted}
    figures, quotes = compare(a, b, Layer.FIGURE), compare(a, b, Layer.QUOTE)
    n_fig, n_quo = figures.n_a, quotes.n_a
    assert figures.exact_matches == n_fig - 1 and figures.overlap_matches == n_fig
    assert quotes.exact_matches == n_quo and quotes.attributes["speaker"] == (n_quo - 1, n_quo)
    rows = disagreements(a, b, Layer.FIGURE) + disagreements(a, b, Layer.QUOTE)
    assert [(r["field"], r["doc_id"]) for r in rows] == [("extent", "nk004"), ("speaker", "nk004")]


def test_merging_two_clusters_lowers_bcubed(passes):
    a, _ = passes
    ann = a["nk002"]
    target = ann.claims[0].cluster
    merged = replace(ann, claims=[replace(c, cluster=target) for c in ann.claims])
    r = compare(a, {**a, "nk002": merged}, Layer.CLAIM)
    assert r.exact_f1 == 1.0 and r.cluster_bcubed_f1 < 1.0

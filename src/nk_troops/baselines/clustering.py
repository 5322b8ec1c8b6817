"""clusters-tfidf: gold claims grouped into propositions across the articles, scored by B-cubed.

The claims of all five documents are clustered together (the task is
cross-document), but what is learned comes from the training documents only:
the TF-IDF vocabulary and weights are fitted on their claims, and the distance
threshold of average-linkage agglomerative clustering (cosine distance) is the
one of a fixed grid that gives the best B-cubed F1 when the training claims alone
are clustered. Each claim of the test document is then scored by its B-cubed
precision and recall against the gold clusters of all claims.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..matching import bcubed, item_bcubed

GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))  # distance thresholds 0.05 ... 0.95


def _distances(train_texts: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(train_texts).transform(texts)
    d = 1.0 - (vectors @ vectors.T).toarray()  # rows are L2-normalised; a claim with no known word is 1 from all
    np.fill_diagonal(d, 0.0)
    return np.clip(d, 0.0, 1.0)


def cluster(distances: np.ndarray, threshold: float) -> list[int]:
    from sklearn.cluster import AgglomerativeClustering

    if len(distances) < 2:
        return [0] * len(distances)
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, metric="precomputed", linkage="average")
    return [int(x) for x in model.fit_predict(distances)]


def choose_threshold(train: Sequence[dict]) -> float:
    """The grid threshold with the best B-cubed F1 on the training claims clustered alone (the smallest on a tie)."""
    texts, gold = [r["text"] for r in train], [r["cluster"] for r in train]
    d = _distances(texts, texts)
    return max(GRID, key=lambda t: (bcubed(gold, cluster(d, t)).f1, -t))


def fold_labels(claims: Sequence[dict], test_doc: str) -> tuple[float, list[int]]:
    """A cluster label for every claim, from the vocabulary and threshold of the claims outside ``test_doc``."""
    train = [r for r in claims if r["doc_id"] != test_doc]
    threshold = choose_threshold(train)
    return threshold, cluster(_distances([r["text"] for r in train], [r["text"] for r in claims]), threshold)


def counts(claims: Sequence[dict], labels: Sequence[object], doc: str) -> dict[str, float]:
    """Summed B-cubed precision and recall of the claims of ``doc`` under a clustering of all claims, and their number."""
    items = [pr for r, pr in zip(claims, item_bcubed([r["cluster"] for r in claims], labels), strict=True) if r["doc_id"] == doc]
    return {"bcubed.precision": sum(p for p, _ in items), "bcubed.recall": sum(r for _, r in items), "bcubed.items": len(items)}

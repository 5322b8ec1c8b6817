"""checkworthy-tfidf: is a sentence check-worthy (holds a claim), and if not, why not.

Two logistic regressions over TF-IDF word uni- and bigrams of the ``sentences``
view, vocabulary and weights fitted on the training documents only: one says
claim / no claim (classes weighted by their frequency, fixed in advance: a third
of the sentences hold no claim), the other gives the sentences it calls
no-claim one of the ``no_claim_reason`` labels seen in training.
"""

from __future__ import annotations

from collections.abc import Sequence

CLAIM = "claim"  # the label of a sentence holding a claim; otherwise its no_claim_reason


def label(row: dict) -> str:
    return CLAIM if row["claims"] else row["no_claim_reason"]


def _model(**kwargs):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(max_iter=1000, **kwargs))


def train_and_predict(train: Sequence[dict], test: Sequence[dict]) -> list[str]:
    """A label (``claim`` or a no-claim reason) for each test sentence, from models fitted on the train sentences."""
    texts = [r["text"] for r in test]
    if not texts:
        return []
    binary = _model(class_weight="balanced").fit([r["text"] for r in train], [bool(r["claims"]) for r in train])
    no_claim = [r for r in train if not r["claims"]]
    reasons = {r["no_claim_reason"] for r in no_claim}
    reason = _model().fit([r["text"] for r in no_claim], [r["no_claim_reason"] for r in no_claim]) if len(reasons) > 1 else None
    is_claim = binary.predict(texts)
    why = reason.predict(texts) if reason else [next(iter(reasons))] * len(texts)
    return [CLAIM if c else str(w) for c, w in zip(is_claim, why, strict=True)]


def counts(gold: Sequence[dict], predicted: Sequence[str]) -> dict[str, float]:
    """Additive counts: hits, predicted and gold sentences of each side; reasons right on the gold no-claim sentences."""
    out = dict.fromkeys(
        (
            "claim.hit",
            "claim.predicted",
            "claim.gold",
            "no_claim.hit",
            "no_claim.predicted",
            "no_claim.gold",
            "reason.correct",
            "reason.compared",
        ),
        0.0,
    )
    for row, p in zip(gold, predicted, strict=True):
        for side, is_side in (("claim", lambda x: x == CLAIM), ("no_claim", lambda x: x != CLAIM)):
            out[f"{side}.hit"] += is_side(label(row)) and is_side(p)
            out[f"{side}.predicted"] += is_side(p)
            out[f"{side}.gold"] += is_side(label(row))
        if not row["claims"]:
            out["reason.compared"] += 1
            out["reason.correct"] += p == label(row)
    return out

"""Find check-worthy sentences in the `sentences` config, leave one document out, and score them with nk-troops.

TF-IDF and logistic regression, fitted on four documents and applied to the
fifth. Sentence-level scores come from scikit-learn; each sentence called
check-worthy is then written as a predicted claim span (the sentence without
its final full stop) and scored by `nk_troops.evaluate`, strict and partial, as
a claim extractor.

    pip install "nk-troops[baselines]"
    python sentence_classifier.py [OUT.jsonl]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline

import nk_troops
from nk_troops.evaluate import render_text
from nk_troops.model import Layer


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "predictions-claims.jsonl")
    gold, predicted, predictions = [], [], []
    for train, test in nk_troops.folds("sentences"):  # five (train, test) pairs, one document held out each
        model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(class_weight="balanced", max_iter=1000))
        model.fit(train["text"], [bool(c) for c in train["claims"]])
        calls = model.predict(test["text"])
        gold += [bool(c) for c in test["claims"]]
        predicted += [bool(c) for c in calls]
        for row, claim in zip(test, calls, strict=True):
            end = row["end"] - row["text"].endswith(".")
            if claim and end > row["start"]:
                predictions.append({"doc_id": row["doc_id"], "layer": "claim", "start": row["start"], "end": end})
    print(
        f"sentences: check-worthy F1 {f1_score(gold, predicted):.3f}, not check-worthy F1 {f1_score(gold, predicted, pos_label=False):.3f}"
    )
    out.write_text("".join(json.dumps(p) + "\n" for p in predictions), encoding="utf-8")
    print(f"wrote {len(predictions)} predicted claim spans to {out}")
    print(render_text(nk_troops.evaluate(out, layers=[Layer.CLAIM])))  # checks the file first: bad input raises


if __name__ == "__main__":
    main()

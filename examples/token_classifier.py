"""Train a figure tagger on the `tokens` config, leave one document out, and score it with nk-troops.

A per-token logistic regression over simple word features: not a good model, a
template for yours. Each fold trains on four documents and tags the fifth; the
tags become character spans (`nk_troops.bio.decode_bio`), the spans a
predictions file, and the file is validated and scored as `nk-troops evaluate
--pred predictions-figures.jsonl --bootstrap 1000` would.

    pip install "nk-troops[baselines]"
    python token_classifier.py [OUT.jsonl]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import nk_troops
from nk_troops import release_dir
from nk_troops.bio import decode_bio
from nk_troops.evaluate import render_text
from nk_troops.evaluate.bootstrap import bootstrap_file
from nk_troops.evaluate.bootstrap import render_text as render_bootstrap
from nk_troops.model import Layer

LAYER = Layer.FIGURE


def features(tokens: list[str], i: int) -> dict:
    word = tokens[i]
    return {
        "word": word.lower(),
        "digit": word.isdigit(),
        "title": word.istitle(),
        "prev": tokens[i - 1].lower() if i else "<s>",
        "next": tokens[i + 1].lower() if i + 1 < len(tokens) else "</s>",
    }


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else f"predictions-{LAYER.value}s.jsonl")
    predictions = []
    for train, test in nk_troops.folds("tokens"):  # five (train, test) pairs, one document held out each
        names = train.features[f"{LAYER}_tags"].feature.names  # ['O', 'B-figure', 'I-figure']
        x = [features(row["tokens"], i) for row in train for i in range(len(row["tokens"]))]
        y = [names[tag] for row in train for tag in row[f"{LAYER}_tags"]]
        model = make_pipeline(DictVectorizer(), LogisticRegression(max_iter=1000)).fit(x, y)
        for row in test:
            tags = model.predict([features(row["tokens"], i) for i in range(len(row["tokens"]))])
            for start, end in decode_bio(row["token_starts"], row["token_ends"], list(tags)):
                predictions.append({"doc_id": row["doc_id"], "layer": LAYER.value, "start": start, "end": end})
    out.write_text("".join(json.dumps(p) + "\n" for p in predictions), encoding="utf-8")
    print(f"wrote {len(predictions)} predicted {LAYER.value} spans to {out}")

    report = nk_troops.evaluate(out, layers=[LAYER])  # checks the file first: bad input raises, never scores
    print(render_text(report))
    print()
    print(render_bootstrap(bootstrap_file(out, release_dir(), [LAYER], None, 1000, 0), 1000, 0))


if __name__ == "__main__":
    main()

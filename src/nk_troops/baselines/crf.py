"""crf-figures, crf-quotes, crf-claims: a linear-chain CRF per span layer on the ``tokens`` view.

Trained, not written: each fold's tagger learns from the sentences of the four
other documents only (python-crfsuite, L-BFGS, hyperparameters fixed in advance,
never tuned on a test document). Features are the usual generic ones of a
feature-based NER tagger: the word, its shape, affixes and neighbours, whether it
is a number word or a month, its place in the sentence, and whether it lies
between quotation marks. No feature names a word of these articles.

Figure attributes of the predicted spans:

- kind and qualifier: logistic regressions over the words of and around each
  gold figure of the training documents;
- value: the quantulum3 parser on the span's text (no value for a date), as a
  user without a trained normaliser would read it; an ordinal word is what the
  parser makes of it (``fourth`` -> 0.25), which the scorer counts as wrong;
- ``normalized`` is not predicted, so the scorer does not compare it.
"""

from __future__ import annotations

import calendar
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..bio import decode_bio
from ..model import FigureKind, Layer
from ..text import NUMBER_WORDS, QUOTE_MARKS
from . import figures_quantulum3

LAYERS = (Layer.FIGURE, Layer.QUOTE, Layer.CLAIM)
PARAMS = {"c1": 0.1, "c2": 0.01, "max_iterations": 100, "feature.possible_transitions": True}
MONTHS = {m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:])}
NUMBERS = frozenset(NUMBER_WORDS)
OPENING, CLOSING = "“", "”"


def _shape(word: str) -> str:
    """Character classes with runs collapsed: ``Korea`` -> ``Xx``, ``12`` -> ``d``, ``’`` -> ``’``."""
    out = []
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _inside_quotes(tokens: Sequence[str]) -> list[bool]:
    """Whether each token lies between an opening and a closing quotation mark of its sentence."""
    inside, out = False, []
    for tok in tokens:
        if tok == CLOSING or (tok == '"' and inside):
            inside = False
            out.append(False)
        elif tok == OPENING or tok == '"':
            out.append(False)
            inside = True
        else:
            out.append(inside)
    return out


def _word(tok: str) -> dict[str, str]:
    low = tok.lower()
    return {"w": low, "shape": _shape(tok), "num": str(low in NUMBERS or tok.isdigit()), "month": str(low in MONTHS)}


def sentence_features(tokens: Sequence[str]) -> list[dict[str, str]]:
    """crfsuite features (``name=value`` strings) of every token of a sentence."""
    words, quoted, n = [_word(t) for t in tokens], _inside_quotes(tokens), len(tokens)
    out = []
    for i, tok in enumerate(tokens):
        f = {f"0.{k}": v for k, v in words[i].items()}
        f |= {"suffix3": tok[-3:].lower(), "prefix2": tok[:2].lower(), "quoted": str(quoted[i]), "quote_mark": str(tok in QUOTE_MARKS)}
        f |= {"first": str(i == 0), "last": str(i >= n - 2)}
        for d in (-2, -1, 1, 2):
            j = i + d
            f |= {f"{d}.{k}": v for k, v in words[j].items() if k in ("w", "shape", "num")} if 0 <= j < n else {f"{d}.edge": "True"}
        out.append(f)
    return out


def train_and_tag(train: Sequence[dict], test: Sequence[dict], layer: Layer) -> list[list[str]]:
    """Tags of the test sentences from a CRF trained on the train sentences (rows of the ``tokens`` view)."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for row in train:
        trainer.append(sentence_features(row["tokens"]), row[f"{layer}_tags"])
    trainer.set_params(PARAMS)
    with tempfile.TemporaryDirectory() as tmp:
        model = str(Path(tmp) / "model.crfsuite")
        trainer.train(model)
        tagger = pycrfsuite.Tagger()
        tagger.open(model)
        tags = [tagger.tag(sentence_features(row["tokens"])) for row in test]
        tagger.close()
    return tags


def spans_of(rows: Sequence[dict], tags: Sequence[Sequence[str]], layer: Layer) -> list[dict]:
    """Predicted span rows (doc_id, layer, start, end) decoded from each sentence's tags."""
    return [
        {"doc_id": row["doc_id"], "layer": layer.value, "start": s, "end": e}
        for row, t in zip(rows, tags, strict=True)
        for s, e in decode_bio(row["token_starts"], row["token_ends"], t)
    ]


# --- figure attributes ------------------------------------------------------------


def _context(text: str, start: int, end: int) -> dict[str, Any]:
    """Words of a figure span and the three words on each side, as classifier features."""
    inside = text[start:end].lower().split()
    before, after = text[max(0, start - 40) : start].lower().split()[-3:], text[end : end + 40].lower().split()[:3]
    f: dict[str, Any] = {f"in={w}": 1 for w in inside} | {"shape=" + _shape(text[start:end]): 1}
    f |= {f"before{-len(before) + i}={w}": 1 for i, w in enumerate(before)} | {f"after{i + 1}={w}": 1 for i, w in enumerate(after)}
    f |= {"before_bigram=" + " ".join(before[-2:]): 1, "month": any(w.strip(".,") in MONTHS for w in inside)}
    return f


class FigureAttributes:
    """Kind and qualifier classifiers trained on gold figures; the value from quantulum3."""

    def __init__(self, gold: Sequence[dict], texts: dict[str, str]) -> None:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        features = [_context(texts[r["doc_id"]], r["start"], r["end"]) for r in gold]
        self.models = {}
        for attribute in ("kind", "qualifier"):
            labels = [r[attribute] for r in gold]
            model = make_pipeline(DictVectorizer(), LogisticRegression(max_iter=1000))
            self.models[attribute] = model.fit(features, labels) if len(set(labels)) > 1 else labels[0]

    def predict(self, spans: Sequence[dict], texts: dict[str, str]) -> list[dict]:
        if not spans:
            return []
        features = [_context(texts[r["doc_id"]], r["start"], r["end"]) for r in spans]
        predicted = {a: m.predict(features) if not isinstance(m, str) else [m] * len(spans) for a, m in self.models.items()}
        out = []
        for i, r in enumerate(spans):
            kind = str(predicted["kind"][i])
            value = None if kind == FigureKind.DATE else parse_value(texts[r["doc_id"]][r["start"] : r["end"]])
            out.append(r | {"kind": kind, "qualifier": str(predicted["qualifier"][i]), "value": value})
        return out


def parse_value(text: str) -> float | None:
    """The first quantity quantulum3 reads in ``text`` (the lower end of a range), None when it reads none."""
    quantities = figures_quantulum3.parse(text)
    if not quantities:
        return None
    q = quantities[0]
    return float(q.value - (q.uncertainty or 0.0))

"""Quote speaker attribution, trained: a logistic regression ranks the entity mentions near a quote.

Candidates are the mentions of registry entities (alias lookup, ``find_mentions``)
in the quote's passage and the one before it. Each (quote, mention) pair is
described by where the mention stands (same sentence, before or after, distance
and rank by distance, inside the quote), whether a reporting cue stands next to
it, the words on either side and the entity's type; the model learns from the
gold speakers of the training documents which pair is the speaker, and the
best-scored mention's entity is predicted.

The registry is given, as quote-attribution work with gold mentions does: its
aliases were collected from all five articles, so finding mentions is an
oracle gazetteer lookup and only the choice among them is learned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..model import Entity
from ..text import REPORTING_CUES
from .common import Doc, Mention, find_mentions

UNKNOWN = "unknown"  # no candidate mention: an id no gold speaker has


def _candidates(doc: Doc, entities: list[Entity], start: int) -> list[Mention]:
    index = next(i for i, p in enumerate(doc.passages) if p[0] <= start < p[1])
    return find_mentions(doc.text, entities, doc.passages[max(0, index - 1)][0], doc.passages[index][1])


def _features(doc: Doc, types: dict[str, str], start: int, end: int, mentions: list[Mention]) -> list[dict[str, Any]]:
    sentence = next((s for s in doc.sentences if s[0] <= start < s[1]), (start, end))
    passage = doc.passage_of(start)
    distance = [0 if start <= m.start < end else max(start - m.end, m.start - end, 0) for m in mentions]
    order = sorted(range(len(mentions)), key=lambda i: (distance[i], mentions[i].start))
    out = []
    for i, m in enumerate(mentions):
        left = doc.text[max(0, m.start - 30) : m.start].lower().split()[-2:]
        right = doc.text[m.end : m.end + 30].lower().split()[:2]
        near = " ".join(left + right)
        f: dict[str, Any] = {
            "same_sentence": sentence[0] <= m.start < sentence[1],
            "same_passage": passage[0] <= m.start < passage[1],
            "before": m.end <= start,
            "inside": start <= m.start < end,
            "distance": math.log1p(distance[i]),
            f"rank={min(order.index(i), 3)}": 1,
            "cue_next": any(c in near for c in REPORTING_CUES),
            f"type={types[m.entity]}": 1,
        }
        f |= {f"left={w.strip(',.')}": 1 for w in left} | {f"right={w.strip(',.')}": 1 for w in right}
        out.append(f)
    return out


class SpeakerRanker:
    """Trained on the gold quotes of the training documents; predicts a speaker for any quote span."""

    def __init__(self, gold_quotes: Sequence[dict], docs: dict[str, Doc], entities: list[Entity]) -> None:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.entities, self.types = entities, {e.id: e.type.value for e in entities}
        features, labels = [], []
        for q in gold_quotes:
            doc = docs[q["doc_id"]]
            mentions = _candidates(doc, entities, q["start"])
            features += _features(doc, self.types, q["start"], q["end"], mentions)
            labels += [m.entity == q["speaker"] for m in mentions]
        self.model = make_pipeline(DictVectorizer(), LogisticRegression(max_iter=1000)).fit(features, labels)

    def predict(self, quotes: Sequence[dict], docs: dict[str, Doc]) -> list[dict]:
        out = []
        for q in quotes:
            doc = docs[q["doc_id"]]
            mentions = _candidates(doc, self.entities, q["start"])
            speaker = UNKNOWN
            if mentions:
                scores = self.model.predict_proba(_features(doc, self.types, q["start"], q["end"], mentions))[:, 1]
                speaker = mentions[max(range(len(mentions)), key=lambda i: (scores[i], -i))].entity
            out.append(q | {"speaker": speaker})
        return out

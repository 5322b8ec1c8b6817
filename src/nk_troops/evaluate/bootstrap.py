"""Per-document scores, their spread and a bootstrap confidence interval over documents.

A score is a ratio of counts (F1 from hits, predicted and gold spans; an
accuracy from correct and compared), and counts add up over documents. So each
document is scored once, and a resample of the documents is a weighted sum of
their counts: a thousand resamples cost one matrix product.

The resampled unit is the document, not the sentence or the span: the release is
five articles, and sentences of one article share its author, events and style,
so resampling sentences would treat correlated items as independent and give
intervals that are too narrow. With five documents there are only 126 distinct
resamples; the percentile interval is coarse and says how much the score moves
with the choice of articles, no more.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Layer
from .score import fmt

Counts = Mapping[str, float]  # additive counts of one document


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def f1(hit: np.ndarray, predicted: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """2PR/(P+R) = 2 hit / (predicted + gold); 0 when nothing was predicted, undefined when nothing was there either."""
    return _ratio(2 * hit, predicted + gold)


def precision(hit: np.ndarray, predicted: np.ndarray, _gold: np.ndarray) -> np.ndarray:
    return _ratio(hit, predicted)


def recall(hit: np.ndarray, _predicted: np.ndarray, gold: np.ndarray) -> np.ndarray:
    return _ratio(hit, gold)


def accuracy(correct: np.ndarray, compared: np.ndarray) -> np.ndarray:
    return _ratio(correct, compared)


def bcubed_precision(precision_sum: np.ndarray, _recall_sum: np.ndarray, items: np.ndarray) -> np.ndarray:
    """B-cubed precision from per-item precisions summed over the items."""
    return _ratio(precision_sum, items)


def bcubed_recall(_precision_sum: np.ndarray, recall_sum: np.ndarray, items: np.ndarray) -> np.ndarray:
    return _ratio(recall_sum, items)


def bcubed_f1(precision_sum: np.ndarray, recall_sum: np.ndarray, items: np.ndarray) -> np.ndarray:
    p, r = _ratio(precision_sum, items), _ratio(recall_sum, items)
    return _ratio(2 * p * r, p + r)


@dataclass(frozen=True)
class Metric:
    """A score computed from named counts (``fn`` takes the count arrays in the order of ``keys``)."""

    name: str
    fn: Callable[..., np.ndarray]
    keys: tuple[str, ...]

    def __call__(self, counts: Mapping[str, np.ndarray]) -> np.ndarray:
        return self.fn(*(np.asarray(counts[k], dtype=float) for k in self.keys))


@dataclass(frozen=True)
class Estimate:
    """One metric: pooled over all documents, per document, their mean and sample standard deviation, a 95% interval."""

    metric: str
    pooled: float | None
    per_doc: dict[str, float | None]
    mean: float | None
    sd: float | None
    low: float | None
    high: float | None

    def to_json(self, digits: int = 4) -> dict[str, Any]:
        r = lambda x: None if x is None else round(x, digits)  # noqa: E731
        return {
            "metric": self.metric,
            "pooled": r(self.pooled),
            "per_doc": {d: r(v) for d, v in self.per_doc.items()},
            "mean": r(self.mean),
            "sd": r(self.sd),
            "ci95": [r(self.low), r(self.high)],
        }


def _value(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def estimate(per_doc: Mapping[str, Counts], metrics: Sequence[Metric], n: int = 1000, seed: int = 0) -> list[Estimate]:
    """Each metric pooled, per document and with a percentile interval from ``n`` resamples of the documents."""
    docs = sorted(per_doc)
    keys = sorted({k for m in metrics for k in m.keys})
    table = np.array([[float(per_doc[d].get(k, 0.0)) for k in keys] for d in docs]).reshape(len(docs), len(keys))
    column = lambda matrix: {k: matrix[..., i] for i, k in enumerate(keys)}  # noqa: E731
    rng = np.random.default_rng(seed)
    weights = np.stack([np.bincount(rng.integers(0, len(docs), len(docs)), minlength=len(docs)) for _ in range(n)]) if n else None
    out = []
    for m in metrics:
        values = m(column(table))
        defined = values[~np.isnan(values)]
        low = high = None
        if weights is not None:
            resampled = m(column(weights @ table))
            resampled = resampled[~np.isnan(resampled)]
            if resampled.size:
                low, high = (float(q) for q in np.percentile(resampled, [2.5, 97.5]))
        out.append(
            Estimate(
                m.name,
                _value(m(column(table.sum(axis=0)))),
                {d: _value(v) for d, v in zip(docs, values, strict=True)},
                float(defined.mean()) if defined.size else None,
                float(defined.std(ddof=1)) if defined.size > 1 else None,
                low,
                high,
            )
        )
    return out


# --- span layers: the one place that reads the scorer's Report ------------------


def span_counts(report: Any) -> dict[str, float]:
    """Additive counts of an ``evaluate.Report``: strict and partial hits per layer, attribute tallies."""
    out: dict[str, float] = {}
    for layer, schemas in report.layers.items():
        for schema in ("strict", "partial"):
            c = schemas[schema]
            out |= {
                f"{layer}.{schema}.hit": c.COR + 0.5 * c.PAR,
                f"{layer}.{schema}.predicted": c.actual,
                f"{layer}.{schema}.gold": c.possible,
            }
    for layer, tallies in report.attributes.items():
        for attribute, t in tallies.items():
            out |= {f"{layer}.{attribute}.correct": t.correct, f"{layer}.{attribute}.compared": t.compared}
    return out


def span_metrics(layer: Layer, attributes: Sequence[str] = ()) -> list[Metric]:
    """Strict P, R, F1 and partial F1 of a layer, then the accuracy of each named attribute on matched spans."""
    counts = lambda schema: tuple(f"{layer}.{schema}.{k}" for k in ("hit", "predicted", "gold"))  # noqa: E731
    out = [Metric(f"strict {name}", fn, counts("strict")) for name, fn in (("P", precision), ("R", recall), ("F1", f1))]
    out.append(Metric("partial F1", f1, counts("partial")))
    return out + [Metric(f"{a} accuracy", accuracy, (f"{layer}.{a}.correct", f"{layer}.{a}.compared")) for a in attributes]


def bootstrap_spans(
    gold: Sequence[dict], pred: Sequence[dict], layers: Sequence[Layer], n: int = 1000, seed: int = 0, docs: Sequence[str] | None = None
) -> dict[Layer, list[Estimate]]:
    """Per layer: span and attribute estimates over ``docs`` (default: every document of either side), each scored on its own."""
    from . import score

    docs = sorted({r["doc_id"] for r in (*gold, *pred)} if docs is None else docs)
    per_doc = {
        d: span_counts(score([r for r in gold if r["doc_id"] == d], [r for r in pred if r["doc_id"] == d], layers, refuse=False))
        for d in docs
    }
    return {layer: estimate(per_doc, span_metrics(layer, _carried(per_doc, layer)), n, seed) for layer in layers}


def _carried(per_doc: Mapping[str, Counts], layer: Layer) -> list[str]:
    """The attributes of a layer that the predictions of some document carry."""
    return sorted({k.split(".")[1] for c in per_doc.values() for k in c if k.startswith(f"{layer}.") and k.endswith(".compared")})


def render_text(estimates: Mapping[Layer, Sequence[Estimate]], n: int, seed: int) -> str:
    """A terminal table: pooled score, 95% interval, mean ± sd over documents, and each document's score."""
    docs = next((list(e.per_doc) for es in estimates.values() for e in es), [])
    head = f"{'layer':<8} {'metric':<22} {'pooled':>6} {'95% CI':>13} {'mean ± sd':>13}  " + " ".join(f"{d:>6}" for d in docs)
    lines = [f"bootstrap over documents: {n} resamples, seed {seed} (95% percentile interval)", head, "-" * len(head)]
    for layer, es in estimates.items():
        for e in es:
            ci = "—" if e.low is None else f"{fmt(e.low)}–{fmt(e.high)}"
            spread = f"{fmt(e.mean)} ± {fmt(e.sd)}"
            per = " ".join(f"{fmt(v):>6}" for v in e.per_doc.values())
            lines.append(f"{layer.value:<8} {e.metric:<22} {fmt(e.pooled):>6} {ci:>13} {spread:>13}  {per}")
    return "\n".join(lines)


def bootstrap_file(
    pred_path: Path, gold_dir: Path, layers: Sequence[Layer], folds: Sequence[int] | None, n: int, seed: int
) -> dict[Layer, list[Estimate]]:
    """``bootstrap_spans`` of a predictions file on the documents of ``folds``, read as ``evaluate_file`` reads it
    (who holds the rows already, from ``score.read_inputs``, calls ``bootstrap_spans`` with them)."""
    from .score import read_inputs

    gold, pred, docs = read_inputs(pred_path, gold_dir, folds, check=False)
    return bootstrap_spans(gold, pred, layers, n, seed, docs)


def to_json(estimates: Mapping[Layer, Sequence[Estimate]], n: int, seed: int) -> dict[str, Any]:
    return {
        "unit": "document",
        "resamples": n,
        "seed": seed,
        "layers": {layer.value: [e.to_json() for e in es] for layer, es in estimates.items()},
    }


def attach(rendered: str, fmt: str, estimates: Mapping[Layer, Sequence[Estimate]], n: int, seed: int) -> str:
    """A rendered report with the estimates added: a ``bootstrap`` key in JSON, a second table in text."""
    if fmt == "json":
        return json.dumps(json.loads(rendered) | {"bootstrap": to_json(estimates, n, seed)}, indent=1)
    return f"{rendered}\n\n{render_text(estimates, n, seed)}"

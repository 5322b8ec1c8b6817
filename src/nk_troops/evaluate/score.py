"""The official scorer: predicted spans against the gold release.

Each layer is scored on its own: gold claims against predicted claims, and so on,
because the layers nest by design (figures lie inside claims) and an overlap
between layers is no error. Within a layer, predictions are matched one-to-one to
gold spans (``matching.assign``) and every pair, missed gold span and spurious
prediction is counted once under the four SemEval-2013 schemas:

- strict: exact offsets and layer;  exact: exact offsets, any layer;
- partial: overlap, half credit (any layer);  type: overlap and layer.

Within a layer row the layer always agrees, so strict = exact there. The overall
row adds what only a layer-blind view sees: a prediction with exactly the offsets
of a gold span of another layer (both left unmatched in their own layers) is a
pair there, correct under exact and partial, incorrect under strict and type.
Attributes are compared on the pairs of a layer; claim clusters by B-cubed over
the matched claims.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import validate
from ..incidents import Incident, IncidentError
from ..matching import BCubed, assign, bcubed
from ..model import Layer
from ..validate.reader import Source

SCHEMAS = ("strict", "exact", "partial", "type")
COUNT_NAMES = ("COR", "INC", "PAR", "MIS", "SPU")
ATTRIBUTES = {
    Layer.FIGURE: ("kind", "value", "normalized", "qualifier"),
    Layer.QUOTE: ("speaker", "quote_type"),
    Layer.CLAIM: ("claimant", "hedged"),
}


# --- counts ------------------------------------------------------------------


@dataclass
class Counts:
    """SemEval-2013 counts of one schema, with the metrics derived from them."""

    COR: int = 0
    INC: int = 0
    PAR: int = 0
    MIS: int = 0
    SPU: int = 0

    def add(self, name: str, n: int = 1) -> None:
        setattr(self, name, getattr(self, name) + n)

    @property
    def actual(self) -> int:
        return self.COR + self.INC + self.PAR + self.SPU

    @property
    def possible(self) -> int:
        return self.COR + self.INC + self.PAR + self.MIS

    @property
    def precision(self) -> float | None:
        """None when nothing was predicted (undefined, not zero)."""
        return (self.COR + 0.5 * self.PAR) / self.actual if self.actual else None

    @property
    def recall(self) -> float | None:
        return (self.COR + 0.5 * self.PAR) / self.possible if self.possible else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        p, r = p or 0.0, r or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**{n: getattr(self, n) for n in COUNT_NAMES}, "precision": self.precision, "recall": self.recall, "f1": self.f1}


def _new_schemas() -> dict[str, Counts]:
    return {s: Counts() for s in SCHEMAS}


# outcome of a pair under each schema: (exact offsets, same layer) -> counts
def _pair_outcome(exact: bool, same_layer: bool) -> dict[str, str]:
    return {
        "strict": "COR" if exact and same_layer else "INC",
        "exact": "COR" if exact else "INC",
        "partial": "COR" if exact else "PAR",
        "type": "COR" if same_layer else "INC",
    }


@dataclass
class Tally:
    """Correct / compared counts of one attribute."""

    correct: int = 0
    compared: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.compared if self.compared else None


@dataclass
class Report:
    layers: dict[Layer, dict[str, Counts]] = field(default_factory=lambda: {layer: _new_schemas() for layer in Layer})
    overall: dict[str, Counts] = field(default_factory=_new_schemas)
    attributes: dict[Layer, dict[str, Tally]] = field(default_factory=dict)
    clusters: BCubed | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "layers": {layer.value: {s: c.to_json() for s, c in schemas.items()} for layer, schemas in self.layers.items()},
            "overall": {s: c.to_json() for s, c in self.overall.items()},
            "attributes": {
                layer.value: {a: {"correct": t.correct, "compared": t.compared, "accuracy": t.accuracy} for a, t in tallies.items()}
                for layer, tallies in self.attributes.items()
            },
            "clusters": None if self.clusters is None else vars(self.clusters),
        }


# --- scoring -----------------------------------------------------------------


def _canonical(rows: Iterable[dict]) -> list[dict]:
    """Rows in an order that depends only on their content, never on the input order."""
    return sorted(rows, key=lambda r: (r["start"], r["end"], json.dumps(r, sort_keys=True, default=str)))


def _same(gold: Any, pred: Any) -> bool:
    if isinstance(gold, (int, float)) and isinstance(pred, (int, float)) and not isinstance(pred, bool):
        return math.isclose(gold, pred, rel_tol=1e-9, abs_tol=1e-9)
    return gold == pred


def score(gold: Sequence[dict], pred: Sequence[dict], layers: Sequence[Layer] = tuple(Layer)) -> Report:
    """Score predicted span rows against gold span rows (both in the flat span shape)."""
    report = Report(layers={layer: _new_schemas() for layer in layers})
    carried = {layer: [a for a in ATTRIBUTES[layer] if any(a in p for p in pred if p["layer"] == layer)] for layer in layers}
    report.attributes = {layer: {a: Tally() for a in carried[layer]} for layer in layers}
    cluster_pairs: list[tuple[str, str]] = []
    by_doc: dict[str, dict[str, list[dict]]] = defaultdict(lambda: {"gold": [], "pred": []})
    for side, rows in (("gold", gold), ("pred", pred)):
        for row in rows:
            if row["layer"] in layers:
                by_doc[row["doc_id"]][side].append(row)
    cross = 0
    for doc_id in sorted(by_doc):
        left_gold, left_pred = [], []
        for layer in layers:
            g = _canonical(r for r in by_doc[doc_id]["gold"] if r["layer"] == layer)
            p = _canonical(r for r in by_doc[doc_id]["pred"] if r["layer"] == layer)
            pairs = assign([(r["start"], r["end"]) for r in g], [(r["start"], r["end"]) for r in p])
            counts = report.layers[layer]
            for i, j in pairs:
                exact = (g[i]["start"], g[i]["end"]) == (p[j]["start"], p[j]["end"])
                for schema, outcome in _pair_outcome(exact, True).items():
                    counts[schema].add(outcome)
                for a, tally in report.attributes[layer].items():
                    tally.compared += 1
                    tally.correct += a in p[j] and _same(g[i][a], p[j][a])
                if layer is Layer.CLAIM and p[j].get("cluster") is not None:
                    cluster_pairs.append((g[i]["cluster"], p[j]["cluster"]))
            paired_g, paired_p = {i for i, _ in pairs}, {j for _, j in pairs}
            left_gold += [r for i, r in enumerate(g) if i not in paired_g]
            left_pred += [r for j, r in enumerate(p) if j not in paired_p]
            for schema in SCHEMAS:
                counts[schema].add("MIS", len(g) - len(pairs))
                counts[schema].add("SPU", len(p) - len(pairs))
        cross += _cross_layer_pairs(left_gold, left_pred)
    for layer_counts in report.layers.values():
        for schema, c in layer_counts.items():
            for name in COUNT_NAMES:
                report.overall[schema].add(name, getattr(c, name))
    for schema, outcome in _pair_outcome(True, False).items():  # a cross-layer pair replaces one MIS and one SPU
        report.overall[schema].add(outcome, cross)
        report.overall[schema].add("MIS", -cross)
        report.overall[schema].add("SPU", -cross)
    report.clusters = bcubed([g for g, _ in cluster_pairs], [p for _, p in cluster_pairs])
    return report


def _cross_layer_pairs(gold: list[dict], pred: list[dict]) -> int:
    """Pairs of leftover spans with identical offsets in different layers (one-to-one)."""
    free: dict[tuple[int, int], int] = defaultdict(int)
    for r in gold:
        free[r["start"], r["end"]] += 1
    n = 0
    for r in pred:
        key = (r["start"], r["end"])
        if free[key]:
            free[key] -= 1
            n += 1
    return n


# --- inputs ------------------------------------------------------------------


@dataclass(frozen=True)
class Gold:
    texts: dict[str, str]  # doc_id -> document text
    folds: dict[str, int]
    spans: list[dict]


def read_jsonl(path: Path) -> tuple[list[tuple[int, Any]], list[Incident]]:
    """(line number, object) of each record, and the incidents of an unreadable file or line."""
    src = Source(str(path), path=path)
    records = list(src)
    return records, src.incidents


def load_gold(folder: Path) -> Gold:
    """Documents and spans of a release folder; raises ``IncidentError`` when it cannot be read."""
    from ..paths import data_file

    docs, doc_incidents = read_jsonl(folder / data_file("documents"))
    spans, span_incidents = read_jsonl(folder / data_file("spans"))
    if doc_incidents or span_incidents:
        raise IncidentError(doc_incidents + span_incidents)
    return Gold({d["doc_id"]: d["text"] for _, d in docs}, {d["doc_id"]: d["fold"] for _, d in docs}, [s for _, s in spans])


def check_predictions(path: Path, gold_dir: Path) -> tuple[list[dict], list[Incident]]:
    """Prediction rows of a JSONL file, with the validator's incidents (none when the file is usable)."""
    incidents = validate.check_predictions(path, gold_dir).incidents
    rows, _ = read_jsonl(path) if not incidents else ([], [])
    return [r for _, r in rows], incidents


# --- output --------------------------------------------------------------------


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def render_text(report: Report) -> str:
    """Terminal tables: counts and metrics per layer and schema, then attribute accuracies."""
    head = f"{'layer':<8} {'schema':<8} " + " ".join(f"{n:>4}" for n in COUNT_NAMES) + f" {'P':>6} {'R':>6} {'F1':>6}"
    lines = [head, "-" * len(head)]
    blocks = [(layer.value, schemas) for layer, schemas in report.layers.items()] + [("overall", report.overall)]
    for name, schemas in blocks:
        for schema, c in schemas.items():
            counts = " ".join(f"{getattr(c, n):>4}" for n in COUNT_NAMES)
            lines.append(f"{name:<8} {schema:<8} {counts} {_fmt(c.precision):>6} {_fmt(c.recall):>6} {_fmt(c.f1):>6}")
    lines += ["", f"{'layer':<8} {'attribute':<12} {'correct':>7} {'of':>4} {'accuracy':>8}"]
    for layer, tallies in report.attributes.items():
        for a, t in tallies.items():
            lines.append(f"{layer.value:<8} {a:<12} {t.correct:>7} {t.compared:>4} {_fmt(t.accuracy):>8}")
        if not tallies:
            lines.append(f"{layer.value:<8} (predictions carry no attributes)")
    if report.clusters:
        b = report.clusters
        lines += ["", f"claim clusters (B-cubed over {b.claims} matched claims): P {b.precision:.3f}  R {b.recall:.3f}  F1 {b.f1:.3f}"]
    return "\n".join(lines)


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=1)


def evaluate_file(pred_path: Path, gold_dir: Path, layers: Sequence[Layer] = tuple(Layer), folds: Sequence[int] | None = None) -> Report:
    """Check and score a predictions file against a release; raises ``IncidentError`` on bad input."""
    gold = load_gold(gold_dir)
    pred, incidents = check_predictions(pred_path, gold_dir)
    if incidents:
        raise IncidentError(incidents)
    keep = set(gold.folds) if folds is None else {d for d, f in gold.folds.items() if f in folds}
    return score([s for s in gold.spans if s["doc_id"] in keep], [p for p in pred if p["doc_id"] in keep], layers)

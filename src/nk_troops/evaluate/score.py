"""The official scorer: predicted spans against the gold release.

Each layer is scored on its own: gold claims against predicted claims, and so on,
because the layers nest by design (figures lie inside claims) and an overlap
between layers is no error. Within a layer, predictions are matched one-to-one to
gold spans (``matching.assign``) and every pair, missed gold span and spurious
prediction is counted once under the four SemEval-2013 schemas:

- strict: exact offsets and layer;  exact: exact offsets, any layer;
- partial: overlap, half credit;  type: overlap and layer.

Within a layer the layer always agrees, so strict = exact and type counts any
overlap. The report is per layer; its ``overall`` row is the labelled micro
average (counts summed) over the layers the predictions hold, never a pool of
layers a model did not attempt. Attributes are compared on the pairs of a layer;
claim clusters by B-cubed over the matched claims.

Rows may carry a categorical value as its name or as its ClassLabel id (what
``datasets`` returns); both mean the same. A gold with no spans in the scored
layers, or predictions on documents the gold does not hold, is refused
(``EvaluationError``): a score against nothing would look like a result.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from .. import validate
from ..incidents import Incident, IncidentError
from ..matching import BCubed, assign, bcubed
from ..model import Layer
from ..schemas import label_names
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


# outcome of a pair of one layer under each schema, by whether the offsets are exact
PAIR_OUTCOME = {True: {s: "COR" for s in SCHEMAS}, False: {"strict": "INC", "exact": "INC", "partial": "PAR", "type": "COR"}}


@dataclass
class Tally:
    """Correct / compared counts of one attribute."""

    correct: int = 0
    compared: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.compared if self.compared else None

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "compared": self.compared, "accuracy": self.accuracy}


@dataclass
class Overall:
    """The micro average over ``layers``: their counts summed, schema by schema."""

    layers: tuple[Layer, ...]
    schemas: dict[str, Counts]

    def to_dict(self) -> dict[str, Any]:
        return {"average": "micro", "layers": [layer.value for layer in self.layers], **{s: c.to_json() for s, c in self.schemas.items()}}


@dataclass
class Report:
    """Per scored layer: counts per schema and attribute tallies; claim clusters; the labelled micro average."""

    layers: dict[Layer, dict[str, Counts]] = field(default_factory=dict)
    attributes: dict[Layer, dict[str, Tally]] = field(default_factory=dict)
    clusters: BCubed | None = None
    overall: Overall | None = None  # None when nothing was predicted

    def to_dict(self) -> dict[str, Any]:
        layers = {}
        for layer, schemas in self.layers.items():
            layers[layer.value] = {
                **{s: c.to_json() for s, c in schemas.items()},
                "attributes": {a: t.to_dict() for a, t in self.attributes[layer].items()},
            }
            if layer is Layer.CLAIM:
                layers[layer.value]["clusters"] = None if self.clusters is None else vars(self.clusters)
        return {"layers": layers, "overall": None if self.overall is None else self.overall.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """The inverse of ``to_dict`` (metrics are recomputed from the counts)."""

        def schemas(block: dict[str, Any]) -> dict[str, Counts]:
            return {s: Counts(**{n: block[s][n] for n in COUNT_NAMES}) for s in SCHEMAS}

        layers = {Layer(name): block for name, block in data["layers"].items()}
        clusters = layers.get(Layer.CLAIM, {}).get("clusters")
        overall = data["overall"]
        return cls(
            layers={layer: schemas(block) for layer, block in layers.items()},
            attributes={
                layer: {a: Tally(t["correct"], t["compared"]) for a, t in block["attributes"].items()} for layer, block in layers.items()
            },
            clusters=None if clusters is None else BCubed(**clusters),
            overall=None if overall is None else Overall(tuple(Layer(x) for x in overall["layers"]), schemas(overall)),
        )


class EvaluationError(IncidentError):
    """Scoring refused: the gold cannot be what the predictions are meant for. ``code`` says why."""

    @property
    def code(self) -> str:
        return self.incidents[0].code


# --- scoring -----------------------------------------------------------------

# a categorical column may hold a ClassLabel id: id -> name, per column
_LABELS = {column: names for column, names in label_names("spans").items()}


def _named(row: dict) -> dict:
    """The row with every ClassLabel id replaced by its name (the row itself when it holds none)."""
    ids = [c for c, names in _LABELS.items() if type(row.get(c)) is int]
    return {**row, **{c: _LABELS[c][row[c]] for c in ids}} if ids else row


def _canonical(rows: Iterable[dict], layer: Layer) -> list[dict]:
    """Rows in an order that depends only on what is scored of them (rows equal in that are interchangeable),
    never on the input order."""
    scored = (*ATTRIBUTES[layer], "cluster")
    out: list[dict] = []
    for _, run in groupby(sorted(rows, key=_offsets), key=_offsets):
        same = list(run)
        if len(same) > 1:
            same.sort(key=lambda r: tuple(repr(r.get(a)) for a in scored))
        out += same
    return out


def _offsets(row: dict) -> tuple[int, int]:
    return row["start"], row["end"]


def _same(gold: Any, pred: Any) -> bool:
    if isinstance(gold, (int, float)) and isinstance(pred, (int, float)) and not isinstance(pred, bool):
        return math.isclose(gold, pred, rel_tol=1e-9, abs_tol=1e-9)
    return gold == pred


def _refuse(gold: list[dict], pred: list[dict], layers: Sequence[Layer]) -> None:
    if not any(r["layer"] in layers for r in gold):
        found = sorted({str(r["layer"]) for r in gold})
        raise EvaluationError([Incident("gold-empty", found=found, expected=[layer.value for layer in layers])])
    known = {r["doc_id"] for r in gold}
    foreign = sorted({r["doc_id"] for r in pred} - known)
    if foreign:
        raise EvaluationError([Incident("gold-mismatch", found=foreign, expected=sorted(known))])


def score(gold: Sequence[dict], pred: Sequence[dict], layers: Sequence[Layer] = tuple(Layer), *, refuse: bool = True) -> Report:
    """Score predicted span rows against gold span rows (both in the flat span shape, labels as names or ids).

    Refuses an empty or mismatched gold; ``refuse=False`` is for scoring one part of a
    checked whole (a bootstrap's single document may hold predictions and no gold).
    """
    layers = tuple(Layer(layer) for layer in layers)
    gold, pred = [_named(r) for r in gold], [_named(r) for r in pred]
    if refuse:
        _refuse(gold, pred, layers)
    report = Report(layers={layer: _new_schemas() for layer in layers})
    keys: dict[str, set[str]] = defaultdict(set)
    for p in pred:
        keys[p["layer"]].update(p)
    carried = {layer: [a for a in ATTRIBUTES[layer] if a in keys.get(layer, ())] for layer in layers}
    report.attributes = {layer: {a: Tally() for a in carried[layer]} for layer in layers}
    cluster_pairs: list[tuple[str, str]] = []
    by_group: dict[tuple[str, Layer], dict[str, list[dict]]] = defaultdict(lambda: {"gold": [], "pred": []})
    for side, rows in (("gold", gold), ("pred", pred)):
        for row in rows:
            if row["layer"] in layers:
                by_group[row["doc_id"], Layer(row["layer"])][side].append(row)
    for doc_id, layer in sorted(by_group):
        g, p = (_canonical(by_group[doc_id, layer][side], layer) for side in ("gold", "pred"))
        pairs = assign([(r["start"], r["end"]) for r in g], [(r["start"], r["end"]) for r in p])
        counts = report.layers[layer]
        for i, j in pairs:
            for schema, outcome in PAIR_OUTCOME[(g[i]["start"], g[i]["end"]) == (p[j]["start"], p[j]["end"])].items():
                counts[schema].add(outcome)
            for a, tally in report.attributes[layer].items():
                tally.compared += 1
                tally.correct += a in p[j] and _same(g[i][a], p[j][a])
            if layer is Layer.CLAIM and p[j].get("cluster") is not None:
                cluster_pairs.append((g[i]["cluster"], p[j]["cluster"]))
        for schema in SCHEMAS:
            counts[schema].add("MIS", len(g) - len(pairs))
            counts[schema].add("SPU", len(p) - len(pairs))
    predicted = tuple(layer for layer in layers if layer in keys)
    if predicted:
        report.overall = Overall(predicted, _new_schemas())
        for layer in predicted:
            for schema, c in report.layers[layer].items():
                for name in COUNT_NAMES:
                    report.overall.schemas[schema].add(name, getattr(c, name))
    report.clusters = bcubed([g for g, _ in cluster_pairs], [p for _, p in cluster_pairs])
    return report


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


def check_gold(folder: Path) -> list[Incident]:
    """The incidents of a gold release folder (the full validator): a gold that fails it is never scored against."""
    from dataclasses import replace

    # the validator names a release's files within it; here the folder is the user's --gold, so say which
    return [replace(i, file=str(folder / i.file)) if i.file else i for i in validate.check_release(folder).incidents]


def check_predictions(path: Path, gold_dir: Path) -> tuple[list[dict], list[Incident]]:
    """Prediction rows of a JSONL file, with the validator's incidents (none when the file is usable)."""
    incidents = validate.check_predictions(path, gold_dir).incidents
    rows, _ = read_jsonl(path) if not incidents else ([], [])
    return [r for _, r in rows], incidents


def kept(gold: Gold, folds: Sequence[int] | None) -> list[str]:
    """The documents in ``folds`` (all when None), sorted."""
    return sorted(d for d, f in gold.folds.items() if folds is None or f in folds)


def restrict(gold: Gold, pred: list[dict], folds: Sequence[int] | None) -> tuple[list[dict], list[dict]]:
    """Gold spans and predictions of the documents in ``folds`` (all when None)."""
    keep = set(kept(gold, folds))
    return [s for s in gold.spans if s["doc_id"] in keep], [p for p in pred if p["doc_id"] in keep]


def read_inputs(
    pred_path: Path, gold_dir: Path, folds: Sequence[int] | None = None, check: bool = True
) -> tuple[list[dict], list[dict], list[str]]:
    """Gold spans, predictions and documents of ``folds``, each file read once: what ``score`` and
    ``bootstrap.bootstrap_spans`` take. Validates the gold folder (unless ``check`` is off: the installed
    release is known valid) and the predictions; raises ``IncidentError`` on bad input."""
    if check and (incidents := check_gold(gold_dir)):
        raise IncidentError(incidents)
    gold = load_gold(gold_dir)
    pred, incidents = check_predictions(pred_path, gold_dir)
    if incidents:
        raise IncidentError(incidents)
    return *restrict(gold, pred, folds), kept(gold, folds)


def evaluate_file(
    pred_path: Path, gold_dir: Path, layers: Sequence[Layer] = tuple(Layer), folds: Sequence[int] | None = None, check: bool = True
) -> Report:
    """Validate the gold folder (unless ``check`` is off: the installed release is known valid) and the
    predictions, then score; raises ``IncidentError`` on bad input, ``EvaluationError`` when refused."""
    gold, pred, _ = read_inputs(pred_path, gold_dir, folds, check)
    return score(gold, pred, layers)


# --- output --------------------------------------------------------------------


def fmt(x: float | None) -> str:
    """A score in a table: three decimals, a dash when it is undefined."""
    return "—" if x is None else f"{x:.3f}"


def render_text(report: Report) -> str:
    """Terminal tables: counts and metrics per layer and schema, the labelled micro average, attribute accuracies."""
    head = f"{'layer':<14} {'schema':<8} " + " ".join(f"{n:>5}" for n in COUNT_NAMES) + f" {'P':>6} {'R':>6} {'F1':>6}"
    lines = [head, "-" * len(head)]
    blocks = [(layer.value, schemas) for layer, schemas in report.layers.items()]
    if report.overall is not None and len(report.layers) > 1:
        blocks.append(("micro avg", report.overall.schemas))
    for name, schemas in blocks:
        for schema, c in schemas.items():
            counts = " ".join(f"{getattr(c, n):>5}" for n in COUNT_NAMES)
            lines.append(f"{name:<14} {schema:<8} {counts} {fmt(c.precision):>6} {fmt(c.recall):>6} {fmt(c.f1):>6}")
    if report.overall is not None and len(report.layers) > 1:
        lines.append(f"micro avg: counts summed over the predicted layers ({', '.join(layer.value for layer in report.overall.layers)})")
    elif report.overall is None:
        lines.append("no predictions in the scored layers")
    lines += ["", f"{'layer':<8} {'attribute':<12} {'correct':>7} {'of':>5} {'accuracy':>8}"]
    for layer, tallies in report.attributes.items():
        for a, t in tallies.items():
            lines.append(f"{layer.value:<8} {a:<12} {t.correct:>7} {t.compared:>5} {fmt(t.accuracy):>8}")
        if not tallies:
            lines.append(f"{layer.value:<8} (predictions carry no attributes)")
    if report.clusters:
        b = report.clusters
        lines += ["", f"claim clusters (B-cubed over {b.claims} matched claims): P {b.precision:.3f}  R {b.recall:.3f}  F1 {b.f1:.3f}"]
    return "\n".join(lines)

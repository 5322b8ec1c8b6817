"""The baseline results: every baseline scored per document, written to ``results/baselines.json``, shown as a table.

``nk-troops baseline --results --write`` runs the trained baselines (leave one
document out) and the rules, writes the scores and refreshes the ``baselines``
block of README.md and DATASHEET.md from that file; ``render_results_table``
renders the same table for the dataset card. The build never trains anything:
it reads the committed file. ``tests/test_baselines_results.py`` re-runs
everything and fails when the committed file or a block is stale.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluate import score
from ..evaluate.bootstrap import (
    Metric,
    accuracy,
    bcubed_f1,
    bcubed_precision,
    bcubed_recall,
    bootstrap_spans,
    estimate,
    f1,
    recall,
    span_counts,
    span_metrics,
)
from ..evaluate.score import fmt
from ..incidents import Incident, IncidentError
from ..model import Entity, Layer, from_dict, span_to_row
from ..paths import read_release, release_info
from ..text import markdown_table
from . import BASELINES, checkworthy, clustering, crf, run
from .common import Doc
from .speakers import SpeakerRanker

EXTRA = {"sklearn": "scikit-learn", "pycrfsuite": "python-crfsuite"}  # import name -> distribution, of the `baselines` extra
RESULTS = Path("results") / "baselines.json"  # in a checkout
COMMAND = "nk-troops baseline --results --write"
FILES = ("README.md", "DATASHEET.md")  # each has a `baselines` block
BLOCK = "baselines"
RESAMPLES, SEED = 1000, 0
ATTRIBUTES = {Layer.FIGURE: ("kind", "qualifier", "value"), Layer.QUOTE: ("speaker",), Layer.CLAIM: ()}
SCORED = {
    Layer.FIGURE: "figure spans; kind, qualifier (trained) and value (quantulum3) on matched spans",
    Layer.QUOTE: "quote spans; speaker (trained mention ranker) on matched spans",
    Layer.CLAIM: "claim spans; recall also on the claims of propositions no training document states",
}


def _sides(prefix: str) -> tuple[str, str, str]:
    return (f"{prefix}.hit", f"{prefix}.predicted", f"{prefix}.gold")


SENTENCE_METRICS = [
    Metric("claim F1", f1, _sides("claim")),
    Metric("no-claim F1", f1, _sides("no_claim")),
    Metric("macro F1", lambda *c: (f1(*c[:3]) + f1(*c[3:])) / 2, (*_sides("claim"), *_sides("no_claim"))),
    Metric("reason accuracy (gold no-claim)", accuracy, ("reason.correct", "reason.compared")),
]
CLUSTER_KEYS = ("bcubed.precision", "bcubed.recall", "bcubed.items")
CLUSTER_METRICS = [
    Metric("B-cubed P", bcubed_precision, CLUSTER_KEYS),
    Metric("B-cubed R", bcubed_recall, CLUSTER_KEYS),
    Metric("B-cubed F1", bcubed_f1, CLUSTER_KEYS),
]


UNSEEN = "unseen-claim"  # counts of the claims whose proposition no training document states
UNSEEN_RECALL = Metric("strict R, unseen propositions", recall, tuple(f"{UNSEEN}.strict.{k}" for k in ("hit", "predicted", "gold")))
BASELINE_ROWS = [  # name, kind, what is scored, metrics (in table order)
    *[
        (
            f"crf-{layer}s",
            "trained",
            SCORED[layer],
            span_metrics(layer, ATTRIBUTES[layer]) + ([UNSEEN_RECALL] if layer is Layer.CLAIM else []),
        )
        for layer in crf.LAYERS
    ],
    ("checkworthy-tfidf", "trained", "sentences: claim / no claim, and the no-claim reason", SENTENCE_METRICS),
    ("majority-label", "reference", "sentences: the training folds' most frequent label", SENTENCE_METRICS),
    ("clusters-tfidf", "trained", "gold claims clustered across the articles", CLUSTER_METRICS),
    ("singletons", "reference", "gold claims, each its own cluster", CLUSTER_METRICS),
]


@dataclass(frozen=True)
class Inputs:
    """The release as the baselines read it."""

    docs: dict[str, Doc]
    entities: list[Entity]
    spans: list[dict]
    sentences: list[dict]
    tokens: list[dict]
    clusters: list[dict]

    @classmethod
    def read(cls, release: Path) -> Inputs:
        data = read_release(release, ("documents", "spans", "sentences", "tokens", "entities", "clusters"))
        docs = {row["doc_id"]: Doc.from_row(row) for row in data["documents"]}
        entities = [from_dict(Entity, e) for e in data["entities"]]
        return cls(docs, entities, data["spans"], data["sentences"], data["tokens"], data["clusters"])

    @property
    def claims(self) -> list[dict]:
        return [r for r in self.spans if r["layer"] == Layer.CLAIM]


def missing_extra() -> list[str]:
    """The distributions of the ``baselines`` extra that are not installed."""
    return [dist for module, dist in EXTRA.items() if importlib.util.find_spec(module) is None]


def _majority(train: list[dict], test: list[dict]) -> list[str]:
    labels = [checkworthy.label(r) for r in train]
    return [max(sorted(set(labels)), key=labels.count)] * len(test)


def predict_fold(inputs: Inputs, doc_id: str, lap: Callable[[str], None] = lambda _name: None) -> dict[str, Any]:
    """Every trained baseline's predictions for one held-out document, from what the other documents teach.

    Span baselines give span rows of the document, sentence baselines a label per
    sentence of it, the clustering a label per claim of the release (and its threshold).
    """

    def held_out(rows: list[dict]) -> tuple[list[dict], list[dict]]:
        return [r for r in rows if r["doc_id"] != doc_id], [r for r in rows if r["doc_id"] == doc_id]

    texts = {d: doc.text for d, doc in inputs.docs.items()}
    out: dict[str, Any] = {}
    train_tokens, test_tokens = held_out(inputs.tokens)
    train_spans, _ = held_out(inputs.spans)
    for layer in crf.LAYERS:
        pred = crf.spans_of(test_tokens, crf.train_and_tag(train_tokens, test_tokens, layer), layer)
        layer_gold = [r for r in train_spans if r["layer"] == layer]
        if layer is Layer.FIGURE:
            pred = crf.FigureAttributes(layer_gold, texts).predict(pred, texts)
        elif layer is Layer.QUOTE:
            pred = SpeakerRanker(layer_gold, inputs.docs, inputs.entities).predict(pred, inputs.docs)
        out[f"crf-{layer}s"] = pred
        lap(f"crf-{layer}s")
    train_sentences, test_sentences = held_out(inputs.sentences)
    out["checkworthy-tfidf"] = checkworthy.train_and_predict(train_sentences, test_sentences)
    out["majority-label"] = _majority(train_sentences, test_sentences)
    lap("checkworthy-tfidf")
    out["threshold"], out["clusters-tfidf"] = clustering.fold_labels(inputs.claims, doc_id)
    out["singletons"] = list(range(len(inputs.claims)))
    lap("clusters-tfidf")
    return out


def _counts(inputs: Inputs, doc_id: str, predicted: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Additive counts of each baseline's predictions for one document against its gold annotations."""
    gold = [r for r in inputs.spans if r["doc_id"] == doc_id]
    sentences = [r for r in inputs.sentences if r["doc_id"] == doc_id]
    # one document of a checked whole: it may hold no gold span of a layer, or no unseen claim (refuse=False)
    out = {f"crf-{layer}s": span_counts(score(gold, predicted[f"crf-{layer}s"], (layer,), refuse=False)) for layer in crf.LAYERS}
    seen = {r["cluster"] for r in inputs.claims if r["doc_id"] != doc_id}  # propositions a training document states
    unseen = [r for r in gold if r["layer"] == Layer.CLAIM and r["cluster"] not in seen]
    unseen_counts = span_counts(score(unseen, predicted["crf-claims"], (Layer.CLAIM,), refuse=False))
    out["crf-claims"] |= {UNSEEN + k.removeprefix("claim"): v for k, v in unseen_counts.items()}
    out |= {name: checkworthy.counts(sentences, predicted[name]) for name in ("checkworthy-tfidf", "majority-label")}
    return out | {name: clustering.counts(inputs.claims, predicted[name], doc_id) for name in ("clusters-tfidf", "singletons")}


def _conflicts(clusters: list[dict]) -> dict[str, int]:
    """How many conflicting cluster pairs there are, and how many of them the most conflicted cluster is in."""
    pairs = {frozenset((c["id"], x["cluster"])) for c in clusters for x in c["conflicts_with"]}
    share = max((sum(c["id"] in p for p in pairs) for c in clusters), default=0)
    return {"pairs": len(pairs), "most_in_one_cluster": share}


def compute(release: Path, n: int = RESAMPLES, seed: int = SEED, timings: dict[str, float] | None = None) -> dict[str, Any]:
    """Every baseline, each document scored on its own: the content of ``results/baselines.json``."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - clock
        clock = time.perf_counter()

    inputs = Inputs.read(release)
    per_doc: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    thresholds = {}
    lap("read")
    for doc_id in sorted(inputs.docs):
        predicted = predict_fold(inputs, doc_id, lap)
        thresholds[doc_id] = predicted["threshold"]
        for name, counts in _counts(inputs, doc_id, predicted).items():
            per_doc[name][doc_id] = counts
    entries = []
    for name, kind, scored, metrics in BASELINE_ROWS:
        extra = {"thresholds": thresholds} if name == "clusters-tfidf" else {}
        entries.append(
            {"name": name, "kind": kind, "scored": scored, **extra, "estimates": _json(estimate(per_doc[name], metrics, n, seed))}
        )
    entries += _rules(inputs, n, seed)
    lap("rules")
    return {
        "release": release_info(release),
        "bootstrap": {"unit": "document", "resamples": n, "seed": seed, "interval": "95% percentile"},
        "conflicts": _conflicts(inputs.clusters),
        "baselines": entries,
    }


def _json(estimates: list) -> list[dict]:
    return [e.to_json() for e in estimates]


def _rules(inputs: Inputs, n: int, seed: int) -> list[dict]:
    """The rule baselines on every document (nothing to hold out: they were written with all five in view)."""
    out = []
    for name, (layer, _) in BASELINES.items():
        pred = [span_to_row(sp) for sp in run([name], list(inputs.docs.values()), inputs.entities)]
        (estimates,) = bootstrap_spans(inputs.spans, pred, (layer,), n, seed).values()
        out.append({"name": name, "kind": "rules", "scored": f"{layer} spans and attributes", "estimates": _json(estimates)})
    return out


# --- the file and the table ----------------------------------------------------


def render_json(results: dict[str, Any]) -> str:
    return json.dumps(results, indent=1, ensure_ascii=False) + "\n"


def write_results(results: dict[str, Any], path: Path) -> None:
    """Write the results file and its table (``.md`` beside it, which the build puts on the dataset card
    without running or importing any baseline), each atomically: a temporary file, then a rename."""
    targets = ((path, render_json(results)), (path.with_suffix(".md"), render_table(results) + "\n"))
    if links := [Incident("path-symlink", file=str(target)) for target, _ in targets if target.is_symlink()]:
        raise IncidentError(links)  # before either is written: never half of the pair
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, text in targets:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)  # ours, made above
            raise


def _table(entries: list[dict], label: Callable[[dict], str], docs: list[str]) -> str:
    """One row per metric; a baseline's name and what it scores head its first row only."""
    rows = []
    for entry in entries:
        for i, e in enumerate(entry["estimates"]):
            low, high = e["ci95"]
            spread = "—" if e["mean"] is None else f"{e['mean']:.3f} ± {fmt(e['sd'])}"
            first = [label(entry), entry["scored"]] if i == 0 else ["", ""]
            ci = "—" if low is None else f"{fmt(low)}–{fmt(high)}"
            rows.append([*first, e["metric"], fmt(e["pooled"]), ci, spread, *(fmt(v) for v in e["per_doc"].values())])
    header = ["baseline", "scored", "metric", "pooled", "95% CI", "mean ± sd", *docs]
    return markdown_table(header, rows, "lllrlr" + "r" * len(docs))


def render_table(results: dict[str, Any]) -> str:
    """Markdown: trained baselines (with their references), then the rules, with the notes a reader needs."""
    entries = results["baselines"]
    docs = list(entries[0]["estimates"][0]["per_doc"])
    b = results["bootstrap"]
    label = lambda e: f"{e['name']} (reference)" if e["kind"] == "reference" else e["name"]  # noqa: E731
    thresholds = next(e["thresholds"] for e in entries if "thresholds" in e)
    conflicts = results["conflicts"]
    lines = [
        "**Trained baselines**, leave one document out: the column of a document holds the score of models fitted on the",
        "other four (vocabularies, weights and thresholds alike); `pooled` scores the five held-out documents",
        "together; `mean ± sd` is over the five documents (sample sd); the 95% CI is a percentile bootstrap over",
        f"documents ({b['resamples']} resamples, seed {b['seed']}), because sentences of one article are not",
        "independent. With five documents the interval is coarse. Span layers use strict (exact offsets) and partial",
        "(overlap, half credit) matching; attribute accuracy counts the matched spans.",
        "",
        _table([e for e in entries if e["kind"] != "rules"], label, docs),
        "",
        "- crf-*: a linear-chain CRF (python-crfsuite) per layer on the `tokens` config, generic features only.",
        "- crf-quotes speaker: a trained logistic-regression ranker over the registry's mentions near the quote (the",
        "  registry's aliases come from all five articles: mention finding is an oracle lookup, only the choice is learned).",
        "- checkworthy-tfidf: TF-IDF + logistic regression on the `sentences` config; the reason accuracy is over the",
        "  gold no-claim sentences (right when the predicted reason is theirs). majority-label: the training folds' commonest label.",
        "- clusters-tfidf: gold claims, TF-IDF cosine distance, average-linkage agglomerative clustering; the threshold",
        "  chosen on the training documents per fold: " + ", ".join(f"{d} {t:.2f}" for d, t in thresholds.items()) + ".",
        "  Claims of one proposition recur across articles, so the folds leak propositions (DATASHEET.md).",
        f"- No conflict detection baseline: the release has {conflicts['pairs']} conflicting cluster pairs, "
        f"{conflicts['most_in_one_cluster']} of them sharing one cluster,",
        "  so a held-out score would rest on one or two decisions.",
        "",
        "**Rules written with the five test texts in view**: not cross-validated, as there is no held-out text; read",
        "them as what patterns reach on these articles, not as an estimate for other news. The per-document",
        "scores and the interval are computed the same way, in sample. figures-quantulum3 finds its numbers with the",
        "quantulum3 parser (not written for these texts) but takes dates, ordinals and qualifiers from figures-rules.",
        "",
        _table([e for e in entries if e["kind"] == "rules"], label, docs),
        "",
        _release_line(results["release"]),
        f"Written to `{RESULTS.as_posix()}` by `{COMMAND}`; `tests/test_baselines_results.py` fails when it is stale.",
    ]
    return "\n".join(lines)


def _release_line(release: dict[str, Any]) -> str:
    if release["version"] is None or release["content_sha256"] is None:
        return "Release of unknown version (its folder has no readable manifest.json)."
    return f"Release {release['version']} (content sha256 `{release['content_sha256'][:12]}…`)."


def render_results_table(path: Path) -> str:
    """The results table of a committed results file (for the dataset card, at build time)."""
    return render_table(json.loads(Path(path).read_text(encoding="utf-8")))


def refresh(root: Path, results_path: Path) -> list[str]:
    """Rewrite the ``baselines`` block of README.md and DATASHEET.md from the results file; the names that changed."""
    from ..release import blocks

    table = render_results_table(results_path)
    return [name for name in FILES if blocks.write(root / name, {BLOCK: table})]

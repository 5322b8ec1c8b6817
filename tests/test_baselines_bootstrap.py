"""The bootstrap over documents: hand-computed scores, the interval's bounds, seeds, and `nk-troops evaluate --bootstrap`."""

from __future__ import annotations

import json
import statistics

import pytest

from nk_troops.baselines import render_predictions, run
from nk_troops.baselines.common import load_inputs
from nk_troops.cli import main
from nk_troops.evaluate import evaluate_file, load_gold
from nk_troops.evaluate.bootstrap import Metric, accuracy, bootstrap_spans, estimate, f1
from nk_troops.model import Layer
from nk_troops.paths import release_dir

F1 = Metric("F1", f1, ("hit", "predicted", "gold"))
ACC = Metric("accuracy", accuracy, ("correct", "compared"))
PER_DOC = {
    "a": {"hit": 3, "predicted": 4, "gold": 6, "correct": 1, "compared": 2},
    "b": {"hit": 1, "predicted": 1, "gold": 1, "correct": 0, "compared": 0},
    "c": {"hit": 0, "predicted": 0, "gold": 0},  # nothing to score: F1 and accuracy undefined
}


def test_pooled_per_document_mean_and_sd_by_hand() -> None:
    f, acc = estimate(PER_DOC, [F1, ACC], n=0)
    assert f.pooled == pytest.approx(2 * 4 / (5 + 7))  # counts summed first, then the ratio
    assert f.per_doc == {"a": pytest.approx(0.6), "b": 1.0, "c": None}
    assert f.mean == pytest.approx(0.8) and f.sd == pytest.approx(statistics.stdev([0.6, 1.0]))  # undefined documents left out
    assert (f.low, f.high) == (None, None)  # no resamples, no interval
    assert (acc.pooled, acc.per_doc, acc.sd) == (0.5, {"a": 0.5, "b": None, "c": None}, None)  # one defined value: no sd


def test_f1_is_zero_when_nothing_is_predicted() -> None:
    (f,) = estimate({"a": {"hit": 0, "predicted": 0, "gold": 3}}, [F1], n=0)
    assert f.pooled == 0.0


def test_interval_lies_within_the_documents_and_depends_only_on_the_seed() -> None:
    per_doc = {d: {"hit": h, "predicted": 10, "gold": 10} for d, h in zip("abcde", (2, 4, 6, 8, 10), strict=True)}
    (first,) = estimate(per_doc, [F1], n=500, seed=7)
    (again,) = estimate(per_doc, [F1], n=500, seed=7)
    (other,) = estimate(per_doc, [F1], n=500, seed=8)
    assert first == again
    assert 0.2 <= first.low < first.pooled < first.high <= 1.0  # a pooled F1 of a resample is a weighted mean of the documents'
    assert first.per_doc == other.per_doc and first.pooled == other.pooled
    (single,) = estimate({"a": per_doc["a"]}, [F1], n=100)
    assert single.low == single.high == single.pooled  # one document: every resample is that document


def test_release_against_itself_is_certain() -> None:
    gold = load_gold(release_dir()).spans
    estimates = bootstrap_spans(gold, gold, tuple(Layer), n=200, seed=1)
    for layer, es in estimates.items():
        assert [e.metric for e in es][:4] == ["strict P", "strict R", "strict F1", "partial F1"], layer
        for e in es:
            assert (e.pooled, e.low, e.high) == (1.0, 1.0, 1.0) and set(e.per_doc) == {"nk000", "nk001", "nk002", "nk003", "nk004"}


def test_evaluate_bootstrap_agrees_with_the_report(tmp_path, capsys) -> None:
    pred = tmp_path / "pred.jsonl"
    pred.write_text(render_predictions(run(["figures-rules", "quotes-rules"], *load_inputs(release_dir()))), encoding="utf-8")
    assert main(["evaluate", "--pred", str(pred), "--layer", "figure", "--bootstrap", "300", "--seed", "3", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    report = evaluate_file(pred, release_dir(), [Layer.FIGURE])
    boot = out["bootstrap"]
    assert (boot["unit"], boot["resamples"], boot["seed"], list(boot["layers"])) == ("document", 300, 3, ["figure"])
    by_metric = {e["metric"]: e for e in boot["layers"]["figure"]}
    assert by_metric["strict F1"]["pooled"] == round(report.layers[Layer.FIGURE]["strict"].f1, 4)
    assert by_metric["value accuracy"]["pooled"] == round(report.attributes[Layer.FIGURE]["value"].accuracy, 4)
    low, high = by_metric["strict F1"]["ci95"]
    assert low <= by_metric["strict F1"]["pooled"] <= high
    assert out["results"]["layers"]["figure"]["strict"]["f1"] == report.layers[Layer.FIGURE]["strict"].f1  # the report itself unchanged
    assert main(["evaluate", "--pred", str(pred), "--fold", "0", "--bootstrap", "50"]) == 0
    text = capsys.readouterr().out
    assert "bootstrap over documents: 50 resamples, seed 0" in text and "nk000" in text and "nk001" not in text


def test_evaluate_bootstrap_needs_a_positive_count(tmp_path, capsys) -> None:
    pred = tmp_path / "pred.jsonl"
    pred.write_text("", encoding="utf-8")
    assert main(["evaluate", "--pred", str(pred), "--bootstrap", "-1"]) == 2
    assert "--bootstrap" in capsys.readouterr().err


def test_a_document_with_predictions_and_no_gold_counts() -> None:
    gold = [{"doc_id": "nk000", "layer": "figure", "start": 0, "end": 5}]
    pred = [{"doc_id": "nk000", "layer": "figure", "start": 0, "end": 5}, {"doc_id": "nk001", "layer": "figure", "start": 0, "end": 5}]
    (p, _r, f, _partial) = bootstrap_spans(gold, pred, (Layer.FIGURE,), n=0)[Layer.FIGURE]
    assert (p.pooled, p.per_doc, f.per_doc) == (0.5, {"nk000": 1.0, "nk001": 0.0}, {"nk000": 1.0, "nk001": 0.0})

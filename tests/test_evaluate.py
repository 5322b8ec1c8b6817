"""The scorer: hand-computed numbers on small synthetic gold, nervaluate cross-check, the release against itself."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator

from nk_troops.cli import main
from nk_troops.evaluate import Report, evaluate_file, load_gold, score
from nk_troops.matching import assign, bcubed, overlap
from nk_troops.paths import release_dir


def span(layer: str, start: int, end: int, doc: str = "nk000", **attrs) -> dict:
    return {"doc_id": doc, "layer": layer, "start": start, "end": end, **attrs}


FIG = dict(kind="count", value=12000.0, normalized="12000", qualifier="exact")
GOLD = [span("figure", 0, 5, **FIG), span("figure", 10, 15, **FIG), span("figure", 20, 25, **FIG), span("figure", 30, 35, **FIG)]


def counts(report, layer="figure", schema="strict") -> tuple:
    block = report.overall.schemas if layer == "overall" else report.layers[layer]
    c = block[schema]
    return (c.COR, c.INC, c.PAR, c.MIS, c.SPU)


def metrics(report, layer="figure", schema="strict") -> tuple:
    block = report.overall.schemas if layer == "overall" else report.layers[layer]
    c = block[schema]
    return (c.precision, c.recall, c.f1)


def test_gold_against_itself_synthetic() -> None:
    report = score(GOLD, GOLD)
    for schema in ("strict", "exact", "partial", "type"):
        assert metrics(report, "figure", schema) == (1.0, 1.0, 1.0)
        assert metrics(report, "claim", schema) == (None, None, None)  # no gold, no prediction: undefined, not 0 or 1


def test_release_against_itself_scores_one_everywhere() -> None:
    gold = load_gold(release_dir())
    assert gold.spans, "the release has no spans"
    report = evaluate_file(release_dir() / "spans.jsonl", release_dir())
    data = report.to_dict()
    assert data["overall"]["average"] == "micro" and data["overall"]["layers"] == ["claim", "quote", "figure"]
    for block in [*data["layers"].values(), data["overall"]]:
        for schema in ("strict", "exact", "partial", "type"):
            c = block[schema]
            assert c["INC"] == c["PAR"] == c["MIS"] == c["SPU"] == 0
            assert (c["precision"], c["recall"], c["f1"]) == (1.0, 1.0, 1.0)
    for block in data["layers"].values():
        assert block["attributes"] and all(t["accuracy"] == 1.0 for t in block["attributes"].values())
    assert data["layers"]["claim"]["clusters"]["f1"] == 1.0
    assert Report.from_dict(data).to_dict() == data


def test_drop_two_spans() -> None:
    report = score(GOLD, GOLD[1:3])
    for schema in ("strict", "exact", "partial", "type"):
        assert counts(report, "figure", schema) == (2, 0, 0, 2, 0)
        assert metrics(report, "figure", schema) == (1.0, 0.5, pytest.approx(2 / 3))


def test_shift_one_offset() -> None:
    pred = [GOLD[0], {**GOLD[1], "end": 16}, *GOLD[2:]]
    report = score(GOLD, pred)
    assert counts(report, "figure", "strict") == counts(report, "figure", "exact") == (3, 1, 0, 0, 0)
    assert metrics(report, "figure", "strict") == (0.75, 0.75, 0.75)
    assert counts(report, "figure", "partial") == (3, 0, 1, 0, 0)
    assert metrics(report, "figure", "partial") == (0.875, 0.875, 0.875)
    assert counts(report, "figure", "type") == (4, 0, 0, 0, 0)


def test_relabel_one_span() -> None:
    pred = [GOLD[0], {**GOLD[1], "layer": "claim"}, *GOLD[2:]]
    report = score(GOLD, pred)
    assert counts(report, "figure", "strict") == (3, 0, 0, 1, 0)  # each layer on its own: a miss here ...
    assert counts(report, "claim", "strict") == (0, 0, 0, 0, 1)  # ... and a spurious claim there
    # the micro average sums the layers predicted (figure and claim), never pairing across layers
    assert report.overall.layers == ("claim", "figure")
    for schema in ("strict", "exact", "partial", "type"):
        assert counts(report, "overall", schema) == (3, 0, 0, 1, 1)
    assert metrics(report, "overall", "strict") == (0.75, 0.75, 0.75)


def test_prediction_overlapping_two_gold_spans_counts_once() -> None:
    gold = [span("quote", 0, 10), span("quote", 12, 20)]
    report = score(gold, [span("quote", 5, 15)])
    assert counts(report, "quote", "strict") == (0, 1, 0, 1, 0)
    assert counts(report, "quote", "partial") == (0, 0, 1, 1, 0)
    assert metrics(report, "quote", "partial") == (0.5, 0.25, pytest.approx(1 / 3))


def test_spurious_prediction_is_charged_to_its_own_layer_only() -> None:
    report = score(GOLD, [*GOLD, span("figure", 40, 45)])
    assert counts(report, "figure") == (4, 0, 0, 0, 1)
    assert counts(report, "claim") == counts(report, "quote") == (0, 0, 0, 0, 0)


def test_nested_layers_are_no_error() -> None:
    gold = [span("claim", 0, 40), span("figure", 10, 15)]
    report = score(gold, [span("figure", 10, 15)])
    assert counts(report, "figure") == (1, 0, 0, 0, 0)
    assert counts(report, "claim") == (0, 0, 0, 1, 0)  # the figure inside the claim is not an incorrect claim


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_results_do_not_depend_on_input_order(data) -> None:
    layers = st.sampled_from(["claim", "quote", "figure"])
    spans = st.builds(
        lambda layer, s, n, v: span(layer, s, s + n, value=float(v)), layers, st.integers(0, 40), st.integers(1, 9), st.integers(0, 2)
    )
    gold = data.draw(st.lists(spans, min_size=1, max_size=8))  # an empty gold is refused (test_api.py)
    pred = data.draw(st.lists(spans, max_size=8))
    expected = score(gold, pred).to_dict()
    assert Report.from_dict(expected).to_dict() == expected
    assert score(data.draw(st.permutations(gold)), data.draw(st.permutations(pred))).to_dict() == expected


def _brute_force_best(gold, pred) -> tuple:
    """(exact pairs, pairs, shared characters) of the best of every one-to-one matching, gold span by gold span."""

    def best(i: int, used: frozenset) -> tuple:
        if i == len(gold):
            return (0, 0, 0)
        options = [best(i + 1, used)]  # gold span i unmatched
        for j, p in enumerate(pred):
            if j not in used and overlap(gold[i], p):
                e, k, c = best(i + 1, used | {j})
                options.append((e + (gold[i] == p), k + 1, c + overlap(gold[i], p)))
        return max(options)

    return best(0, frozenset())


intervals = st.lists(st.builds(lambda s, n: (s, s + n), st.integers(0, 30), st.integers(1, 8)), max_size=5)


@settings(max_examples=150, deadline=None)
@given(intervals, intervals)
def test_matching_is_one_to_one_and_optimal(gold, pred) -> None:
    pairs = assign(gold, pred)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert all(overlap(gold[i], pred[j]) for i, j in pairs)
    got = (sum(gold[i] == pred[j] for i, j in pairs), len(pairs), sum(overlap(gold[i], pred[j]) for i, j in pairs))
    assert got == _brute_force_best(gold, pred)


@st.composite
def one_layer_no_overlaps(draw):
    """Gold and predicted spans of one layer where each span overlaps at most one span of the other side."""
    gold, pred, pos = [], [], 0
    for _ in range(draw(st.integers(1, 8))):
        pos += draw(st.integers(1, 4))
        s, n = pos, draw(st.integers(1, 6))
        case = draw(st.sampled_from(["exact", "shifted", "missed", "spurious", "both"]))
        if case in ("exact", "missed", "shifted", "both"):
            gold.append((s, s + n))
        if case == "exact":
            pred.append((s, s + n))
        elif case == "shifted":
            pred.append((s + draw(st.integers(0, n - 1)), s + n + draw(st.integers(1, 2))))
        elif case in ("spurious", "both"):
            pred.append((s + n + 3, s + n + 5) if case == "both" else (s, s + n))
        pos = s + n + 8
    return gold, pred


@settings(max_examples=120, deadline=None)
@given(one_layer_no_overlaps())
def test_agrees_with_nervaluate_where_its_assumptions_hold(case) -> None:
    gold, pred = case
    assume(gold)  # an empty gold is refused (test_api.py)
    ours = score([span("claim", s, e) for s, e in gold], [span("claim", s, e) for s, e in pred])
    # nervaluate counts inclusive ends
    theirs = Evaluator(
        [[{"label": "claim", "start": s, "end": e - 1} for s, e in gold]],
        [[{"label": "claim", "start": s, "end": e - 1} for s, e in pred]],
        tags=["claim"],
        loader="dict",
    ).evaluate()
    for schema, name in (("strict", "strict"), ("exact", "exact"), ("partial", "partial"), ("type", "ent_type")):
        r = theirs["overall"][name]
        c = ours.layers["claim"][schema]
        assert (r.correct, r.incorrect, r.partial, r.missed, r.spurious) == (c.COR, c.INC, c.PAR, c.MIS, c.SPU), schema
        assert (c.precision or 0, c.recall or 0, c.f1 or 0) == pytest.approx((r.precision, r.recall, r.f1)), schema


def test_attribute_accuracy_on_matched_spans() -> None:
    pred = [{**GOLD[0], "value": 12000}, {**GOLD[1], "value": 1200.0, "qualifier": "approximate"}, span("figure", 20, 24)]
    report = score(GOLD, pred)
    tallies = report.attributes["figure"]
    assert (tallies["value"].correct, tallies["value"].compared) == (1, 3)  # a missing value counts as wrong
    assert (tallies["qualifier"].correct, tallies["qualifier"].compared) == (1, 3)
    assert score(GOLD, [span("figure", 0, 5)]).attributes["figure"] == {}  # no attribute predicted: none scored


def test_bcubed_by_hand() -> None:
    # gold {a,b,c} {d}; predicted {a,b} {c,d}: P = (1+1+.5+.5)/4, R = (2/3+2/3+1/3+1)/4
    b = bcubed(["x", "x", "x", "y"], ["1", "1", "2", "2"])
    assert (b.precision, b.recall) == (pytest.approx(0.75), pytest.approx(2 / 3))
    assert b.f1 == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))
    claims = [span("claim", 0, 5, cluster="x"), span("claim", 10, 15, cluster="x")]
    report = score(claims, [{**claims[0], "cluster": "p"}, {**claims[1], "cluster": "q"}])
    assert (report.clusters.precision, report.clusters.recall) == (1.0, 0.5)


def test_cli_reports_bad_predictions_as_incidents(tmp_path, capsys) -> None:
    pred = tmp_path / "pred.jsonl"
    pred.write_text(
        '{"doc_id": "nk000", "layer": "claim", "start": 5, "end": 2}\n{"doc_id": "nk000", "layer": "word", "start": 0, "end": 1}\n[1]\n'
    )
    assert main(["evaluate", "--pred", str(pred)]) == 1
    err = capsys.readouterr().err
    for line, code in ((1, "offset-out-of-range"), (2, "schema-enum"), (3, "json-not-object")):
        assert f"pred.jsonl:{line}" in err and code in err
    assert main(["evaluate", "--pred", str(tmp_path / "missing.jsonl")]) == 2


def test_cli_json_output(tmp_path, capsys) -> None:
    gold = load_gold(release_dir())
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(s) + "\n" for s in gold.spans[1:]))
    assert main(["evaluate", "--pred", str(pred), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["results"]  # the scores inside the report (nk_troops.report)
    assert data["overall"]["strict"]["MIS"] == 1 and data["overall"]["strict"]["COR"] == len(gold.spans) - 1


def test_a_predictions_file_is_read_into_the_rows_of_its_folds(tmp_path) -> None:
    import nk_troops
    from nk_troops.evaluate import read_inputs

    gold = load_gold(release_dir())
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(s) + "\n" for s in gold.spans[1:]))
    spans, rows, docs = read_inputs(pred, release_dir(), folds=[0])
    assert docs == ["nk000"] and {s["doc_id"] for s in spans} == {r["doc_id"] for r in rows} == {"nk000"}
    assert len(spans) == len(rows) + 1 == sum(s["doc_id"] == "nk000" for s in gold.spans)
    assert nk_troops.evaluate(str(pred), folds=[0]).to_dict() == score(spans, rows).to_dict()

"""Trained baselines: the committed results are what a fresh run gives, the folds never see the test document,
and the tables in README.md and DATASHEET.md show the committed file."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest

from nk_troops.baselines import BASELINES, checkworthy, clustering, crf, results
from nk_troops.cli import main
from nk_troops.incidents import IncidentError
from nk_troops.paths import release_info
from nk_troops.release import blocks

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "dataset"
DOCS = ["nk000", "nk001", "nk002", "nk003", "nk004"]
TRAINED = ["crf-figures", "crf-quotes", "crf-claims", "checkworthy-tfidf", "majority-label", "clusters-tfidf", "singletons"]


@pytest.fixture(scope="module")
def fresh() -> dict:
    return results.compute(RELEASE)


def test_committed_results_are_fresh(fresh) -> None:
    committed = (ROOT / results.RESULTS).read_text(encoding="utf-8")
    assert results.render_json(fresh) == committed, f"{results.RESULTS} is stale: run `{results.COMMAND}`"


@pytest.mark.parametrize("name", results.FILES)
def test_tables_show_the_committed_results(name) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    assert blocks.section(text, results.BLOCK) == results.render_results_table(ROOT / results.RESULTS), f"run `{results.COMMAND}`"


def test_the_card_shows_the_committed_results() -> None:
    table = results.render_results_table(ROOT / results.RESULTS)
    assert (ROOT / results.RESULTS.with_suffix(".md")).read_text(encoding="utf-8") == table + "\n", f"run `{results.COMMAND}`"
    assert table in (RELEASE / "README.md").read_text(encoding="utf-8"), "run nk-troops build"


def test_every_baseline_scored_on_every_document(fresh) -> None:
    entries = fresh["baselines"]
    assert [e["name"] for e in entries] == [*TRAINED, *BASELINES]
    assert {e["kind"] for e in entries if e["name"] in BASELINES} == {"rules"}
    assert fresh["bootstrap"] == {"unit": "document", "resamples": 1000, "seed": 0, "interval": "95% percentile"}
    for entry in entries:
        for e in entry["estimates"]:
            assert list(e["per_doc"]) == DOCS, (entry["name"], e["metric"])
            low, high = e["ci95"]
            defined = [v for v in e["per_doc"].values() if v is not None]
            if e["metric"].startswith(("strict", "partial")) or e["metric"].endswith("accuracy"):
                # a pooled ratio of a resample is a weighted mean of the documents' ratios
                assert min(defined) <= low <= high <= max(defined), (entry["name"], e["metric"])
    thresholds = next(e["thresholds"] for e in entries if e["name"] == "clusters-tfidf")
    assert list(thresholds) == DOCS and set(thresholds.values()) <= set(clustering.GRID)
    assert fresh["conflicts"] == {"pairs": 6, "most_in_one_cluster": 5}


def _corrupt(inputs: results.Inputs, doc_id: str) -> results.Inputs:
    """Every label of one document changed; its texts and offsets left alone."""
    labels = {"figure": {"kind": "money", "qualifier": "approximate"}, "quote": {"speaker": "kim-jong-un"}}
    spans = copy.deepcopy(inputs.spans)
    for r in spans:
        if r["doc_id"] == doc_id:
            r.update(labels.get(r["layer"], {"cluster": r["id"]}))  # a claim: its own cluster
    blank = lambda r: {f"{x}_tags": ["O"] * len(r["tokens"]) for x in ("figure", "quote", "claim")}  # noqa: E731
    tokens = [r | blank(r) if r["doc_id"] == doc_id else r for r in inputs.tokens]
    sentences = [r | {"claims": [], "no_claim_reason": "credit"} if r["doc_id"] == doc_id else r for r in inputs.sentences]
    return results.Inputs(inputs.docs, inputs.entities, spans, sentences, tokens, inputs.clusters)


def test_a_fold_never_sees_its_test_document() -> None:
    inputs = results.Inputs.read(RELEASE)
    corrupted = _corrupt(inputs, "nk002")  # the largest document: its labels move every model trained on it
    assert results.predict_fold(corrupted, "nk002") == results.predict_fold(inputs, "nk002")
    before, after = results.predict_fold(inputs, "nk000"), results.predict_fold(corrupted, "nk000")
    assert {name for name in before if before[name] != after[name]} == set(TRAINED) - {"singletons"} | {"threshold"}


def test_crf_features_see_quotation_marks() -> None:
    tokens = ["He", "called", "it", "“", "fake", "news", "”", "and", '"', "a", "lie", '"', "."]
    quoted = [f["quoted"] for f in crf.sentence_features(tokens)]
    assert quoted == ["False"] * 4 + ["True"] * 2 + ["False"] * 3 + ["True"] * 2 + ["False"] * 2
    assert crf.parse_value("12,000") == 12000.0 and crf.parse_value("10,000 to 12,000") == 10000.0 and crf.parse_value("no number") is None


def test_checkworthy_counts_by_hand() -> None:
    gold = [{"claims": ["x"], "no_claim_reason": None}] + [{"claims": [], "no_claim_reason": r} for r in ("opinion", "vague")]
    counts = checkworthy.counts(gold, ["claim", "opinion", "claim"])
    assert counts == {
        "claim.hit": 1,
        "claim.predicted": 2,
        "claim.gold": 1,
        "no_claim.hit": 1,
        "no_claim.predicted": 1,
        "no_claim.gold": 2,
        "reason.correct": 1,
        "reason.compared": 2,
    }


def test_item_bcubed_by_hand() -> None:
    # gold {0,1,2} {3}; predicted {0,1} {2,3}
    assert clustering.item_bcubed(["a", "a", "a", "b"], [1, 1, 2, 2]) == [(1.0, 2 / 3), (1.0, 2 / 3), (0.5, 1 / 3), (0.5, 1.0)]
    claims = [{"doc_id": d, "cluster": c} for d, c in (("x", "a"), ("y", "a"), ("y", "b"))]
    assert clustering.counts(claims, [0, 0, 1], "y") == {"bcubed.precision": 2.0, "bcubed.recall": 2.0, "bcubed.items": 2}


def test_write_needs_a_checkout_and_results(tmp_path, capsys) -> None:
    assert main(["--root", str(tmp_path), "baseline", "--results", "--write"]) == 2
    assert "needs a checkout" in capsys.readouterr().err and not (tmp_path / "results").exists()
    assert main(["baseline", "figures-rules", "--write"]) == 2


def test_write_refreshes_the_file_and_both_tables(tmp_path, fresh, monkeypatch, capsys) -> None:
    for name in results.FILES:
        (tmp_path / name).write_text(f"# {name}\n\n<!-- baselines:begin -->\nold\n<!-- baselines:end -->\n\nkept\n", encoding="utf-8")
    monkeypatch.setattr(results, "compute", lambda release, timings=None: fresh)  # the real run is the fixture's
    assert main(["--root", str(tmp_path), "baseline", "--results", "--write", "--release", str(RELEASE)]) == 0
    assert json.loads((tmp_path / results.RESULTS).read_text(encoding="utf-8")) == fresh
    for name in results.FILES:
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert blocks.section(text, "baselines") == results.render_table(fresh) and text.endswith("\n\nkept\n")
    assert "**Trained baselines**" in capsys.readouterr().out
    assert (tmp_path / results.RESULTS.with_suffix(".md")).read_text(encoding="utf-8") == results.render_table(fresh) + "\n"
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["baselines.json", "baselines.md"]  # no temporary file left


def test_results_file_is_never_written_through_a_link(tmp_path, fresh) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("{}", encoding="utf-8")
    link = tmp_path / "results" / "baselines.json"
    link.parent.mkdir()
    link.symlink_to(target)
    with pytest.raises(IncidentError, match="symbolic link"):
        results.write_results(fresh, link)
    assert target.read_text(encoding="utf-8") == "{}"
    shutil.rmtree(link.parent)


def test_a_link_is_an_incident_of_the_command_and_neither_file_is_written(tmp_path, fresh, monkeypatch, capsys) -> None:
    for name in results.FILES:
        (tmp_path / name).write_text("<!-- baselines:begin -->\n<!-- baselines:end -->\n", encoding="utf-8")
    (tmp_path / "results").mkdir()
    (tmp_path / "elsewhere.md").write_text("theirs", encoding="utf-8")
    (tmp_path / results.RESULTS.with_suffix(".md")).symlink_to(tmp_path / "elsewhere.md")
    monkeypatch.setattr(results, "compute", lambda release, timings=None: fresh)
    assert main(["--root", str(tmp_path), "baseline", "--results", "--write", "--release", str(RELEASE)]) == 1
    err = capsys.readouterr().err
    assert "baselines.md: path-symlink: " in err and "Traceback" not in err
    assert (tmp_path / "elsewhere.md").read_text(encoding="utf-8") == "theirs"
    assert os.listdir(tmp_path / "results") == ["baselines.md"]  # the link only: baselines.json not written either


def test_a_failed_write_leaves_no_temporary_file(tmp_path, fresh, monkeypatch) -> None:
    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        results.write_results(fresh, tmp_path / "results" / "baselines.json")
    assert os.listdir(tmp_path / "results") == []


def test_a_release_without_a_manifest_is_scored_as_of_unknown_version(tmp_path, fresh) -> None:
    for name in os.listdir(RELEASE):
        if name.endswith(".jsonl"):
            shutil.copyfile(RELEASE / name, tmp_path / name)
    unknown = {"version": None, "content_sha256": None}
    assert release_info(tmp_path) == unknown and release_info(RELEASE) == fresh["release"]
    table = results.render_table({**fresh, "release": unknown})
    assert "Release of unknown version (its folder has no readable manifest.json)." in table


def test_missing_extra_is_an_unusable_invocation(monkeypatch, capsys) -> None:
    monkeypatch.setitem(results.EXTRA, "nk_troops_no_such_module", "no-such-dist")
    assert main(["baseline", "--results"]) == 2
    assert "no-such-dist: pip install 'nk-troops[baselines]'" in capsys.readouterr().err


def test_speaker_ranker_learns_who_speaks() -> None:
    from nk_troops.baselines.common import Doc
    from nk_troops.baselines.speakers import SpeakerRanker
    from nk_troops.model import Entity, EntityType

    people = [Entity(e, e.title(), EntityType.PERSON, (e.title(),)) for e in ("kim", "lee", "park")]

    def doc(doc_id: str, text: str) -> Doc:
        return Doc(doc_id, 0, text, "2024-10-18", ((0, len(text), "paragraph"),), ((0, len(text)),))

    def quote(d: Doc, content: str, speaker: str) -> dict:
        start = d.text.index(content)
        return {"doc_id": d.doc_id, "layer": "quote", "start": start, "end": start + len(content), "speaker": speaker}

    train = [doc("nk001", "Kim met Lee. Kim said “we will go”, and Park agreed."), doc("nk002", "Park met Kim. Park said “no” to Lee.")]
    gold = [quote(train[0], "we will go", "kim"), quote(train[1], "no", "park")]
    ranker = SpeakerRanker(gold, {d.doc_id: d for d in train}, people)
    test = doc("nk003", "Kim and Park spoke. Lee said “soon” to Kim.")
    (predicted,) = ranker.predict([quote(test, "soon", "?")], {"nk003": test})
    assert predicted["speaker"] == "lee"
    empty = doc("nk004", "Nobody said “nothing”.")
    assert ranker.predict([quote(empty, "nothing", "?")], {"nk004": empty})[0]["speaker"] == "unknown"

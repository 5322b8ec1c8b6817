"""The public API as a user holds it: load and folds, validate and evaluate over paths, rows, Datasets and DataFrames."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import nk_troops
from nk_troops.evaluate import EvaluationError, score
from nk_troops.incidents import IncidentError
from nk_troops.paths import release_dir, splits
from nk_troops.validate.rules.release import parquet_rows

RELEASE = release_dir()
SPANS = [json.loads(line) for line in (RELEASE / "spans.jsonl").open(encoding="utf-8")]
FIGURES = [s for s in SPANS if s["layer"] == "figure"]
# rows per fold-k test split (one document each); fold k train holds the rest
FOLD_SIZES = {
    "documents": [1, 1, 1, 1, 1],
    "spans": [22, 17, 68, 25, 32],
    "sentences": [15, 15, 50, 15, 16],
    "tokens": [15, 15, 50, 15, 16],
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("hf-cache"))


def test_import_is_light_and_exports_the_api() -> None:
    probe = "import sys, nk_troops; print(sorted(m for m in ('datasets', 'pandas', 'pandera', 'pyarrow', 'scipy') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "[]"
    for name in ("load", "folds", "validate", "evaluate", "encode_bio", "decode_bio", "release_dir", "SpansModel", "PredictionsModel"):
        assert name in nk_troops.__all__ and callable(getattr(nk_troops, name)), name
    import nk_troops.validate as package  # the subpackage and the function are one object

    assert package is nk_troops.validate and callable(package)


@pytest.mark.parametrize("config", list(FOLD_SIZES))
def test_named_splits_are_the_folds(config, cache) -> None:
    every = nk_troops.load(config, cache_dir=cache)
    assert list(every) == list(splits(config))
    total = every["test"].num_rows
    assert total == sum(FOLD_SIZES[config])
    for k, (train, test) in enumerate(nk_troops.folds(config, cache_dir=cache)):
        assert (test.num_rows, train.num_rows) == (FOLD_SIZES[config][k], total - FOLD_SIZES[config][k])
        assert set(test["fold"]) == {k} and k not in set(train["fold"])


def test_registries_have_only_the_test_split(cache) -> None:
    assert {k: v.num_rows for k, v in nk_troops.load("entities", cache_dir=cache).items()} == {"test": 24}
    assert list(nk_troops.load("clusters", cache_dir=cache)) == ["test"]
    with pytest.raises(ValueError):
        list(nk_troops.folds("entities"))
    with pytest.raises(ValueError):
        nk_troops.load("spans", split="fold9_test")


def test_label_counts_per_layer(cache) -> None:
    spans = nk_troops.load("spans", split="test", cache_dir=cache)
    names = spans.features["layer"].names
    counts = {name: spans["layer"].count(i) for i, name in enumerate(names)}
    assert counts == {"claim": 102, "quote": 24, "figure": 38}


def test_parquet_carries_its_features_without_the_card(cache) -> None:
    from datasets import load_dataset

    from nk_troops.schemas import hf_features

    ds = load_dataset("parquet", data_files=str(RELEASE / "spans" / "fold2_test-00000-of-00001.parquet"), split="train", cache_dir=cache)
    assert ds.features == hf_features("spans") and ds.num_rows == 68


def test_parquet_rows_report_a_differing_file(tmp_path) -> None:
    import shutil

    folder = tmp_path / "release"
    shutil.copytree(RELEASE, folder)
    assert list(parquet_rows(folder)) == []
    (folder / "spans" / "fold1_test-00000-of-00001.parquet").unlink()
    shutil.copy(folder / "spans" / "fold0_test-00000-of-00001.parquet", folder / "spans" / "fold3_test-00000-of-00001.parquet")
    (folder / "tokens" / "test-00000-of-00001.parquet").write_bytes(b"not parquet")
    got = sorted((i.code, Path(i.file).relative_to(folder).as_posix()) for i in parquet_rows(folder))
    assert got == [
        ("parquet-rows-mismatch", "spans/fold3_test-00000-of-00001.parquet"),
        ("parquet-unreadable", "spans/fold1_test-00000-of-00001.parquet"),
        ("parquet-unreadable", "tokens/test-00000-of-00001.parquet"),
    ]
    assert list(parquet_rows(tmp_path)) == []  # a folder of JSONL only has nothing to compare


def test_evaluate_takes_every_source_and_names_or_ids_alike(tmp_path, cache) -> None:
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(s) + "\n" for s in FIGURES[1:]), encoding="utf-8")
    dataset = nk_troops.load("spans", split="test", cache_dir=cache).filter(lambda r: r["layer"] == 2).select(range(1, len(FIGURES)))
    sources = {"path": pred, "rows": FIGURES[1:], "dataset": dataset, "dataframe": dataset.to_pandas()}
    reports = {name: nk_troops.evaluate(src).to_dict() for name, src in sources.items()}
    assert all(r == reports["path"] for r in reports.values())
    figure = reports["path"]["layers"]["figure"]
    assert (figure["strict"]["COR"], figure["strict"]["MIS"], figure["strict"]["SPU"]) == (37, 1, 0)
    schemas = {s: figure[s] for s in ("strict", "exact", "partial", "type")}
    assert reports["path"]["overall"] == {"average": "micro", "layers": ["figure"], **schemas}
    assert figure["attributes"]["kind"] == {"correct": 37, "compared": 37, "accuracy": 1.0}


def test_evaluate_restricts_layers_and_folds() -> None:
    report = nk_troops.evaluate(SPANS, layers=["quote"], folds=[2])
    assert list(report.layers) == ["quote"] and report.overall.layers == ("quote",)
    quotes = [s for s in SPANS if s["layer"] == "quote" and s["fold"] == 2]
    assert report.layers["quote"]["strict"].COR == len(quotes) > 0


def test_evaluate_refuses_an_empty_or_mismatched_gold() -> None:
    with pytest.raises(EvaluationError) as err:
        score([s for s in SPANS if s["layer"] != "quote"], [], layers=["quote"])
    assert err.value.code == "gold-empty"
    with pytest.raises(EvaluationError) as err:
        score(FIGURES, [{**FIGURES[0], "doc_id": "nk003"}, {**FIGURES[0], "doc_id": "nk009"}])
    assert err.value.code == "gold-mismatch" and err.value.incidents[0].found == ["nk009"]
    # a layer given as its ClassLabel id is that layer, never a layer of its own scored against nothing
    ids = score(SPANS, [{**s, "layer": ["claim", "quote", "figure"].index(s["layer"])} for s in FIGURES]).to_dict()
    assert ids == score(SPANS, FIGURES).to_dict() and ids["layers"]["figure"]["strict"]["f1"] == 1.0


def test_evaluate_validates_a_gold_folder_first(tmp_path) -> None:
    import shutil

    gold = tmp_path / "gold"
    shutil.copytree(RELEASE, gold)
    rows = (gold / "spans.jsonl").read_text(encoding="utf-8").splitlines()
    (gold / "spans.jsonl").write_text("\n".join([rows[0].replace('"start": ', '"start": 9999'), *rows[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(IncidentError) as err:
        nk_troops.evaluate(FIGURES, gold=gold)
    assert {i.code for i in err.value.incidents} >= {"manifest-mismatch"}
    assert any(i.file == str(gold / "spans.jsonl") and i.line == 1 for i in err.value.incidents)


def test_cli_evaluate_reports_gold_incidents_and_one_layer(tmp_path, capsys) -> None:
    from nk_troops.cli import main

    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(s) + "\n" for s in FIGURES), encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "documents.jsonl").write_text("{}\n", encoding="utf-8")
    assert main(["evaluate", "--pred", str(pred), "--gold", str(gold), "--format", "json"]) == 1  # bad gold data, not a bad call
    report = json.loads(capsys.readouterr().out)
    missing = "README.md clusters.jsonl croissant.json entities.jsonl manifest.json sentences.jsonl spans.jsonl tokens.jsonl".split()
    expected = [("file-missing", str(gold / name), None) for name in missing] + [("schema-required", str(gold / "documents.jsonl"), 1)]
    assert sorted((i["code"], i["file"], i["line"]) for i in report["incidents"]) == sorted(expected, key=repr)
    assert report["ok"] is False and report["results"] is None
    assert main(["evaluate", "--pred", str(pred), "--layer", "figure", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["results"]  # the scores inside the report (nk_troops.report)
    assert list(data["layers"]) == ["figure"] and data["overall"]["layers"] == ["figure"] and data["overall"]["strict"]["f1"] == 1.0


def test_validate_takes_every_source(cache) -> None:
    assert nk_troops.validate(RELEASE).incidents == []
    assert nk_troops.validate(FIGURES).incidents == []
    bad = [{**FIGURES[0], "start": -1}, {**FIGURES[1], "doc_id": "nk999"}]
    assert sorted((i.code, i.line) for i in nk_troops.validate(bad).incidents) == [("document-unknown", 2), ("schema-range", 1)]
    df = nk_troops.load("spans", split="fold0_test", cache_dir=cache).to_pandas()
    assert nk_troops.validate(df).incidents == []
    df["layer"] = df["layer"].astype(object)
    df.loc[3, "layer"] = "word"
    assert [(i.code, i.line, i.detail) for i in nk_troops.validate(df).incidents] == [("schema-enum", 4, "layer")]


def test_predictions_as_the_loaders_give_them(tmp_path) -> None:
    """A predictions file where only some rows carry an id, read by pandas or datasets (both fill the
    missing ids with null), an empty DataFrame, and a nullable-integer offset column holding NA."""
    import datasets
    import numpy as np
    import pandas as pd

    preds = [{"doc_id": f["doc_id"], "layer": "figure", "start": f["start"], "end": f["end"]} for f in FIGURES[:4]]
    preds[1]["id"], preds[2]["score"] = "pred-17", 0.5
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in preds), encoding="utf-8")
    assert nk_troops.validate(path).incidents == []
    assert nk_troops.validate(pd.read_json(path, lines=True)).incidents == []
    assert nk_troops.validate(datasets.Dataset.from_list([{**p, "id": p.get("id")} for p in preds])).incidents == []
    assert nk_troops.validate([{**preds[0], "id": None}]).incidents == []
    as_numpy = {**preds[0], "start": np.int64(preds[0]["start"]), "end": np.int64(preds[0]["end"]), "score": np.float32(0.5)}
    assert nk_troops.validate([as_numpy]).incidents == []  # offsets as a model's arrays hold them
    assert nk_troops.validate(pd.DataFrame([])).incidents == [] and nk_troops.validate(pd.DataFrame(columns=["doc_id"])).ok
    df = pd.DataFrame(preds[:2]).astype({"start": "Int64"})
    df.loc[1, "start"] = pd.NA
    assert [(i.line, i.detail) for i in nk_troops.validate(df).incidents if i.code.startswith("schema-")] == [(2, "start")]


def test_decode_bio_takes_the_tag_ids_datasets_returns(cache) -> None:
    tokens = nk_troops.load("tokens", split="test", cache_dir=cache)
    names = tokens.features["figure_tags"].feature.names
    for row in tokens:
        by_id = nk_troops.decode_bio(row["token_starts"], row["token_ends"], row["figure_tags"])
        assert by_id == nk_troops.decode_bio(row["token_starts"], row["token_ends"], [names[t] for t in row["figure_tags"]])
    gold = sorted((s["start"], s["end"]) for s in FIGURES)
    decoded = sorted(sp for row in tokens for sp in nk_troops.decode_bio(row["token_starts"], row["token_ends"], row["figure_tags"]))
    assert decoded == gold


def _card() -> dict:
    import yaml

    return yaml.safe_load((RELEASE / "README.md").read_text(encoding="utf-8").split("---\n")[1])


def test_card_and_croissant_tell_both_licences() -> None:
    card = _card()
    assert (card["license"], card["license_link"]) == ("other", "LICENSE.md") and card["license_name"]
    licence = (RELEASE / "LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "copyright of\n   their publishers" in licence
    croissant = json.loads((RELEASE / "croissant.json").read_text(encoding="utf-8"))
    assert [w["url"] for w in croissant["license"]] == ["https://creativecommons.org/licenses/by/4.0/", "LICENSE.md"]


def test_card_declares_every_split_with_its_row_count() -> None:
    from nk_troops.schemas import features_yaml

    infos = {i["config_name"]: i for i in _card()["dataset_info"]}
    for config, sizes in FOLD_SIZES.items():
        got = {s["name"]: s["num_examples"] for s in infos[config]["splits"]}
        total = sum(sizes)
        assert got == {"test": total} | {
            f"fold{k}_{p}": n if p == "test" else total - n for k, n in enumerate(sizes) for p in ("train", "test")
        }
        assert infos[config]["features"] == features_yaml(config)
    assert [s["name"] for s in infos["clusters"]["splits"]] == ["test"]

"""Generated schemas agree with model.py, and every released record round-trips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from datasets import ClassLabel, List, Value

from nk_troops import frames, model, schemas
from nk_troops.model import Layer
from nk_troops.paths import CONFIGS

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "dataset"


@pytest.mark.parametrize("name", list(schemas.RECORDS))
def test_json_schema_files_do_not_drift(name: str) -> None:
    path = schemas.schema_path(ROOT / "schema", name)
    assert path.read_text(encoding="utf-8") == schemas.render_json_schema(name), f"regenerate with nk-troops build: {path}"


def test_span_schema_has_every_flat_column_and_layer_rules() -> None:
    schema = schemas.json_schema("span")
    columns = model.flat_span_columns()
    assert list(schema["properties"]) == ["layer", *(name for name, *_ in columns)]
    assert schema["properties"]["layer"]["enum"] == [layer.value for layer in Layer]
    for branch, layer in zip(schema["allOf"], Layer, strict=True):
        assert branch["if"]["properties"]["layer"]["const"] == layer.value
        nulls = {name for name, spec in branch["then"]["properties"].items() if spec == {"type": "null"}}
        assert nulls == {name for name, _, _, layers in columns if layer not in layers}


def test_prediction_schema_requires_only_the_span_locator() -> None:
    assert schemas.json_schema("prediction")["required"] == ["doc_id", "layer", "start", "end"]


@pytest.mark.parametrize(
    ("config", "cls"),
    [("sentences", model.Sentence), ("tokens", model.TokenizedSentence), ("entities", model.Entity), ("clusters", model.Cluster)],
)
def test_hf_features_match_model_field_by_field(config: str, cls: type) -> None:
    features = schemas.hf_features(config)
    fields = model.record_fields(cls)
    assert list(features) == [name for name, *_ in fields]
    for name, tp, md in fields:
        inner, _ = model.unwrap_optional(tp)
        feature = features[name]
        if "class_label" in md:
            assert feature == List(ClassLabel(names=list(md["class_label"])))
        elif inner is int:
            assert feature == Value("int32")
        elif inner is float:
            assert feature == Value("float64")
        elif inner is bool:
            assert feature == Value("bool")
        elif isinstance(inner, type) and issubclass(inner, model.StrEnum):
            assert feature == ClassLabel(names=[e.value for e in inner])
        elif inner is str:
            assert feature == Value("string")
        else:
            assert isinstance(feature, List | dict)


def test_hf_spans_features() -> None:
    features = schemas.hf_features("spans")
    assert features["layer"] == ClassLabel(names=[layer.value for layer in Layer])
    assert list(features) == ["layer", *(name for name, *_ in model.flat_span_columns())]
    assert features["start"] == features["end"] == Value("int32")
    assert features["speaker_span"] == {"start": Value("int32"), "end": Value("int32")}


def test_hf_documents_features_nest_spans_and_sentences() -> None:
    features = schemas.hf_features("documents")
    assert list(features) == [name for name, *_ in model.record_fields(model.Document)] + list(schemas.DOCUMENT_LISTS)
    for key, cls in schemas.DOCUMENT_LISTS.items():
        names = list(features[key].feature)
        assert names[-len(model.record_fields(cls)) :] == [name for name, *_ in model.record_fields(cls)]


@pytest.mark.parametrize("config", CONFIGS)
def test_features_yaml_is_what_datasets_writes_and_needs_no_datasets(config: str) -> None:
    features = schemas.hf_features(config)
    assert features._to_yaml_list() == schemas.features_yaml(config)
    assert features.to_dict() == schemas.features_dict(config)
    probe = "import sys, nk_troops.schemas as s; [s.features_yaml(c) for c in s.CONFIGS]; print('datasets' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_every_categorical_field_is_a_class_label_in_every_config() -> None:
    labels = {c: schemas.label_names(c) for c in CONFIGS}
    assert labels["spans"] == {
        "layer": ["claim", "quote", "figure"],
        "quote_type": ["direct", "partial"],
        "kind": [k.value for k in model.FigureKind],
        "qualifier": [q.value for q in model.Qualifier],
    }
    assert labels["sentences"] == {"no_claim_reason": [r.value for r in model.NoClaimReason]}
    assert labels["entities"] == {"type": [t.value for t in model.EntityType]}
    docs = schemas.hf_features("documents")
    assert docs["passages"].feature["type"] == ClassLabel(names=[t.value for t in model.PassageType])
    assert docs["passages"].feature["edits"].feature["kind"] == ClassLabel(names=[k.value for k in model.EditKind])
    assert docs["figures"].feature["kind"] == schemas.hf_features("spans")["kind"]  # the same labels in both configs
    assert docs["sentences"].feature["no_claim_reason"] == schemas.hf_features("sentences")["no_claim_reason"]


def test_rows_encode_to_ids_and_back() -> None:
    for config in CONFIGS:
        for line in (RELEASE / f"{config}.jsonl").open(encoding="utf-8"):
            row = json.loads(line)
            encoded = schemas.encode_row(config, row)
            assert schemas.decode_row(config, encoded) == row
            assert schemas.encode_row(config, encoded) == encoded  # ids stay ids
    span = json.loads((RELEASE / "spans.jsonl").open(encoding="utf-8").readline())
    assert schemas.encode_row("spans", span)["layer"] == ["claim", "quote", "figure"].index(span["layer"])


def test_pandera_models_match_model() -> None:
    columns = model.flat_span_columns()
    for frame_model, prediction in ((frames.SpansModel, False), (frames.PredictionsModel, True)):
        schema = frame_model.to_schema()
        assert list(schema.columns) == ["layer", *(name for name, *_ in columns)]
        for name, tp, _, layers in columns:
            _, optional = model.unwrap_optional(tp)
            required = not prediction or name in schemas.PREDICTION_REQUIRED
            assert schema.columns[name].required == required, name
            assert schema.columns[name].nullable == (optional or len(layers) < len(Layer) or not required), name


def test_pandera_validates_the_release_tables() -> None:
    import pandas as pd

    spans = [json.loads(line) for line in (RELEASE / "spans.jsonl").open(encoding="utf-8")]
    docs = [json.loads(line) for line in (RELEASE / "documents.jsonl").open(encoding="utf-8")]
    sentences = [json.loads(line) for line in (RELEASE / "sentences.jsonl").open(encoding="utf-8")]
    frames.SpansModel.validate(pd.DataFrame(spans))
    frames.PredictionsModel.validate(pd.DataFrame(spans))
    frames.PredictionsModel.validate(pd.DataFrame([{k: s[k] for k in schemas.PREDICTION_REQUIRED} for s in spans]))
    frames.SentencesModel.validate(pd.DataFrame(sentences))
    frames.DocumentsModel.validate(pd.json_normalize(docs, max_level=1))


def _bad_rows(span: dict) -> list[dict]:
    """Rows the JSON Schema rejects, one rule each."""
    return [
        {**span, "layer": "bogus"},
        {**span, "start": -1},
        {**span, "id": "NK000-x"},
        {**span, "doc_id": "doc1"},
        {**span, "fold": 7},
        {**span, "text": ""},
        {**span, "kind": "weight"} if span["layer"] == "figure" else {**span, "layer": "nope"},
    ]


@pytest.mark.parametrize(("table", "record"), [("spans", "span"), ("predictions", "prediction")])
def test_pandera_rejects_the_rows_the_json_schema_rejects(table: str, record: str) -> None:
    import jsonschema
    import pandas as pd

    spans = [json.loads(line) for line in (RELEASE / "spans.jsonl").open(encoding="utf-8")]
    figure = next(s for s in spans if s["layer"] == "figure")
    good, bad = spans[:3] + [figure], _bad_rows(figure)
    validator = jsonschema.Draft202012Validator(schemas.json_schema(record))
    rows = good + bad
    by_json = {i for i, r in enumerate(rows) if not validator.is_valid(r)}
    by_pandera = {i.line - 1 for i in frames.frame_incidents(pd.DataFrame(rows), table)}
    assert by_json == by_pandera == set(range(len(good), len(rows)))


@pytest.mark.parametrize(
    ("config", "cls"),
    [("sentences", model.Sentence), ("tokens", model.TokenizedSentence), ("entities", model.Entity), ("clusters", model.Cluster)],
)
def test_records_round_trip(config: str, cls: type) -> None:
    for line in (RELEASE / f"{config}.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        assert model.to_dict(model.from_dict(cls, row)) == row


def test_spans_and_documents_round_trip() -> None:
    for line in (RELEASE / "spans.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        assert model.span_to_row(model.span_from_dict(row)) == row
    for line in (RELEASE / "documents.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        doc = model.from_dict(model.Document, row)
        assert model.to_dict(doc) == {k: row[k] for k in model.to_dict(doc)}
        for key in schemas.DOCUMENT_LISTS:
            cls = schemas.DOCUMENT_LISTS[key]
            assert [model.to_dict(model.from_dict(cls, r)) for r in row[key]] == row[key]

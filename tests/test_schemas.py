"""Generated schemas agree with model.py, and every released record round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datasets import ClassLabel, List, Value

from nk_troops import model, schemas
from nk_troops.model import Layer

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
        elif inner is str or isinstance(inner, type) and issubclass(inner, model.StrEnum):
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


def test_pandera_spans_schema_matches_model() -> None:
    schema = schemas.pandera_spans_schema()
    columns = model.flat_span_columns()
    assert list(schema.columns) == ["layer", *(name for name, *_ in columns)]
    for name, tp, _, layers in columns:
        _, optional = model.unwrap_optional(tp)
        assert schema.columns[name].nullable == (optional or len(layers) < len(Layer)), name


def test_pandera_validates_the_release_tables() -> None:
    import pandas as pd

    spans = [json.loads(line) for line in (RELEASE / "spans.jsonl").open(encoding="utf-8")]
    docs = [json.loads(line) for line in (RELEASE / "documents.jsonl").open(encoding="utf-8")]
    schemas.pandera_spans_schema().validate(pd.DataFrame(spans, columns=list(schemas.pandera_spans_schema().columns)))
    schemas.pandera_documents_schema().validate(pd.json_normalize(docs, max_level=1))


def test_pandera_rejects_a_bad_enum() -> None:
    import pandas as pd
    import pandera.errors

    spans = [json.loads(line) for line in (RELEASE / "spans.jsonl").open(encoding="utf-8")]
    spans[0]["layer"] = "bogus"
    with pytest.raises(pandera.errors.SchemaError):
        schemas.pandera_spans_schema().validate(pd.DataFrame(spans))


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

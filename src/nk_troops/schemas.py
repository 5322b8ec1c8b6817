"""Schemas derived from ``model.py``: JSON Schema, pandera and HF ``Features``.

Nothing here names a field: every property, column and feature comes from
``model.record_fields`` / ``model.flat_span_columns``. The only additions are
the ``layer`` of spans (a property, not a dataclass field) and the nested lists a
release document row carries (``DOCUMENT_LISTS``).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import model
from .model import Layer
from .paths import CONFIGS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# A release document row: the Document's fields, then its spans and sentences.
DOCUMENT_LISTS: dict[str, type] = {f"{layer.value}s": cls for layer, cls in model.SPAN_CLASSES.items()} | {"sentences": model.Sentence}
RECORDS: dict[str, type] = {
    "document": model.Document,
    "span": model.SpanBase,  # flat row over every layer's columns
    "sentence": model.Sentence,
    "tokenized_sentence": model.TokenizedSentence,
    "entity": model.Entity,
    "cluster": model.Cluster,
    "prediction": model.SpanBase,  # flat row, only doc_id/layer/start/end required
}
PREDICTION_REQUIRED = ("doc_id", "layer", "start", "end")
_JSON_KEYWORDS = {"minimum", "maximum", "pattern", "format", "minLength", "minItems"}
_LAYER_ENUM = [layer.value for layer in Layer]


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, StrEnum)


def _tuple_item(tp: Any) -> Any | None:
    """``tuple[X, ...]`` -> X; anything else -> None."""
    return typing.get_args(tp)[0] if typing.get_origin(tp) is tuple else None


# --- JSON Schema -----------------------------------------------------------

_JSON_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _json_type(tp: Any, md: dict[str, Any]) -> dict[str, Any]:
    inner, optional = model.unwrap_optional(tp)
    out: dict[str, Any] = {"description": md["doc"]} if "doc" in md else {}
    item = _tuple_item(inner)
    if item is not None:
        items = {"type": "string", "enum": list(md["class_label"])} if "class_label" in md else _json_type(item, {})
        out |= {"type": "array", "items": items}
    elif dataclasses.is_dataclass(inner):
        out |= _json_object(inner)
    elif _is_enum(inner):
        out |= {"type": "string", "enum": [e.value for e in inner]}
    else:
        out["type"] = _JSON_SCALARS[inner]
    out |= {k: v for k, v in md.items() if k in _JSON_KEYWORDS}
    if optional:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _json_object(cls: type, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props = dict(extra or {})
    props |= {name: _json_type(tp, md) for name, tp, md in model.record_fields(cls)}
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def _layer_property(layers: list[str]) -> dict[str, Any]:
    return {"description": "claim, quote or figure", "type": "string", "enum": layers}


def _span_row_schema(prediction: bool) -> dict[str, Any]:
    """The flat span row; per layer, the other layers' columns must be null."""
    columns = model.flat_span_columns()
    props: dict[str, Any] = {"layer": _layer_property(_LAYER_ENUM)}
    for name, tp, md, layers in columns:
        # a column is nullable at the top level unless every layer fills it
        nullable = prediction or len(layers) < len(Layer)
        props[name] = _json_type(tp | None if nullable else tp, md)
    branches = []
    for layer in Layer:
        then: dict[str, Any] = {}
        for name, tp, md, layers in columns:
            if layer not in layers:
                then[name] = {"type": "null"}
            elif len(layers) < len(Layer) and not prediction:
                then[name] = _json_type(tp, md)
        branches.append({"if": {"properties": {"layer": {"const": layer.value}}, "required": ["layer"]}, "then": {"properties": then}})
    if prediction:  # model output: any id, offsets never null, fields a model adds (score, ...) allowed
        props["id"] = {"description": "any label of the prediction (optional)", "type": "string"}
        props |= {name: {**props[name], "type": "integer"} for name in ("start", "end")}
        return {"type": "object", "properties": props, "required": list(PREDICTION_REQUIRED), "allOf": branches}
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False, "allOf": branches}


def _document_row_schema() -> dict[str, Any]:
    schema = _json_object(model.Document)
    for key, cls in DOCUMENT_LISTS.items():
        extra = {"layer": _layer_property([cls.LAYER.value])} if issubclass(cls, model.SpanBase) else None
        schema["properties"][key] = {"type": "array", "items": _json_object(cls, extra)}
        schema["required"].append(key)
    return schema


def json_schema(name: str) -> dict[str, Any]:
    """Draft 2020-12 JSON Schema of one record type (a key of ``RECORDS``)."""
    if name not in RECORDS:
        raise KeyError(f"unknown record type {name!r}; one of {sorted(RECORDS)}")
    if name in ("span", "prediction"):
        body = _span_row_schema(prediction=name == "prediction")
    elif name == "document":
        body = _document_row_schema()
    else:
        body = _json_object(RECORDS[name])
    doc = (RECORDS[name].__doc__ or "").strip().splitlines()[0] if name not in ("span", "prediction", "document") else None
    titles = {
        "span": "one span per row, every layer's attribute a column (null where the layer has none)",
        "prediction": "a predicted span: doc_id, layer, start and end; id free-form, other span attributes optional, extra fields ignored",
        "document": "a document with its claims, quotes, figures and sentences",
    }
    return {"$schema": DRAFT, "$id": f"urn:nk-troops:schema:{name}", "title": name, "description": titles.get(name, doc or name), **body}


def schema_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.schema.json"


def render_json_schema(name: str) -> str:
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n"


def write_json_schemas(folder: Path) -> list[Path]:
    """Write one ``<name>.schema.json`` per record type; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in RECORDS:
        path = schema_path(folder, name)
        path.write_text(render_json_schema(name), encoding="utf-8")
        paths.append(path)
    return paths


# --- pandera ---------------------------------------------------------------


def _pandera_column(tp: Any, md: dict[str, Any], nullable: bool) -> Any:
    import pandera.pandas as pa

    inner, optional = model.unwrap_optional(tp)
    nullable = nullable or optional
    checks = []
    dtype: Any = None  # lists, nested records and nullable booleans stay object columns
    if _is_enum(inner):
        dtype, checks = str, [pa.Check.isin([e.value for e in inner])]
    elif inner is str:
        dtype = str
        if "pattern" in md:
            checks.append(pa.Check.str_matches(md["pattern"]))
        if "minLength" in md:
            checks.append(pa.Check.str_length(min_value=md["minLength"]))
    elif inner in (int, float):
        dtype = "float64" if inner is float or nullable else "int64"
        if "minimum" in md:
            checks.append(pa.Check.ge(md["minimum"]))
        if "maximum" in md:
            checks.append(pa.Check.le(md["maximum"]))
    elif inner is bool:
        dtype = None if nullable else bool
        checks.append(pa.Check.isin([True, False]))
    # an all-null float column arrives as object: coerce nullable numbers, check every other dtype as is
    return pa.Column(dtype, checks=checks, nullable=nullable, required=True, coerce=dtype == "float64")


def pandera_spans_schema() -> Any:
    """The flat span table (``spans.jsonl`` as a DataFrame)."""
    import pandera.pandas as pa

    cols = {"layer": pa.Column(str, checks=[pa.Check.isin(_LAYER_ENUM)])}
    for name, tp, md, layers in model.flat_span_columns():
        cols[name] = _pandera_column(tp, md, nullable=len(layers) < len(Layer))
    return pa.DataFrameSchema(cols, strict=True, name="spans")


def _flat_document_columns(cls: type, prefix: str = "") -> dict[str, Any]:
    cols = {}
    for name, tp, md in model.record_fields(cls):
        inner, _ = model.unwrap_optional(tp)
        if dataclasses.is_dataclass(inner) and _tuple_item(inner) is None:
            cols |= _flat_document_columns(inner, f"{prefix}{name}.")
        else:
            cols[f"{prefix}{name}"] = _pandera_column(tp, md, nullable=False)
    return cols


def pandera_documents_schema() -> Any:
    """The document table with nested records flattened as ``pandas.json_normalize`` names them."""
    import pandera.pandas as pa

    cols = _flat_document_columns(model.Document)
    cols |= {key: _pandera_column(tuple[cls, ...], {}, nullable=False) for key, cls in DOCUMENT_LISTS.items()}
    return pa.DataFrameSchema(cols, strict=True, name="documents")


# --- Hugging Face datasets -------------------------------------------------


def _hf_type(tp: Any, md: dict[str, Any]) -> Any:
    from datasets import ClassLabel, List, Value

    inner, _ = model.unwrap_optional(tp)
    item = _tuple_item(inner)
    if item is not None:
        return List(ClassLabel(names=list(md["class_label"])) if "class_label" in md else _hf_type(item, {}))
    if dataclasses.is_dataclass(inner):
        return _hf_struct(inner)
    if _is_enum(inner) or inner is str:
        return Value("string")
    return Value({int: "int32", float: "float64", bool: "bool"}[inner])


def _hf_struct(cls: type, layer: Any = None) -> dict[str, Any]:
    out = {} if layer is None else {"layer": layer}
    return out | {name: _hf_type(tp, md) for name, tp, md in model.record_fields(cls)}


def hf_features(config: str) -> Any:
    """``datasets.Features`` of one release config (a name in ``CONFIGS``)."""
    from datasets import ClassLabel, Features, List, Value

    if config == "spans":
        cols = {"layer": ClassLabel(names=_LAYER_ENUM)}
        cols |= {name: _hf_type(tp, md) for name, tp, md, _ in model.flat_span_columns()}
        return Features(cols)
    if config == "documents":
        cols = _hf_struct(model.Document)
        for key, cls in DOCUMENT_LISTS.items():
            cols[key] = List(_hf_struct(cls, Value("string") if issubclass(cls, model.SpanBase) else None))
        return Features(cols)
    classes = {"sentences": model.Sentence, "tokens": model.TokenizedSentence, "entities": model.Entity, "clusters": model.Cluster}
    if config not in classes:
        raise KeyError(f"unknown config {config!r}; one of {list(CONFIGS)}")
    return Features(_hf_struct(classes[config]))


def features_yaml(config: str) -> list[dict[str, Any]]:
    """The card's ``dataset_info`` features of a config (provisional: a14's pure version replaces it)."""
    return hf_features(config)._to_yaml_list()

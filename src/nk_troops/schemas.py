"""Schemas derived from ``model.py``: JSON Schema and HF ``Features`` (pandera: ``frames.py``).

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
        props["id"] = {"description": "any label of the prediction (optional; null as absent)", "type": ["string", "null"]}
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


# --- Hugging Face datasets -------------------------------------------------
# A config's features as a tree built from model.py: ("value", dtype) | ("class", names)
# | ("list", tree) | ("struct", {name: tree}). Every categorical field (a model.py enum,
# a layer, a BIO tag) is a ClassLabel, in every config. The card's ``features`` YAML,
# the ``datasets.Features``, the Arrow schema and the Parquet metadata are renderings
# of this one tree, and none of them but ``hf_features`` needs ``datasets``.

Tree = tuple[str, Any]
_LAYER_CLASS: Tree = ("class", _LAYER_ENUM)
_VALUE_TYPES = {int: "int32", float: "float64", bool: "bool", str: "string"}
CONFIG_RECORDS: dict[str, type] = {
    "sentences": model.Sentence,
    "tokens": model.TokenizedSentence,
    "entities": model.Entity,
    "clusters": model.Cluster,
}


def _tree(tp: Any, md: dict[str, Any]) -> Tree:
    inner, _ = model.unwrap_optional(tp)
    item = _tuple_item(inner)
    if item is not None:
        return ("list", ("class", list(md["class_label"])) if "class_label" in md else _tree(item, {}))
    if dataclasses.is_dataclass(inner):
        return ("struct", _struct(inner))
    if _is_enum(inner):
        return ("class", [e.value for e in inner])
    return ("value", _VALUE_TYPES[inner])


def _struct(cls: type, with_layer: bool = False) -> dict[str, Tree]:
    out = {"layer": _LAYER_CLASS} if with_layer else {}
    return out | {name: _tree(tp, md) for name, tp, md in model.record_fields(cls)}


def feature_tree(config: str) -> dict[str, Tree]:
    """Column -> feature tree of one release config (a name in ``CONFIGS``)."""
    if config == "spans":
        return {"layer": _LAYER_CLASS} | {name: _tree(tp, md) for name, tp, md, _ in model.flat_span_columns()}
    if config == "documents":
        cols = _struct(model.Document)
        for key, cls in DOCUMENT_LISTS.items():
            cols[key] = ("list", ("struct", _struct(cls, with_layer=issubclass(cls, model.SpanBase))))
        return cols
    if config not in CONFIG_RECORDS:
        raise KeyError(f"unknown config {config!r}; one of {list(CONFIGS)}")
    return _struct(CONFIG_RECORDS[config])


def label_names(config: str) -> dict[str, list[str]]:
    """The ClassLabel names of each top-level categorical column of a config (id -> name by position)."""
    return {name: tree[1] for name, tree in feature_tree(config).items() if tree[0] == "class"}


def _yaml_inner(tree: Tree) -> dict[str, Any]:
    kind, arg = tree
    if kind == "value":
        return {"dtype": arg}
    if kind == "class":
        return {"dtype": {"class_label": {"names": {str(i): n for i, n in enumerate(arg)}}}}
    if kind == "struct":
        return {"struct": [{"name": k, **_yaml_inner(t)} for k, t in arg.items()]}
    item = _yaml_inner(arg)
    return {"list": item.get("dtype", item.get("struct", item))}


def features_yaml(config: str) -> list[dict[str, Any]]:
    """The card's ``dataset_info.features`` list of a config, as ``datasets`` writes it (``Features._to_yaml_list``)."""
    return [{"name": name, **_yaml_inner(tree)} for name, tree in feature_tree(config).items()]


def _hf_dict(tree: Tree) -> Any:
    kind, arg = tree
    if kind == "value":
        return {"dtype": arg, "_type": "Value"}
    if kind == "class":
        return {"names": list(arg), "_type": "ClassLabel"}
    if kind == "struct":
        return {k: _hf_dict(t) for k, t in arg.items()}
    return {"feature": _hf_dict(arg), "_type": "List"}


def features_dict(config: str) -> dict[str, Any]:
    """``Features.to_dict()`` of a config: what a Parquet file written by ``datasets`` embeds as its features."""
    return {name: _hf_dict(tree) for name, tree in feature_tree(config).items()}


def hf_features(config: str) -> Any:
    """``datasets.Features`` of one release config (a name in ``CONFIGS``)."""
    from datasets import Features

    return Features._from_yaml_list(features_yaml(config))


def _convert(tree: Tree, value: Any, to_id: bool) -> Any:
    kind, arg = tree
    if value is None or kind == "value":
        return value
    if kind == "class":
        if to_id:
            return arg.index(value) if isinstance(value, str) else value
        return arg[value] if type(value) is int else value
    if kind == "list":
        return [_convert(arg, v, to_id) for v in value]
    return {k: _convert(t, value.get(k), to_id) for k, t in arg.items()}


def encode_row(config: str, row: dict[str, Any], tree: dict[str, Tree] | None = None) -> dict[str, Any]:
    """A release row with every categorical value as its ClassLabel id (names and ids both accepted)."""
    tree = feature_tree(config) if tree is None else tree
    return {k: _convert(t, row.get(k), True) for k, t in tree.items()}


def decode_row(config: str, row: dict[str, Any], tree: dict[str, Tree] | None = None) -> dict[str, Any]:
    """The inverse of ``encode_row``: every ClassLabel id as its name."""
    tree = feature_tree(config) if tree is None else tree
    return {k: _convert(t, row.get(k), False) for k, t in tree.items()}

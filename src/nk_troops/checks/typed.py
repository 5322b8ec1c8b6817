"""msgspec Struct types derived from the model: a decoder that accepts only schema-valid rows.

The bulk shape pass decodes whole blocks of lines straight into these types, which
checks types, required and unknown keys, enums, patterns and ranges in one C pass.
A row it rejects is not reported from here: it goes back to the JSON Schema pass
(``shape.py``), which says exactly what is wrong. So these types may be stricter
than the JSON Schema (an integral ``1.0`` for an integer is left to the schema pass)
but never looser.
"""

from __future__ import annotations

import dataclasses
import typing
from enum import StrEnum
from operator import attrgetter
from typing import Annotated, Any, Literal

import msgspec

from .. import model
from ..model import Layer
from ..schemas import DOCUMENT_LISTS

# JSON Schema keyword -> msgspec.Meta argument; "$" of an ECMA pattern never matches before a final newline
_META = {"minimum": "ge", "maximum": "le", "minLength": "min_length", "minItems": "min_length"}


def _pattern(p: str) -> str:
    return p[:-1] + r"\Z" if p.endswith("$") else p


def _type(tp: Any, md: dict[str, Any]) -> Any:
    inner, optional = model.unwrap_optional(tp)
    item = typing.get_args(inner)[0] if typing.get_origin(inner) is tuple else None
    if item is not None:
        labels = tuple(md.get("class_label", ()))
        out: Any = tuple[Literal[labels] if labels else _type(item, {}), ...]  # type: ignore[misc,valid-type]
    elif dataclasses.is_dataclass(inner):
        out = struct(inner)
    elif isinstance(inner, type) and issubclass(inner, StrEnum):
        out = Literal[tuple(e.value for e in inner)]
    else:
        out = inner
    meta = {_META[k]: v for k, v in md.items() if k in _META}
    if "pattern" in md:
        meta["pattern"] = _pattern(md["pattern"])
    if "format" in md:  # formats (dates, URIs) are the JSON Schema pass's: only documents carry them
        raise TypeError(f"no typed decoding for format {md['format']!r}")
    if meta:
        out = Annotated[out, msgspec.Meta(**meta)]
    return out | None if optional else out


def _getitem(self: Any, key: str) -> Any:
    return self.start if key == "start" else self.end if key == "end" else getattr(self, key)


_STRUCTS: dict[Any, Any] = {}


def struct(cls: type, layer: Layer | None = None) -> Any:
    """Frozen (hashable) Struct of a record class; a span class with ``layer`` carries it as a field."""
    key = (cls, layer)
    if key not in _STRUCTS:
        fields: list[Any] = [("layer", Literal[layer.value])] if layer is not None else []
        fields += [(name, _type(tp, md)) for name, tp, md in model.record_fields(cls)]
        # offsets are read with ["start"] by rules that also see decoded dicts
        _STRUCTS[key] = msgspec.defstruct(
            cls.__name__, fields, forbid_unknown_fields=True, frozen=True, gc=False, namespace={"__getitem__": _getitem}
        )
    return _STRUCTS[key]


def _span_rows() -> dict[type, Layer]:
    """One Struct per layer of the flat span row: every column present, the other layers' null."""
    columns = model.flat_span_columns()
    out = {}
    for layer in Layer:
        fields = [(name, _type(tp, md) if layer in layers else None) for name, tp, md, layers in columns]
        row = msgspec.defstruct(
            f"{layer.value.title()}Row", fields, tag_field="layer", tag=layer.value, forbid_unknown_fields=True, gc=False
        )
        out[row] = layer
    return out


SPAN_ROWS = _span_rows()  # Struct type -> its layer
SPAN_DECODER = msgspec.json.Decoder(typing.Union[tuple(SPAN_ROWS)])  # type: ignore[misc]  # noqa: UP007
_OWN = {layer: attrgetter(*(name for name, *_ in model.record_fields(cls))) for layer, cls in model.SPAN_CLASSES.items()}


def _keys() -> dict[type, Any]:
    """Per Struct type: its layer and own fields, the same for a flat row and a document's nested record."""
    out = {row: (layer.value, _OWN[layer]) for row, layer in SPAN_ROWS.items()}
    return out | {struct(cls, layer): (layer.value, _OWN[layer]) for layer, cls in model.SPAN_CLASSES.items()}


def span_key(row: Any) -> tuple[str, tuple[Any, ...]]:
    """A typed span's layer and own fields: equal for a row of spans.jsonl and its record in documents.jsonl."""
    layer, own = _KEYS[type(row)]
    return layer, own(row)


def _document_row() -> Any:
    fields: list[Any] = []
    for name, tp, md in model.record_fields(model.Document):
        # provenance holds the only formatted strings: kept raw for the JSON Schema pass
        fields.append((name, msgspec.Raw if name == "provenance" else _type(tp, md)))
    for key, cls in DOCUMENT_LISTS.items():
        layer = cls.LAYER if issubclass(cls, model.SpanBase) else None
        fields.append((key, tuple[struct(cls, layer), ...]))  # type: ignore[misc]
    return msgspec.defstruct("DocumentRow", fields, forbid_unknown_fields=True, gc=False)


_KEYS = _keys()
DOCUMENT_ROW = _document_row()
DOCUMENT_DECODER = msgspec.json.Decoder(DOCUMENT_ROW)
DOCUMENT_HEAD = tuple(name for name, *_ in model.record_fields(model.Document))


def head(doc: Any) -> dict[str, Any]:
    """The document fields of a typed row as plain data, its lists empty: what the JSON Schema pass still checks."""
    out = {name: builtins(getattr(doc, name)) for name in DOCUMENT_HEAD if name != "provenance"}
    try:
        out["provenance"] = msgspec.json.decode(doc.provenance)
    except msgspec.DecodeError:  # already parsed as JSON once; a non-object is the schema pass's to report
        out["provenance"] = None
    return out | {key: [] for key in DOCUMENT_LISTS}


def builtins(obj: Any) -> Any:
    """A typed row as the dict the line decodes to (lists, not tuples; the layer tag included)."""
    return msgspec.json.decode(msgspec.json.encode(obj))

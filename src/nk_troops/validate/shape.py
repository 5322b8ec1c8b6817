"""The shape pass: each record against its JSON Schema, generated from ``model.py`` by ``schemas.py``.

jsonschema-rs (compiled) says whether a record is valid; only a failing record goes
through the ``jsonschema`` package, imported then, for one incident per error with the
field path. NaN and Infinity (which JSON Schema counts as numbers) are reported here too.
"""

from __future__ import annotations

import math
from functools import cache, cached_property
from typing import Any

import jsonschema_rs

from .. import schemas
from ..incidents import Incident

_CODES = {
    "type": "schema-type",
    "required": "schema-required",
    "enum": "schema-enum",
    "const": "schema-enum",
    "additionalProperties": "schema-unknown-key",
    "pattern": "schema-pattern",
    "format": "schema-format",
    "minimum": "schema-range",
    "maximum": "schema-range",
    "minLength": "schema-range",
    "minItems": "schema-range",
}
_IDENTIFIED = ("span", "prediction", "sentence", "tokenized_sentence")  # records whose id is a span_id to locate


def _non_finite(value: Any, path: str = "") -> list[str]:
    """Paths of NaN/Infinity floats inside a decoded JSON value."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path or "$"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, f"{path}[{i}]")]
    return []


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "$"


def _json(value: Any) -> Any:
    """A found value as JSON: containers by their kind (the whole record is on the line)."""
    return type(value).__name__ if isinstance(value, dict | list) else value


class Shape:
    """The validator of one record type (a key of ``schemas.RECORDS``)."""

    def __init__(self, name: str):
        self.name = name
        self.schema = schemas.json_schema(name)
        self.fast = jsonschema_rs.validator_for(self.schema, validate_formats=True)

    @cached_property
    def detailed(self) -> Any:
        import jsonschema  # only when a record fails: most runs never need it

        return jsonschema.Draft202012Validator(self.schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    def valid(self, obj: Any) -> bool:
        """Whether a record decoded from a line without NaN or Infinity is valid."""
        try:
            return self.fast.is_valid(obj)
        except (UnicodeError, ValueError, OverflowError):
            return next(self.detailed.iter_errors(obj), None) is None

    def check(self, line: int, obj: dict[str, Any], file: str, not_finite: bool) -> list[Incident]:
        """No incident when the record is valid, else one per error."""
        try:
            if not not_finite and self.fast.is_valid(obj):
                return []
        except (UnicodeError, ValueError, OverflowError):  # a lone surrogate or a huge integer: the Python validator judges
            pass
        where = {"doc_id": obj.get("doc_id") if isinstance(obj.get("doc_id"), str) else None}
        where["span_id"] = obj.get("id") if self.name in _IDENTIFIED and isinstance(obj.get("id"), str) else None
        out = [
            Incident("schema-not-finite", file, line, found="NaN or Infinity", expected="a finite number", detail=p, **where)
            for p in _non_finite(obj)
        ]
        try:
            out += self._explain(line, obj, file, where)
        except RecursionError:
            out.append(Incident("json-too-deep", file, line, **where))
        return out or [Incident("schema-type", file, line, detail="rejected by jsonschema-rs only", **where)]

    def _explain(self, line: int, obj: Any, file: str, where: dict[str, Any]) -> list[Incident]:
        out, seen = [], set()
        for err in sorted(self.detailed.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
            if isinstance(err.instance, float) and not math.isfinite(err.instance):
                continue  # already reported as not finite
            key = (tuple(err.absolute_path), err.validator)
            if key in seen:  # the column's own schema and its layer branch may say the same thing
                continue
            seen.add(key)
            code = _CODES.get(str(err.validator), "schema-type")
            if code == "schema-type" and err.validator_value == "null" and "then" in err.schema_path:
                code = "schema-layer-field"
            expected, found = err.validator_value, _json(err.instance)
            if err.validator == "additionalProperties":
                known = sorted(err.schema.get("properties", {}))
                expected, found = known, sorted(set(err.instance) - set(known))
            detail = _path(err.absolute_path) + ": " + err.message[:160]
            out.append(Incident(code, file, line, found=found, expected=expected, detail=detail, **where))
        return out


@cache
def shape(name: str) -> Shape:
    """The one validator of a record type (compiling a schema takes a few milliseconds)."""
    return Shape(name)

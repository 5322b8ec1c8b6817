"""The shape pass: each record against its JSON Schema, generated from ``model.py`` by ``schemas.py``.

jsonschema-rs (compiled) says whether a record is valid; only a failing record goes through the ``jsonschema`` package, imported then,
for one incident per error with the field path. NaN and Infinity, which JSON Schema counts as numbers, are reported here too.
"""

from __future__ import annotations

import math
from functools import cache, cached_property
from typing import Any

import jsonschema_rs

from .. import schemas
from ..incidents import Incident

_CODES = {"type": "schema-type", "required": "schema-required", "enum": "schema-enum", "const": "schema-enum"}
_CODES |= {"additionalProperties": "schema-unknown-key", "pattern": "schema-pattern", "format": "schema-format"}
_CODES |= dict.fromkeys(("minimum", "maximum", "minLength", "minItems"), "schema-range")
_IDENTIFIED = ("span", "prediction", "sentence", "tokenized_sentence")  # records whose id locates an incident
_RUST_REFUSES = (UnicodeError, ValueError, OverflowError)  # a lone surrogate, a huge integer: the Python validator judges


def _non_finite(value: Any, path: str = "$", depth: int = 0) -> list[str]:
    """Paths of the NaN/Infinity floats inside a decoded JSON value (not below a depth no record has)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path]
    if depth > 32 or not isinstance(value, dict | list):
        return []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    return [p for k, v in items for p in _non_finite(v, f"{path}[{k}]" if isinstance(k, int) else f"{path}.{k}", depth + 1)]


class Shape:
    """The validator of one record type (a key of ``schemas.RECORDS``)."""

    def __init__(self, name: str):
        self.name, self.schema = name, schemas.json_schema(name)
        self.fast = jsonschema_rs.validator_for(self.schema, validate_formats=True)

    @cached_property
    def detailed(self) -> Any:
        import jsonschema  # only when a record fails: a clean run never needs it

        return jsonschema.Draft202012Validator(self.schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    def valid(self, obj: Any) -> bool:
        """Whether a record is valid (JSON Schema takes NaN and Infinity for numbers)."""
        try:
            return self.fast.is_valid(obj)
        except _RUST_REFUSES:
            return next(self.detailed.iter_errors(obj), None) is None

    def check(self, line: int, obj: dict[str, Any], file: str, not_finite: bool) -> list[Incident]:
        """No incident when the record is valid (and, for a line that may hold them, has no NaN or Infinity), else one per error."""
        if self.valid(obj) and not (not_finite and _non_finite(obj)):
            return []
        where = {"doc_id": obj.get("doc_id") if isinstance(obj.get("doc_id"), str) else None}
        where["span_id"] = obj.get("id") if self.name in _IDENTIFIED and isinstance(obj.get("id"), str) else None
        expected = {"found": "NaN or Infinity", "expected": "a finite number"}
        out = [Incident("schema-not-finite", file, line, detail=p, **expected, **where) for p in _non_finite(obj)]
        try:
            out += self._explain(line, obj, file, where)
        except RecursionError:
            out.append(Incident("json-too-deep", file, line, **where))
        return out or [Incident("schema-type", file, line, detail="rejected by jsonschema-rs only", **where)]

    def _explain(self, line: int, obj: Any, file: str, where: dict[str, Any]) -> list[Incident]:
        out, seen = [], set()
        for err in sorted(self.detailed.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
            key = (tuple(err.absolute_path), err.validator)
            if (isinstance(err.instance, float) and not math.isfinite(err.instance)) or key in seen:
                continue  # reported as not finite; or said already by the column's schema or its layer branch
            seen.add(key)
            code = _CODES.get(str(err.validator), "schema-type")
            if code == "schema-type" and err.validator_value == "null" and "then" in err.schema_path:
                code = "schema-layer-field"
            found = type(err.instance).__name__ if isinstance(err.instance, dict | list) else err.instance
            expected = err.validator_value
            if err.validator == "additionalProperties":
                expected = sorted(err.schema.get("properties", {}))
                found = sorted(set(err.instance) - set(expected))
            out.append(Incident(code, file, line, found=found, expected=expected, detail=f"{err.json_path}: {err.message[:160]}", **where))
        return out


shape = cache(Shape)  # the one validator of each record type (compiling a schema takes milliseconds)

"""Shape rules: each record against its generated JSON Schema.

The bulk pass is the typed decoding of ``typed.py``; a record it rejected arrives
here as a dict, and jsonschema-rs (compiled) says whether it is valid; only the
failing records go through ``jsonschema`` for one incident per error, with the
field path. NaN/Infinity (which Python's json accepts) are reported separately,
since JSON Schema sees them as numbers.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import jsonschema
import jsonschema_rs

from ... import schemas
from ...incidents import Incident
from .context import incident

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


def _non_finite(value: Any, path: str = "") -> list[str]:
    """Paths of NaN/Infinity floats inside a decoded JSON value."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path or "$"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, f"{path}[{i}]")]
    return []


def _integers(schema: dict[str, Any], value: Any) -> None:
    """Make integral floats where the schema wants an integer ints, in place: JSON Schema takes
    ``3.0`` for the integer 3, and the rules slice text with it."""
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k, v in value.items():
            sub = props.get(k)
            if sub is None:
                continue
            kinds = sub.get("type")
            if type(v) is float and v.is_integer() and "integer" in (kinds if isinstance(kinds, list) else [kinds]):
                value[k] = int(v)
            elif isinstance(v, dict | list):
                _integers(sub, v)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            if type(v) is float and v.is_integer() and schema["items"].get("type") == "integer":
                value[i] = int(v)
            else:
                _integers(schema["items"], v)


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "$"


class Shape:
    """Validator for one record type (a key of ``schemas.RECORDS``)."""

    def __init__(self, name: str):
        self.name = name
        self.schema = schemas.json_schema(name)
        self.fast = jsonschema_rs.validator_for(self.schema, validate_formats=True)

    @cached_property
    def detailed(self) -> jsonschema.Draft202012Validator:
        return jsonschema.Draft202012Validator(self.schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    def check(self, records: list[tuple[int, Any]], file: str) -> tuple[list[tuple[int, Any]], list[Incident]]:
        """(records that pass, incidents of those that do not); typed Structs passed their shape when decoded."""
        for _, obj in records:
            if type(obj) is dict:
                _integers(self.schema, obj)
        good = [r for r in records if type(r[1]) is not dict or self.valid(r[1])]
        if len(good) == len(records):
            return good, []
        incidents: list[Incident] = []
        good_lines = {line for line, _ in good}
        for line, obj in records:
            if line not in good_lines:
                incidents.extend(self.explain(line, obj, file))
        return good, incidents

    def valid(self, obj: Any) -> bool:
        try:
            return self.fast.is_valid(obj)
        except UnicodeError:  # jsonschema-rs takes no lone surrogate (JSON allows "\ud800"): the Python validator judges
            return not _non_finite(obj) and next(self.detailed.iter_errors(obj), None) is None

    def explain(self, line: int, obj: Any, file: str) -> list[Incident]:
        loc = {k: obj.get(k) if isinstance(obj.get(k), str) else None for k in ("doc_id", "id")} if isinstance(obj, dict) else {}
        where = {"doc_id": loc.get("doc_id"), "span_id": loc.get("id") if self.name in ("span", "prediction") else None}
        out = [
            incident("schema-not-finite", file, line, found="NaN or Infinity", expected="a finite number", detail=p, **where)
            for p in _non_finite(obj)
        ]
        seen = set()
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
            expected = err.validator_value if err.validator != "additionalProperties" else sorted(err.schema.get("properties", {}))
            found = err.instance if not isinstance(err.instance, dict | list) else type(err.instance).__name__
            if err.validator == "additionalProperties":
                found = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            out.append(
                incident(
                    code, file, line, found=found, expected=expected, detail=_path(err.absolute_path) + ": " + err.message[:160], **where
                )
            )
        if not out:  # both validators must agree; say so rather than pass a record silently
            for err in self.fast.iter_errors(obj):
                code = _CODES.get(str(err.schema_path[-1]) if err.schema_path else "", "schema-type")
                out.append(incident(code, file, line, detail=_path(err.instance_path) + ": " + err.message[:160], **where))
        return out

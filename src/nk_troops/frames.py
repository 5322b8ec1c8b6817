"""pandera ``DataFrameModel``s of the flat tables, generated from ``model.py``.

``SpansModel`` (``spans.jsonl`` as a DataFrame), ``SentencesModel``, ``PredictionsModel``
(only ``doc_id``, ``layer``, ``start``, ``end`` required, any other span column
optional) and ``DocumentsModel`` (nested records flattened as ``pandas.json_normalize``
names them). They accept what the JSON Schema accepts, row for row (a test holds
them to it); ``nk_troops.validate`` / ``nk_troops.evaluate`` check a DataFrame with
them and report each failure as an incident. Importing this module imports pandera.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from . import model
from .incidents import Incident
from .model import Layer
from .schemas import DOCUMENT_LISTS, PREDICTION_REQUIRED, _is_enum, _tuple_item

_LAYERS = [layer.value for layer in Layer]


def _field(tp: Any, md: dict[str, Any], nullable: bool, required: bool = True) -> tuple[Any, Any]:
    """(annotation, ``pa.Field``) of one column."""
    inner, optional = model.unwrap_optional(tp)
    nullable = nullable or optional
    kw: dict[str, Any] = {"nullable": nullable, "required": required}
    dtype: Any = Any  # lists, nested records and nullable booleans stay object columns, checked as they are
    if _is_enum(inner):
        dtype, kw["isin"] = str, [e.value for e in inner]
    elif inner is str:
        dtype = str
        if "pattern" in md:
            kw["str_matches"] = md["pattern"]
        if "minLength" in md:
            kw["str_length"] = {"min_value": md["minLength"]}
    elif inner in (int, float):
        # an all-null or nullable number column arrives as float: coerce those, check every other dtype as is
        dtype = "float64" if inner is float or nullable else "int64"
        kw["coerce"] = dtype == "float64"
        kw |= {k: md[m] for k, m in (("ge", "minimum"), ("le", "maximum")) if m in md}
    elif inner is bool:
        dtype = Any if nullable else bool
        kw["isin"] = [True, False]
    return Series[dtype], pa.Field(**kw)


def _model(name: str, columns: dict[str, tuple[Any, Any]], doc: str, strict: bool = True) -> type:
    attrs: dict[str, Any] = {"__annotations__": {k: a for k, (a, _) in columns.items()}, "__module__": __name__, "__doc__": doc}
    attrs |= {k: f for k, (_, f) in columns.items()}
    attrs["Config"] = type("Config", (), {"strict": strict, "name": name})
    return type(name, (pa.DataFrameModel,), attrs)


def _layer(required: bool = True) -> tuple[Any, Any]:
    return Series[str], pa.Field(isin=_LAYERS, required=required)


def _spans(prediction: bool) -> dict[str, tuple[Any, Any]]:
    cols = {"layer": _layer()}
    for name, tp, md, layers in model.flat_span_columns():
        required = not prediction or name in PREDICTION_REQUIRED
        if prediction and name == "id":  # a model's own label of its prediction: any string
            md = {k: v for k, v in md.items() if k != "pattern"}
        cols[name] = _field(tp, md, nullable=len(layers) < len(Layer) or not required, required=required)
    return cols


def _flat(cls: type, prefix: str = "") -> dict[str, tuple[Any, Any]]:
    cols = {}
    for name, tp, md in model.record_fields(cls):
        inner, _ = model.unwrap_optional(tp)
        if dataclasses.is_dataclass(inner) and _tuple_item(inner) is None:
            cols |= _flat(inner, f"{prefix}{name}.")
        else:
            cols[f"{prefix}{name}"] = _field(tp, md, nullable=False)
    return cols


SpansModel = _model(
    "SpansModel", _spans(prediction=False), "The flat span table: every layer's attribute a column, null where the layer has none."
)
PredictionsModel = _model(
    "PredictionsModel",
    _spans(prediction=True),
    "Predicted spans: doc_id, layer, start, end; id free-form, any other span column optional, extra columns ignored.",
    strict=False,
)
SentencesModel = _model("SentencesModel", _flat(model.Sentence), "The sentences table: claim ids or a no-claim reason per sentence.")
DocumentsModel = _model(
    "DocumentsModel",
    _flat(model.Document) | {key: _field(tuple[cls, ...], {}, nullable=False) for key, cls in DOCUMENT_LISTS.items()},
    "The documents table, nested records flattened as pandas.json_normalize names them.",
)
MODELS = {"spans": SpansModel, "predictions": PredictionsModel, "sentences": SentencesModel, "documents": DocumentsModel}

# pandera's check name -> the validator's code for the same failure
_CODES = {
    "isin": "schema-enum",
    "str_matches": "schema-pattern",
    "greater_than_or_equal_to": "schema-range",
    "less_than_or_equal_to": "schema-range",
    "str_length": "schema-range",
    "column_in_dataframe": "schema-required",
    "column_in_schema": "schema-unknown-key",
}


def _plain(value: Any) -> Any:
    """A DataFrame cell as a JSON value: NaN -> None, numpy scalars and arrays -> Python."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def frame_rows(df: Any, labels: dict[str, list[str]]) -> Any:
    """The DataFrame with ClassLabel ids of ``labels``' columns as names (a float id from a nullable column too),
    and integers of any width as int64 (a JSON integer has no width; ``datasets`` gives int32)."""
    df = df.copy()
    for column in df.columns:
        if column not in labels and df[column].dtype.kind in "iu" and not df[column].isna().any():  # (Int64 holds NA)
            df[column] = df[column].astype("int64")
    for column, names in labels.items():
        if column in df.columns:

            def name(v: Any, names: list[str] = names) -> Any:
                i = _plain(v)
                return (
                    names[int(i)]
                    if isinstance(i, (int, float)) and not isinstance(i, bool) and float(i).is_integer() and 0 <= i < len(names)
                    else i
                )

            df[column] = df[column].map(name).astype(object)
    return df


def frame_incidents(df: Any, table: str = "predictions", file: str = "<predictions>") -> list[Incident]:
    """Every failure of ``df`` against the model of ``table``, as incidents (line = row position + 1)."""
    try:
        MODELS[table].validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        out = []
        position = {label: i for i, label in enumerate(df.index)}
        for case in err.failure_cases.to_dict("records"):
            check = str(case["check"])
            code = next((c for k, c in _CODES.items() if check.startswith(k)), "schema-type")
            index = case.get("index")
            line = position.get(index) + 1 if index in position else None
            column = case["column"] if case["column"] != case.get("schema_context") else None
            out.append(Incident(code, file=file, line=line, found=_plain(case["failure_case"]), expected=check, detail=column or None))
        return out
    return []


def records(df: Any) -> list[dict[str, Any]]:
    """The rows of a DataFrame as plain dicts (JSON values only)."""
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict("records")]

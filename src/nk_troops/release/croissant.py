"""``dataset/croissant.json``: Croissant 1.1 metadata with file checksums and record sets.

Record sets cover the ``documents`` and ``spans`` configs; their fields are the
scalar columns of the model records (lists and nested records stay in the JSONL
and in the HF features), read from the files with JSONPath.
"""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from typing import Any

from ..model import Document, Provenance, flat_span_columns, record_fields, unwrap_optional
from ..paths import LICENCE
from ..version import RELEASE_DATE, __version__
from .card import METADATA, PRETTY_NAME, config_description
from .write import sha256

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
# the JSON-LD context mlcroissant writes for 1.1 (mlcroissant._src.core.rdf.make_context)
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileObject": "cr:fileObject",
    "fileProperty": "cr:fileProperty",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
_DATA_TYPES = {str: "sc:Text", int: "sc:Integer", float: "sc:Float", bool: "sc:Boolean"}


def _scalar(tp: Any) -> str | None:
    inner, _ = unwrap_optional(tp)
    if isinstance(inner, type) and issubclass(inner, StrEnum):
        return "sc:Text"
    return _DATA_TYPES.get(inner)


def _field(record_set: str, file_id: str, name: str, column: str, data_type: str, doc: str, sub: str | None = None) -> dict[str, Any]:
    """A field read from a top-level JSONL column, or from a key of an object column (``sub``)."""
    source: dict[str, Any] = {"fileObject": {"@id": file_id}, "extract": {"column": column}}
    if sub is not None:
        source["transform"] = {"jsonPath": sub}
    return {"@type": "cr:Field", "@id": f"{record_set}/{name}", "name": name, "description": doc, "dataType": data_type, "source": source}


def _document_fields() -> list[dict[str, Any]]:
    fields = []
    for name, tp, md in record_fields(Document):
        if _scalar(tp):
            fields.append(_field("documents", "documents.jsonl", name, name, _scalar(tp), md["doc"]))
    for name, tp, md in record_fields(Provenance):
        if _scalar(tp):
            fields.append(_field("documents", "documents.jsonl", f"provenance_{name}", "provenance", _scalar(tp), md["doc"], name))
    return fields


def _span_fields() -> list[dict[str, Any]]:
    fields = [_field("spans", "spans.jsonl", "layer", "layer", "sc:Text", "claim, quote or figure")]
    for name, tp, md, _layers in flat_span_columns():
        inner, _ = unwrap_optional(tp)
        if _scalar(tp):
            fields.append(_field("spans", "spans.jsonl", name, name, _scalar(tp), md["doc"]))
        elif dataclasses.is_dataclass(inner):  # offsets of a mention: {start, end} or null
            for sub, sub_tp, sub_md in record_fields(inner):
                fields.append(_field("spans", "spans.jsonl", f"{name}_{sub}", name, _scalar(sub_tp), f"{md['doc']}: {sub_md['doc']}", sub))
    return fields


def croissant(rows: dict[str, list[dict[str, Any]]], data: dict[str, bytes], digest: str) -> dict[str, Any]:
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": name,
            "name": name,
            "description": config_description(name.removesuffix(".jsonl"), digest),
            "contentUrl": name,
            "contentSize": f"{len(data[name])} B",
            "encodingFormat": "application/jsonlines",
            "sha256": sha256(data[name]),
        }
        for name in sorted(data)
    ]
    distribution.append(
        {
            "@type": "cr:FileSet",
            "@id": "parquet",
            "name": "parquet",
            "description": "the same rows as Parquet, one file per config and named split, with the datasets features embedded",
            "encodingFormat": "application/x-parquet",
            "includes": "*/*.parquet",
        }
    )
    record_sets = [
        {
            "@type": "cr:RecordSet",
            "@id": "documents",
            "name": "documents",
            "description": f"{len(rows['documents'])} articles",
            "field": _document_fields(),
        },
        {
            "@type": "cr:RecordSet",
            "@id": "spans",
            "name": "spans",
            "description": f"{len(rows['spans'])} spans, one per row",
            "field": _span_fields(),
        },
    ]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": "nk-troops",
        "alternateName": PRETTY_NAME,
        "description": (
            "Five English news articles (October 2024) on North Korean troops in Russia with gold character-offset spans "
            f"for claims, quotes and figures. Content sha256 {digest}. Article texts remain the publishers' copyright; "
            "the annotations are CC BY 4.0."
        ),
        "license": [
            {"@type": "sc:CreativeWork", "name": "CC BY 4.0: the annotations", "url": "https://creativecommons.org/licenses/by/4.0/"},
            {"@type": "sc:CreativeWork", "name": "the publishers' copyright: the article texts (no licence granted)", "url": LICENCE},
        ],
        "version": __version__,
        "datePublished": RELEASE_DATE,
        "inLanguage": METADATA["language"][0],
        "keywords": METADATA["tags"],
        "citeAs": f"nk-troops {__version__}: claims, quotes and figures in five news articles on North Korean troops in Russia.",
        "distribution": distribution,
        "recordSet": record_sets,
    }


def render_croissant(rows: dict[str, list[dict[str, Any]]], data: dict[str, bytes], digest: str) -> str:
    return json.dumps(croissant(rows, data, digest), ensure_ascii=False, indent=2) + "\n"

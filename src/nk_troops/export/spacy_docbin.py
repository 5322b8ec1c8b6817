"""spaCy DocBin: one ``Doc`` per document, tokenised by ``spacy.blank("en")``, spans in ``doc.spans[layer]``.

Each span keeps its release id (``span.id_``); its attributes and mention
offsets are in ``doc.user_data["nk_troops"]["spans"][id]`` (a DocBin gives lists back as
tuples). A span whose edges
are not spaCy token edges cannot be a ``Span``: it is reported
(``export-span-misaligned``) and kept in ``user_data`` under ``"misaligned"``,
never dropped. The release has none (tests pin that).
"""

from __future__ import annotations

from typing import Any

from ..incidents import Incident
from ..model import Layer
from .common import DocView, Output
from .output import Unusable

FILE = "nk-troops.spacy"
USER_KEY = "nk_troops"
_TEXT_KEYS = ("id", "doc_id", "fold", "text", "prefix", "suffix")  # in the Doc or its Span already


def to_doc(nlp: Any, view: DocView) -> tuple[Any, list[Incident]]:
    doc = nlp.make_doc(view.text)
    incidents, misaligned = [], []
    for layer in Layer:
        group = []
        for s in view.spans(layer):
            span = doc.char_span(s["start"], s["end"], label=layer.value, span_id=s["id"])
            if span is None:
                misaligned.append(s["id"])
                incidents.append(
                    Incident(
                        "export-span-misaligned",
                        file=FILE,
                        doc_id=view.doc_id,
                        span_id=s["id"],
                        start=s["start"],
                        end=s["end"],
                        found=s["text"],
                        expected="span edges on spaCy token edges",
                    )
                )
            else:
                group.append(span)
        doc.spans[layer.value] = group
    spans = {s["id"]: {k: v for k, v in s.items() if k not in _TEXT_KEYS} for s in view.spans()}
    doc.user_data[USER_KEY] = {"doc_id": view.doc_id, "fold": view.doc["fold"], "spans": spans, "misaligned": misaligned}
    return doc, incidents


def render(views: list[DocView], rows: dict[str, list[dict[str, Any]]]) -> Output:
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        raise Unusable([Incident("export-dependency-missing", found="spacy", expected="spacy (the formats extra)")]) from None

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    incidents: list[Incident] = []
    for view in views:
        doc, found = to_doc(nlp, view)
        docbin.add(doc)
        incidents.extend(found)
    return Output({FILE: docbin.to_bytes()}, incidents)

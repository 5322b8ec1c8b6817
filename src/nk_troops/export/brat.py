"""brat standoff: ``<doc>.txt`` + ``<doc>.ann`` per document, and the ``annotation.conf`` brat checks them against.

Text-bound annotations (``T``) for claims, quotes, figures and the speaker,
claimant and cue mentions; attributes (``A``) for the categorical fields;
relations (``R``) speaker/cue -> quote, claimant -> claim, claim -> figure /
quote. What brat has no field for (span ids, figure values, units) is an
``AnnotatorNotes`` note holding a JSON object, so nothing of a span is lost.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import RESERVED_CLAIMANTS, FigureKind, Qualifier, QuoteType
from .common import LINK_ARGS, MENTIONS, SPAN_LABELS, DocView, Output

# span field -> (brat attribute, the entity type it applies to); booleans are binary attributes
ATTRIBUTES = {
    "kind": ("Kind", "Figure"),
    "qualifier": ("Qualifier", "Figure"),
    "year_inferred": ("YearInferred", "Figure"),
    "quote_type": ("QuoteType", "Quote"),
    "speaker": ("SpeakerId", "Quote"),
    "claimant": ("ClaimantId", "Claim"),
    "hedged": ("Hedged", "Claim"),
    "cluster": ("ClusterId", "Claim"),
}
NOTE_FIELDS = ("value", "value_max", "normalized", "unit")  # figure fields that are not categorical


def render_ann(view: DocView) -> str:
    tid = {r.id: f"T{n}" for n, r in enumerate(view.regions, start=1)}
    lines = [f"{tid[r.id]}\t{r.label} {r.start} {r.end}\t{r.text}" for r in view.regions]
    attrs, notes = [], []
    for r in view.regions:
        if r.span is None:
            continue
        for key, (name, _) in ATTRIBUTES.items():
            value = r.span.get(key)
            if value is True:
                attrs.append(f"{name} {tid[r.id]}")
            elif value is not None and value is not False:
                attrs.append(f"{name} {tid[r.id]} {value}")
        note: dict[str, Any] = {"id": r.id} | {k: r.span[k] for k in NOTE_FIELDS if r.span["layer"] == "figure"}
        notes.append(f"AnnotatorNotes {tid[r.id]}\t{json.dumps(note, ensure_ascii=False)}")
    lines += [f"A{n}\t{a}" for n, a in enumerate(attrs, start=1)]
    lines += [f"R{n}\t{label} Arg1:{tid[a]} Arg2:{tid[b]}" for n, (label, a, b) in enumerate(view.links, start=1)]
    lines += [f"#{n}\t{note}" for n, note in enumerate(notes, start=1)]
    return "".join(line + "\n" for line in lines)


def render_conf(rows: dict[str, list[dict[str, Any]]]) -> str:
    """annotation.conf: every type, relation and attribute value the .ann files use."""
    entity_ids = sorted(e["id"] for e in rows["entities"])
    values = {
        "kind": [k.value for k in FigureKind],
        "qualifier": [q.value for q in Qualifier],
        "quote_type": [q.value for q in QuoteType],
        "speaker": entity_ids,
        "claimant": [*RESERVED_CLAIMANTS, *entity_ids],
        "cluster": sorted(c["id"] for c in rows["clusters"]),
    }
    entities = [*SPAN_LABELS.values(), *(label for label, _, _ in MENTIONS.values())]
    relations = [f"{link}\tArg1:{a}, Arg2:{SPAN_LABELS[layer]}" for link, (a, layer) in LINK_ARGS.items()]
    # layers nest and cross by design (a figure in a claim, a quote across claims, one mention as speaker and claimant)
    relations.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    attributes = [
        f"{name}\tArg:{arg}" + (f", Value:{'|'.join(values[key])}" if key in values else "") for key, (name, arg) in ATTRIBUTES.items()
    ]
    sections = {"entities": entities, "relations": relations, "events": [], "attributes": attributes}
    return "".join(f"[{name}]\n" + "".join(f"{line}\n" for line in lines) + "\n" for name, lines in sections.items())


def render(views: list[DocView], rows: dict[str, list[dict[str, Any]]]) -> Output:
    files = {"annotation.conf": render_conf(rows).encode("utf-8")}
    for view in views:
        files[f"{view.doc_id}.txt"] = view.text.encode("utf-8")
        files[f"{view.doc_id}.ann"] = render_ann(view).encode("utf-8")
    return Output(files)

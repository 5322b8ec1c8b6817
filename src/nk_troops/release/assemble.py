"""``annotations/`` -> one ``Release``: documents, resolved spans, registries and the tokens view, in release order."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..build import completeness
from ..build.anchors import DocumentAnnotations, resolve_folder
from ..build.documents import build_documents, mistyped, read_yaml
from ..incidents import Incident, IncidentError
from ..model import Cluster, Conflict, Document, Entity, EntityType, Span, TokenizedSentence, from_dict, record_fields, span_to_row, to_dict
from ..paths import CONFIGS
from ..schemas import DOCUMENT_LISTS
from .tokens import tokenize_sentences


@dataclass(frozen=True)
class Release:
    """Everything released, resolved and in release order."""

    documents: list[Document]
    annotations: dict[str, DocumentAnnotations]
    entities: list[Entity]
    clusters: list[Cluster]
    tokens: list[TokenizedSentence]
    notes: list[str]  # things the build left out on purpose, printed by the CLI

    def doc_spans(self, doc_id: str) -> list[Span]:
        ann = self.annotations[doc_id]
        return [*_ordered(ann.claims), *_ordered(ann.quotes), *_ordered(ann.figures)]

    def spans(self) -> list[Span]:
        return [sp for doc in self.documents for sp in self.doc_spans(doc.doc_id)]

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Release rows per config, as written to ``<config>.jsonl``."""
        docs = []
        for doc in self.documents:
            row = to_dict(doc)
            ann = self.annotations[doc.doc_id]
            for key in DOCUMENT_LISTS:
                records = getattr(ann, key)
                row[key] = [to_dict(r) for r in (records if key == "sentences" else _ordered(records))]
            docs.append(row)
        rows = {
            "documents": docs,
            "spans": [span_to_row(sp) for sp in self.spans()],
            "sentences": [to_dict(s) for doc in self.documents for s in self.annotations[doc.doc_id].sentences],
            "tokens": [to_dict(t) for t in self.tokens],
            "entities": [to_dict(e) for e in self.entities],
            "clusters": [to_dict(c) for c in self.clusters],
        }
        assert set(rows) == set(CONFIGS), "a config without rows (or rows without a config)"
        return rows


def _ordered(spans: list[Span]) -> list[Span]:
    return sorted(spans, key=lambda sp: (sp.start, sp.end, sp.id))


# --- assembling ------------------------------------------------------------


def assemble(root: Path) -> Release:
    """Resolve recipes, gold annotations and registries under ``root``; raises ``IncidentError``."""
    ann_dir = root / "annotations"
    documents = build_documents(ann_dir / "recipes", root / "dataset" / "raw")
    annotations = resolve_folder(documents, ann_dir / "gold")  # a missing or empty folder yields sentences and no spans
    entities = sorted(_registry(ann_dir / "entities.yaml", Entity, _entity), key=lambda e: e.id)
    claims = [c for doc in documents for c in _ordered(annotations[doc.doc_id].claims)]
    clusters, notes = _clusters(ann_dir / "clusters.yaml", claims)
    spans = [sp for doc in documents for ann in [annotations[doc.doc_id]] for sp in (*ann.claims, *ann.quotes, *ann.figures)]
    incidents: list[Incident] = []
    tokens = []
    for doc in documents:
        gold_file = str(ann_dir / "gold" / f"{doc.doc_id}.yaml")
        incidents += completeness.check(doc, annotations[doc.doc_id], gold_file)  # an unannotated number is an error, not an omission
        try:
            tokens += tokenize_sentences(doc.text, annotations[doc.doc_id].sentences, [sp for sp in spans if sp.doc_id == doc.doc_id])
        except IncidentError as err:
            incidents += [dataclasses.replace(i, file=gold_file) for i in err.incidents]
    if incidents:
        raise IncidentError(incidents)
    return Release(documents, annotations, entities, clusters, tokens, notes)


def _registry(path: Path, cls: type, convert: Any) -> list[Any]:
    """Records of a YAML list file; a missing file is an empty registry, a bad entry an incident."""
    if not path.exists():
        return []
    data = read_yaml(path)
    data = [] if data is None else data  # an empty file: no entries yet; `{}` is no list
    keys = {name for name, *_ in record_fields(cls)}
    if not isinstance(data, list):
        raise IncidentError(
            [
                Incident(
                    "annotation-invalid", file=str(path), detail="top level: the file must hold a YAML list", found=data, expected="a list"
                )
            ]
        )
    out, incidents = [], []
    for i, item in enumerate(data):
        try:
            out.append(convert(item, keys))
        except _Invalid as exc:
            incidents.append(Incident("annotation-invalid", file=str(path), detail=f"[{i}]: {exc}", found=exc.found, expected=exc.expected))
    if incidents:
        raise IncidentError(incidents)
    return out


class _Invalid(ValueError):
    """A registry entry that cannot be read: what is wrong, what was found and what was expected."""

    def __init__(self, detail: str, found: Any, expected: Any):
        super().__init__(detail)
        self.found, self.expected = found, expected


def _check_keys(item: Any, required: set[str], optional: set[str] = frozenset(), where: str = "") -> None:
    if not isinstance(item, dict) or not required <= item.keys() or set(item) - required - optional:
        found = sorted(map(str, item)) if isinstance(item, dict) else item
        raise _Invalid(f"{where}wrong keys", found, sorted(required) + [f"({k})" for k in sorted(optional)])


def _check_types(item: dict[str, Any], wrong: dict[str, str], where: str = "") -> None:
    """Nothing is coerced: ``aliases: Kim`` is not the aliases K, i and m, ``id: 5`` not ``"5"``, ``{}`` no list."""
    if wrong:
        raise _Invalid(f"{where}wrong type", {k: item[k] for k in wrong}, wrong)


def _entity(item: Any, keys: set[str]) -> Entity:
    _check_keys(item, keys)
    _check_types(item, mistyped(Entity, item))
    if item["type"] not in set(EntityType):
        raise _Invalid("type: value not in the label set", item["type"], [t.value for t in EntityType])
    return from_dict(Entity, item)


def _clusters(path: Path, claims: list[Any]) -> tuple[list[Cluster], list[str]]:
    """Cluster table with its ``claims`` derived from the claims' ``cluster`` field."""
    members: dict[str, list[str]] = {}
    for claim in claims:
        members.setdefault(claim.cluster, []).append(claim.id)

    def convert(item: Any, keys: set[str]) -> dict[str, Any]:
        _check_keys(item, {"id", "statement"}, {"claims", "conflicts_with"})
        conflicts = item.get("conflicts_with", [])  # left out: no conflicts
        wrong = {k: "text" for k in ("id", "statement") if not isinstance(item[k], str)}
        if "claims" in item and not (isinstance(item["claims"], list) and all(isinstance(c, str) for c in item["claims"])):
            wrong["claims"] = "a list of claim ids"
        if not isinstance(conflicts, list):
            wrong["conflicts_with"] = "a list of {cluster, note}"
        _check_types(item, wrong)
        for n, conflict in enumerate(conflicts):
            _check_keys(conflict, {"cluster", "note"}, where=f"conflicts_with[{n}]: ")
            _check_types(conflict, mistyped(Conflict, conflict), f"conflicts_with[{n}]: ")
        listed, derived = item.get("claims"), members.get(item["id"], [])
        if listed is not None and sorted(listed) != sorted(derived):
            raise _Invalid(
                "claims differ from the claims naming this cluster; drop the list, it is derived", sorted(listed), sorted(derived)
            )
        return {
            "id": item["id"],
            "statement": item["statement"],
            "claims": tuple(derived),
            "conflicts_with": tuple(from_dict(Conflict, c) for c in conflicts),
        }

    table = _registry(path, Cluster, convert)
    known = {c["id"] for c in table}
    unknown = [c for c in claims if c.cluster not in known]
    if unknown:
        raise IncidentError(
            [
                Incident(
                    "cluster-unknown", file=str(path), doc_id=c.doc_id, span_id=c.id, found=c.cluster, expected="an id in clusters.yaml"
                )
                for c in unknown
            ]
        )
    clusters = sorted((Cluster(**c) for c in table if c["claims"]), key=lambda c: c.id)
    empty = sorted(c["id"] for c in table if not c["claims"])
    notes = [f"{len(empty)} cluster(s) in clusters.yaml have no claims yet and are not released: {', '.join(empty)}"] if empty else []
    return clusters, notes

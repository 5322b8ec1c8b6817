"""What the pages show: a release read for viewing, and what changed since an older one.

``paths.read_release`` reads a release already known valid; the checks here are
only the ones the pages rely on (a field they read, an offset they cut at, an id
they use as a file or anchor name), so a broken folder gives incidents, not a
traceback or a wrong page. ``nk-troops validate`` checks everything else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..incidents import Incident, IncidentError
from ..model import DOC_ID_PATTERN, Layer
from ..paths import data_file, read_release, release_info
from ..release.diff import LayerDiff, diff_spans, read_spans

# the fields the pages read, per config, with their JSON types
NEEDED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "documents": {"doc_id": str, "title": str, "text": str, "provenance": dict},
    "spans": {"id": str, "doc_id": str, "layer": str, "start": int, "end": int, "text": str},
    "clusters": {"id": str, "statement": str, "claims": list, "conflicts_with": list},
    "entities": {"id": str, "name": str},
}


@dataclass
class ViewRelease:
    version: str | None
    content_sha256: str | None
    documents: list[dict[str, Any]]
    spans: dict[str, list[dict[str, Any]]]  # doc_id -> span rows in text order
    by_id: dict[str, dict[str, Any]]
    clusters: dict[str, dict[str, Any]]
    entities: dict[str, dict[str, Any]]


@dataclass
class ViewDiff:
    label: str  # the old release as the pages name it
    layers: dict[Layer, LayerDiff]
    old: dict[str, dict[str, Any]]  # the old release's span rows by id

    def status(self, span_id: str) -> str | None:
        for d in self.layers.values():
            if span_id in d.changed:
                return "changed"
            if span_id in d.added:
                return "added"
            if span_id in d.removed:
                return "removed"
        return None

    def removed(self) -> list[dict[str, Any]]:
        return [self.old[sid] for d in self.layers.values() for sid in d.removed]


def _read_rows(folder: Path) -> dict[str, list[Any]]:
    if not folder.is_dir():
        raise IncidentError([Incident("file-missing", file=str(folder), detail="not a release folder")])
    rows, incidents = {}, []
    for config in NEEDED:
        path = str(folder / data_file(config))
        try:
            rows[config] = read_release(folder, (config,))[config]
        except UnicodeDecodeError:
            incidents.append(Incident("file-encoding", file=path))
        except json.JSONDecodeError as exc:
            incidents.append(Incident("json-malformed", file=path, detail=f"{exc}; run nk-troops validate on the folder"))
        except OSError as exc:
            incidents.append(Incident("file-missing", file=path, detail=exc.strerror))
    if incidents:
        raise IncidentError(incidents)
    return rows


def _shape(config: str, path: str, rows: list[Any], numbered: bool = True) -> list[Incident]:
    """The fields the pages read are there with their types (``numbered``: rows are the file's lines)."""
    out = []
    for n, row in enumerate(rows, start=1):
        line = n if numbered else None
        if not isinstance(row, dict):
            out.append(Incident("json-not-object", file=path, line=line))
            continue
        where = {"file": path, "line": line, "span_id": row.get("id") if config == "spans" and isinstance(row.get("id"), str) else None}
        for key, kind in NEEDED[config].items():
            if key not in row:
                out.append(Incident("schema-required", **where, detail=key))
            elif not isinstance(row[key], kind):
                out.append(Incident("schema-type", **where, detail=key, found=type(row[key]).__name__))
        if config == "clusters":  # the lists the cluster links are made of
            claims, conflicts = row.get("claims"), row.get("conflicts_with")
            if isinstance(claims, list) and not all(isinstance(c, str) for c in claims):
                out.append(Incident("schema-type", **where, detail="claims: a list of claim ids"))
            if isinstance(conflicts, list) and not all(isinstance(c, dict) and isinstance(c.get("cluster"), str) for c in conflicts):
                out.append(Incident("schema-type", **where, detail="conflicts_with: a list of {cluster, note}"))
    return out


def _spans(path: str, rows: list[dict[str, Any]], texts: dict[str, str]) -> list[Incident]:
    out = []
    for n, s in enumerate(rows, start=1):
        where = {"file": path, "line": n, "doc_id": s["doc_id"], "span_id": s["id"]}
        text = texts.get(s["doc_id"])
        if s["layer"] not in set(Layer):
            out.append(Incident("schema-enum", **where, detail="layer", found=s["layer"]))
        elif text is None:
            out.append(Incident("document-unknown", **where))
        elif not 0 <= s["start"] < s["end"] <= len(text):
            out.append(Incident("offset-out-of-range", **where, start=s["start"], end=s["end"]))
        elif text[s["start"] : s["end"]] != s["text"]:
            out.append(Incident("offset-text-mismatch", **where, found=s["text"], expected=text[s["start"] : s["end"]]))
    return out


def _duplicates(path: str, rows: list[dict[str, Any]], key: str) -> list[Incident]:
    seen: set[str] = set()
    out = []
    for n, row in enumerate(rows, start=1):
        if row[key] in seen:
            out.append(Incident("duplicate-id", file=path, line=n, found=row[key]))
        seen.add(row[key])
    return out


def read_view(folder: Path) -> ViewRelease:
    """The release in ``folder`` as the pages need it; every problem found is raised at once."""
    rows = _read_rows(folder)
    path = {config: str(folder / data_file(config)) for config in NEEDED}
    incidents = [i for config in NEEDED for i in _shape(config, path[config], rows[config])]
    if incidents:
        raise IncidentError(incidents)
    docs = rows["documents"]
    for n, d in enumerate(docs, start=1):  # the doc id names the article's page file
        if not re.fullmatch(DOC_ID_PATTERN, d["doc_id"]):
            incidents.append(Incident("schema-pattern", file=path["documents"], line=n, detail="doc_id", found=d["doc_id"]))
    incidents += _duplicates(path["documents"], docs, "doc_id") + _duplicates(path["spans"], rows["spans"], "id")
    incidents += _spans(path["spans"], rows["spans"], {d["doc_id"]: d["text"] for d in docs})
    if incidents:
        raise IncidentError(incidents)
    spans: dict[str, list[dict[str, Any]]] = {d["doc_id"]: [] for d in docs}
    for s in sorted(rows["spans"], key=lambda s: (s["start"], -s["end"])):
        spans[s["doc_id"]].append(s)
    manifest = release_info(folder)  # a release without a manifest is still viewable; the index just says so
    return ViewRelease(
        version=manifest["version"],
        content_sha256=manifest["content_sha256"],
        documents=docs,
        spans=spans,
        by_id={s["id"]: s for s in rows["spans"]},
        clusters={c["id"]: c for c in rows["clusters"]},
        entities={e["id"]: e for e in rows["entities"]},
    )


def read_diff(old_folder: Path, release: ViewRelease) -> ViewDiff:
    """What changed from the release in ``old_folder`` to ``release``, span by span (``release.diff``)."""
    old = read_spans(old_folder)
    incidents = _shape("spans", str(old_folder / data_file("spans")), list(old.values()), numbered=False)
    if incidents:
        raise IncidentError(incidents)
    name = old_folder.name or str(old_folder)
    version = release_info(old_folder)["version"]
    return ViewDiff(label=f"{version} ({name})" if version else name, layers=diff_spans(old, release.by_id), old=old)

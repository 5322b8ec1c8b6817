"""``annotations/`` -> the release under ``dataset/``: JSONL per config, card, manifest, Croissant, figure.

Every file is a pure function of the annotations, written with fixed key order,
``ensure_ascii=False`` and ``\\n`` line ends, so a rebuild is byte-identical. The
card and manifest carry the version and a hash of the data files: the datasets
library keys its cache on the card and the data-file patterns, so a changed hash
is what keeps a stale cache from being served.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from . import completeness
from .anchors import DocumentAnnotations, resolve_folder
from .documents import build_documents, read_yaml
from .incidents import Incident, IncidentError
from .model import Cluster, Conflict, Document, Entity, Layer, Span, TokenizedSentence, from_dict, record_fields, span_to_row, to_dict
from .schemas import CONFIGS, DOCUMENT_LISTS
from .tokens import tokenize_sentences
from .version import __version__

DEFAULT_CONFIG = "documents"
CARD = "README.md"
MANIFEST = "manifest.json"
CROISSANT = "croissant.json"
FIGURE = "span_counts.png"


def data_file(config: str) -> str:
    return f"{config}.jsonl"


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
    data = read_yaml(path) or []
    keys = {name for name, *_ in record_fields(cls)}
    if not isinstance(data, list):
        raise IncidentError([Incident("annotation-invalid", file=str(path), detail="the file must hold a YAML list")])
    out, incidents = [], []
    for i, item in enumerate(data):
        try:
            out.append(convert(item, keys))
        except (TypeError, ValueError, KeyError) as exc:
            found = sorted(item) if isinstance(item, dict) else item
            incidents.append(
                Incident("annotation-invalid", file=str(path), detail=f"[{i}]: {exc}", found=str(found), expected=str(sorted(keys)))
            )
    if incidents:
        raise IncidentError(incidents)
    return out


def _check_keys(item: Any, required: set[str], optional: set[str] = frozenset()) -> None:
    if not isinstance(item, dict) or not required <= item.keys() or set(item) - required - optional:
        raise ValueError("wrong keys")


def _entity(item: Any, keys: set[str]) -> Entity:
    _check_keys(item, keys)
    return from_dict(Entity, item)


def _clusters(path: Path, claims: list[Any]) -> tuple[list[Cluster], list[str]]:
    """Cluster table with its ``claims`` derived from the claims' ``cluster`` field."""
    members: dict[str, list[str]] = {}
    for claim in claims:
        members.setdefault(claim.cluster, []).append(claim.id)

    def convert(item: Any, keys: set[str]) -> dict[str, Any]:
        _check_keys(item, {"id", "statement"}, {"claims", "conflicts_with"})
        listed, derived = item.get("claims"), members.get(item["id"], [])
        if listed is not None and sorted(listed) != sorted(derived):
            raise ValueError(
                f"claims {sorted(listed)} differ from the claims naming this cluster {sorted(derived)}; drop the list, it is derived"
            )
        conflicts = tuple(from_dict(Conflict, c) for c in item.get("conflicts_with") or [])
        return {"id": item["id"], "statement": item["statement"], "claims": tuple(derived), "conflicts_with": conflicts}

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


# --- writing ---------------------------------------------------------------


def render_jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(data: dict[str, bytes]) -> str:
    """One hash over the data files (name and bytes): what the version must change with."""
    return sha256("".join(f"{name} {sha256(data[name])}\n" for name in sorted(data)).encode("utf-8"))


def render_release(release: Release) -> dict[str, bytes]:
    """Every release file (name -> bytes); the manifest last, over all the others."""
    from .card import render_card
    from .croissant import render_croissant
    from .plot import render_span_counts

    rows = release.rows()
    data = {data_file(c): render_jsonl(rows[c]) for c in CONFIGS}
    digest = content_hash(data)
    files = dict(data)
    files[FIGURE] = render_span_counts(release)
    files[CARD] = render_card(rows, data, digest).encode("utf-8")
    files[CROISSANT] = render_croissant(rows, data, digest).encode("utf-8")
    manifest = {
        "name": "nk-troops",
        "version": __version__,
        "content_sha256": digest,
        "files": {name: {"sha256": sha256(files[name]), "bytes": len(files[name])} for name in sorted(files)},
    }
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def write_release(release: Release, out: Path) -> dict[str, bytes]:
    """Write the release into ``out``; files of an older release that are no longer built are removed."""
    files = render_release(release)
    out.mkdir(parents=True, exist_ok=True)
    old = out / MANIFEST
    if old.exists():
        for name in json.loads(old.read_text(encoding="utf-8")).get("files", {}):
            if name not in files and (out / name).is_file():
                (out / name).unlink()
    for name, data in files.items():
        path = out / name
        if not path.exists() or path.read_bytes() != data:  # keep mtimes of unchanged files
            path.write_bytes(data)
    return files


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def changelog_entry(path: Path, version: str) -> str | None:
    """The content hash CHANGELOG.md records for a version (heading ``## <version> ... sha256 `<hex>` ``)."""
    if not path.exists():
        return None
    m = re.search(rf"^## {re.escape(version)}\b.*?sha256 `([0-9a-f]{{64}})`", path.read_text(encoding="utf-8"), re.M)
    return m.group(1) if m else None


# --- loading ---------------------------------------------------------------


def release_dir() -> Path:
    """The release folder: package data in an installed wheel, ``dataset/`` in a checkout."""
    packaged = resources.files(__package__) / "_release"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "dataset"


def load(config: str = DEFAULT_CONFIG, **kwargs: Any) -> Any:
    """``datasets.load_dataset`` on the installed release, offline; kwargs go to ``load_dataset``."""
    from datasets import load_dataset

    if config not in CONFIGS:
        raise ValueError(f"unknown config {config!r}; one of {', '.join(CONFIGS)}")
    return load_dataset(str(release_dir()), config, **kwargs)


# --- statistics ------------------------------------------------------------


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def document_stats(release: Release) -> list[dict[str, Any]]:
    """Per-document counts: passages, characters, words, sentences, tokens and spans per layer."""
    out = []
    for doc in release.documents:
        ann = release.annotations[doc.doc_id]
        toks = [t for t in release.tokens if t.doc_id == doc.doc_id]
        out.append(
            {
                "doc_id": doc.doc_id,
                "passages": len(doc.passages),
                "characters": len(doc.text),
                "words": len(doc.text.split()),
                "sentences": len(ann.sentences),
                "tokens": sum(len(t.tokens) for t in toks),
                **{f"{layer.value}s": len(getattr(ann, f"{layer.value}s")) for layer in Layer},
            }
        )
    return out


def stats_table(release: Release) -> str:
    """The ``nk-troops stats`` table: one row per document and a total."""
    per_doc = document_stats(release)
    keys = ["passages", "characters", "words", "sentences", "claims", "quotes", "figures"]
    rows = [[d["doc_id"], *(d[k] for k in keys)] for d in per_doc]
    rows.append(["total", *(sum(d[k] for d in per_doc) for k in keys)])
    return _table(["doc", *keys], rows)


def _distribution(title: str, counts: Counter[Any]) -> str:
    if not counts:
        return f"{title}: none\n"
    return f"{title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))) + "\n"


def datasheet_stats(release: Release) -> str:
    """The generated statistics block of DATASHEET.md (between the stats markers)."""
    per_doc = document_stats(release)
    keys = ["passages", "sentences", "tokens", "claims", "quotes", "figures"]
    rows = [[d["doc_id"], *(d[k] for k in keys)] for d in per_doc]
    rows.append(["total", *(sum(d[k] for d in per_doc) for k in keys)])
    anns = [release.annotations[d.doc_id] for d in release.documents]
    figures = [f for a in anns for f in a.figures]
    quotes = [q for a in anns for q in a.quotes]
    claims = [c for a in anns for c in a.claims]
    sentences = [s for a in anns for s in a.sentences]
    entity_ids = {e.id for e in release.entities}
    sizes = Counter(len(c.claims) for c in release.clusters)
    cross_doc = sum(1 for c in release.clusters if len({i.split("-")[0] for i in c.claims}) > 1)
    conflicts = sorted({tuple(sorted((c.id, x.cluster))) for c in release.clusters for x in c.conflicts_with})
    parts = [
        f"Generated by `nk-troops build` from release {__version__}; do not edit by hand.\n",
        f"Documents: {len(release.documents)}; entities: {len(release.entities)}; clusters: {len(release.clusters)}.\n",
        _table(["doc", *keys], rows),
        _distribution("Figure kinds", Counter(f.kind.value for f in figures)),
        _distribution("Figure qualifiers", Counter(f.qualifier.value for f in figures)),
        _distribution("Quote types", Counter(q.quote_type.value for q in quotes)),
        _distribution("Quote speakers", Counter("registry entity" if q.speaker in entity_ids else "unregistered" for q in quotes)),
        _distribution("Claimants", Counter(c.claimant if c.claimant in ("author", "unspecified") else "entity" for c in claims)),
        _distribution("Hedged claims", Counter("hedged" if c.hedged else "not hedged" for c in claims)),
        _distribution(
            "Sentences",
            Counter("with claims" if s.claims else (s.no_claim_reason.value if s.no_claim_reason else "no decision") for s in sentences),
        ),
        _distribution("Cluster sizes (claims per cluster)", Counter({f"{k} claim{'s' if k > 1 else ''}": v for k, v in sizes.items()})),
        f"Clusters spanning more than one document: {cross_doc}; conflicting cluster pairs: {len(conflicts)}.\n",
        f"![Spans per layer and document](dataset/{FIGURE})\n",
    ]
    return "\n".join(parts)

"""The stand-off release: every offset, attribute and id, no article text; and rehydration from one's own pages.

The article texts belong to their publishers. ``render`` strips every field
that holds article text (the document text and title, span text and context,
sentence text, tokens) and records, in ``standoff.json``, each source page's
URL and SHA-256 and each full data file's SHA-256. ``rehydrate`` takes the
user's copies of the raw pages, accepts a page only when its SHA-256 is the
recorded one, rebuilds the texts by replaying each passage's recorded edits on
its raw region (``model.replay``), and accepts the result only when every data
file hashes as the release's did: a page that differs is reported, never turned
into wrong offsets.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..incidents import Incident, IncidentError
from ..model import Passage, from_dict, replay
from ..paths import CONFIGS, RAW, data_file, read_release
from ..text import CONTEXT, PASSAGE_SEPARATOR
from ..version import __version__
from .common import DocView, Output

MANIFEST = "standoff.json"
TEXT_FIELDS = {"documents": ("title", "text"), "spans": ("text", "prefix", "suffix"), "sentences": ("text",), "tokens": ("tokens",)}
README = """# nk-troops, stand-off release {version}

Offsets, attributes and ids of the nk-troops release without the article texts, which
belong to their publishers. `standoff.json` lists each source page (URL, file name,
SHA-256). Save your own copies of those pages under the listed file names in a folder,
then rebuild the full release rows:

    nk-troops rehydrate --standoff THIS_FOLDER --pages YOUR_PAGES --out RELEASE

A page whose SHA-256 differs is reported (rehydrate-page-mismatch) and nothing is written.
"""


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    """Rows as the release writes them (release/write.py): one compact JSON object a line, UTF-8."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render(views: list[DocView], rows: dict[str, list[dict[str, Any]]]) -> Output:
    files = {}
    for config in CONFIGS:
        drop = TEXT_FIELDS.get(config, ())
        files[data_file(config)] = jsonl([{k: v for k, v in row.items() if k not in drop} for row in rows[config]])
    manifest = {
        "name": "nk-troops-standoff",
        "version": __version__,
        "text_fields": TEXT_FIELDS,
        "columns": {config: list(rows[config][0]) for config in CONFIGS},  # key order of the full rows
        "pages": [
            {"doc_id": d["doc_id"], "source_file": d["source_file"], "url": d["provenance"]["url"], "sha256": d["source_sha256"]}
            for d in rows["documents"]
        ],
        "files": {data_file(c): sha256(jsonl(rows[c])) for c in CONFIGS},
    }
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files["README.md"] = README.format(version=__version__).encode("utf-8")
    return Output(files)


def _find_page(pages: Path, page: dict[str, Any], by_hash: dict[str, Path]) -> tuple[bytes | None, Incident | None]:
    """The page's bytes: under its file name, else any file of the folder with its hash."""
    path = pages / page["source_file"]
    where = {"file": str(path), "doc_id": page["doc_id"]}
    if path.is_file() and not path.is_symlink():
        data = path.read_bytes()
        if sha256(data) == page["sha256"]:
            return data, None
        hint = f"a copy of {page['url']} exactly as the release hashed it"
        return None, Incident("rehydrate-page-mismatch", **where, found=sha256(data), expected=page["sha256"], detail=hint)
    if page["sha256"] in by_hash:
        return by_hash[page["sha256"]].read_bytes(), None
    return None, Incident("rehydrate-page-missing", **where, expected=page["sha256"], detail=f"save {page['url']} as {page['source_file']}")


def _full_rows(stripped: dict[str, list[dict[str, Any]]], texts: dict[str, str], columns: dict[str, list[str]]):
    def ordered(config: str, row: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in columns[config]}

    out: dict[str, list[dict[str, Any]]] = {c: [] for c in CONFIGS}
    for d in stripped["documents"]:
        text = texts[d["doc_id"]]
        first = d["passages"][0]
        out["documents"].append(ordered("documents", {**d, "title": text[first["start"] : first["end"]], "text": text}))
    for s in stripped["spans"]:
        text, a, b = texts[s["doc_id"]], s["start"], s["end"]
        full = {**s, "text": text[a:b], "prefix": text[max(0, a - CONTEXT) : a], "suffix": text[b : b + CONTEXT]}
        out["spans"].append(ordered("spans", full))
    for s in stripped["sentences"]:
        out["sentences"].append(ordered("sentences", {**s, "text": texts[s["doc_id"]][s["start"] : s["end"]]}))
    for t in stripped["tokens"]:
        text = texts[t["doc_id"]]
        tokens = [text[a:b] for a, b in zip(t["token_starts"], t["token_ends"], strict=True)]
        out["tokens"].append(ordered("tokens", {**t, "tokens": tokens}))
    for config in ("entities", "clusters"):
        out[config] = stripped[config]
    return out


def rehydrate(standoff: Path, pages: Path) -> dict[str, bytes]:
    """The full release data files (and the pages under raw/) from a stand-off release and the user's pages."""
    try:
        manifest = json.loads((standoff / MANIFEST).read_text(encoding="utf-8"))
        stripped = read_release(standoff)
        manifest["pages"], manifest["columns"], manifest["files"]  # noqa: B018  (the keys rehydration needs)
    except (OSError, ValueError, KeyError, TypeError) as err:
        found = f"{type(err).__name__}: {err}"
        raise IncidentError(
            [Incident("standoff-invalid", file=str(standoff), found=found, expected="a folder written by --format standoff")]
        ) from None
    by_hash = {sha256(p.read_bytes()): p for p in sorted(pages.iterdir()) if p.is_file() and not p.is_symlink()}
    incidents, texts, raws = [], {}, {}
    docs = {d["doc_id"]: d for d in stripped["documents"]}
    for page in manifest["pages"]:
        data, problem = _find_page(pages, page, by_hash)
        if problem:
            incidents.append(problem)
            continue
        raw = data.decode("utf-8")
        passages = [from_dict(Passage, p) for p in docs[page["doc_id"]]["passages"]]
        texts[page["doc_id"]] = PASSAGE_SEPARATOR.join(replay(raw, p) for p in passages)
        raws[f"{RAW}/{page['source_file']}"] = data
    if incidents:
        raise IncidentError(incidents)
    rows = _full_rows(stripped, texts, manifest["columns"])
    files = {data_file(c): jsonl(rows[c]) for c in CONFIGS}
    for name, data in files.items():
        if sha256(data) != manifest["files"][name]:
            incidents.append(Incident("rehydrate-output-mismatch", file=name, found=sha256(data), expected=manifest["files"][name]))
    if incidents:
        raise IncidentError(incidents)
    return files | raws

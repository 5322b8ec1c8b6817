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

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from ..files import decode, read_blob, read_inside
from ..incidents import Incident, IncidentError
from ..model import Passage, from_dict, replay
from ..paths import CONFIGS, RAW, data_file
from ..release.write import render_jsonl as jsonl  # the rows as the release writes them
from ..release.write import sha256
from ..text import PASSAGE_SEPARATOR, context
from ..version import __version__
from .common import DocView, Output

MANIFEST = "standoff.json"
# every key that holds article text, wherever it occurs (top-level rows and the documents' nested spans and
# sentences); the stand-off files keep the key with a null, so rows keep their shape and key order
TEXT_KEYS = ("title", "text", "prefix", "suffix", "tokens")
README = """# nk-troops, stand-off release {version}

Offsets, attributes and ids of the nk-troops release without the article texts, which
belong to their publishers. `standoff.json` lists each source page (URL, file name,
SHA-256). Save your own copies of those pages under the listed file names in a folder,
then rebuild the full release rows:

    nk-troops rehydrate --standoff THIS_FOLDER --pages YOUR_PAGES --out RELEASE

A page whose SHA-256 differs is reported (rehydrate-page-mismatch) and nothing is written.
"""


def strip(value: Any) -> Any:
    """A row with every article-text value made null."""
    if isinstance(value, dict):
        return {k: None if k in TEXT_KEYS else strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def fill(value: Any, text: str) -> Any:
    """The inverse of ``strip`` given the document text: each null text value cut from it again."""
    if isinstance(value, list):
        return [fill(v, text) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: fill(v, text) for k, v in value.items()}
    if "passages" in out and "text" in out:  # a document
        first = out["passages"][0]
        out["text"], out["title"] = text, text[first["start"] : first["end"]]
    elif "token_starts" in out:
        out["tokens"] = [text[a:b] for a, b in zip(out["token_starts"], out["token_ends"], strict=True)]
    elif "text" in out:  # a span or a sentence
        a, b = out["start"], out["end"]
        out["text"] = text[a:b]
        if "prefix" in out:
            out["prefix"], out["suffix"] = context(text, a, b)
    return out


def render(views: list[DocView], rows: dict[str, list[dict[str, Any]]]) -> Output:
    files = {data_file(c): jsonl(strip(rows[c])) for c in CONFIGS}
    manifest = {
        "name": "nk-troops-standoff",
        "version": __version__,
        "text_keys": TEXT_KEYS,
        "pages": [
            {
                "doc_id": d["doc_id"],
                "source_file": d["source_file"],
                "url": d["provenance"]["url"],
                "sha256": d["source_sha256"],
                "passage_sha256": [sha256(d["text"][p["start"] : p["end"]].encode("utf-8")) for p in d["passages"]],
            }
            for d in rows["documents"]
        ],
        "files": {data_file(c): sha256(jsonl(rows[c])) for c in CONFIGS},  # of the full release files
    }
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files["README.md"] = README.format(version=__version__).encode("utf-8")
    return Output(files)


def _page_text(raw: str, passages: list[Passage]) -> list[str]:
    return [replay(raw, p) for p in passages]


def _source(page: dict[str, Any]) -> str:
    return f"a copy of {page['url']}" if page["url"] else f"the page saved as {page['source_file']} (no URL is known)"


def _page(path: Path) -> tuple[bytes | None, Incident | None]:
    """A saved page: a regular file of the folder, not a link, of a size a page can have (a FIFO would block)."""
    return (None, None) if path.is_symlink() else read_blob(path, str(path))


def _find_page(
    pages: Path, page: dict[str, Any], passages: list[Passage], by_hash: Callable[[], dict[str, Path]]
) -> tuple[bytes | None, Incident | None]:
    """The page's bytes: under its file name, else any file of the folder with its hash."""
    path = pages / page["source_file"]
    where = {"file": str(path), "doc_id": page["doc_id"]}
    data, problem = _page(path)
    if problem is not None and problem.code == "file-too-large":
        return None, problem
    if data is not None:
        if sha256(data) == page["sha256"]:
            return data, None
        # which passages the difference reaches, so the user sees what to fix
        replayed = _page_text(data.decode("utf-8", errors="replace"), passages)
        bad = [p.index for p, text, h in zip(passages, replayed, page["passage_sha256"], strict=True) if sha256(text.encode("utf-8")) != h]
        detail = f"passages {bad} of {len(passages)} differ; {_source(page)} byte for byte is needed"
        return None, Incident("rehydrate-page-mismatch", **where, found=sha256(data), expected=page["sha256"], detail=detail)
    if page["sha256"] in by_hash():
        return _page(by_hash()[page["sha256"]])[0], None
    return None, Incident(
        "rehydrate-page-missing", **where, expected=page["sha256"], detail=f"save {_source(page)} as {page['source_file']}"
    )


def _read(standoff: Path, name: str) -> bytes:
    """A file of the stand-off folder, read as ``files`` reads (inside the folder, a regular file, capped)."""
    data, problem = read_inside(standoff, name, name)
    if data is None:
        raise ValueError(f"{name}: {problem.code} {problem.detail or ''}".strip())  # type: ignore[union-attr]
    return data


def rehydrate(standoff: Path, pages: Path) -> dict[str, bytes]:
    """The full release data files (and the pages under raw/) from a stand-off release and the user's pages; a
    stand-off folder that is not one ``--format standoff`` writes is ``standoff-invalid``, whatever is wrong in it."""
    try:
        return _rehydrate(standoff, pages)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
        found = f"{type(err).__name__}: {err}"[:300]
        raise IncidentError(
            [Incident("standoff-invalid", file=str(standoff), found=found, expected="a folder written by --format standoff")]
        ) from None


def _rehydrate(standoff: Path, pages: Path) -> dict[str, bytes]:
    manifest, code, detail = decode(_read(standoff, MANIFEST).decode("utf-8"))
    if code is not None:
        raise ValueError(f"{MANIFEST}: {code} {detail or ''}".strip())
    # json.loads, not files.decode: the rows are written back byte for byte (12000.0 stays a float)
    texts_of = {c: _read(standoff, data_file(c)).decode("utf-8") for c in CONFIGS}
    stripped = {c: [json.loads(line) for line in text.split("\n") if line.strip()] for c, text in texts_of.items()}
    docs = {d["doc_id"]: d for d in stripped["documents"]}
    for page in manifest["pages"]:  # each names a document of the release and a plain file name under raw/
        name, doc_id, _, _ = page["source_file"], page["doc_id"], page["sha256"], page["passage_sha256"]
        if doc_id not in docs or not isinstance(name, str) or name in ("", ".", "..") or PurePosixPath(name).name != name:
            raise ValueError(f"page {doc_id!r}: source_file {name!r} is not a file name of a document in documents.jsonl")
    if not isinstance(manifest["files"], dict):
        raise TypeError("files is not an object")

    @cache
    def by_hash() -> dict[str, Path]:  # read only when a page is not under its name; one file in memory at a time
        return {sha256(data): p for p in sorted(pages.iterdir()) if (data := _page(p)[0]) is not None}

    incidents, texts, raws = [], {}, {}
    for page in manifest["pages"]:
        passages = [from_dict(Passage, p) for p in docs[page["doc_id"]]["passages"]]
        data, problem = _find_page(pages, page, passages, by_hash)
        if problem:
            incidents.append(problem)
            continue
        texts[page["doc_id"]] = PASSAGE_SEPARATOR.join(_page_text(data.decode("utf-8"), passages))
        raws[f"{RAW}/{page['source_file']}"] = data
    if incidents:
        raise IncidentError(incidents)
    files = {}
    for config in CONFIGS:
        rows = [fill(row, texts[row["doc_id"]]) if "doc_id" in row else row for row in stripped[config]]
        files[data_file(config)] = jsonl(rows)
    for name, data in files.items():
        if sha256(data) != manifest["files"][name]:
            incidents.append(Incident("rehydrate-output-mismatch", file=name, found=sha256(data), expected=manifest["files"][name]))
    if incidents:
        raise IncidentError(incidents)
    return files | raws

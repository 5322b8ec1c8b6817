"""A release folder as a whole: the manifest lists every file with its checksum, the card and Croissant
agree with it, version and content hash agree everywhere with the installed package, and each config's
Parquet files (``release/parquet.py`` writes them) hold exactly its JSONL rows.

Every name these files hold is opened only inside the folder (``files.safe_path``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...files import decode, read_inside, safe_path, sha256_file
from ...incidents import Incident
from ...paths import CARD, CONFIGS, CROISSANT, MANIFEST, RAW, content_hash, data_file, parquet_file, read_release, split_rows, splits
from ...schemas import decode_row, feature_tree, features_dict, features_yaml
from ...version import __version__
from ..registry import rule
from ..run import Run, at

DATA_FILES = [data_file(c) for c in CONFIGS]


def _digest(run: Run, name: Any, listed_in: str) -> tuple[str | None, int, Incident | None]:
    """(SHA-256, size, reading problem) of a file of the folder named in ``listed_in``, read once."""
    assert run.folder is not None
    name = name if isinstance(name, str) else ""  # (safe_path rejects it)
    if name not in run.digests:
        path, unsafe = safe_path(run.folder, name, listed_in)
        run.digests[name] = sha256_file(path, name) if path is not None else (None, 0, unsafe)
    return run.digests[name]


def _meta(run: Run, name: str) -> dict[str, Any] | None:
    """The manifest or Croissant decoded strictly, or the card's YAML front matter; None (reported once) when unusable."""
    assert run.folder is not None
    if name not in run.blobs:
        data, problem = read_inside(run.folder, name, name)  # a link out of the folder is not followed
        value, code, detail = (None, None, None) if data is None else _parse(name, data.decode("utf-8", errors="replace"))
        run.incidents += [problem] if data is None else [at(code, name, None, detail=detail)] if code else []  # type: ignore[list-item]
        run.blobs[name] = value if isinstance(value, dict) else None
    return run.blobs[name]


def _parse(name: str, text: str) -> tuple[Any, str | None, str | None]:
    """(value, incident code, detail) of the manifest or Croissant (strict JSON), or the card's YAML front matter."""
    if name != CARD:
        value, code, detail = decode(text)
        return (value, None, None) if isinstance(value, dict) else (None, code or "json-not-object", detail)
    import yaml  # only for a release folder

    head, sep, _ = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        return None, "card-invalid", "no YAML front matter between '---' lines at the top"
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        return None, "card-invalid", f"the front matter does not parse ({str(exc)[:160]})"
    return (meta, None, None) if isinstance(meta, dict) else (None, "card-invalid", "the front matter is not a mapping")


@rule("manifest-mismatch", "manifest-unlisted", needs=("folder",))
def manifest_files(run: Run) -> Iterator[Incident]:
    """manifest.json lists every file of the folder (but raw/, whose files the documents' source_sha256
    name) with its SHA-256 and size, and nothing else."""
    assert run.folder is not None
    manifest = _meta(run, MANIFEST)
    files = manifest.get("files") if manifest else None
    if manifest is not None and not isinstance(files, dict):
        yield at("manifest-mismatch", MANIFEST, None, None, type(files).__name__, "files: an object of name -> sha256, bytes")
    for name, entry in files.items() if isinstance(files, dict) else ():
        sha, size, problem = _digest(run, name, MANIFEST)
        if problem is not None and problem.code == "file-missing" and name not in DATA_FILES:  # (those the reader reports)
            yield at("manifest-unlisted", MANIFEST, None, None, name, "listed files exist", detail=f"{name} is listed but absent")
        elif problem is not None:
            yield from [problem] if name not in DATA_FILES else []
        elif not isinstance(entry, dict) or [entry.get("sha256"), entry.get("bytes")] != [sha, size]:
            yield at("manifest-mismatch", MANIFEST, None, None, {"sha256": sha, "bytes": size}, entry, detail=name)
    for path in sorted(run.folder.iterdir()) if isinstance(files, dict) else ():  # raw/ left out, subfolders one level deep
        inner = sorted(path.iterdir()) if path.is_dir() and not path.is_symlink() and path.name != RAW else [path]
        for name in (p.relative_to(run.folder).as_posix() for p in inner if path.name != RAW):
            if name not in files and name != MANIFEST:
                yield at("manifest-unlisted", MANIFEST, None, None, name, "every file listed", detail="not in manifest.json")


@rule("version-mismatch", needs=("folder",))
def release_version(run: Run) -> Iterator[Incident]:
    """The manifest, the card and Croissant carry the installed package's version; the manifest and the
    card carry the content hash of the data files."""
    digests = {data_file(c): _digest(run, data_file(c), MANIFEST)[0] for c in CONFIGS}
    content = content_hash(digests) if None not in digests.values() else None  # type: ignore[arg-type]
    for name in (MANIFEST, CARD, CROISSANT):
        if (meta := _meta(run, name)) is None:
            continue
        if meta.get("version") != __version__:
            yield at("version-mismatch", name, None, None, meta.get("version"), __version__, detail="version")
        if name != CROISSANT and content is not None and meta.get("content_sha256") != content:
            yield at("version-mismatch", name, None, None, meta.get("content_sha256"), content, detail="content_sha256")


@rule("card-invalid", "card-features-mismatch", needs=("folder",))
def card(run: Run) -> Iterator[Incident]:
    """The card's YAML parses; each config's data files are files of the folder and its dataset_info
    features are ``schemas.features_yaml`` of the config."""
    if (meta := _meta(run, CARD)) is None:
        return
    configs, infos = meta.get("configs"), meta.get("dataset_info")
    if not isinstance(configs, list) or not isinstance(infos, list) or not all(isinstance(c, dict) for c in configs + infos):
        yield at("card-invalid", CARD, None, detail="configs and dataset_info are lists of mappings")
        return
    for entry in configs:
        files = entry.get("data_files") if isinstance(entry.get("data_files"), list) else [None]
        for name in (f.get("path") if isinstance(f, dict) else None for f in files):
            path, _ = safe_path(run.folder, name, CARD)  # type: ignore[arg-type]
            if name not in DATA_FILES and (path is None or not path.is_file()):  # (a data file's problems the reader reports)
                yield at("card-features-mismatch", CARD, None, None, name, "a file of the folder", detail=str(entry.get("config_name")))
    features = {i.get("config_name"): i.get("features") for i in infos}
    for config in CONFIGS:
        if features.get(config) != (want := features_yaml(config)):
            yield at("card-features-mismatch", CARD, None, None, features.get(config), want, detail=f"dataset_info of {config}")


@rule("croissant-invalid", "croissant-checksum-mismatch", needs=("folder",))
def croissant(run: Run) -> Iterator[Incident]:
    """croissant.json parses, lists its files, and each file's SHA-256 is the file's."""
    if (meta := _meta(run, CROISSANT)) is None:
        return
    listed = meta.get("distribution") if isinstance(meta.get("distribution"), list) else []
    objects = [d for d in listed if isinstance(d, dict) and "contentUrl" in d]
    if not objects:
        yield at("croissant-invalid", CROISSANT, None, detail="no distribution FileObject with a contentUrl")
    for d in objects:
        sha, _, problem = _digest(run, d["contentUrl"], CROISSANT)
        if problem is not None:
            yield from [problem] if problem.code != "file-missing" and d["contentUrl"] not in DATA_FILES else []
        elif sha != d.get("sha256"):
            yield at("croissant-checksum-mismatch", CROISSANT, None, None, sha, d.get("sha256"), detail=str(d["contentUrl"]))


@rule("parquet-unreadable", "parquet-rows-mismatch", needs=("folder",))
def parquet(run: Run) -> Iterator[Incident]:
    """Each config's Parquet files (the card's data files) hold exactly the rows of its JSONL file, split as
    the card splits them; compared only when every JSONL row was readable and of its shape (else the one
    problem would be reported once per Parquet file too)."""
    assert run.folder is not None
    if not any(i.file in DATA_FILES for i in run.incidents):
        yield from parquet_rows(run.folder)


def parquet_rows(folder: Path) -> Iterator[Incident]:
    """Where a config's Parquet files and its JSONL rows differ: the first differing row of a file, its row
    count or its embedded features (a folder without Parquet files has nothing to compare). ``pyarrow`` is
    imported only when a Parquet file is there to read; a link out of the folder is not followed."""
    for config in CONFIGS:
        if not any((folder / parquet_file(config, split)).exists() for split in splits(config)):
            continue
        import pyarrow.parquet as pq

        tree, rows = feature_tree(config), read_release(folder, (config,))[config]  # its JSONL is known readable
        for split, expected in split_rows(config, rows).items():
            path, unsafe = safe_path(folder, parquet_file(config, split), CARD)
            if path is None:  # (reported by the manifest rule)
                continue
            try:
                if path.exists() and not path.is_file():  # a FIFO or a device would block or never end
                    raise OSError("not a regular file")
                table = pq.ParquetFile(path).read()  # not read_table: that imports pyarrow.dataset and pandas
            except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
                yield Incident("parquet-unreadable", file=str(path), detail=str(exc))
                continue
            try:
                embedded = json.loads((table.schema.metadata or {}).get(b"huggingface", b"{}"))["info"]["features"]
            except (ValueError, KeyError, TypeError):
                embedded = None
            if embedded != features_dict(config):
                yield Incident("parquet-rows-mismatch", file=str(path), detail="embedded features differ from the release's")
                continue
            if len(found := [decode_row(config, r, tree) for r in table.to_pylist()]) != len(expected):
                yield Incident("parquet-rows-mismatch", file=str(path), found=len(found), expected=len(expected), detail="row count")
                continue
            for i, (got, want) in enumerate(zip(found, expected, strict=True)):
                if got != want:
                    key = next(k for k in want if got.get(k) != want.get(k))
                    where = {"doc_id": want.get("doc_id"), "span_id": want.get("id") if config == "spans" else None}
                    have, wanted, detail = got.get(key), want.get(key), f"row {i + 1}, field {key}"
                    yield Incident("parquet-rows-mismatch", str(path), i + 1, found=have, expected=wanted, detail=detail, **where)
                    break  # one row names the file that needs rebuilding

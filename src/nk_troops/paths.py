"""Where a release lives and what its files are called.

The installed wheel carries the release as package data (``nk_troops/_release``);
a checkout has it under ``dataset/``. Every command that defaults to "the release"
asks ``release_dir()``. ``read_release`` is for a release already known to be
valid (the installed one, or a folder ``nk-troops validate`` passed); the
validator's own reader (``validate/``) is for anything else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from .files import decode, read_blob
from .model import FOLDS

CONFIGS = ("documents", "spans", "sentences", "tokens", "entities", "clusters")
DEFAULT_CONFIG = "documents"
FOLD_CONFIGS = ("documents", "spans", "sentences", "tokens")  # rows of one document each; the registries span all five
CARD = "README.md"
LICENCE = "LICENSE.md"
MANIFEST = "manifest.json"
CROISSANT = "croissant.json"
FIGURE = "span_counts.png"
RAW = "raw"


def content_hash(digests: dict[str, str]) -> str:
    """The release's content hash: one SHA-256 over its data files' names and SHA-256s (hex), sorted by name."""
    return hashlib.sha256("".join(f"{name} {digests[name]}\n" for name in sorted(digests)).encode("utf-8")).hexdigest()


def data_file(config: str) -> str:
    """The reviewable JSON Lines file of a config: every row, in release order."""
    return f"{config}.jsonl"


def splits(config: str) -> tuple[str, ...]:
    """Named splits of a config: ``test`` (every row), then ``fold<k>_train`` / ``fold<k>_test`` where rows have a fold."""
    folds = [f"fold{k}_{part}" for k in range(FOLDS) for part in ("train", "test")] if config in FOLD_CONFIGS else []
    return ("test", *folds)


def split_rows(config: str, rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows of each named split: fold k's test is its document, its train the four others."""
    out = {"test": rows}
    for split in splits(config)[1:]:
        k, part = int(split[4 : split.index("_")]), split.rsplit("_", 1)[1]
        out[split] = [r for r in rows if (r["fold"] == k) == (part == "test")]
    return out


def parquet_file(config: str, split: str) -> str:
    """The Parquet file of one split, in the layout ``push_to_hub`` writes (one shard per split)."""
    return f"{config}/{split}-00000-of-00001.parquet"


def release_dir() -> Path:
    """The installed release: package data in a wheel, ``dataset/`` in a checkout."""
    packaged = resources.files(__package__) / "_release"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "dataset"


def release_info(folder: Path | None = None) -> dict[str, str | None]:
    """The ``version`` and ``content_sha256`` a release folder's manifest records (default: the installed
    release); each None where the manifest is missing, is not JSON, or does not hold it as a string (read as
    ``files`` reads: a regular file, capped, strict JSON)."""
    data, _ = read_blob((release_dir() if folder is None else Path(folder)) / MANIFEST, MANIFEST)  # a FIFO is not waited on
    manifest = decode(data.decode("utf-8", errors="replace"))[0] if data is not None else None
    values = manifest if isinstance(manifest, dict) else {}
    return {key: value if isinstance(value := values.get(key), str) else None for key in ("version", "content_sha256")}


def read_release(folder: Path | None = None, configs: tuple[str, ...] = CONFIGS) -> dict[str, list[dict[str, Any]]]:
    """Rows per config of a valid release folder (default: the installed release)."""
    folder = release_dir() if folder is None else Path(folder)
    out = {}
    for config in configs:
        with open(folder / data_file(config), encoding="utf-8") as f:
            out[config] = [json.loads(line) for line in f if line.strip()]
    return out


def load(config: str = DEFAULT_CONFIG, **kwargs: Any) -> Any:
    """``datasets.load_dataset`` on the installed release (never the Hub, whatever the current folder);
    kwargs go to ``load_dataset``, e.g. ``split="fold0_test"`` (``splits(config)`` names them)."""
    from datasets import load_dataset

    if config not in CONFIGS:
        raise ValueError(f"unknown config {config!r}; one of {', '.join(CONFIGS)}")
    split = kwargs.get("split")
    unknown = [part for part in split.split("+") if part.split("[")[0].strip() not in splits(config)] if isinstance(split, str) else []
    if unknown:
        raise ValueError(f"config {config!r} has no split {unknown[0]!r}; one of {', '.join(splits(config))}")
    return load_dataset(str(release_dir()), config, **kwargs)


def folds(config: str = DEFAULT_CONFIG, **kwargs: Any) -> Iterator[tuple[Any, Any]]:
    """The five leave-one-document-out (train, test) pairs of a config, as ``datasets.Dataset`` pairs."""
    if config not in FOLD_CONFIGS:
        raise ValueError(f"config {config!r} has no folds (its rows span every document); one of {', '.join(FOLD_CONFIGS)}")
    if "split" in kwargs:
        raise TypeError("folds() chooses the splits itself; use load() for one split")
    every = load(config, **kwargs)
    for k in range(FOLDS):
        yield every[f"fold{k}_train"], every[f"fold{k}_test"]

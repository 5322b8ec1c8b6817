"""Where a release lives and what its files are called.

The installed wheel carries the release as package data (``nk_troops/_release``);
a checkout has it under ``dataset/``. Every command that defaults to "the release"
asks ``release_dir()``. ``read_release`` is for a release already known to be
valid (the installed one, or a folder ``nk-troops validate`` passed); the
validator's own reader (``validate/``) is for anything else.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

CONFIGS = ("documents", "spans", "sentences", "tokens", "entities", "clusters")
DEFAULT_CONFIG = "documents"
CARD = "README.md"
MANIFEST = "manifest.json"
CROISSANT = "croissant.json"
FIGURE = "span_counts.png"
RAW = "raw"


def data_file(config: str) -> str:
    return f"{config}.jsonl"


def release_dir() -> Path:
    """The installed release: package data in a wheel, ``dataset/`` in a checkout."""
    packaged = resources.files(__package__) / "_release"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "dataset"


def read_release(folder: Path | None = None, configs: tuple[str, ...] = CONFIGS) -> dict[str, list[dict[str, Any]]]:
    """Rows per config of a valid release folder (default: the installed release)."""
    folder = release_dir() if folder is None else Path(folder)
    out = {}
    for config in configs:
        with open(folder / data_file(config), encoding="utf-8") as f:
            out[config] = [json.loads(line) for line in f if line.strip()]
    return out


def load(config: str = DEFAULT_CONFIG, **kwargs: Any) -> Any:
    """``datasets.load_dataset`` on the installed release, offline; kwargs go to ``load_dataset``."""
    from datasets import load_dataset

    if config not in CONFIGS:
        raise ValueError(f"unknown config {config!r}; one of {', '.join(CONFIGS)}")
    return load_dataset(str(release_dir()), config, **kwargs)

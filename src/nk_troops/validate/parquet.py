"""A config's Parquet files hold exactly its JSONL rows (``release/parquet.py`` writes them).

``parquet_rows(folder)`` reads each config's JSONL, splits it as the card does, and
compares every Parquet file with its split row by row, categorical ids decoded to
names. Codes: ``parquet-unreadable`` (a file the card names is missing or not
Parquet), ``parquet-rows-mismatch`` (first differing row of a file, or its row
count, or features that are not the release's). A folder without Parquet files (a
user's own JSONL) has nothing to compare. ``pyarrow`` is imported only when a
Parquet file is there to read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..incidents import Incident
from ..paths import CARD, CONFIGS, parquet_file, read_release, split_rows, splits
from ..schemas import decode_row, feature_tree, features_dict
from .reader import safe_path


def _features(schema: Any) -> Any:
    try:
        return json.loads((schema.metadata or {}).get(b"huggingface", b"{}"))["info"]["features"]
    except (ValueError, KeyError, TypeError):
        return None


def _config(folder: Path, config: str) -> list[Incident]:
    names = [parquet_file(config, split) for split in splits(config)]
    if not any((folder / n).exists() for n in names):
        return []
    rows = read_release(folder, (config,))[config]  # its JSONL is already known readable and of its shape
    import pyarrow.parquet as pq

    tree, out = feature_tree(config), []
    for split, expected in split_rows(config, rows).items():
        path, unsafe = safe_path(folder, parquet_file(config, split), CARD)
        if unsafe is not None or path is None:  # a link out of the folder: the manifest rule reports it, nothing is read
            continue
        if path.exists() and not path.is_file():  # a FIFO or a device would block or never end
            out.append(Incident("parquet-unreadable", file=str(path), detail="not a regular file"))
            continue
        try:
            table = pq.ParquetFile(path).read()  # not read_table: that imports pyarrow.dataset and pandas
        except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
            out.append(Incident("parquet-unreadable", file=str(path), detail=str(exc)))
            continue
        if _features(table.schema) != features_dict(config):
            out.append(Incident("parquet-rows-mismatch", file=str(path), detail="embedded features differ from the release's"))
            continue
        found = [decode_row(config, r, tree) for r in table.to_pylist()]
        if len(found) != len(expected):
            out.append(Incident("parquet-rows-mismatch", file=str(path), found=len(found), expected=len(expected), detail="row count"))
            continue
        for i, (got, want) in enumerate(zip(found, expected, strict=True)):
            if got != want:
                key = next(k for k in want if got.get(k) != want.get(k))
                where = {"doc_id": want.get("doc_id"), "span_id": want.get("id") if config == "spans" else None}
                have, wanted, detail = got.get(key), want.get(key), f"row {i + 1}, field {key}"
                out.append(Incident("parquet-rows-mismatch", str(path), i + 1, found=have, expected=wanted, detail=detail, **where))
                break  # one row names the file that needs rebuilding
    return out


def parquet_rows(folder: Path) -> list[Incident]:
    """Incidents where a config's Parquet files and its JSONL rows differ (none without Parquet files)."""
    return [i for config in CONFIGS for i in _config(Path(folder), config)]

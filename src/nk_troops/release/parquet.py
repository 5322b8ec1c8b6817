"""Parquet copies of every config, one file per named split, with their ``datasets`` features embedded.

Layout: ``<config>/<split>-00000-of-00001.parquet``, what ``push_to_hub`` writes for a
named config; the card's ``configs`` point at these files. Each file's schema carries
the features under the ``huggingface`` key exactly as ``datasets`` writes it, so
``load_dataset("parquet", data_files=...)`` restores the ClassLabels even without the
card. The JSONL files stay the reviewable form and the source of the content hash:
Parquet bytes name the pyarrow that wrote them (``created_by``), so the test extra
pins that pyarrow and ``validate`` compares Parquet to JSONL by content
(``validate/rules/release.py``).

``pyarrow`` is imported here only, never by ``import nk_troops``.
"""

from __future__ import annotations

import io
import json
from typing import Any

from ..paths import CONFIGS, parquet_file, split_rows
from ..schemas import Tree, encode_row, feature_tree, features_dict


def _arrow_type(tree: Tree) -> Any:
    import pyarrow as pa

    kind, arg = tree
    if kind == "value":
        return {"int32": pa.int32(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string()}[arg]
    if kind == "class":
        return pa.int64()  # what datasets stores a ClassLabel as
    if kind == "list":
        return pa.list_(_arrow_type(arg))
    return pa.struct([pa.field(k, _arrow_type(t)) for k, t in arg.items()])


def arrow_schema(config: str) -> Any:
    """The Arrow schema of a config with its features embedded (``datasets.Features.arrow_schema``)."""
    import pyarrow as pa

    meta = {"huggingface": json.dumps({"info": {"features": features_dict(config)}})}
    return pa.schema([pa.field(k, _arrow_type(t)) for k, t in feature_tree(config).items()], metadata=meta)


def arrow_table(config: str, rows: list[dict[str, Any]]) -> Any:
    """Rows of a config as an Arrow table, categorical values as ClassLabel ids."""
    import pyarrow as pa

    tree = feature_tree(config)
    return pa.Table.from_pylist([encode_row(config, r, tree) for r in rows], schema=arrow_schema(config))


def render_parquet(rows: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, bytes], dict[str, dict[str, tuple[int, int]]]]:
    """(file name -> Parquet bytes, config -> split -> (rows, Arrow bytes)) of every config's named splits."""
    import pyarrow.parquet as pq

    files: dict[str, bytes] = {}
    sizes: dict[str, dict[str, tuple[int, int]]] = {}
    for config in CONFIGS:
        sizes[config] = {}
        for split, part in split_rows(config, rows[config]).items():
            table = arrow_table(config, part)
            buf = io.BytesIO()
            pq.write_table(table, buf)
            files[parquet_file(config, split)] = buf.getvalue()
            sizes[config][split] = (table.num_rows, table.nbytes)
    return files, sizes

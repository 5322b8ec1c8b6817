"""What users hold, as plain rows: the sources ``nk_troops.validate`` and ``nk_troops.evaluate`` accept.

A source is a path (a release folder, or a JSONL file of predicted spans), a list of
row dicts, a ``datasets.Dataset`` (ClassLabel columns as ids) or a pandas DataFrame
(checked with the pandera models of ``frames.py`` first). Rows become plain dicts
with every label a name; the validator and the scorer do the rest.

``nk_troops.validate`` and ``nk_troops.evaluate`` are the subpackages of those names,
made callable (``callable_package``), so the name means the same whether or not the
subpackage has been imported yet. Nothing heavy is imported here.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PREDICTIONS = "<predictions>"


class _CallablePackage(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__dict__["__call_target__"](*args, **kwargs)


def callable_package(name: str, target: Any) -> None:
    """Make the package ``name`` callable: calling it calls ``target`` (a function of the package itself)."""
    module = sys.modules[name]
    module.__call_target__ = target
    module.__class__ = _CallablePackage


def jsonable(value: Any) -> Any:
    """``json.dumps``' ``default`` for rows held in memory: a numpy scalar or array (a model's offsets often are) as
    the Python value it holds; anything else is not JSON, as json.dumps says."""
    if hasattr(value, "tolist") and type(value).__module__ == "numpy":
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def is_path(source: Any) -> bool:
    return isinstance(source, (str, Path))


def rows(source: Any, config: str = "spans") -> tuple[list[dict[str, Any]], list[Any]]:
    """(plain rows with label names, incidents of a DataFrame that fails its pandera model) of a non-path source."""
    from .schemas import label_names

    labels = label_names(config)
    incidents: list[Any] = []
    if type(source).__module__.startswith("pandas") and hasattr(source, "to_dict"):
        if source.empty:  # no rows (and perhaps no columns): a model that predicted nothing
            return [], []
        from .frames import frame_incidents, frame_rows
        from .frames import records as frame_records

        df = frame_rows(source, labels)
        incidents = frame_incidents(df)
        records = frame_records(df)
    elif hasattr(source, "features") and hasattr(source, "to_list"):  # a datasets.Dataset: its own ClassLabels decode it
        from datasets import ClassLabel

        own = {k: f.names for k, f in source.features.items() if isinstance(f, ClassLabel)}
        records = [_names(r, own) for r in source.to_list()]
    elif isinstance(source, Sequence) and not isinstance(source, (str, bytes)):
        records = [_names(r, labels) if isinstance(r, dict) else r for r in source]
    else:
        raise TypeError(f"cannot read {type(source).__name__}: give a path, a list of dicts, a datasets.Dataset or a pandas DataFrame")
    return records, incidents


def _names(row: dict[str, Any], labels: dict[str, list[str]]) -> dict[str, Any]:
    ids = [c for c, names in labels.items() if type(row.get(c)) is int and 0 <= row[c] < len(names)]
    return {**row, **{c: labels[c][row[c]] for c in ids}} if ids else row

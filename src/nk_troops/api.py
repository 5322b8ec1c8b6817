"""The public functions ``nk_troops.validate`` and ``nk_troops.evaluate`` over what users hold.

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
        return getattr(sys.modules[__name__], self.__name__.rpartition(".")[2])(*args, **kwargs)


def callable_package(name: str) -> None:
    """Make the package ``name`` (``nk_troops.validate`` or ``nk_troops.evaluate``) call the function of its name here."""
    sys.modules[name].__class__ = _CallablePackage


def _is_path(source: Any) -> bool:
    return isinstance(source, (str, Path))


def rows(source: Any, config: str = "spans") -> tuple[list[dict[str, Any]], list[Any]]:
    """(plain rows with label names, incidents of a DataFrame that fails its pandera model) of a non-path source."""
    from .schemas import label_names

    labels = label_names(config)
    incidents: list[Any] = []
    if type(source).__module__.startswith("pandas") and hasattr(source, "to_dict"):
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


def validate(source: Any, gold: Path | str | None = None) -> Any:
    """Every incident of ``source``: a release folder is checked whole; anything else is predicted spans,
    checked against the gold documents (default: the installed release). Returns a ``Report``
    (``incidents``, ``unusable``); never raises on bad data."""
    from .validate import Report, check_predictions, check_release

    gold = None if gold is None else Path(gold)
    if _is_path(source) and Path(source).is_dir():
        return check_release(Path(source))
    if _is_path(source):
        return check_predictions(Path(source), gold)
    records, incidents = rows(source)
    if incidents:  # the DataFrame's own shape failed: its rows are not worth checking further
        return Report(incidents)
    return check_predictions(records, gold, name=PREDICTIONS)


def evaluate(
    predictions: Any, gold: Path | str | None = None, *, layers: Sequence[str] | None = None, folds: Sequence[int] | None = None
) -> Any:
    """Score predicted spans against the gold release (default: the installed one; a folder given is validated
    first). Returns the typed ``evaluate.Report`` (per layer, per attribute, ``to_dict()``); raises
    ``IncidentError`` on bad input and ``evaluate.EvaluationError`` (with a ``code``) when scoring is refused."""
    from .evaluate.score import check_gold, load_gold, restrict, score
    from .incidents import IncidentError
    from .model import Layer
    from .paths import release_dir
    from .validate import Report, check_predictions

    folder = release_dir() if gold is None else Path(gold)
    if gold is not None and (incidents := check_gold(folder)):
        raise IncidentError(incidents)
    if _is_path(predictions):
        from .evaluate.score import read_jsonl

        report = check_predictions(Path(predictions), folder)
        records = [] if report.incidents else [r for _, r in read_jsonl(Path(predictions))[0]]
    else:
        records, incidents = rows(predictions)
        report = Report(incidents) if incidents else check_predictions(records, folder, name=PREDICTIONS)
    if report.incidents:
        raise IncidentError(report.incidents)
    scored = tuple(Layer) if layers is None else tuple(Layer(layer) for layer in layers)
    return score(*restrict(load_gold(folder), records, folds), scored)

"""The official scorer: predicted spans against the gold release.

``nk_troops.evaluate(predictions, ...)`` calls ``evaluate_source`` below; ``score`` is the scorer
over plain row dicts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import validate
from ..incidents import IncidentError
from ..model import Layer
from ..paths import release_dir
from ..sources import PREDICTIONS, callable_package, is_path, rows
from .score import (
    EvaluationError,
    Overall,
    Report,
    Tally,
    check_gold,
    check_predictions,
    evaluate_file,
    load_gold,
    read_inputs,
    read_jsonl,
    render_text,
    restrict,
    score,
)

__all__ = [
    "EvaluationError",
    "Overall",
    "Report",
    "Tally",
    "check_gold",
    "check_predictions",
    "evaluate_file",
    "evaluate_source",
    "load_gold",
    "read_inputs",
    "read_jsonl",
    "render_text",
    "score",
]


def evaluate_source(
    predictions: Any, gold: Path | str | None = None, *, layers: Sequence[str] | None = None, folds: Sequence[int] | None = None
) -> Any:
    """Score predicted spans against the gold release (default: the installed one; a folder given is validated
    first). Returns the typed ``evaluate.Report`` (per layer, per attribute, ``to_dict()``); raises
    ``IncidentError`` on bad input and ``evaluate.EvaluationError`` (with a ``code``) when scoring is refused."""
    folder = release_dir() if gold is None else Path(gold)
    scored = tuple(Layer) if layers is None else tuple(Layer(layer) for layer in layers)
    if is_path(predictions):
        return evaluate_file(Path(predictions), folder, scored, folds, check=gold is not None)
    if gold is not None and (incidents := check_gold(folder)):
        raise IncidentError(incidents)
    records, incidents = rows(predictions)
    incidents = incidents or validate.check_predictions(records, folder, name=PREDICTIONS).incidents
    if incidents:
        raise IncidentError(incidents)
    return score(*restrict(load_gold(folder), records, folds), scored)


callable_package(__name__, evaluate_source)

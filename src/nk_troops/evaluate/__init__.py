"""The official scorer: predicted spans against the gold release.

``nk_troops.evaluate(predictions, ...)`` calls ``api.evaluate``; ``score`` is the scorer
over plain row dicts."""

from ..api import callable_package
from .score import (
    EvaluationError,
    Overall,
    Report,
    Tally,
    check_gold,
    check_predictions,
    evaluate_file,
    load_gold,
    read_jsonl,
    render_json,
    render_text,
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
    "load_gold",
    "read_jsonl",
    "render_json",
    "render_text",
    "score",
]

callable_package(__name__)

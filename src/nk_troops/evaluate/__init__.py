"""The official scorer: predicted spans against the gold release."""

from .score import Report, check_predictions, evaluate_file, load_gold, read_jsonl, render_json, render_text, score

__all__ = ["Report", "check_predictions", "evaluate_file", "load_gold", "read_jsonl", "render_json", "render_text", "score"]

"""The validator: a release folder, a documents/spans pair or a predictions file -> incidents."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .run import Inputs, Report, release_inputs, validate, validate_predictions

__all__ = ["Inputs", "Report", "check_pair", "check_predictions", "check_release", "release_inputs", "validate", "validate_predictions"]


# --- PROVISIONAL (a14): the three entry points of CONTRACTS.md over the functions above, so the public API
# (nk_troops.validate / nk_troops.evaluate) can be written against them. helper v12's implementation replaces
# this whole section at merge.


def check_release(folder: Path) -> Report:
    """PROVISIONAL. Every incident of a release folder."""
    from .parquet import parquet_rows

    folder = Path(folder)
    if not folder.is_dir():
        from ..incidents import Incident

        return Report([Incident("file-missing", file=str(folder), detail="not a release folder")], unusable=True)
    report = validate(release_inputs(folder))
    report.incidents += parquet_rows(folder)
    return report


def check_pair(documents: Path, spans: Path, sentences: Path | None = None) -> Report:
    """PROVISIONAL. A documents file and a spans file (and a sentences file) checked together."""
    documents, spans = Path(documents), Path(spans)
    raw = documents.parent / "raw"
    return validate(Inputs(documents=documents, spans=spans, sentences=sentences, raw_dir=raw if raw.is_dir() else None))


def check_predictions(predictions: Path | Sequence[dict[str, Any]], gold: Path | None = None, *, name: str = "<rows>") -> Report:
    """PROVISIONAL. Predicted spans (a JSONL path, or rows numbered 1.. as lines of ``name``) against the gold documents."""
    from ..paths import release_dir

    gold = release_dir() if gold is None else Path(gold)
    if isinstance(predictions, (str, Path)):
        return validate_predictions(Path(predictions), gold)
    with tempfile.TemporaryDirectory() as tmp:  # provisional: the rows go through the file reader
        path = Path(tmp) / "rows.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in predictions), encoding="utf-8")
        report = validate_predictions(path, gold)
    report.incidents = [dataclasses.replace(i, file=name) if i.file == str(path) else i for i in report.incidents]
    return report


# --- end of PROVISIONAL

# ``nk_troops.validate(x)``: the package is also the public function (nk_troops/api.py)
from ..api import callable_package  # noqa: E402

callable_package(__name__)

"""The validator: every incident of a release folder, a documents/spans pair or a set of predictions.

A source is a ``Path`` or a sequence of row dicts already in memory (numbered as lines 1.., labelled by ``name=``). Nothing raises on
bad input: problems are incidents, and ``Report.unusable`` says that a path the caller gave does not exist (exit status 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import safe_path
from ..incidents import Incident
from ..paths import CONFIGS, data_file, release_dir
from ..sources import PREDICTIONS, callable_package, is_path, rows
from . import rules  # noqa: F401  (importing registers every rule)
from .reader import Source, source
from .registry import RULES
from .run import Run, execute

SourceLike = Path | Sequence[dict[str, Any]]


@dataclass
class Report:
    incidents: list[Incident] = field(default_factory=list)
    unusable: bool = False  # a path the caller gave does not exist or is not a file / folder

    @property
    def ok(self) -> bool:
        return not self.incidents and not self.unusable


def _run(sources: dict[str, Source], folder: Path | None = None, keep: str | None = None) -> Report:
    """Every rule over the sources, the incidents by file and line (only ``keep``'s, when given)."""
    given = [s for s in sources.values() if s.path is not None and (not s.path.exists() or s.path.is_dir())]  # no file there
    if given and folder is None:
        return Report([Incident("file-not-regular" if s.path.exists() else "file-missing", file=s.label) for s in given], True)  # type: ignore[union-attr]
    incidents = [i for i in execute(Run(sources, folder)) if keep is None or i.file == keep]
    return Report(sorted(incidents, key=lambda i: (i.file or "", -1 if i.line is None else i.line)))


def check_release(folder: Path) -> Report:
    """Every rule over a release folder (data files, raw/, manifest, card, Croissant); nothing outside it is read."""
    folder = Path(folder)
    if not folder.is_dir():
        return Report([Incident("file-missing", file=str(folder), detail="not a folder")], unusable=True)
    sources = {}
    for config in CONFIGS:
        path, unsafe = safe_path(folder, data_file(config), data_file(config))  # a symlink leading out is not followed
        sources[config] = Source(data_file(config), path, None if path else [], [unsafe] if unsafe else [], complete=path is not None)
    return _run(sources, folder)


def check_pair(
    documents: SourceLike, spans: SourceLike, sentences: SourceLike | None = None, *, name: dict[str, str] | None = None, **views: Any
) -> Report:
    """A documents and a spans source, with the sentences and tokens views and the entity and cluster registries when
    given (``views``: entities=, clusters=, tokens=); without sentences, the sentences nested in the documents are the table."""
    given = {"documents": documents, "spans": spans, "sentences": sentences} | views
    sources = {t: source(s, (name or {}).get(t)) for t, s in given.items() if s is not None}
    sources.setdefault("sentences", Source(sources["documents"].label, nested=True))
    return _run(sources)


def check_predictions(predictions: SourceLike, gold: Path | None = None, *, name: str | None = None) -> Report:
    """Predicted spans against the documents of a gold release (default: the installed one): shape, known
    documents, offsets in range and on their text when given. The gold itself is validated on its own."""
    docs = Path(gold if gold is not None else release_dir()) / data_file("documents")
    sources = {"documents": Source(str(docs), path=docs), "predictions": source(predictions, name)}
    sources["predictions"].may_be_empty = True
    return _run(sources, keep=sources["predictions"].label)


def check(source: Any, gold: Path | str | None = None) -> Report:
    """``nk_troops.validate(source)``: a release folder is checked whole; anything else (a JSONL path, row
    dicts, a ``datasets.Dataset``, a pandas DataFrame) is predicted spans, checked against the gold
    documents (default: the installed release). Never raises on bad data."""
    gold = None if gold is None else Path(gold)
    if is_path(source):
        return check_release(Path(source)) if Path(source).is_dir() else check_predictions(Path(source), gold)
    records, incidents = rows(source)  # a DataFrame failing its own shape: its rows are not worth checking further
    return Report(incidents) if incidents else check_predictions(records, gold, name=PREDICTIONS)


__all__ = ["RULES", "Report", "check", "check_pair", "check_predictions", "check_release"]

callable_package(__name__, check)

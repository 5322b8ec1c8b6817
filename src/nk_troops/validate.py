"""The validator: read JSONL robustly, then run every rule over whole tables.

``validate(Inputs)`` checks a release folder or a documents/spans pair (with the
entity and cluster registries when given); ``validate_predictions`` checks model
output against the gold documents. Both return every incident found in one run;
neither raises on bad input.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from . import model
from .checks import documents, edges, figures, manifest, offsets, overlaps, references, typed
from .checks.context import Context, Doc, Table, incident
from .checks.context import table as column_table
from .checks.shape import Shape
from .incidents import Incident
from .jsonl import JsonlReader, read_all
from .model import Layer
from .schemas import DOCUMENT_LISTS

P = ParamSpec("P")
R = TypeVar("R")
SPAN_COLUMNS = ("layer", *(name for name, *_ in model.flat_span_columns()))
# what the table-wide rules need once every chunk has gone through the row rules
KEPT = ("line", "id", "layer", "doc_id", "start", "end", "figures", "quotes", "cluster")
SENTENCE_COLUMNS = tuple(name for name, *_ in model.record_fields(model.Sentence))
SPAN_LISTS = [key for key, cls in DOCUMENT_LISTS.items() if issubclass(cls, model.SpanBase)]
LAYERS = {row: layer.value for row, layer in typed.SPAN_ROWS.items()}  # a typed row's layer is its type


@dataclass
class Inputs:
    documents: Path
    spans: Path
    entities: Path | None = None
    clusters: Path | None = None
    sentences: Path | None = None
    tokens: Path | None = None
    raw_dir: Path | None = None  # where source_file lives; None skips the raw-file rules
    folder: Path | None = None  # a release folder: its manifest is checked


@dataclass
class Report:
    incidents: list[Incident] = field(default_factory=list)
    unusable: bool = False  # a file the run needs could not be read (exit status 2)


def release_inputs(folder: Path) -> Inputs:
    """The files of a release folder; registries are required, the sentences and tokens views optional."""
    optional = {name: folder / f"{name}.jsonl" for name in ("sentences", "tokens")}
    return Inputs(
        documents=folder / "documents.jsonl",
        spans=folder / "spans.jsonl",
        entities=folder / "entities.jsonl",
        clusters=folder / "clusters.jsonl",
        sentences=optional["sentences"] if optional["sentences"].exists() else None,
        tokens=optional["tokens"] if optional["tokens"].exists() else None,
        raw_dir=folder / "raw",
        folder=folder,
    )


def table(records: Iterable[tuple[int, Any]], names: Iterable[str]) -> Table:
    """Columns over decoded dicts or typed rows, built as the rules ask for them."""
    records = list(records)
    return Table([line for line, _ in records], [r for _, r in records], names, LAYERS)


Nested = dict[str, tuple[int, Any]]  # id -> (document line, the record, or the hash of a typed span's fields)


class _Run:
    def __init__(self) -> None:
        self.report = Report()
        self.ctx = Context()

    def add(self, incidents: Iterable[Incident]) -> None:
        self.report.incidents.extend(incidents)

    def read(self, path: Path, shape: str, required: bool = True) -> list[tuple[int, dict[str, Any]]]:
        """Every shape-valid record of a small file."""
        records, reader = read_all(path, str(path))
        self.add(reader.incidents)
        self.report.unusable |= reader.unreadable and required
        good, bad = Shape(shape).check(records, str(path))
        self.add(bad)
        return good

    def documents(self, path: Path, raw_dir: Path | None) -> tuple[Nested, Nested]:
        """Check the document rows one by one; return the spans (by hash when typed) and the sentences they nest."""
        file = str(path)
        reader = JsonlReader(path, file)
        shape = Shape("document")
        spans: Nested = {}
        sentences: Nested = {}
        good_ids: dict[str, list[Any]] = {"line": [], "doc_id": []}
        for chunk in reader.chunks(typed.DOCUMENT_DECODER):
            records, views = [], {}
            for line, doc in chunk:
                view = doc if type(doc) is dict else typed.head(doc)
                if view is not doc and not shape.valid(view):  # a field only the JSON Schema checks
                    doc = view = view | {key: typed.builtins(getattr(doc, key)) for key in DOCUMENT_LISTS}
                records.append((line, doc))
                views[line] = view
                _nest(spans, line, doc, SPAN_LISTS, hashed=True)
                _nest(sentences, line, doc, ["sentences"])
            good, bad = shape.check(records, file)
            self.add(bad)
            for line, _ in good:
                view = views[line]
                good_ids["line"].append(line)
                good_ids["doc_id"].append(view["doc_id"])
                self.add(documents.tiling(line, view, file))
                if raw_dir is not None:
                    self.add(documents.raw_source(line, view, file, raw_dir))
            # spans are looked up in every document that has usable text and passages, even one
            # whose other fields failed the shape pass, so one bad field does not hide every span
            for line, view in views.items():
                usable = _doc(line, view)
                if usable is not None:
                    self.ctx.docs.setdefault(usable.doc_id, usable)
        self.add(reader.incidents)
        self.report.unusable |= reader.unreadable
        self.add(references.duplicates(column_table(good_ids), file, "doc_id"))
        return spans, sentences


def _doc(line: int, doc: dict[str, Any]) -> Doc | None:
    try:
        passages = tuple((int(p["start"]), int(p["end"]), str(p["type"])) for p in doc["passages"])
        if isinstance(doc["doc_id"], str) and isinstance(doc["text"], str) and type(doc["fold"]) is int:
            return Doc(doc["doc_id"], doc["fold"], doc["text"], line, passages)
    except (KeyError, TypeError, ValueError):
        pass
    return None


def _nest(out: Nested, line: int, doc: Any, keys: Iterable[str], hashed: bool = False) -> None:
    """Add the records a document row nests, by id (malformed entries are the shape pass's)."""
    for key in keys:
        if type(doc) is not dict:
            records = getattr(doc, key)
            if hashed:
                out.update(zip(map(attrgetter("id"), records), zip(repeat(line), map(hash, map(typed.span_key, records))), strict=True))
            else:
                out.update((r.id, (line, r)) for r in records)
        elif isinstance(doc.get(key), list):
            out.update((r["id"], (line, r)) for r in doc[key] if isinstance(r, dict) and isinstance(r.get("id"), str))


class _Compare:
    """Rows equal the same records nested in the documents; the nested ones are consumed.

    A typed span row and its typed twin compare by hash; any other pair compares
    field by field, and a twin known only by its hash is read again from its line.
    """

    def __init__(self, nested: Nested, docs_path: Path, columns: Iterable[str]):
        self.nested, self.docs_path, self.cols = nested, docs_path, list(columns)
        self.pending: list[tuple[str, int, dict[str, Any], int, str]] = []  # twins to read again

    def rows(self, chunk: list[tuple[int, Any]], file: str) -> list[Incident]:
        out = []
        pop = self.nested.pop
        for line, row in chunk:
            sid = row.get("id") if type(row) is dict else row.id
            twin_line, twin = pop(sid, (None, None))
            if twin_line is None:
                out.append(incident("row-document-mismatch", file, line, sid, "the same record in its document row", span_id=sid))
                continue
            if type(twin) is int and type(row) is not dict and hash(typed.span_key(row)) == twin:
                continue
            plain = row if type(row) is dict else typed.builtins(row)
            if type(twin) is int:
                self.pending.append((sid, line, plain, twin_line, file))
            else:
                out.extend(self._differ(sid, line, plain, twin_line, twin if type(twin) is dict else typed.builtins(twin), file))
        return out

    def _differ(self, sid: str, line: int, row: dict[str, Any], twin_line: int, twin: dict[str, Any], file: str) -> list[Incident]:
        diff = sorted(c for c in self.cols if twin.get(c) != row.get(c))
        if not diff:
            return []
        return [incident("row-document-mismatch", file, line, diff, f"as in {self.docs_path}:{twin_line}", span_id=sid)]

    def resolve(self) -> list[Incident]:
        """Compare the rows whose hash differed with their twins, read again from the documents file."""
        if not self.pending:
            return []
        wanted = {twin_line for *_, twin_line, _ in self.pending}
        twins: dict[str, dict[str, Any]] = {}
        for chunk in JsonlReader(self.docs_path).chunks(typed.DOCUMENT_DECODER):
            for line, doc in chunk:
                if line in wanted and type(doc) is not dict:
                    twins.update((r.id, typed.builtins(r)) for key in SPAN_LISTS for r in getattr(doc, key))
        out = []
        for sid, line, row, twin_line, file in self.pending:
            out.extend(self._differ(sid, line, row, twin_line, twins.get(sid, {}), file))
        return out

    def leftover(self, docs_file: str, file: str) -> list[Incident]:
        return [
            incident("row-document-mismatch", docs_file, line, sid, f"a row in {file}", span_id=sid)
            for sid, (line, _) in self.nested.items()
        ]


def _without_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """Run without the cycle collector: a run builds millions of acyclic objects that it would only rescan."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run


@_without_gc
def validate(inputs: Inputs) -> Report:
    run = _Run()
    docs_file, spans_file = str(inputs.documents), str(inputs.spans)
    nested_spans, nested_sentences = run.documents(inputs.documents, inputs.raw_dir)
    ctx = run.ctx
    if inputs.entities is not None:
        ents = run.read(inputs.entities, "entity")
        run.add(references.duplicates(table(ents, ["id"]), str(inputs.entities)))
        ctx.entities = {e["id"]: frozenset(e["aliases"]) for _, e in ents}
    clusters_file = str(inputs.clusters)
    if inputs.clusters is not None:
        clus = run.read(inputs.clusters, "cluster")
        run.add(references.duplicates(table(clus, ["id"]), clusters_file))
        run.add(references.conflicts(clus, clusters_file))
        ctx.clusters = {c["id"]: (line, tuple(c["claims"])) for line, c in clus}

    compare = _Compare(nested_spans, inputs.documents, SPAN_COLUMNS)
    kept: dict[str, list[Any]] = {c: [] for c in KEPT}
    broken: set[str] = set()
    reader = JsonlReader(inputs.spans, spans_file)
    shape = Shape("span")
    for chunk in reader.chunks(typed.SPAN_DECODER):
        good, bad = shape.check(chunk, spans_file)
        run.add(bad)
        if bad:  # a span that failed its shape is reported once, not again by every list naming it
            passed = {line for line, _ in good}
            broken.update(r["id"] for line, r in chunk if line not in passed and isinstance(r.get("id"), str))
        t = table(good, SPAN_COLUMNS)
        run.add(offsets.check(t, ctx, spans_file))
        run.add(edges.check(t, spans_file))
        run.add(figures.check(t, spans_file))
        run.add(references.mentions(t, ctx, spans_file))
        run.add(compare.rows(good, spans_file))
        for c in KEPT:
            kept[c].extend(t[c])
    run.add(compare.resolve())
    run.add(reader.incidents)
    run.report.unusable |= reader.unreadable
    # when lines of spans.jsonl could not be read, "missing" spans are not reported again
    complete = reader.records > 0 and all(i.code == "file-bom" for i in reader.incidents)
    if complete:
        compare.nested = {k: v for k, v in compare.nested.items() if k not in broken}
        run.add(compare.leftover(docs_file, spans_file))
    spans = column_table(kept)
    run.add(references.duplicates(spans, spans_file))
    run.add(overlaps.check(offsets.in_range(spans, ctx), spans_file))
    index = references.SpanIndex(spans, broken, complete)
    run.add(references.members(spans, index, spans_file, "figures", Layer.FIGURE))
    run.add(references.members(spans, index, spans_file, "quotes", Layer.QUOTE))
    run.add(references.clusters(spans, ctx, index, spans_file, clusters_file))

    if inputs.sentences is not None:
        sents_file = str(inputs.sentences)
        sents = run.read(inputs.sentences, "sentence")
        st = table(sents, SENTENCE_COLUMNS)
        sentences = _Compare(nested_sentences, inputs.documents, SENTENCE_COLUMNS)
        run.add(sentences.rows(sents, sents_file))
        if complete:
            run.add(sentences.leftover(docs_file, sents_file))
    else:
        sents_file = docs_file
        valid = Shape("sentence").valid  # a sentence of a malformed document row: its shape was reported
        st = table(((line, r) for line, r in nested_sentences.values() if type(r) is not dict or valid(r)), SENTENCE_COLUMNS)
    run.add(offsets.check(st, ctx, sents_file, gold=False))
    run.add(references.duplicates(st, sents_file))
    run.add(references.members(st, index, sents_file, "claims", Layer.CLAIM))
    run.add(references.sentence_decisions(st, sents_file))
    if inputs.tokens is not None:
        run.read(inputs.tokens, "tokenized_sentence")
    if inputs.folder is not None:
        run.add(manifest.check(inputs.folder))
    return run.report


@_without_gc
def validate_predictions(predictions: Path, gold: Path) -> Report:
    """Predicted spans: shape, known documents, offsets in range and on their text when given."""
    run = _Run()
    run.documents(gold / "documents.jsonl", raw_dir=None)
    run.report.incidents = [i for i in run.report.incidents if i.code == "file-missing"]  # the gold is validated on its own
    file = str(predictions)
    reader = JsonlReader(predictions, file)
    shape = Shape("prediction")
    for chunk in reader.chunks():
        good, bad = shape.check(chunk, file)
        run.add(bad)
        run.add(offsets.check(table(good, SPAN_COLUMNS), run.ctx, file, gold=False))
    run.add(reader.incidents)
    run.report.unusable |= reader.unreadable
    return run.report

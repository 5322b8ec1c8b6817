"""The validator: read JSONL robustly, then run every rule over whole tables.

``validate(Inputs)`` checks a release folder or a documents/spans pair (with the
entity and cluster registries when given); ``validate_predictions`` checks model
output against the gold documents. Both return every incident found in one run;
neither raises on bad input.

The documents (``document_pass``) and the span rows (``span_pass``) are checked on
their own first; a large run forks a second process for the documents and the last
part of the spans. The table-wide rules then run here over what both kept.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from ..incidents import Incident
from ..model import Layer
from . import document_pass, forked, span_pass, twins
from .checks import manifest, offsets, overlaps, references, typed
from .checks.context import Context
from .checks.context import table as column_table
from .checks.shape import Shape
from .document_pass import SENTENCE_COLUMNS, SPAN_LISTS
from .forked import Forked, TwoEnded
from .jsonl import Decoder, JsonlReader
from .span_pass import SPAN_COLUMNS, table

P = ParamSpec("P")
R = TypeVar("R")
PARALLEL_BYTES = 1 << 25  # below 32 MB of input a second process costs more than it saves


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


class _Run:
    def __init__(self) -> None:
        self.report = Report()

    def add(self, incidents: Iterable[Incident]) -> None:
        self.report.incidents.extend(incidents)

    def read(self, path: Path, shape: str, decoder: Decoder | None = None) -> list[tuple[int, Any]]:
        """Every shape-valid record of a file read whole (registries, sentences)."""
        reader = JsonlReader(path, str(path))
        records = [r for chunk in reader.chunks(decoder) for r in chunk]
        self.add(reader.incidents)
        self.report.unusable |= reader.unreadable
        good, bad = Shape(shape).check(records, str(path))
        self.add(bad)
        return good


def _shape_valid(path: Path, shape: str, decoder: Decoder) -> Iterator[list[tuple[int, Any]]]:
    """The shape-valid records of a file read again, chunk by chunk (its incidents were reported the first time)."""
    check = Shape(shape).check
    for chunk in JsonlReader(path).chunks(decoder):
        yield check(chunk, str(path))[0]


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
def validate(inputs: Inputs, parallel: bool | None = None) -> Report:
    """Every incident of the inputs; ``parallel`` asks for or forbids the second process (else: by size;
    never where processes cannot fork). Either way the incidents are the same."""
    run = _Run()
    docs_file, spans_file = str(inputs.documents), str(inputs.spans)
    ctx = Context()
    if inputs.entities is not None:
        ents = run.read(inputs.entities, "entity")
        run.add(references.duplicates(table(ents, ["id"]), str(inputs.entities)))
        ctx.entities = {e["id"]: frozenset(e["aliases"]) for _, e in ents}
    nested_sentences = inputs.sentences is None
    if parallel is None:
        parallel = _size(inputs.documents) + _size(inputs.spans) >= PARALLEL_BYTES
    if parallel and forked.available():
        ranges = span_pass.parts(inputs.spans)
        queue = TwoEnded(len(ranges))
        second = Forked(functools.partial(_second, inputs, nested_sentences, ranges, queue, ctx.entities))
        ctx.docs = document_pass.read_docs(inputs.documents)[0]
        checked: dict[int, Any] = {}

        def done(i: int, part: span_pass.Result) -> None:
            checked[i] = part
            checked.update(second.arrived())  # what the second process has sent meanwhile

        span_pass.check_parts(inputs.spans, ctx, ranges, queue, True, done)
        checked.update(second.rest())
        docs = checked.pop("documents")
        docs.docs = ctx.docs
        spans = span_pass.merge([checked[i] for i in range(len(ranges))], spans_file)
    else:
        docs = document_pass.check(inputs.documents, inputs.raw_dir, nested_sentences)
        ctx.docs = docs.docs
        spans = span_pass.check(inputs.spans, ctx)
    run.add(docs.incidents)
    run.report.unusable |= docs.unusable
    run.add(spans.incidents)
    run.add(spans.reading)
    run.report.unusable |= spans.unreadable
    complete = spans.complete

    clusters_file = str(inputs.clusters)
    if inputs.clusters is not None:
        clus = run.read(inputs.clusters, "cluster")
        run.add(references.duplicates(table(clus, ["id"]), clusters_file))
        run.add(references.conflicts(clus, clusters_file))
        ctx.clusters = {c["id"]: (line, tuple(c["claims"])) for line, c in clus}

    rereads = _shape_valid(inputs.spans, "span", typed.SPAN_DECODER)
    keys = docs.spans.differ(spans.rows)
    run.add(twins.compare(keys, inputs.documents, SPAN_LISTS, SPAN_COLUMNS, rereads, spans_file, spans.broken if complete else None))
    kept = span_pass.kept_table(spans, ctx.corpus)
    index = references.SpanIndex(kept, ctx.corpus, spans.broken, complete)
    for (column, layer), cleared in zip(span_pass.MEMBER_LISTS, span_pass.cleared(spans, kept).values(), strict=True):
        run.add(references.members(kept, index, spans_file, column, layer, cleared))
    run.add(references.duplicates(kept, spans_file))
    run.add(overlaps.check(offsets.in_range(kept, ctx), ctx.corpus, spans_file))
    run.add(references.clusters(kept, ctx, index, spans_file, clusters_file))

    if inputs.sentences is not None:
        sents_file = str(inputs.sentences)
        sents = run.read(inputs.sentences, "sentence", typed.SENTENCE_DECODER)
        st = table(sents, SENTENCE_COLUMNS)
        sentence_rows = twins.Digests()
        sentence_rows.add([r for _, r in sents])
        keys = docs.sentences.differ(sentence_rows)
        run.add(twins.compare(keys, inputs.documents, ["sentences"], SENTENCE_COLUMNS, [sents], sents_file, set() if complete else None))
        run.add(offsets.check(st, ctx, sents_file, gold=False))
        run.add(references.duplicates(st, sents_file))
        run.add(references.sentence_decisions(st, sents_file))
        run.add(references.members(st, index, sents_file, "claims", Layer.CLAIM))
    else:  # the nested sentences are the table, checked by the documents pass but for their claims
        bounds = column_table(docs.sentence_bounds or {"line": [], "doc_id": [], "start": [], "end": []})
        if index.broken or not kept.unique("id") or references.inside_digest(bounds, index, Layer.CLAIM) != docs.sentence_claims:
            run.add(references.members(document_pass.sentence_table(inputs.documents), index, docs_file, "claims", Layer.CLAIM))
    if inputs.tokens is not None:
        run.read(inputs.tokens, "tokenized_sentence")
    if inputs.folder is not None:
        run.add(manifest.check(inputs.folder))
    return run.report


@_without_gc
def _second(
    inputs: Inputs,
    nested_sentences: bool,
    ranges: list[tuple[int, int | None]],
    queue: TwoEnded,
    entities: dict[str, frozenset[str]] | None,
    send: Callable[[Any], None],
) -> None:
    """The second process: the documents, then what parts of the spans are left, from the back, each
    sent as soon as it is checked (as a (key, result) pair)."""
    docs = document_pass.check(inputs.documents, inputs.raw_dir, nested_sentences)
    ctx = Context(docs=docs.docs, entities=entities)
    docs.docs = {}  # the first process read its own: not worth sending back
    send(("documents", docs))
    span_pass.check_parts(inputs.spans, ctx, ranges, queue, False, lambda i, part: send((i, part)))


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


@_without_gc
def validate_predictions(predictions: Path, gold: Path) -> Report:
    """Predicted spans: shape, known documents, offsets in range and on their text when given."""
    run = _Run()
    docs, reader = document_pass.read_docs(gold / "documents.jsonl")
    run.add(i for i in reader.incidents if i.code == "file-missing")  # the gold is validated on its own
    run.report.unusable |= reader.unreadable
    ctx = Context(docs=docs)
    file = str(predictions)
    reader = JsonlReader(predictions, file)
    shape = Shape("prediction")
    for chunk in reader.chunks():
        good, bad = shape.check(chunk, file)
        run.add(bad)
        run.add(offsets.check(table(good, SPAN_COLUMNS), ctx, file, gold=False))
    run.add(reader.incidents)
    run.report.unusable |= reader.unreadable
    return run.report

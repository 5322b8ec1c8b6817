"""The validator: read JSONL robustly, then run every rule over whole tables.

``validate(Inputs)`` checks a release folder or a documents/spans pair (with the
entity and cluster registries when given); ``validate_predictions`` checks model
output against the gold documents. Both return every incident found in one run;
neither raises on bad input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import model
from .checks import documents, edges, figures, manifest, offsets, overlaps, references
from .checks.context import Context, Doc, Table, incident
from .checks.shape import Shape
from .incidents import Incident
from .jsonl import JsonlReader, read_all
from .model import Layer
from .schemas import DOCUMENT_LISTS

SPAN_COLUMNS = ("layer", *(name for name, *_ in model.flat_span_columns()))
# what the table-wide rules need once every chunk has gone through the row rules
KEPT = ("line", "id", "layer", "doc_id", "start", "end", "figures", "quotes", "cluster")
SENTENCE_COLUMNS = tuple(name for name, *_ in model.record_fields(model.Sentence))


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


def table(records: Iterable[tuple[int, dict[str, Any]]], names: Iterable[str]) -> Table:
    records = list(records)
    t: Table = {"line": [line for line, _ in records]}
    for name in names:
        t[name] = [r.get(name) for _, r in records]
    return t


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

    def documents(self, path: Path, raw_dir: Path | None) -> list[tuple[int, dict[str, Any]]]:
        records, reader = read_all(path, str(path))
        self.add(reader.incidents)
        self.report.unusable |= reader.unreadable
        good, bad = Shape("document").check(records, str(path))
        self.add(bad)
        file = str(path)
        self.add(references.duplicates(table(good, ["doc_id"]), file, "doc_id"))
        for line, doc in good:
            self.add(documents.tiling(line, doc, file))
            if raw_dir is not None:
                self.add(documents.raw_source(line, doc, file, raw_dir))
        # spans are looked up in every document that has usable text and passages, even one
        # whose other fields failed the shape pass, so one bad field does not hide every span
        for line, doc in records:
            usable = _doc(line, doc)
            if usable is not None:
                self.ctx.docs.setdefault(usable.doc_id, usable)
        return records


def _doc(line: int, doc: dict[str, Any]) -> Doc | None:
    try:
        passages = tuple((int(p["start"]), int(p["end"]), str(p["type"])) for p in doc["passages"])
        if isinstance(doc["doc_id"], str) and isinstance(doc["text"], str) and type(doc["fold"]) is int:
            return Doc(doc["doc_id"], doc["fold"], doc["text"], line, passages)
    except (KeyError, TypeError, ValueError):
        pass
    return None


def _nested(docs: list[tuple[int, dict[str, Any]]], keys: Iterable[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Records nested in document rows, by id, with the document's line (malformed entries are the shape pass's)."""
    return {
        r["id"]: (line, r)
        for line, doc in docs
        for key in keys
        if isinstance(doc.get(key), list)
        for r in doc[key]
        if isinstance(r, dict) and isinstance(r.get("id"), str)
    }


def _compare(t: Table, nested: dict[str, tuple[int, dict[str, Any]]], file: str, docs_file: str, columns: Iterable[str]) -> list[Incident]:
    """Rows equal the same records nested in the documents; the nested ones are consumed."""
    out = []
    cols = list(columns)
    for i, sid in enumerate(t["id"]):
        line, twin = nested.pop(sid, (None, None))
        row = {c: t[c][i] for c in cols}
        if twin is None:
            out.append(incident("row-document-mismatch", file, t["line"][i], sid, "the same record in its document row", span_id=sid))
        elif {c: twin.get(c) for c in cols} != row:
            diff = sorted(c for c in cols if twin.get(c) != row[c])
            out.append(incident("row-document-mismatch", file, t["line"][i], diff, f"as in {docs_file}:{line}", span_id=sid))
    return out


def _leftover(nested: dict[str, tuple[int, dict[str, Any]]], docs_file: str, file: str) -> list[Incident]:
    return [incident("row-document-mismatch", docs_file, line, sid, f"a row in {file}", span_id=sid) for sid, (line, _) in nested.items()]


def validate(inputs: Inputs) -> Report:
    run = _Run()
    docs_file, spans_file = str(inputs.documents), str(inputs.spans)
    docs = run.documents(inputs.documents, inputs.raw_dir)
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

    span_lists = [k for k, cls in DOCUMENT_LISTS.items() if issubclass(cls, model.SpanBase)]
    nested = _nested(docs, span_lists)
    kept: Table = {c: [] for c in KEPT}
    broken: set[str] = set()
    reader = JsonlReader(inputs.spans, spans_file)
    shape = Shape("span")
    for chunk in reader.chunks():
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
        run.add(_compare(t, nested, spans_file, docs_file, SPAN_COLUMNS))
        for c in KEPT:
            kept[c].extend(t[c])
    run.add(reader.incidents)
    run.report.unusable |= reader.unreadable
    # when lines of spans.jsonl could not be read, "missing" spans are not reported again
    complete = reader.records > 0 and all(i.code == "file-bom" for i in reader.incidents)
    if complete:
        run.add(_leftover({k: v for k, v in nested.items() if k not in broken}, docs_file, spans_file))
    run.add(references.duplicates(kept, spans_file))
    run.add(overlaps.check(offsets.in_range(kept, ctx), spans_file))
    index = references.SpanIndex(kept, broken, complete)
    run.add(references.members(kept, index, spans_file, "figures", Layer.FIGURE))
    run.add(references.members(kept, index, spans_file, "quotes", Layer.QUOTE))
    run.add(references.clusters(kept, ctx, index, spans_file, clusters_file))

    nested_sentences = _nested(docs, ["sentences"])
    if inputs.sentences is not None:
        sents_file = str(inputs.sentences)
        st = table(run.read(inputs.sentences, "sentence"), SENTENCE_COLUMNS)
        run.add(_compare(st, nested_sentences, sents_file, docs_file, SENTENCE_COLUMNS))
        if complete:
            run.add(_leftover(nested_sentences, docs_file, sents_file))
    else:
        sents_file = docs_file
        st = table(((line, r) for _, (line, r) in nested_sentences.items()), SENTENCE_COLUMNS)
    run.add(offsets.check(st, ctx, sents_file, gold=False))
    run.add(references.duplicates(st, sents_file))
    run.add(references.members(st, index, sents_file, "claims", Layer.CLAIM))
    run.add(references.sentence_decisions(st, sents_file))
    if inputs.tokens is not None:
        run.read(inputs.tokens, "tokenized_sentence")
    if inputs.folder is not None:
        run.add(manifest.check(inputs.folder))
    return run.report


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

"""One validation run: each input read once, in ``ORDER``, a chunk of rows at a time; the shape pass
first, then every row rule that applies; the rules over whole tables last.

A rule over spans can so look up the documents, entities and clusters already read.
What the rules over whole tables need is kept small (``Kept``: a span's place and lists,
not its text), and a nested record is kept, as its ``form``, only until its row has been
compared with it: a million spans fit in memory.
"""

from __future__ import annotations

import bisect
import gc
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from .. import model
from ..incidents import Incident
from ..schemas import DOCUMENT_LISTS
from ..text import CONTEXT
from .reader import Source
from .registry import RULES
from .shape import shape

# table -> the record type of its rows (a key of schemas.RECORDS), in the order tables are read
RECORD = dict(documents="document", entities="entity", clusters="cluster", spans="span", sentences="sentence")
RECORD |= dict(tokens="tokenized_sentence", predictions="prediction")
CHUNK = 4096  # rows handed to the row rules at a time
Rows = list[tuple[int, dict[str, Any]]]  # (line, shape-valid row)
NESTED = {"spans": [key for key, cls in DOCUMENT_LISTS.items() if issubclass(cls, model.SpanBase)], "sentences": ["sentences"]}
_SPAN_COLUMNS = {layer.value: ("layer", *(c for c, _, _, has in model.flat_span_columns() if layer in has)) for layer in model.Layer}
_SPAN_COLUMNS["spans"] = ("layer", *(c for c, *_ in model.flat_span_columns()))  # (of a record without a known layer)
_SENTENCE_COLUMNS = tuple(DOCUMENT_LISTS["sentences"].__annotations__)
_PLAIN = ("figures", "quotes", "claims", "speaker_span", "cue_span", "claimant_span")  # lists and mentions
_TEXT = ("text", "prefix", "suffix")  # in the order form() compares them


class _Form(NamedTuple):
    """Where a record's form finds its values: the columns of its layer (the ``others`` must be null), the
    lists and mentions among them (``plain``), and text, prefix and suffix (in the order form() compares them)."""

    columns: tuple[str, ...]
    others: tuple[str, ...]
    plain: list[int]
    texts: list[int]


def _layout(columns: tuple[str, ...]) -> _Form:
    others = tuple(c for c in _SPAN_COLUMNS["spans"] if c not in columns) if "layer" in columns else ()
    plain = [i for i, c in enumerate(columns) if c in _PLAIN]
    return _Form(columns, others, plain, [columns.index(c) for c in _TEXT if c in columns])


_FORMS = {key: _layout(cols) for key, cols in _SPAN_COLUMNS.items()} | {"sentence": _layout(_SENTENCE_COLUMNS)}
SAME = "<the document text there>"
_WHERE = {"doc_id": "doc_id", "span_id": "id", "start": "start", "end": "end"}


def form(table: str, rec: dict[str, Any], text: str | None, kept: bool = False) -> tuple:
    """A span or sentence as a row and its nested twin must share it, in one tuple: the columns of its layer,
    whether the others are null, mentions as (start, end, number of keys), lists as tuples, text, prefix and
    suffix ``SAME`` when they are the document ``text`` at its offsets. A ``kept`` form (of a nested record,
    until its row is read) holds its strings interned: a million of them fit in memory, their many repeated
    values stored once."""
    layer = rec.get("layer") if table == "spans" else "sentence"
    f = _FORMS.get(layer, _FORMS["spans"]) if type(layer) is str else _FORMS["spans"]  # type: ignore[call-overload]
    values = list(map(rec.get, f.columns))
    others = list(map(rec.get, f.others))
    values.append(others.count(None) == len(others))
    for i in f.plain:
        if type(v := values[i]) is list:
            values[i] = tuple(sys.intern(x) if kept and type(x) is str else x for x in v)
        elif type(v) is dict:
            values[i] = (v.get("start"), v.get("end"), len(v))
    start, end = rec.get("start"), rec.get("end")
    if type(start) is int and type(end) is int and text is not None:
        at = (text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT])
        for i, want in zip(f.texts, at, strict=False):
            values[i] = SAME if values[i] == want else values[i]
    return tuple(sys.intern(v) if type(v) is str else v for v in values) if kept else tuple(values)


def at(code: str, file: str, line: int | None, row: dict | None = None, found: Any = None, expected: Any = None, **extra: Any) -> Incident:
    """An incident at a row: its document, id and offsets (unless ``extra`` says otherwise)."""
    where = {k: row.get(f) for k, f in _WHERE.items()} if row is not None else {}
    return Incident(code, file, line, found=found, expected=expected, **(where | extra))


class Doc(NamedTuple):
    line: int
    doc_id: str
    fold: int
    text: str
    passages: tuple[tuple[int, int, Any], ...]  # (start, end, type) in reading order

    def passage_at(self, start: int, end: int) -> tuple[int, int, Any] | None:
        """The passage holding [start, end), or None when the range crosses or misses passages."""
        i = bisect.bisect_right(self.passages, start, key=itemgetter(0)) - 1
        return self.passages[i] if i >= 0 and self.passages[i][0] <= start and end <= self.passages[i][1] else None


class Kept(NamedTuple):
    """What the rules over whole tables need of a span or sentence row."""

    line: int
    id: str
    layer: str  # "sentence" for a sentence
    doc_id: str
    start: int
    end: int
    figures: tuple[str, ...] | None  # a claim's
    quotes: tuple[str, ...] | None  # a claim's
    cluster: str | None  # a claim's
    claims: tuple[str, ...] | None  # a sentence's


@dataclass
class Run:
    sources: dict[str, Source]
    folder: Path | None = None  # a release folder: its raw files, manifest, card and Croissant are checked
    incidents: list[Incident] = field(default_factory=list)
    docs: dict[str, Doc] = field(default_factory=dict)  # the usable documents, by id (the first row of an id)
    entities: dict[str, frozenset[str]] = field(default_factory=dict)  # id -> aliases
    clusters: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)  # id -> (line, claims)
    conflicts: list[tuple[int, str, str]] = field(default_factory=list)  # (line, cluster named, cluster naming it)
    nested: dict[str, dict[str, tuple]] = field(default_factory=lambda: {"spans": {}, "sentences": {}})  # id -> (line, doc_id, *form)
    kept: dict[str, list[Kept]] = field(default_factory=lambda: defaultdict(list))
    broken: set[str] = field(default_factory=set)  # ids of records that failed their shape: reported once
    seen: dict[str, dict[Any, int]] = field(default_factory=lambda: defaultdict(dict))  # per table, id -> first line
    digests: dict[str, tuple] = field(default_factory=dict)  # (SHA-256, size, problem) of the folder's files, read once
    blobs: dict[str, Any] = field(default_factory=dict)  # the folder's manifest, card metadata and Croissant, read once

    def file(self, table: str) -> str:
        return self.sources[table].label

    def has(self, *tables: str) -> bool:
        folder = {"folder": self.folder, "raw": self.folder / "raw" if self.folder and (self.folder / "raw").is_dir() else None}
        return all(t in self.sources or folder.get(t) is not None for t in tables)

    def complete(self, table: str) -> bool:
        """Every line of the table was read: an id it lacks is really missing."""
        return table in self.sources and self.sources[table].complete

    @cached_property
    def by_id(self) -> dict[str, Kept]:
        return {k.id: k for k in self.kept["spans"]}

    @cached_property
    def sentence_by_id(self) -> dict[str, Kept]:
        return {k.id: k for k in self.kept["sentences"]}

    @cached_property
    def sorted_spans(self) -> dict[tuple[str, str], tuple[list[int], list[Kept]]]:
        """Per (document, layer), the spans in range sorted by start and end, with their starts (to bisect)."""
        groups: dict[tuple[str, str], list[Kept]] = defaultdict(list)
        for k in self.kept["spans"]:
            if k.doc_id in self.docs and 0 <= k.start < k.end <= len(self.docs[k.doc_id].text):
                groups[k.doc_id, k.layer].append(k)
        for spans in groups.values():
            spans.sort(key=lambda k: (k.start, k.end))
        return {key: ([k.start for k in spans], spans) for key, spans in groups.items()}

    def inside(self, doc_id: str, layer: str, start: int, end: int) -> list[Kept]:
        """The spans of ``layer`` that lie within [start, end) of the document."""
        starts, spans = self.sorted_spans.get((doc_id, layer), ([], []))
        return [k for k in spans[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)] if k.end <= end]


def _ints(p: dict[str, Any]) -> bool:
    return type(p.get("start")) is int and type(p.get("end")) is int


def _document(run: Run, line: int, row: dict[str, Any]) -> None:
    """Register a document row's text and passages (even when another of its fields fails the shape pass, so
    that one bad field does not hide every span), and the forms of the records it nests (``nested_twins``);
    without a sentences file, run the sentence rules over its nested sentences."""
    try:
        # a passage with broken offsets is left out: only the spans inside it then seem to cross passages
        passages = tuple((p["start"], p["end"], p.get("type")) for p in row["passages"] if type(p) is dict and _ints(p))
        if isinstance(row["doc_id"], str) and isinstance(row["text"], str) and type(row["fold"]) is int:
            run.docs.setdefault(row["doc_id"], Doc(line, row["doc_id"], row["fold"], row["text"], passages))
    except (KeyError, TypeError):
        pass
    doc = run.docs.get(row.get("doc_id")) if isinstance(row.get("doc_id"), str) else None
    for table, keys in NESTED.items():
        lists = [row[key] for key in keys if table in run.sources and isinstance(row.get(key), list)]
        records = [r for rs in lists for r in rs if isinstance(r, dict) and isinstance(r.get("id"), str)]
        if table == "sentences" and run.has(table) and run.sources[table].nested:
            _check(run, table, [(line, r) for r in records if shape("sentence").valid(r)])  # an invalid one is reported with its row
            continue
        for rec in records:  # with the text of the document holding it, when the record names that document
            text = doc.text if doc is not None and doc.line == line and rec.get("doc_id") == doc.doc_id else None
            run.nested[table][rec["id"]] = (line, row.get("doc_id"), *form(table, rec, text, kept=True))


def _keep(run: Run, table: str, rows: Rows) -> None:
    """What the rules over whole tables need of shape-valid rows."""
    for line, row in rows:
        if table == "entities":
            run.entities[row["id"]] = frozenset(row["aliases"])
        elif table == "clusters":
            run.clusters[row["id"]] = (line, tuple(row["claims"]))
            run.conflicts.extend((line, c["cluster"], row["id"]) for c in row["conflicts_with"])
        elif table in ("spans", "sentences"):
            claim = row.get("layer") == "claim"
            lists = (tuple(row["figures"]), tuple(row["quotes"]), sys.intern(row["cluster"])) if claim else (None, None, None)
            claims = tuple(row["claims"]) if table == "sentences" else None
            layer, doc_id = sys.intern(row.get("layer", "sentence")), sys.intern(row["doc_id"])
            run.kept[table].append(Kept(line, row["id"], layer, doc_id, row["start"], row["end"], *lists, claims))


def _check(run: Run, table: str, rows: Rows) -> None:
    _keep(run, table, rows)
    for r in RULES.values():
        if table in r.on and run.has(*r.needs):
            run.incidents.extend(r.fn(run, table, rows))


def execute(run: Run) -> list[Incident]:
    """Every incident of the run. The cycle collector is off meanwhile: it would only rescan, again and
    again, the many acyclic records a run keeps (a third of the time at 100,000 spans)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        for table in (t for t in RECORD if t in run.sources):
            src, valid, record = run.sources[table], [], shape(RECORD[table])
            for line, row in src:
                if table == "documents":
                    _document(run, line, row)
                problems = record.check(line, row, src.label, line in src.not_finite)
                run.incidents.extend(problems)
                if problems and isinstance(row.get("id"), str):
                    run.broken.add(row["id"])
                elif not problems:
                    valid.append((line, row))
                if len(valid) == (1 if table == "documents" else CHUNK):  # a document row nests thousands of records
                    _check(run, table, valid)
                    valid = []
            _check(run, table, valid)
            run.incidents.extend(src.incidents)
            for r in RULES.values():
                if r.finish and table in r.on and run.has(*r.needs):
                    run.incidents.extend(r.fn(run, table, None))
        for r in RULES.values():
            if not r.on and run.has(*r.needs):
                run.incidents.extend(r.fn(run))
        return run.incidents
    finally:
        if enabled:
            gc.enable()

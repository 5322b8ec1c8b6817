"""One validation run, document by document.

Each file is read once and its rows are checked in file order: entities and clusters first (the span rules look them up), then
documents.jsonl in step with spans.jsonl and sentences.jsonl. A span or sentence row is checked once the document it names has been
read, and compared there with the record of its id that the document nests. A release's rows follow its documents, so a run holds one
document's nested records at a time; of the rows, it keeps only what the rules over whole tables need (``Kept``).
"""

from __future__ import annotations

import bisect
import gc
import sys
from collections import defaultdict, namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, islice
from pathlib import Path
from typing import Any

from .. import model
from ..incidents import Incident
from ..paths import RAW
from ..schemas import DOCUMENT_LISTS
from .reader import Source
from .registry import RULES
from .shape import shape

# table -> the record type of its rows (a key of schemas.RECORDS), in the order tables are read
RECORD = dict(entities="entity", clusters="cluster", documents="document", spans="span", sentences="sentence")
RECORD |= dict(tokens="tokenized_sentence", predictions="prediction")
CHUNK = 4096  # rows handed to the row rules at a time
Rows = list[tuple[int, dict[str, Any]]]  # (line, shape-valid row)
NESTED = {"spans": [key for key, cls in DOCUMENT_LISTS.items() if issubclass(cls, model.SpanBase)], "sentences": ["sentences"]}
_WHERE = {"doc_id": "doc_id", "span_id": "id", "start": "start", "end": "end"}


def at(code: str, file: str, line: int | None, row: Any = None, found: Any = None, expected: Any = None, **extra: Any) -> Incident:
    """An incident at a row (or a ``Kept`` row): its document, id and offsets (unless ``extra`` says otherwise)."""
    row = row._asdict() if isinstance(row, tuple) else row
    where = {k: row.get(f) for k, f in _WHERE.items()} if row is not None else {}
    return Incident(code, file, line, found=found, expected=expected, **(where | extra))


Doc = namedtuple("Doc", "fold text passages")  # passages: (start, end, type) in reading order
# what the rules over whole tables need of a span or sentence row: "sentence" is a sentence's layer;
# figures, quotes and cluster are a claim's, claims a sentence's (None otherwise)
Kept = namedtuple("Kept", "line id layer doc_id start end figures quotes cluster claims")


@dataclass
class Run:
    sources: dict[str, Source]
    folder: Path | None = None  # a release folder: its raw files, manifest, card and Croissant are checked
    incidents: list[Incident] = field(default_factory=list)
    docs: dict[str, Doc] = field(default_factory=dict)  # the usable documents, by id (the first row of an id)
    entities: dict[str, frozenset[str]] = field(default_factory=dict)  # id -> aliases
    clusters: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)  # id -> (line, claims)
    conflicts: list[tuple[int, str, str]] = field(default_factory=list)  # (line, cluster named, cluster naming it)
    nested: dict[str, dict[str, tuple]] = field(default_factory=lambda: {"spans": {}, "sentences": {}})  # id -> (line, doc_id, record)
    waiting: dict[str, list] = field(default_factory=lambda: defaultdict(list))  # rows whose nested record is not read yet
    kept: dict[str, list[Kept]] = field(default_factory=lambda: defaultdict(list))
    broken: set[str] = field(default_factory=set)  # ids of records that failed their shape: reported once
    seen: dict[str, dict[Any, int]] = field(default_factory=lambda: defaultdict(dict))  # per table, id -> first line
    digests: dict[str, tuple] = field(default_factory=dict)  # (SHA-256, size, problem) of the folder's files, read once
    blobs: dict[str, Any] = field(default_factory=dict)  # the folder's manifest, card metadata and Croissant, read once

    def __post_init__(self) -> None:
        folder = ["folder", *(["raw"] if (self.folder / RAW).exists() else [])] if self.folder else []
        self.given = {*self.sources, *folder}  # the inputs a rule may need

    def file(self, table: str) -> str:
        return self.sources[table].label

    def has(self, *tables: str) -> bool:
        return self.given.issuperset(tables)

    def complete(self, table: str) -> bool:
        """Every line of the table was read: an id it lacks is really missing."""
        return table in self.sources and self.sources[table].complete

    @cached_property
    def ids(self) -> dict[str, dict[str, Kept]]:
        """The kept spans and sentences by id (the last row of an id)."""
        return {table: {k.id: k for k in self.kept[table]} for table in ("spans", "sentences")}

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


def _document(run: Run, line: int, row: dict[str, Any]) -> None:
    """Register a document row's text and passages (even when another of its fields fails the shape pass, so
    that one bad field does not hide every span), and the records it nests, until their rows are read;
    without a sentences file, run the sentence rules over its nested sentences."""
    try:  # a passage with broken offsets is left out: only the spans inside it then seem to cross passages
        ok = [p for p in row["passages"] if type(p) is dict and type(p.get("start")) is int and type(p.get("end")) is int]
        if isinstance(row["doc_id"], str) and isinstance(row["text"], str) and type(row["fold"]) is int:
            passages = tuple((p["start"], p["end"], p.get("type")) for p in ok)
            run.docs.setdefault(row["doc_id"], Doc(row["fold"], row["text"], passages))
    except (KeyError, TypeError):
        pass
    for table, keys in NESTED.items():
        lists = [row[key] for key in keys if table in run.sources and isinstance(row.get(key), list)]
        records = [r for rs in lists for r in rs if isinstance(r, dict) and isinstance(r.get("id"), str)]
        if table == "sentences" and run.has(table) and run.sources[table].nested:
            _check(run, table, [(line, r) for r in records if shape("sentence").valid(r)])  # an invalid one is reported with its row
        else:
            run.nested[table].update((r["id"], (line, row.get("doc_id"), r)) for r in records)


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
            layer, doc_id = sys.intern(row.get("layer", "sentence")), sys.intern(row["doc_id"])  # stored once, a million spans
            run.kept[table].append(Kept(line, row["id"], layer, doc_id, row["start"], row["end"], *lists, claims))


def _check(run: Run, table: str, rows: Rows) -> None:
    """Every row rule over shape-valid rows."""
    _keep(run, table, rows)
    for r in RULES.values():
        if table in r.on and run.has(*r.needs):
            run.incidents.extend(r.fn(run, table, rows))


def _valid(run: Run, table: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The shape-valid rows of a table in file order, the other rows reported on the way."""
    src, record = run.sources[table], shape(RECORD[table])
    for line, row in src:
        if table == "documents":
            _document(run, line, row)
        problems = record.check(line, row, src.label, line in src.not_finite)
        run.incidents.extend(problems)
        if not problems:
            yield line, row
        elif isinstance(row.get("id"), str):
            run.broken.add(row["id"])
    run.incidents.extend(src.incidents)


def _table(run: Run, table: str) -> None:
    """Every row rule over the table's shape-valid rows, a chunk at a time."""
    rows = _valid(run, table)
    while chunk := list(islice(rows, CHUNK)):
        _check(run, table, chunk)


def _in_step(run: Run, tables: list[str]) -> None:
    """documents.jsonl read in step with ``tables``: a document row on its own, then each table's rows as far as
    they name documents read so far, so a run holds one document's nested records at a time (a row naming a
    document not read yet waits; one naming none, until every document has been read)."""
    rows = {t: _valid(run, t) for t in tables}
    heads = {t: next(rows[t], None) for t in tables}  # each table's next row
    for doc in chain(_valid(run, "documents"), [None]):  # None: every document has been read
        if doc is not None:
            _check(run, "documents", [doc])
        for t in tables:
            chunk: Rows = []
            while heads[t] is not None and (doc is None or heads[t][1]["doc_id"] in run.docs):  # type: ignore[index]
                chunk.append(heads[t])  # type: ignore[arg-type]
                heads[t] = next(rows[t], None)
                if len(chunk) == CHUNK:
                    _check(run, t, chunk)
                    chunk = []
            _check(run, t, chunk)


def execute(run: Run) -> list[Incident]:
    """Every incident of the run. The cycle collector is off meanwhile: it would only rescan, again and
    again, the many acyclic records a run keeps (a third of the time at 100,000 spans)."""
    enabled = gc.isenabled()
    gc.disable()
    in_step = [t for t in ("spans", "sentences") if "documents" in run.sources and t in run.sources and not run.sources[t].nested]
    try:
        for table in (t for t in RECORD if t in run.sources and t not in in_step):
            if table == "documents":
                _in_step(run, in_step)
            else:
                _table(run, table)
            for t in [table, *in_step] if table == "documents" else [table]:  # each of its rows has been read
                for r in RULES.values():
                    if r.finish and t in r.on and run.has(*r.needs):
                        run.incidents.extend(r.fn(run, t, None))
        for r in RULES.values():
            if not r.on and run.has(*r.needs):
                run.incidents.extend(r.fn(run))
        return run.incidents
    finally:
        if enabled:
            gc.enable()

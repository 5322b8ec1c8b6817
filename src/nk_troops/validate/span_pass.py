"""The rows of spans.jsonl, chunk by chunk: shape and every rule one row can be checked by alone.

Each chunk is checked and dropped; what the table-wide rules need is kept (``KEPT``),
with the rows' digests for the comparison with the documents (``twins.py``). A large
file is checked in parts (``parts``), which two processes take from either end
(``check_parts``); ``merge`` joins them as if the file had been read in one go.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import model
from ..incidents import Incident
from ..model import Layer
from .checks import edges, figures, offsets, references, typed
from .checks.context import Context, Corpus, Table, records_table
from .checks.context import table as column_table
from .checks.shape import Shape
from .forked import TwoEnded
from .jsonl import JsonlReader, empty
from .twins import Digests

SPAN_COLUMNS = ("layer", *(name for name, *_ in model.flat_span_columns()))
# what the table-wide rules need once every chunk has gone through the row rules
KEPT = ("line", "id", "layer", "doc_id", "start", "end", "figures", "quotes", "cluster")
LAYERS = {row: layer.value for row, layer in typed.SPAN_ROWS.items()}  # a typed row's layer is its type
MEMBER_LISTS = (("figures", Layer.FIGURE), ("quotes", Layer.QUOTE))  # a claim's lists of the spans inside it
ARRAYS = ("start", "end", "doc", "layer", "id")  # per kept row: offsets, document position, layer code, hash of the id
PART_BYTES = 1 << 24  # a large file is checked in parts of about this size, shared out between two processes


def table(records: list[tuple[int, Any]], names: Any) -> Table:
    return records_table(records, names, LAYERS)


@dataclass
class Result:
    incidents: list[Incident] = field(default_factory=list)
    reading: list[Incident] = field(default_factory=list)  # the reader's: malformed lines, encoding, ...
    unreadable: bool = False
    records: int = 0
    lines: int = 0
    kept: dict[str, list[Any]] = field(default_factory=lambda: {c: [] for c in KEPT})
    broken: set[str] = field(default_factory=set)  # ids of rows that failed their shape: reported once
    rows: Digests = field(default_factory=Digests)
    # what the table-wide rules work out over the kept rows, worked out part by part (None: an offset is not a plain integer)
    arrays: dict[str, list[np.ndarray]] | None = field(default_factory=lambda: {name: [] for name in ARRAYS})
    doc_order: list[str] = field(default_factory=list)  # the documents that the "doc" arrays index
    # per claim-member column, the rows whose members a part found right among its own spans: trusted only
    # for the documents that no other part holds (see ``cleared``); None when the file was read whole
    cleared: dict[str, list[np.ndarray]] | None = None
    docs: list[set[str]] = field(default_factory=list)  # per part, the documents of its rows

    @property
    def complete(self) -> bool:
        """Every line was read (when not, a span that seems missing may be on an unreadable line)."""
        return self.records > 0 and all(i.code == "file-bom" for i in self.reading)


def check(path: Path, ctx: Context, part: tuple[int, int | None] = (0, None)) -> Result:
    """The row rules over the lines of ``part``, numbered from 1 there."""
    file = str(path)
    out = Result()
    reader = JsonlReader(path, file, part)
    shape = Shape("span")
    for chunk in reader.chunks(typed.SPAN_DECODER):
        good, bad = shape.check(chunk, file)
        out.incidents.extend(bad)
        if bad:  # a span that failed its shape is reported once, not again by every list naming it
            passed = {line for line, _ in good}
            out.broken.update(r["id"] for line, r in chunk if line not in passed and isinstance(r.get("id"), str))
        t = table(good, SPAN_COLUMNS)
        out.incidents.extend(offsets.check(t, ctx, file))
        out.incidents.extend(edges.check(t, file))
        out.incidents.extend(figures.check(t, file))
        out.incidents.extend(references.mentions(t, ctx, file))
        out.rows.add([r for _, r in good])
        for c in KEPT:
            # each document id once: the kept columns take less memory, and reach the first process faster
            out.kept[c].extend(map(sys.intern, t[c]) if c == "doc_id" and set(map(type, t[c])) == {str} else t[c])
        _keep_arrays(out, t, ctx)
    out.reading, out.unreadable, out.records, out.lines = reader.incidents, reader.unreadable, reader.records, reader.lines
    out.doc_order = list(ctx.corpus.index)
    if part != (0, None):  # one part of several: clear here what it can, while the other process works too
        mine = kept_table(out, ctx.corpus)
        index = references.SpanIndex(mine, ctx.corpus, out.broken)
        out.cleared = {column: [references.clean_members(mine, index, column, layer)] for column, layer in MEMBER_LISTS}
        out.docs = [set(out.kept["doc_id"])]
    return out


def _keep_arrays(out: Result, t: Table, ctx: Context) -> None:
    start, end = t.ints("start"), t.ints("end")
    if out.arrays is None or start is None or end is None:
        out.arrays = None
        return
    ids = np.fromiter(map(hash, t["id"]), dtype=np.int64, count=len(t))
    for name, values in zip(ARRAYS, (start, end, t.doc_index(ctx.corpus), t.layer_code, ids), strict=True):
        out.arrays[name].append(values)


def kept_table(result: Result, corpus: Corpus) -> Table:
    """The kept columns as a table, with the arrays the parts worked out (their documents renumbered as in ``corpus``)."""
    t = column_table(result.kept)
    if result.arrays is None or not len(t):
        return t
    a = {name: np.concatenate(parts) for name, parts in result.arrays.items()}
    # equal hashes may be equal ids: only distinct ones are taken as proof
    doc = _renumbered(a["doc"], result.doc_order, list(corpus.index))
    hashes = np.sort(a["id"])  # (np.unique is slower by a hundredfold here)
    t.known(a["start"], a["end"], (corpus, doc), a["layer"], not np.any(hashes[1:] == hashes[:-1]))
    return t


def cleared(result: Result, kept: Table) -> dict[str, np.ndarray | None]:
    """Per claim-member column, the rows that the parts cleared and that the whole file does not undo:
    their document lies in one part, ids are unique and no row failed its shape."""
    if result.cleared is None or result.broken or not kept.unique("id"):
        return {column: None for column, _ in MEMBER_LISTS}
    seen: set[str] = set()
    split: set[str] = set()  # documents with rows in more than one part
    for docs in result.docs:
        split |= seen & docs
        seen |= docs
    whole = ~np.fromiter(map(split.__contains__, kept["doc_id"]), dtype=bool, count=len(kept))
    return {column: np.concatenate(result.cleared[column]) & whole for column, _ in MEMBER_LISTS}


def _renumbered(doc: np.ndarray, theirs: list[str], ours: list[str]) -> np.ndarray:
    """Positions in the documents ``theirs`` (its length for an unknown document) as positions in ``ours``."""
    if theirs == ours:
        return doc
    index = {d: i for i, d in enumerate(ours)}
    return np.array([index.get(d, len(ours)) for d in theirs] + [len(ours)], dtype=np.int64)[doc]


def parts(path: Path) -> list[tuple[int, int | None]]:
    """The file as byte ranges of about ``PART_BYTES``, each from the start of a line that follows a
    line with content (a blank line before it would be an error only the part before could see)."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return [(0, None)]
    cuts = [0]
    with path.open("rb") as f:
        for at in range(PART_BYTES, size - PART_BYTES // 2, PART_BYTES):
            f.seek(at)
            cut = _line_start(f.read(1 << 20))
            if cut is not None and at + cut > cuts[-1]:
                cuts.append(at + cut)
    return list(zip(cuts, [*cuts[1:], None], strict=True))


def _line_start(buf: bytes) -> int | None:
    """Where in ``buf`` the first line starts that follows a whole line with content."""
    pos = 0
    while (nl := buf.find(b"\n", pos)) >= 0:
        if (start := buf.rfind(b"\n", 0, nl) + 1) and buf[start:nl].strip():
            return nl + 1
        pos = nl + 1
    return None


def check_parts(
    path: Path, ctx: Context, ranges: list[tuple[int, int | None]], queue: TwoEnded, front: bool, done: Callable[[int, Result], None]
) -> None:
    """The parts this process takes from its end of ``queue``, until the other process's end is reached;
    ``done`` is given each one as it is checked."""
    while (i := queue.take(front)) is not None:
        done(i, check(path, ctx, ranges[i]))


def merge(results: list[Result], file: str) -> Result:
    """The parts of a file, in order, as if read in one go: each part's lines renumbered after the ones before."""
    out = Result(doc_order=results[0].doc_order, cleared={})
    for part in results:
        if out.arrays is not None and part.arrays is not None:
            doc = [_renumbered(d, part.doc_order, out.doc_order) for d in part.arrays["doc"]]
            for name in ARRAYS:
                out.arrays[name].extend(doc if name == "doc" else part.arrays[name])
        else:
            out.arrays = None
        before = out.lines
        for mine, theirs in ((out.incidents, part.incidents), (out.reading, part.reading)):
            mine.extend(dataclasses.replace(i, line=i.line + before) if i.file == file and i.line is not None else i for i in theirs)
        for c in KEPT:
            out.kept[c].extend([line + before for line in part.kept[c]] if c == "line" else part.kept[c])
        if out.cleared is not None and part.cleared is not None:
            for column, cleared in part.cleared.items():
                out.cleared.setdefault(column, []).extend(cleared)
            out.docs.extend(part.docs)
        else:
            out.cleared = None
        out.unreadable |= part.unreadable
        out.records += part.records
        out.lines += part.lines
        out.broken |= part.broken
        out.rows = out.rows.merged(part.rows)
    if empty(out.records, out.reading, out.unreadable):
        out.reading.append(Incident("file-empty", file=file))
    return out

"""What the row rules look spans up in (documents, entities, clusters), and the tables they read.

A rule has two halves: a vectorised screen over whole columns that lets through
only rows it can prove clean, and the exact per-row loop that reports, run on the
rows the screen kept. The screen may keep clean rows, never drop a bad one, so the
incidents are those of the loop alone.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from operator import attrgetter, is_not
from typing import Any

import numpy as np

from ...incidents import Incident
from ...model import Layer, PassageType

_BATCH = 1 << 14


class Table(dict):
    """Columns by name (``line`` is the 1-based line in the file), built from the rows on first use.

    Rows are decoded dicts or typed Structs (``typed.SPAN_ROWS``, whose ``layer`` is their type).
    """

    def __init__(self, lines: Sequence[int], rows: Sequence[Any], names: Iterable[str], layers: dict[type, str] | None = None):
        super().__init__(line=list(lines))
        self.rows, self.names, self.layers = rows, set(names), layers or {}
        self._ints: dict[str, np.ndarray | None] = {}
        self._docs: tuple[Corpus, np.ndarray] | None = None
        self._unique: dict[str, bool] = {}

    def ints(self, name: str) -> np.ndarray | None:
        """A column of plain integers as an array (see ``int_column``), converted once."""
        if name not in self._ints:
            self._ints[name] = int_column(self[name])
        return self._ints[name]

    def doc_index(self, corpus: Corpus) -> np.ndarray:
        """Each row's document position in ``corpus``, looked up once."""
        if self._docs is None or self._docs[0] is not corpus:
            self._docs = (corpus, corpus.doc_index(self["doc_id"]))
        return self._docs[1]

    def known(self, start: np.ndarray, end: np.ndarray, doc: tuple[Corpus, np.ndarray], layer: np.ndarray, unique_ids: bool) -> None:
        """Take arrays worked out already (for the parts of a file, in two processes) rather than work them out here."""
        self._ints |= {"start": start, "end": end}
        self._docs = doc
        self.__dict__["layer_code"] = layer
        if unique_ids:
            self._unique["id"] = True

    @cached_property
    def layer_code(self) -> np.ndarray:
        """Each row's layer as its position in ``Layer``; -1 for anything else."""
        col = np.array(self["layer"], dtype=object)
        out = np.full(len(col), -1, dtype=np.int64)
        for k, layer in enumerate(Layer):
            out[col == layer.value] = k
        return out

    def unique(self, name: str) -> bool:
        """Whether no value of the column repeats (False for an unhashable one: the exact loop judges)."""
        if name not in self._unique:
            try:
                self._unique[name] = len(set(self[name])) == len(self)
            except TypeError:
                self._unique[name] = False
        return self._unique[name]

    def __missing__(self, name: str) -> list[Any]:
        if name not in self.names:
            raise KeyError(name)
        kinds = self.kinds
        if name == "layer" and self.layers and dict not in kinds:
            col = list(map(self.layers.__getitem__, map(type, self.rows)))
        elif name == "layer" and self.layers:
            col = [r.get("layer") if type(r) is dict else self.layers[type(r)] for r in self.rows]
        elif dict in kinds:
            col = [r.get(name) if type(r) is dict else getattr(r, name) for r in self.rows]
        else:
            col = list(map(attrgetter(name), self.rows))
        self[name] = col
        return col

    @cached_property
    def kinds(self) -> set[type]:
        return set(map(type, self.rows))

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self or name in self.names else default

    def __len__(self) -> int:
        return len(self["line"])

    def subset(self, keep: Sequence[int]) -> Table:
        """The rows at ``keep``, in order."""
        return Table([self["line"][i] for i in keep], [self.rows[i] for i in keep], self.names, self.layers)


def records_table(records: Iterable[tuple[int, Any]], names: Iterable[str], layers: dict[type, str] | None = None) -> Table:
    """Columns over (line, decoded dict or typed row), built as the rules ask for them."""
    records = list(records)
    return Table([line for line, _ in records], [r for _, r in records], names, layers)


def table(columns: dict[str, list[Any]]) -> Table:
    """A table of ready columns (the kept columns of every chunk)."""
    t = Table(columns["line"], [], columns)
    t.update(columns)
    return t


def subset(t: Table, keep: Sequence[int] | np.ndarray) -> Table:
    if len(keep) == len(t):
        return t
    keep = [int(i) for i in keep]
    if t.rows:
        return t.subset(keep)
    return table({name: [col[i] for i in keep] for name, col in t.items()})


@dataclass(frozen=True)
class Doc:
    doc_id: str
    fold: int
    text: str
    line: int
    passages: tuple[tuple[int, int, str], ...]  # (start, end, type) in reading order

    @cached_property
    def starts(self) -> list[int]:
        return [p[0] for p in self.passages]

    def passage_at(self, start: int, end: int) -> tuple[int, int, str] | None:
        """The passage holding [start, end), or None when the range crosses or misses passages."""
        i = bisect.bisect_right(self.starts, start) - 1
        if i < 0:
            return None
        p = self.passages[i]
        return p if p[0] <= start and end <= p[1] else None


class Corpus:
    """Every document's text as one array of code points, with passages at global positions."""

    def __init__(self, docs: dict[str, Doc]):
        self.index = {doc_id: k for k, doc_id in enumerate(docs)}
        lengths = np.array([len(d.text) for d in docs.values()], dtype=np.int64)
        self.base = np.concatenate([[0], np.cumsum(lengths)])  # one extra: a missing doc maps past the end
        self.length = np.concatenate([lengths, [-1]])
        self.fold = np.array([d.fold for d in docs.values()] + [-1], dtype=np.int64)
        self.chars = codepoints("".join(d.text for d in docs.values()))
        values = list(docs.values())
        # passage_at bisects: a document whose passages are out of order is left to it
        ordered = [k for k, d in enumerate(values) if all(a[0] < b[0] for a, b in zip(d.passages, d.passages[1:], strict=False))]
        passages = [values[k].passages for k in ordered]
        counts = np.fromiter(map(len, passages), dtype=np.int64, count=len(passages))
        table = np.array([(s, e, kind == PassageType.HEADING) for ps in passages for s, e, kind in ps], dtype=np.int64).reshape(-1, 3)
        self.p_owner = np.repeat(np.array(ordered, dtype=np.int64), counts)
        self.p_start, self.p_end = self.base[self.p_owner] + table[:, 0], self.base[self.p_owner] + table[:, 1]
        self.p_heading = table[:, 2].astype(bool)

    def doc_index(self, doc_ids: list[Any]) -> np.ndarray:
        """Position of each row's document; the extra last slot for unknown ones."""
        missing = len(self.index)
        return np.fromiter(map(self.index.get, doc_ids, repeat(missing)), dtype=np.int64, count=len(doc_ids))

    def in_one_passage(self, di: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Rows whose range lies in one passage of their document that is not a heading."""
        if not len(self.p_start):
            return np.zeros(len(di), dtype=bool)
        gs, ge = self.base[di] + start, self.base[di] + end
        k = np.searchsorted(self.p_start, gs, side="right") - 1
        ok = k >= 0
        k = np.maximum(k, 0)
        return ok & (self.p_owner[k] == di) & (self.p_end[k] >= ge) & ~self.p_heading[k]

    def matches(self, di: np.ndarray, start: np.ndarray, end: np.ndarray, strings: list[str], rows: np.ndarray) -> np.ndarray:
        """Which of ``rows`` (in range) hold a string equal to the text at [start, end) of their document."""
        out = np.zeros(len(strings), dtype=bool)
        for lo in range(0, len(strings), _BATCH):  # batches bound the per-character index arrays
            part = slice(lo, lo + _BATCH)
            buf, offset, length = packed(strings[part])
            wanted = rows[part] & (length == end[part] - start[part])
            out[part] = _equal_slices(buf, offset, self.chars, self.base[di[part]] + start[part], length, wanted)
        return out


def _equal_slices(a: np.ndarray, a_off: np.ndarray, b: np.ndarray, b_off: np.ndarray, n: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row in ``rows``: a[a_off:a_off+n] == b[b_off:b_off+n]."""
    out = np.zeros(len(n), dtype=bool)
    idx = np.nonzero(rows)[0]
    m = n[idx]
    total = int(m.sum())
    out[idx[m == 0]] = True
    if total == 0:
        return out
    first = np.cumsum(m) - m  # where each row's run starts in the flat index
    within = np.arange(total, dtype=np.int64) - np.repeat(first, m)
    diff = a[np.repeat(a_off[idx], m) + within] != b[np.repeat(b_off[idx], m) + within]
    bad = np.zeros(len(idx), dtype=bool)
    bad[np.repeat(np.arange(len(idx)), m)[diff]] = True
    out[idx] = ~bad
    return out


def codepoints(s: str) -> np.ndarray:
    return np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def packed(strings: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code points of all strings, where each starts, its length); None counts as empty."""
    if None in strings:
        strings = [s or "" for s in strings]
    length = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    offset = np.cumsum(length) - length
    return codepoints("".join(strings)), offset, length


def present(values: Iterable[Any], n: int) -> np.ndarray:
    """Which of the ``n`` values are not None."""
    return np.fromiter(map(is_not, values, repeat(None)), dtype=bool, count=n)


def int_column(values: Sequence[Any]) -> np.ndarray | None:
    """Integers as an array; None when one is missing, not an integer or too large (the exact loop judges those)."""
    if not set(map(type, values)) <= {int}:
        return None
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError:
        return None


@dataclass
class Context:
    """Reference data for the rules; ``entities``/``clusters`` are None when no registry was given."""

    docs: dict[str, Doc] = field(default_factory=dict)
    entities: dict[str, frozenset[str]] | None = None  # id -> aliases
    clusters: dict[str, tuple[int, tuple[str, ...]]] | None = None  # id -> (line, claim ids)
    documents_file: str = "documents.jsonl"

    @cached_property
    def corpus(self) -> Corpus:  # built once every document is known
        return Corpus(self.docs)


def incident(code: str, file: str, line: int | None, found: Any = None, expected: Any = None, **loc: Any) -> Incident:
    """An incident; found/expected that are not strings are shown as Python literals."""
    show = lambda v: v if v is None or isinstance(v, str) else repr(v)  # noqa: E731
    return Incident(code, file=file, line=line, found=show(found), expected=show(expected), **loc)


def rows(t: Table, *names: str) -> Any:
    """Zip of the line column and the named columns."""
    return zip(t["line"], *(t[n] for n in names), strict=True)

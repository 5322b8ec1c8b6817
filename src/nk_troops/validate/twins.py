"""Twins: each row of spans.jsonl (and sentences.jsonl) is the record its document row nests.

Both sides are first summarised per document key (the record's own ``doc_id``) by an
order-free sum of content digests (``typed.digests``). Only the keys whose sums differ,
or that hold an untyped record (a dict the typed decoding rejected), are then compared
record by record, from the files read again, as ``Compare`` does. Equal sums mean equal
records up to a 64-bit digest collision.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np

from ..incidents import Incident
from .checks import typed
from .checks.context import incident
from .checks.typed import MASK
from .jsonl import JsonlReader

Nested = dict[str, tuple[int, Any]]  # id -> (document line, the record as a dict, or the digest of a typed one)


def key(record: Any) -> Any:
    """The document key of a record: its ``doc_id`` when that is a string."""
    doc_id = record.get("doc_id") if type(record) is dict else record.doc_id
    return doc_id if isinstance(doc_id, str) else None


class Digests:
    """Per document key, the sum (mod 2**64) of its typed records' digests; keys with an untyped record."""

    def __init__(self) -> None:
        self.sums: dict[Any, int] = {}
        self.exact: set[Any] = set()

    def add(self, records: list[Any]) -> None:
        if dict in set(map(type, records)):
            self.exact.update(key(r) for r in records if type(r) is dict)
            records = [r for r in records if type(r) is not dict]
        doc_ids = list(map(attrgetter("doc_id"), records))
        index = {k: i for i, k in enumerate(dict.fromkeys(doc_ids))}
        codes = np.fromiter(map(index.__getitem__, doc_ids), dtype=np.int64, count=len(doc_ids))
        totals = np.zeros(len(index), dtype=np.uint64)
        np.add.at(totals, codes, typed.digests(records).view(np.uint64))  # wraps around: a sum mod 2**64
        for k, total in zip(index, totals.tolist(), strict=True):
            self.sums[k] = (self.sums.get(k, 0) + total) & MASK

    def merged(self, other: Digests) -> Digests:
        out = Digests()
        out.sums = dict(self.sums)
        for k, v in other.sums.items():
            out.sums[k] = (out.sums.get(k, 0) + v) & MASK
        out.exact = self.exact | other.exact
        return out

    def differ(self, other: Digests) -> set[Any]:
        """Keys to compare record by record."""
        keys = self.sums.keys() | other.sums.keys()
        return {k for k in keys if self.sums.get(k, 0) != other.sums.get(k, 0)} | self.exact | other.exact


def nested(documents: Path, lists: Iterable[str], keys: set[Any]) -> Nested:
    """The records the document rows nest under ``lists`` whose key is in ``keys``, by id (malformed entries are the shape pass's)."""
    out: Nested = {}
    for chunk in JsonlReader(documents).chunks(typed.DOCUMENT_DECODER):
        for line, doc in chunk:
            for name in lists:
                if type(doc) is not dict:
                    records = [r for r in getattr(doc, name) if r.doc_id in keys]
                    out.update(zip(map(attrgetter("id"), records), ((line, d) for d in typed.digests(records).tolist()), strict=True))
                elif isinstance(doc.get(name), list):
                    out.update(
                        (r["id"], (line, r)) for r in doc[name] if isinstance(r, dict) and isinstance(r.get("id"), str) and key(r) in keys
                    )
    return out


class Compare:
    """Rows equal the same records nested in the documents; the nested ones are consumed.

    A typed row and a typed twin compare by digest; any other pair compares field by
    field, and a twin known only by its digest is read again from its line.
    """

    def __init__(self, nested: Nested, docs_path: Path, lists: list[str], columns: Iterable[str]):
        self.nested, self.docs_path, self.lists, self.cols = nested, docs_path, lists, list(columns)
        self.pending: list[tuple[str, int, dict[str, Any], int, str]] = []  # twins to read again

    def rows(self, chunk: list[tuple[int, Any]], file: str) -> list[Incident]:
        out = []
        typed_rows = [row for _, row in chunk if type(row) is not dict]
        digests = iter(typed.digests(typed_rows).tolist())
        for line, row in chunk:
            digest = next(digests) if type(row) is not dict else None
            sid = row.get("id") if type(row) is dict else row.id
            twin_line, twin = self.nested.pop(sid, (None, None))
            if twin_line is None:
                out.append(incident("row-document-mismatch", file, line, sid, "the same record in its document row", span_id=sid))
                continue
            if type(twin) is int and twin == digest:
                continue
            plain = row if type(row) is dict else typed.builtins(row)
            if type(twin) is int:
                self.pending.append((sid, line, plain, twin_line, file))
            else:
                out.extend(self._differ(sid, line, plain, twin_line, twin, file))
        return out

    def _differ(self, sid: str, line: int, row: dict[str, Any], twin_line: int, twin: dict[str, Any], file: str) -> list[Incident]:
        diff = sorted(c for c in self.cols if twin.get(c) != row.get(c))
        if not diff:
            return []
        return [incident("row-document-mismatch", file, line, diff, f"as in {self.docs_path}:{twin_line}", span_id=sid)]

    def resolve(self) -> list[Incident]:
        """Compare the rows whose digest differed with their twins, read again from the documents file."""
        if not self.pending:
            return []
        wanted = {twin_line for *_, twin_line, _ in self.pending}
        twins: dict[str, dict[str, Any]] = {}
        for chunk in JsonlReader(self.docs_path).chunks(typed.DOCUMENT_DECODER):
            for line, doc in chunk:
                if line in wanted and type(doc) is not dict:
                    twins.update((r.id, typed.builtins(r)) for name in self.lists for r in getattr(doc, name))
        out = []
        for sid, line, row, twin_line, file in self.pending:
            out.extend(self._differ(sid, line, row, twin_line, twins.get(sid, {}), file))
        return out

    def leftover(self, docs_file: str, file: str, broken: set[str]) -> list[Incident]:
        """Nested records no row matched (a record that failed its shape in the rows file was reported there)."""
        return [
            incident("row-document-mismatch", docs_file, line, sid, f"a row in {file}", span_id=sid)
            for sid, (line, _) in self.nested.items()
            if sid not in broken
        ]


def compare(
    keys: set[Any],
    documents: Path,
    lists: list[str],
    columns: Iterable[str],
    chunks: Iterable[list[tuple[int, Any]]],
    file: str,
    broken: set[str] | None,
) -> list[Incident]:
    """Record by record, for the keys whose digests differ: the shape-valid ``chunks`` of the rows file
    against the records nested under ``lists``; ``broken`` is None when the rows file was not read whole
    (a nested record without a row may then be on an unreadable line)."""
    if not keys:
        return []
    twins = Compare(nested(documents, lists, keys), documents, lists, columns)
    out = []
    for chunk in chunks:
        out.extend(twins.rows([(line, row) for line, row in chunk if key(row) in keys], file))
    out.extend(twins.resolve())
    if broken is not None:
        out.extend(twins.leftover(str(documents), file, broken))
    return out

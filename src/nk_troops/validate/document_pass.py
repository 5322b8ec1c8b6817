"""The documents file on its own: row shape, passage tiling, raw sources, and what the rows nest.

Nested spans and sentences are summarised by ``twins.Digests`` for the comparison with
the rows files; without a sentences file, the nested sentences are the sentence table,
checked here as far as the documents allow (their claims are checked against the spans
by ``validate.py``). The pass needs nothing from the other files, so a large run
checks it in a second process (``validate.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import msgspec

from .. import model
from ..incidents import Incident
from ..schemas import DOCUMENT_LISTS
from .checks import documents, offsets, references, typed
from .checks.context import Context, Doc, Table, records_table
from .checks.context import table as column_table
from .checks.shape import Shape
from .jsonl import JsonlReader
from .twins import Digests

SPAN_LISTS = [key for key, cls in DOCUMENT_LISTS.items() if issubclass(cls, model.SpanBase)]
SENTENCE_COLUMNS = tuple(name for name, *_ in model.record_fields(model.Sentence))


@dataclass
class Result:
    incidents: list[Incident] = field(default_factory=list)
    unusable: bool = False  # the documents file could not be read
    docs: dict[str, Doc] = field(default_factory=dict)  # every usable document, by id (first row wins)
    spans: Digests = field(default_factory=Digests)
    sentences: Digests = field(default_factory=Digests)  # with a sentences file only
    # without a sentences file: where the nested sentences are, and which claims they list (see references.members)
    sentence_bounds: dict[str, list[Any]] | None = None
    sentence_claims: int | None = None


def _doc(line: int, doc: Any) -> Doc | None:
    try:
        if isinstance(doc["passages"], list | tuple) and set(map(type, doc["passages"])) <= _TYPED_PASSAGES:
            passages = tuple(map(attrgetter("start", "end", "type"), doc["passages"]))  # typed: already int, int, str
        else:
            passages = tuple((int(p["start"]), int(p["end"]), str(p["type"])) for p in doc["passages"])
        if isinstance(doc["doc_id"], str) and isinstance(doc["text"], str) and type(doc["fold"]) is int:
            return Doc(doc["doc_id"], doc["fold"], doc["text"], line, passages)
    except (KeyError, TypeError, ValueError):
        pass
    return None


class _Passage(msgspec.Struct, gc=False):
    start: int
    end: int
    type: str


_TYPED_PASSAGES = {_Passage, typed.struct(model.Passage)}


class _Text(msgspec.Struct, gc=False):
    """The fields a span needs from its document; the nested lists are skipped unread. Passages of
    any other shape fail the line, which is then read as a plain dict, for ``_doc`` to judge."""

    doc_id: Any = None
    fold: Any = None
    text: Any = None
    passages: list[_Passage] | None = None


def read_docs(path: Path) -> tuple[dict[str, Doc], JsonlReader]:
    """The usable documents of a documents file, as ``check`` finds them, from their top-level fields only."""
    out: dict[str, Doc] = {}
    reader = JsonlReader(path, str(path))
    for chunk in reader.chunks(msgspec.json.Decoder(_Text)):
        for line, row in chunk:
            doc = _doc(line, row if type(row) is dict else {name: getattr(row, name) for name in _Text.__struct_fields__})
            if doc is not None:
                out.setdefault(doc.doc_id, doc)
    return out, reader


def _rows(reader: JsonlReader, shape: Shape) -> Iterator[list[tuple[int, Any, dict[str, Any]]]]:
    """Chunks of (line, row, view): the typed row, or its plain dict when a field only the JSON Schema
    checks is wrong; the view is the row's document fields as plain data (its lists empty when typed)."""
    for chunk in reader.chunks(typed.DOCUMENT_DECODER):
        out = []
        for line, doc in chunk:
            view = doc if type(doc) is dict else typed.head(doc)
            if view is not doc and not shape.valid(view):
                doc = view = view | {key: typed.builtins(getattr(doc, key)) for key in DOCUMENT_LISTS}
            out.append((line, doc, view))
        yield out


def _sentences(by_id: dict[str, tuple[int, Any]]) -> Table:
    """The sentence table the nested sentences make: the last of an id, shape-valid (a sentence of a malformed
    document row was reported with it)."""
    valid = Shape("sentence").valid
    return records_table([(line, r) for line, r in by_id.values() if type(r) is not dict or valid(r)], SENTENCE_COLUMNS)


def sentence_table(path: Path) -> Table:
    """The nested sentences, read again, as ``check`` finds them."""
    by_id: dict[str, tuple[int, Any]] = {}
    for chunk in _rows(JsonlReader(path), Shape("document")):
        for line, doc, _ in chunk:
            _by_id(by_id, line, _nested(doc, ["sentences"]))
    return _sentences(by_id)


def check(path: Path, raw_dir: Path | None, nested_sentences: bool) -> Result:
    """Every rule the documents file can be checked by alone; ``nested_sentences`` when there is no sentences
    file, so that the nested sentences are the sentence table."""
    result = Result()
    file = str(path)
    reader = JsonlReader(path, file)
    shape = Shape("document")
    sentences: dict[str, tuple[int, Any]] = {}
    good_ids: dict[str, list[Any]] = {"line": [], "doc_id": []}
    for chunk in _rows(reader, shape):
        for line, doc, _ in chunk:
            for key in SPAN_LISTS:  # one list at a time: each holds one Struct type
                result.spans.add(_nested(doc, [key]))
            nested = _nested(doc, ["sentences"])
            if nested_sentences:  # the sentence table itself
                _by_id(sentences, line, nested)
            else:  # to be compared with the rows of the sentences file
                result.sentences.add(nested)
        good, bad = shape.check([(line, doc) for line, doc, _ in chunk], file)
        result.incidents.extend(bad)
        views = {line: view for line, _, view in chunk}
        for line, _ in good:
            view = views[line]
            good_ids["line"].append(line)
            good_ids["doc_id"].append(view["doc_id"])
            result.incidents.extend(documents.tiling(line, view, file))
            if raw_dir is not None:
                result.incidents.extend(documents.raw_source(line, view, file, raw_dir))
        # spans are looked up in every document that has usable text and passages, even one
        # whose other fields failed the shape pass, so one bad field does not hide every span
        for line, doc, view in chunk:
            usable = _doc(line, view if type(doc) is dict else view | {"passages": doc.passages})
            if usable is not None:
                result.docs.setdefault(usable.doc_id, usable)
    result.incidents.extend(reader.incidents)
    result.unusable = reader.unreadable
    result.incidents.extend(references.duplicates(column_table(good_ids), file, "doc_id"))
    if nested_sentences:
        st = _sentences(sentences)
        result.incidents.extend(offsets.check(st, Context(docs=result.docs), file, gold=False))
        result.incidents.extend(references.duplicates(st, file))
        result.incidents.extend(references.sentence_decisions(st, file))
        result.sentence_bounds = {c: list(st[c]) for c in ("line", "doc_id", "start", "end")}
        result.sentence_claims = references.listed_digest(st, "claims")
    return result


def _by_id(out: dict[str, tuple[int, Any]], line: int, records: list[Any]) -> None:
    """(line, record) by id, the last of an id kept; one document's records are all dicts or all typed."""
    ids = map(itemgetter("id") if records and type(records[0]) is dict else attrgetter("id"), records)
    out.update(zip(ids, zip(repeat(line), records), strict=True))


def _nested(doc: Any, keys: list[str]) -> list[Any]:
    """The records a document row nests under ``keys`` (a malformed entry of a dict row is the shape pass's)."""
    if type(doc) is not dict:
        return [r for key in keys for r in getattr(doc, key)]
    return [r for key in keys if isinstance(doc.get(key), list) for r in doc[key] if isinstance(r, dict) and isinstance(r.get("id"), str)]

"""msgspec Struct types derived from the model: a decoder that accepts only schema-valid rows.

The bulk shape pass decodes whole blocks of lines straight into these types, which
checks types, required and unknown keys, enums and ranges in one C pass. String
patterns are screened after it (``Decoder``), once per distinct value where values
repeat: msgspec would call the regex once per value, which doubled the decoding time.
A row either step rejects is not reported from here: it goes back, as its plain dict,
to the JSON Schema pass (``shape.py``), which says exactly what is wrong. So the typed
pass may be stricter than the JSON Schema (an integral ``1.0`` for an integer is left
to the schema pass) but never looser.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Iterable, Iterator
from enum import StrEnum
from itertools import repeat
from operator import attrgetter
from typing import Annotated, Any, Literal

import msgspec
import numpy as np

from ... import model
from ...model import Layer
from ...schemas import DOCUMENT_LISTS

# JSON Schema keyword -> msgspec.Meta argument; "$" of an ECMA pattern never matches before a final newline
_META = {"minimum": "ge", "maximum": "le", "minLength": "min_length", "minItems": "min_length"}


def _pattern(p: str) -> str:
    return p[:-1] + r"\Z" if p.endswith("$") else p


def _type(tp: Any, md: dict[str, Any]) -> Any:
    inner, optional = model.unwrap_optional(tp)
    item = typing.get_args(inner)[0] if typing.get_origin(inner) is tuple else None
    if item is not None:
        labels = tuple(md.get("class_label", ()))
        out: Any = tuple[Literal[labels] if labels else _type(item, {}), ...]  # type: ignore[misc,valid-type]
    elif dataclasses.is_dataclass(inner):
        out = struct(inner)
    elif isinstance(inner, type) and issubclass(inner, StrEnum):
        out = Literal[tuple(e.value for e in inner)]
    else:
        out = inner
    meta = {_META[k]: v for k, v in md.items() if k in _META}
    if "format" in md:  # formats (dates, URIs) are the JSON Schema pass's: only documents carry them
        raise TypeError(f"no typed decoding for format {md['format']!r}")
    if meta:
        out = Annotated[out, msgspec.Meta(**meta)]
    return out | None if optional else out


def _getitem(self: Any, key: str) -> Any:
    return self.start if key == "start" else self.end if key == "end" else getattr(self, key)


_STRUCTS: dict[Any, Any] = {}
MASK = (1 << 64) - 1  # digests are summed modulo 2**64
# a pattern body that cannot match a line break: literals, classes, groups, quantifiers, \d and \w
_ONE_LINE = re.compile(r"(?:[\w\-\[\]{}(),|+*?.]|\\[dw.\-])*")


class Pattern:
    """A JSON Schema pattern, matched one value at a time, or over many values joined by line breaks."""

    def __init__(self, pattern: str):
        self.one = re.compile(_pattern(pattern))
        body = pattern[1:-1] if pattern.startswith("^") and pattern.endswith("$") else None
        # the first match of ``lines`` starts a line that the pattern does not match
        self.lines = re.compile(f"^(?!(?:{body})$)", re.M) if body is not None and _ONE_LINE.fullmatch(body) else None

    def all_match(self, values: list[str]) -> bool | None:
        """Whether every value matches, in one scan; None when that cannot be told so (a value holds a line break)."""
        if self.lines is None:
            return None
        joined = "\n".join(values)
        if joined.count("\n") != len(values) - 1:
            return None
        return self.lines.search(joined) is None


@dataclasses.dataclass(frozen=True, eq=False)  # by identity: the types that share one are screened together
class _Screen:
    patterns: tuple[tuple[str, Pattern], ...]  # a string field and the pattern its value must match
    nested: tuple[str, ...]  # fields holding a tuple of Structs that have a screen of their own


_SCREENS: dict[type, _Screen] = {}


def _screen(fields: list[tuple[str, Any, dict[str, Any]]], *kinds: type) -> None:
    """Screen the Struct types ``kinds`` on the patterns of ``fields``."""
    patterns = tuple((name, Pattern(md["pattern"])) for name, _, md in fields if "pattern" in md)
    nested = tuple(name for name, tp, _ in fields if typing.get_origin(tp) is tuple and typing.get_args(tp)[0] in _SCREENS)
    if patterns or nested:
        _SCREENS.update(dict.fromkeys(kinds, _Screen(patterns, nested)))


def struct(cls: type, layer: Layer | None = None) -> Any:
    """Frozen (hashable) Struct of a record class; a span class with ``layer`` carries it as a field."""
    key = (cls, layer)
    if key not in _STRUCTS:
        own = model.record_fields(cls)
        fields: list[Any] = [("layer", Literal[layer.value])] if layer is not None else []
        fields += [(name, _type(tp, md)) for name, tp, md in own]
        # offsets are read with ["start"] by rules that also see decoded dicts
        _STRUCTS[key] = msgspec.defstruct(
            cls.__name__, fields, forbid_unknown_fields=True, frozen=True, gc=False, namespace={"__getitem__": _getitem}
        )
        _screen(own, _STRUCTS[key])
    return _STRUCTS[key]


def _span_rows() -> dict[type, Layer]:
    """One Struct per layer of the flat span row: every column present, the other layers' null."""
    columns = model.flat_span_columns()
    out = {}
    for layer in Layer:
        fields = [(name, _type(tp, md) if layer in layers else None) for name, tp, md, layers in columns]
        row = msgspec.defstruct(
            f"{layer.value.title()}Row", fields, tag_field="layer", tag=layer.value, forbid_unknown_fields=True, gc=False
        )
        out[row] = layer
    # a column of another layer is always null in a row, so one screen serves every layer's row
    _screen([(name, tp, md) for name, tp, md, _ in columns], *out)
    return out


_SAMPLE = 256


def _unmatched(values: list[Any], pattern: Pattern) -> set[int]:
    """Positions of the strings that do not match (None is no string): each distinct value is matched
    once, unless the first values are mostly distinct (ids), when all are matched in one scan."""
    if None not in values and len(set(values[:_SAMPLE])) > _SAMPLE // 2:
        if pattern.all_match(values):
            return set()
        found = list(map(pattern.one.search, values))
        return {i for i, m in enumerate(found) if m is None}
    bad = {v for v in set(values) if v is not None and not pattern.one.search(v)}
    return {i for i, v in enumerate(values) if v in bad} if bad else set()


def _groups(records: list[Any], kinds: list[Any]) -> Iterator[tuple[Any, list[int] | None, list[Any]]]:
    """(kind, positions, records) for each distinct kind; positions are None when every record is of it."""
    distinct = set(kinds)
    for kind in distinct:
        where = None if len(distinct) == 1 else [i for i, k in enumerate(kinds) if k is kind]
        yield kind, where, records if where is None else [records[i] for i in where]


def _failing(rows: list[Any]) -> set[int]:
    """Positions of Structs with a string, their own or a nested record's, that fails its pattern."""
    out: set[int] = set()
    for screen, where, group in _groups(rows, list(map(_SCREENS.get, map(type, rows)))):
        if screen is None:
            continue
        found: set[int] = set()
        for name, pattern in screen.patterns:
            found |= _unmatched(list(map(attrgetter(name), group)), pattern)
        for name in screen.nested:
            lists = list(map(attrgetter(name), group))
            inner = _failing([r for records in lists for r in records])
            if inner:
                owner = [j for j, records in enumerate(lists) for _ in records]
                found |= {owner[k] for k in inner}
        out |= found if where is None else {where[j] for j in found}
    return out


class Decoder:
    """msgspec's typed decoding, then the pattern screen: a record that fails it comes back as its plain dict."""

    def __init__(self, kind: Any):
        self._decoder = msgspec.json.Decoder(kind)

    def decode_lines(self, block: bytes) -> list[Any]:
        rows = self._decoder.decode_lines(block)
        for i in _failing(rows):
            rows[i] = builtins(rows[i])
        return rows

    def decode(self, line: bytes) -> Any:
        row = self._decoder.decode(line)
        return builtins(row) if _failing([row]) else row


SPAN_ROWS = _span_rows()  # Struct type -> its layer
SPAN_DECODER = Decoder(typing.Union[tuple(SPAN_ROWS)])  # type: ignore[misc]  # noqa: UP007
_OWN = {layer: attrgetter(*(name for name, *_ in model.record_fields(cls))) for layer, cls in model.SPAN_CLASSES.items()}


def _keys() -> dict[type, Any]:
    """Per span Struct type: its layer and own fields, the same for a flat row and a document's nested record."""
    out = {row: (layer.value, _OWN[layer]) for row, layer in SPAN_ROWS.items()}
    return out | {struct(cls, layer): (layer.value, _OWN[layer]) for layer, cls in model.SPAN_CLASSES.items()}


def _flat_tuples(kind: type, group: list[Any]) -> Iterable[Any]:
    """Each record of a group as what its digest hashes: a span as the tuple of its flat row's fields."""
    if kind is _FLAT:
        return map(msgspec.structs.astuple, group)
    if kind in _KEYS:  # a nested span: its own fields where the flat row has them, null elsewhere
        own = set(kind.__struct_fields__)
        return zip(*(map(attrgetter(name), group) if name in own else repeat(None, len(group)) for name in FLAT_FIELDS), strict=True)
    return group


def digests(records: list[Any]) -> np.ndarray:
    """Python's hash of each typed record's content (a span's, as its flat row): equal for a row and
    its twin nested in documents.jsonl, in this process and in any process forked from it (string
    hashes are salted per interpreter). A claim, quote and figure never share a flat tuple: each layer
    fills a required column the others leave null."""
    out = np.empty(len(records), dtype=np.int64)
    for kind, where, group in _groups(records, [_FLAT if k in SPAN_ROWS else k for k in map(type, records)]):
        out[slice(None) if where is None else where] = np.fromiter(map(hash, _flat_tuples(kind, group)), dtype=np.int64, count=len(group))
    return out


def _document_row() -> Any:
    fields: list[Any] = []
    for name, tp, md in model.record_fields(model.Document):
        # provenance holds the only formatted strings: kept raw for the JSON Schema pass
        fields.append((name, msgspec.Raw if name == "provenance" else _type(tp, md)))
    nested = [(key, tuple[struct(cls, getattr(cls, "LAYER", None)), ...], {}) for key, cls in DOCUMENT_LISTS.items()]  # type: ignore[misc]
    row = msgspec.defstruct("DocumentRow", fields + [(key, tp) for key, tp, _ in nested], forbid_unknown_fields=True, gc=False)
    _screen(model.record_fields(model.Document) + nested, row)
    return row


_KEYS = _keys()
FLAT_FIELDS = tuple(name for name, *_ in model.flat_span_columns())  # the field order of every flat row
_FLAT = object()  # the kind of every flat row in ``digests``: one layout, whatever the layer
DOCUMENT_ROW = _document_row()
DOCUMENT_DECODER = Decoder(DOCUMENT_ROW)
SENTENCE_DECODER = Decoder(struct(model.Sentence))
DOCUMENT_HEAD = tuple(name for name, *_ in model.record_fields(model.Document))
_PLAIN = frozenset([str, int, float, bool, type(None)])


def head(doc: Any) -> dict[str, Any]:
    """The document fields of a typed row as plain data, its lists empty: what the JSON Schema pass still checks."""
    values = ((name, getattr(doc, name)) for name in DOCUMENT_HEAD if name != "provenance")
    out = {name: v if type(v) in _PLAIN else builtins(v) for name, v in values}
    try:
        out["provenance"] = msgspec.json.decode(doc.provenance)
    except msgspec.DecodeError:  # already parsed as JSON once; a non-object is the schema pass's to report
        out["provenance"] = None
    return out | {key: [] for key in DOCUMENT_LISTS}


def builtins(obj: Any) -> Any:
    """A typed row as the dict the line decodes to (lists, not tuples; the layer tag included)."""
    return msgspec.json.decode(msgspec.json.encode(obj))

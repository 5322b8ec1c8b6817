"""Records and label sets: the only place a field or a label is defined.

Every released record is a frozen dataclass below. JSON Schema, pandera schemas,
HF ``Features`` and the card's ``dataset_info`` are derived from these classes by
``schemas.py``; nothing else names a field.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar


class Layer(StrEnum):
    CLAIM = "claim"
    QUOTE = "quote"
    FIGURE = "figure"


class PassageType(StrEnum):
    TITLE = "title"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    CAPTION = "caption"
    HEADING = "heading"


class EditKind(StrEnum):
    JOIN = "join"  # a line break the scraper put inside a word or sentence
    TRIM = "trim"  # trailing spaces / no-break spaces
    REPLACE = "replace"  # a no-break space inside a passage made a plain space


class FigureKind(StrEnum):
    COUNT = "count"
    ORDINAL = "ordinal"
    DATE = "date"
    DURATION = "duration"
    PERCENT = "percent"
    MONEY = "money"
    OTHER = "other"


class Qualifier(StrEnum):
    EXACT = "exact"
    APPROXIMATE = "approximate"
    UPPER_BOUND = "upper_bound"
    LOWER_BOUND = "lower_bound"


class QuoteType(StrEnum):
    DIRECT = "direct"
    PARTIAL = "partial"


class EntityType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    GROUP = "group"


class NoClaimReason(StrEnum):
    """Why a sentence holds no claim (the sentence-level check-worthiness label)."""

    OPINION = "opinion"
    PREDICTION = "prediction"
    VAGUE = "vague"
    QUESTION = "question"
    ATTRIBUTION_ONLY = "attribution-only"
    HEADLINE_FRAGMENT = "headline-fragment"
    STANCE = "stance"
    HEADING = "heading"
    CREDIT = "credit"
    CONDITIONAL = "conditional"


class NotFigureReason(StrEnum):
    PRONOUN_ONE = "pronoun-one"
    NAME = "name"
    IDIOM = "idiom"
    VAGUE = "vague"


class NotQuoteReason(StrEnum):
    APOSTROPHE = "apostrophe"
    TITLE = "title"
    CREDIT = "credit"
    SCARE_QUOTE_UNATTRIBUTED = "scare-quote-unattributed"


AUTHOR = "author"
UNSPECIFIED = "unspecified"
RESERVED_CLAIMANTS = (AUTHOR, UNSPECIFIED)

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DOC_ID_PATTERN = r"^nk[0-9]{3}$"
SPAN_ID_PATTERN = r"^nk[0-9]{3}-(clm|quo|fig)-[0-9]{2,}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
LAYER_ID_CODE = {Layer.CLAIM: "clm", Layer.QUOTE: "quo", Layer.FIGURE: "fig"}
FOLDS = 5  # leave-one-document-out: one fold per document, numbered 0 .. FOLDS - 1


def meta(doc: str, **constraints: Any) -> dict[str, Any]:
    """Field metadata: a description plus JSON-Schema-style constraints."""
    return {"doc": doc, **constraints}


def _field(doc: str, **constraints: Any) -> Any:
    return field(metadata=meta(doc, **constraints))


# --- offsets ---------------------------------------------------------------


@dataclass(frozen=True)
class Offsets:
    start: int = _field("first code point, inclusive", minimum=0)
    end: int = _field("last code point, exclusive", minimum=1)


# --- documents -------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    kind: EditKind = _field("what the normalisation did")
    raw_start: int = _field("start of the replaced region in the raw file", minimum=0)
    raw_end: int = _field("end of the replaced region in the raw file", minimum=0)
    replacement: str = _field("what stands in its place in the text")


@dataclass(frozen=True)
class Passage:
    index: int = _field("position of the passage in the document", minimum=0)
    type: PassageType = _field("title, paragraph, list_item, caption or heading")
    start: int = _field("start in the document text", minimum=0)
    end: int = _field("end in the document text", minimum=1)
    raw_start: int = _field("start of the source region in the raw file", minimum=0)
    raw_end: int = _field("end of the source region in the raw file", minimum=1)
    edits: tuple[Edit, ...] = _field("normalisation edits inside the raw region")


@dataclass(frozen=True)
class Provenance:
    publisher: str | None = _field("publisher or site, null when unknown")
    url: str | None = _field("page address, null when unknown", format="uri")
    byline: str | None = _field("author as printed, null when none")
    dateline: str | None = _field("dateline as printed, null when none")
    keywords: tuple[str, ...] = _field("page keywords, empty when none")
    edition: str | None = _field("edition label as printed, null when none")
    origin: str | None = _field("what the text is a version of, when known")
    story_date: str = _field("earliest date the story can be from", pattern=DATE_PATTERN, format="date")
    story_date_latest: str | None = _field(
        "latest date the story can be from, null when the date is exact", pattern=DATE_PATTERN, format="date"
    )
    story_date_evidence: str = _field("why story_date is what it is")
    page_date: str | None = _field(
        "page-header date at scraping time where it differs from the story date", pattern=DATE_PATTERN, format="date"
    )
    licence: str = _field("copyright and licence status of the article text")


@dataclass(frozen=True)
class Document:
    doc_id: str = _field("stable document id", pattern=DOC_ID_PATTERN)
    fold: int = _field("leave-one-document-out fold", minimum=0, maximum=FOLDS - 1)
    title: str = _field("headline")
    text: str = _field("normalised text: title, then passages separated by a blank line")
    passages: tuple[Passage, ...] = _field("passages in reading order", minItems=1)
    source_file: str = _field("seed file name")
    source_sha256: str = _field("SHA-256 of the raw file", pattern=r"^[0-9a-f]{64}$")
    provenance: Provenance = _field("where the article comes from")


def replay(raw: str, passage: Passage) -> str:
    """Apply a passage's recorded edits to its raw region."""
    out, pos = [], passage.raw_start
    for edit in sorted(passage.edits, key=lambda e: e.raw_start):
        out.append(raw[pos : edit.raw_start])
        out.append(edit.replacement)
        pos = edit.raw_end
    out.append(raw[pos : passage.raw_end])
    return "".join(out)


# --- spans -----------------------------------------------------------------


@dataclass(frozen=True)
class SpanBase:
    """Fields every span carries, whatever its layer."""

    LAYER: ClassVar[Layer]

    id: str = _field("stable span id: document, layer, number", pattern=SPAN_ID_PATTERN)
    doc_id: str = _field("document the span lies in", pattern=DOC_ID_PATTERN)
    fold: int = _field("leave-one-document-out fold of its document", minimum=0, maximum=FOLDS - 1)
    start: int = _field("first code point, inclusive", minimum=0)
    end: int = _field("last code point, exclusive", minimum=1)
    text: str = _field("text[start:end]", minLength=1)
    prefix: str = _field("up to 32 characters before the span (W3C TextQuoteSelector)")
    suffix: str = _field("up to 32 characters after the span (W3C TextQuoteSelector)")

    @property
    def layer(self) -> Layer:
        return self.LAYER


@dataclass(frozen=True)
class Figure(SpanBase):
    LAYER: ClassVar[Layer] = Layer.FIGURE

    kind: FigureKind = _field("count, ordinal, date, duration, percent, money or other")
    value: float | None = _field("the number; null for dates")
    value_max: float | None = _field("upper end of a range, else null")
    normalized: str = _field("canonical string; ISO 8601 for dates", minLength=1)
    qualifier: Qualifier = _field("exact, approximate, upper_bound or lower_bound")
    unit: str | None = _field("what is counted, lowercased; null for dates and ordinals")
    year_inferred: bool = _field("true when a date's year was taken from the story's time")


@dataclass(frozen=True)
class Quote(SpanBase):
    LAYER: ClassVar[Layer] = Layer.QUOTE

    quote_type: QuoteType = _field("direct or partial")
    speaker: str = _field("entity id of who said it", pattern=ID_PATTERN)
    speaker_span: Offsets | None = _field("mention that attributes the quote, null if none")
    cue_span: Offsets | None = _field("reporting verb or phrase, null if none")


@dataclass(frozen=True)
class Claim(SpanBase):
    LAYER: ClassVar[Layer] = Layer.CLAIM

    claimant: str = _field("entity id, 'author' or 'unspecified'", pattern=ID_PATTERN)
    claimant_span: Offsets | None = _field("claimant mention, null for author/unspecified or when absent")
    hedged: bool = _field("an uncertainty marker bears on the proposition")
    cluster: str = _field("id of the cluster of claims stating the same proposition", pattern=ID_PATTERN)
    figures: tuple[str, ...] = _field("ids of the figures inside the claim")
    quotes: tuple[str, ...] = _field("ids of the quotes inside the claim")


SPAN_CLASSES: dict[Layer, type[SpanBase]] = {Layer.CLAIM: Claim, Layer.QUOTE: Quote, Layer.FIGURE: Figure}
Span = Claim | Quote | Figure


@dataclass(frozen=True)
class Sentence:
    id: str = _field("document id and sentence number", pattern=r"^nk[0-9]{3}-s[0-9]{2,}$")
    doc_id: str = _field("document the sentence lies in", pattern=DOC_ID_PATTERN)
    fold: int = _field("leave-one-document-out fold of its document", minimum=0, maximum=FOLDS - 1)
    passage: int = _field("index of the passage holding the sentence", minimum=0)
    start: int = _field("first code point, inclusive", minimum=0)
    end: int = _field("last code point, exclusive", minimum=1)
    text: str = _field("text[start:end]", minLength=1)
    claims: tuple[str, ...] = _field("ids of the claims inside the sentence")
    no_claim_reason: NoClaimReason | None = _field("why the sentence holds no claim; null when it holds one")


def bio_labels(layer: Layer) -> tuple[str, ...]:
    """Tag names of one layer's BIO sequence, in ClassLabel order."""
    return ("O", f"B-{layer.value}", f"I-{layer.value}")


@dataclass(frozen=True)
class TokenizedSentence:
    """A sentence as tokens with one BIO tag sequence per layer (the ``tokens`` view)."""

    id: str = _field("sentence id", pattern=r"^nk[0-9]{3}-s[0-9]{2,}$")
    doc_id: str = _field("document the sentence lies in", pattern=DOC_ID_PATTERN)
    fold: int = _field("leave-one-document-out fold of its document", minimum=0, maximum=FOLDS - 1)
    tokens: tuple[str, ...] = _field("tokens of the sentence", minItems=1)
    token_starts: tuple[int, ...] = _field("start of each token in the document text")
    token_ends: tuple[int, ...] = _field("end of each token in the document text")
    claim_tags: tuple[str, ...] = _field("BIO tags of the claim layer", class_label=bio_labels(Layer.CLAIM))
    quote_tags: tuple[str, ...] = _field("BIO tags of the quote layer", class_label=bio_labels(Layer.QUOTE))
    figure_tags: tuple[str, ...] = _field("BIO tags of the figure layer", class_label=bio_labels(Layer.FIGURE))


# --- registries ------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    id: str = _field("lowercase slug", pattern=ID_PATTERN)
    name: str = _field("canonical name")
    type: EntityType = _field("person, organization, country or group")
    aliases: tuple[str, ...] = _field("every form that names it in the articles", minItems=1)


@dataclass(frozen=True)
class Conflict:
    cluster: str = _field("the conflicting cluster", pattern=ID_PATTERN)
    note: str = _field("what the two clusters disagree on", minLength=1)


@dataclass(frozen=True)
class Cluster:
    id: str = _field("lowercase slug", pattern=ID_PATTERN)
    statement: str = _field("one-line canonical statement of the proposition", minLength=1)
    claims: tuple[str, ...] = _field("ids of the claims that state it", minItems=1)
    conflicts_with: tuple[Conflict, ...] = _field("clusters stating a different number for the same quantity")


# --- (de)serialisation -----------------------------------------------------


@functools.cache  # resolving annotations is slow and every row conversion asks again
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def record_fields(cls: type) -> list[tuple[str, Any, dict[str, Any]]]:
    """(name, type, metadata) of a record class, in declaration order."""
    hints = _hints(cls)
    return [(f.name, hints[f.name], dict(f.metadata)) for f in dataclasses.fields(cls)]


def unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """``X | None`` -> (X, True); anything else -> (tp, False)."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return to_dict(value)
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


def _from_json(tp: Any, value: Any) -> Any:
    inner, optional = unwrap_optional(tp)
    if value is None and optional:
        return None
    if dataclasses.is_dataclass(inner):
        return from_dict(inner, value)
    if typing.get_origin(inner) is tuple:
        (item_tp, _) = typing.get_args(inner)
        return tuple(_from_json(item_tp, v) for v in value)
    if isinstance(inner, type) and issubclass(inner, StrEnum):
        return inner(value)
    if inner is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def to_dict(record: Any) -> dict[str, Any]:
    """A record as JSON-ready data; spans carry their ``layer``."""
    out: dict[str, Any] = {}
    if isinstance(record, SpanBase):
        out["layer"] = record.layer.value
    for f in dataclasses.fields(record):
        out[f.name] = _to_json(getattr(record, f.name))
    return out


def from_dict(cls: type, data: dict[str, Any]) -> Any:
    """The inverse of ``to_dict``; input is assumed schema-valid."""
    kwargs = {name: _from_json(tp, data[name]) for name, tp, _ in record_fields(cls)}
    return cls(**kwargs)


def span_from_dict(data: dict[str, Any]) -> Span:
    """A span from ``to_dict`` output or a flat row (other layers' columns ignored)."""
    return from_dict(SPAN_CLASSES[Layer(data["layer"])], data)


def flat_span_columns() -> list[tuple[str, Any, dict[str, Any], tuple[Layer, ...]]]:
    """Columns of the flat span table: shared fields, then each layer's own.

    Each column is (name, type, metadata, layers that fill it); a column is null
    in rows of the other layers.
    """
    shared = record_fields(SpanBase)
    columns = [(name, tp, md, tuple(Layer)) for name, tp, md in shared]
    seen = {name for name, *_ in shared}
    for layer, cls in SPAN_CLASSES.items():
        for name, tp, md in record_fields(cls):
            if name not in seen:
                seen.add(name)
                columns.append((name, tp, md, (layer,)))
    return columns


def span_to_row(span: Span) -> dict[str, Any]:
    """A span as a flat row: every column present, null where the layer has none."""
    own = to_dict(span)
    row = {"layer": own["layer"]}
    for name, *_ in flat_span_columns():
        row[name] = own.get(name)
    return row

"""Hand-written annotations (text anchors) -> spans with offsets.

An anchor is the exact text of a span plus, when that text recurs, a ``prefix``
(the characters right before it) or a 1-based ``occurrence``. Mentions (speaker,
claimant, cue) are anchored inside the passage that holds their span. Every
problem becomes an incident naming the file, the entry and the anchor; nothing
is guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..incidents import Incident, IncidentError
from ..model import (
    Claim,
    Document,
    Figure,
    FigureKind,
    NoClaimReason,
    NotFigureReason,
    NotQuoteReason,
    Offsets,
    Qualifier,
    Quote,
    QuoteType,
    Sentence,
)
from ..text import context
from .documents import check_declared, read_yaml
from .sentences import split_document

LAYER_KEYS = ("figures", "quotes", "claims", "sentences", "not_figures", "not_quotes")
FILE_RE = re.compile(r"^(nk[0-9]{3})(\.[a-z]+)?\.yaml$")


@dataclass(frozen=True)
class Exclusion:
    """A number or quotation mark deliberately left out of every span."""

    start: int
    end: int
    text: str
    reason: str


@dataclass
class DocumentAnnotations:
    """Resolved annotations of one document."""

    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    not_figures: list[Exclusion] = field(default_factory=list)
    not_quotes: list[Exclusion] = field(default_factory=list)


@dataclass
class RawEntries:
    """Entries of one document gathered from its file(s), each with its source file."""

    doc_id: str
    entries: dict[str, list[tuple[Path, int, dict]]] = field(default_factory=lambda: {k: [] for k in LAYER_KEYS})


def load_entries(folder: Path) -> dict[str, RawEntries]:
    """Read ``<doc>.yaml`` and ``<doc>.<part>.yaml`` files of an annotation folder."""
    out: dict[str, RawEntries] = {}
    incidents: list[Incident] = []
    for path in sorted(folder.glob("nk*.yaml")):
        m = FILE_RE.match(path.name)
        if not m:
            continue
        data = read_yaml(path)
        doc_id = m.group(1)
        if not isinstance(data, dict) or data.get("doc_id") != doc_id:
            incidents.append(
                Incident(
                    "annotation-invalid",
                    file=str(path),
                    doc_id=doc_id,
                    detail="top level must be a mapping whose doc_id matches the file name",
                )
            )
            continue
        unknown = set(data) - {"doc_id", *LAYER_KEYS}
        if unknown:
            incidents.append(
                Incident(
                    "annotation-invalid", file=str(path), doc_id=doc_id, found=str(sorted(unknown)), expected=str(["doc_id", *LAYER_KEYS])
                )
            )
        raw = out.setdefault(doc_id, RawEntries(doc_id))
        for key in LAYER_KEYS:
            items = data.get(key, [])  # a layer left out has no entries in this file; `{}` or null is no list
            if not isinstance(items, list):
                incidents.append(
                    Incident(
                        "annotation-invalid",
                        file=str(path),
                        doc_id=doc_id,
                        detail=f"{key}: not a list",
                        found=items,
                        expected="a list (leave the layer out when it has no entries)",
                    )
                )
                continue
            raw.entries[key].extend((path, i, item) for i, item in enumerate(items))
    if incidents:
        raise IncidentError(incidents)
    return out


class _Resolver:
    def __init__(self, doc: Document):
        self.doc = doc
        self.incidents: list[Incident] = []

    def fail(
        self, code: str, path: Path, where: str, detail: str, span_id: str | None = None, found: Any = None, expected: Any = None
    ) -> None:
        self.incidents.append(
            Incident(
                code,
                file=str(path),
                doc_id=self.doc.doc_id,
                span_id=span_id,
                detail=f"{where}: {detail}",
                found=found,
                expected=expected,
            )
        )

    def find(
        self, anchor: Any, path: Path, where: str, lo: int = 0, hi: int | None = None, span_id: str | None = None
    ) -> tuple[int, int] | None:
        """Offsets of an anchor within ``text[lo:hi]``, or None after recording why."""
        text = self.doc.text
        hi = len(text) if hi is None else hi
        if not isinstance(anchor, dict) or not isinstance(anchor.get("text"), str) or not anchor["text"]:
            self.fail("annotation-invalid", path, where, "an anchor needs a non-empty text", span_id, anchor, "{text: ...}")
            return None
        prefix, occurrence = anchor.get("prefix"), anchor.get("occurrence")
        if not isinstance(prefix, str | None) or isinstance(occurrence, bool) or not isinstance(occurrence, int | None):
            found = {k: anchor[k] for k in ("prefix", "occurrence") if k in anchor}
            self.fail("annotation-invalid", path, where, "wrong type", span_id, found, "prefix: text, occurrence: a whole number")
            return None
        needle = anchor["text"]
        hits = [m.start() for m in re.finditer(re.escape(needle), text[lo:hi])]
        hits = [lo + h for h in hits]
        if not hits:
            self.fail("anchor-not-found", path, where, "text not found", span_id, needle)
            return None
        if prefix is not None:
            hits = [h for h in hits if text[:h].endswith(prefix)]
        if occurrence is not None:
            if not 1 <= occurrence <= len(hits):
                self.fail("anchor-mismatch", path, where, "occurrence out of range", span_id, occurrence, f"1..{len(hits)}")
                return None
            hits = [hits[occurrence - 1]]
        if not hits:
            self.fail("anchor-mismatch", path, where, "no occurrence has this prefix", span_id, f"{prefix}|{needle}")
            return None
        if len(hits) > 1:
            self.fail("anchor-ambiguous", path, where, f"{len(hits)} occurrences", span_id, needle, "a prefix or occurrence")
            return None
        return hits[0], hits[0] + len(needle)

    def passage_bounds(self, start: int) -> tuple[int, int]:
        for p in self.doc.passages:
            if p.start <= start < p.end:
                return p.start, p.end
        return 0, len(self.doc.text)

    def mention(self, item: dict, key: str, span: tuple[int, int], path: Path, where: str, span_id: str) -> Offsets | None:
        anchor = item.get(key)
        if anchor is None:
            return None
        found = self.find(anchor, path, f"{where}.{key}", *self.passage_bounds(span[0]), span_id=span_id)
        return None if found is None else Offsets(*found)

    def context(self, start: int, end: int) -> tuple[str, str]:
        return context(self.doc.text, start, end)


def _enum(r: _Resolver, enum: type, value: Any, path: Path, where: str, span_id: str | None) -> Any:
    try:
        return enum(value)
    except ValueError:
        r.fail("annotation-invalid", path, where, "value not in the label set", span_id, value, [e.value for e in enum])
        return None


def _number(r: _Resolver, value: Any, path: Path, where: str, span_id: str) -> float | None:
    """A figure value as a float; anything but a finite number (``lots``, a list, 10**400) is an incident."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if math.isfinite(number):
            return number
    r.fail("annotation-invalid", path, where, "a figure value is a finite number or null", span_id, str(value)[:40], "a number")
    return None


_REQUIRED = {
    "figures": {"id", "text", "kind", "value", "normalized", "qualifier", "unit"},
    "quotes": {"id", "text", "quote_type", "speaker"},
    "claims": {"id", "text", "claimant", "hedged", "cluster"},
}
_STRINGS = {  # text fields (ids, keys, normalized): a list, a number or null there is an error, not something to coerce
    "figures": ("id", "normalized", "unit"),
    "quotes": ("id", "speaker"),
    "claims": ("id", "claimant", "cluster"),
}
_BOOLEANS = {"figures": ("year_inferred",), "quotes": (), "claims": ("hedged",)}  # true or false: "false" is no boolean
_OPTIONAL = {
    "figures": {"prefix", "occurrence", "value_max", "year_inferred"},
    "quotes": {"prefix", "occurrence", "speaker_mention", "cue"},
    "claims": {"prefix", "occurrence", "claimant_mention"},
}


def _has_keys(r: _Resolver, item: Any, required: set[str], optional: set[str], path: Path, where: str) -> bool:
    """Whether an entry is a mapping with every required key and no other but the optional ones (a misspelt key is
    reported, never silently ignored)."""
    if isinstance(item, dict) and required <= item.keys() and not set(item) - required - optional:
        return True
    keys = sorted(map(str, item)) if isinstance(item, dict) else item
    r.fail("annotation-invalid", path, where, "wrong keys", None, keys, sorted(required) + [f"({k})" for k in sorted(optional)])
    return False


def _spans(r: _Resolver, raw: RawEntries, key: str) -> list[tuple[Path, str, dict, dict[str, Any]]]:
    """Resolve the anchors of one layer to (file, entry, item, the fields every span shares).

    Entries with a bad shape or an unresolvable anchor are reported and skipped.
    """
    out = []
    for path, i, item in raw.entries[key]:
        where = f"{key}[{i}]"
        if not _has_keys(r, item, _REQUIRED[key], _OPTIONAL[key], path, where):
            continue
        wrong = {k: "text" for k in _STRINGS[key] if not isinstance(item[k], str) and not (k == "unit" and item[k] is None)}
        wrong |= {k: "true or false" for k in _BOOLEANS[key] if k in item and not isinstance(item[k], bool)}
        if wrong:
            r.fail("annotation-invalid", path, where, "wrong type", None, {k: item[k] for k in wrong}, wrong)
            continue
        found = r.find(item, path, where, span_id=item["id"])
        if found:
            (s, e), (prefix, suffix) = found, r.context(*found)
            doc = r.doc
            base = {
                "id": item["id"],
                "doc_id": doc.doc_id,
                "fold": doc.fold,
                "start": s,
                "end": e,
                "text": doc.text[s:e],
                "prefix": prefix,
                "suffix": suffix,
            }
            out.append((path, where, item, base))
    return out


def resolve(doc: Document, raw: RawEntries) -> DocumentAnnotations:
    """Resolve every entry of one document; raises ``IncidentError`` with all problems."""
    r = _Resolver(doc)
    ann = DocumentAnnotations()
    for path, where, it, base in _spans(r, raw, "figures"):
        kind = _enum(r, FigureKind, it["kind"], path, where, it["id"])
        qual = _enum(r, Qualifier, it["qualifier"], path, where, it["id"])
        failed = len(r.incidents)
        value, value_max = (_number(r, it.get(k), path, f"{where}.{k}", it["id"]) for k in ("value", "value_max"))
        if kind and qual and len(r.incidents) == failed:
            ann.figures.append(
                Figure(
                    **base,
                    kind=kind,
                    value=value,
                    value_max=value_max,
                    normalized=it["normalized"],
                    qualifier=qual,
                    unit=it["unit"],
                    year_inferred=it.get("year_inferred", False),
                )
            )
    for path, where, it, base in _spans(r, raw, "quotes"):
        qtype = _enum(r, QuoteType, it["quote_type"], path, where, it["id"])
        span = (base["start"], base["end"])
        speaker = r.mention(it, "speaker_mention", span, path, where, it["id"])
        cue = r.mention(it, "cue", span, path, where, it["id"])
        if qtype:
            ann.quotes.append(Quote(**base, quote_type=qtype, speaker=it["speaker"], speaker_span=speaker, cue_span=cue))
    for path, where, it, base in _spans(r, raw, "claims"):
        s, e = base["start"], base["end"]
        ann.claims.append(
            Claim(
                **base,
                claimant=it["claimant"],
                claimant_span=r.mention(it, "claimant_mention", (s, e), path, where, it["id"]),
                hedged=it["hedged"],
                cluster=it["cluster"],
                figures=_inside(ann.figures, s, e),
                quotes=_inside(ann.quotes, s, e),
            )
        )
    ann.sentences = _sentences(r, raw, ann.claims)
    for key, enum in (("not_figures", NotFigureReason), ("not_quotes", NotQuoteReason)):
        for path, i, item in raw.entries[key]:
            where = f"{key}[{i}]"
            if not _has_keys(r, item, {"text", "reason"}, {"prefix", "occurrence"}, path, where):
                continue
            found = r.find(item, path, where)
            reason = _enum(r, enum, item["reason"], path, where, None)
            if found and reason:
                getattr(ann, key).append(Exclusion(*found, doc.text[found[0] : found[1]], reason.value))
    if r.incidents:
        raise IncidentError(r.incidents)
    return ann


def _inside(spans: list, start: int, end: int) -> tuple[str, ...]:
    """Ids of the spans lying within [start, end): a claim's figures and quotes."""
    return tuple(x.id for x in spans if start <= x.start and x.end <= end)


def _sentences(r: _Resolver, raw: RawEntries, claims: list[Claim]) -> list[Sentence]:
    """Sentences with the claims inside them, or the recorded reason they hold none."""
    bounds = split_document(r.doc)
    reasons: dict[int, NoClaimReason] = {}
    for path, i, item in raw.entries["sentences"]:
        where = f"sentences[{i}]"
        if not _has_keys(r, item, {"starts", "reason"}, set(), path, where):
            continue
        starts = item["starts"]
        if not isinstance(starts, str) or not starts:
            r.fail("annotation-invalid", path, where, "`starts` must be the text a sentence begins with", None, starts, "text")
            continue
        hits = [n for n, (_, s, _e) in enumerate(bounds) if r.doc.text.startswith(starts, s)]
        if len(hits) != 1:
            r.fail(
                "anchor-not-found" if not hits else "anchor-ambiguous",
                path,
                where,
                "`starts` must begin exactly one sentence",
                None,
                starts,
            )
            continue
        reason = _enum(r, NoClaimReason, item["reason"], path, where, None)
        if reason:
            reasons[hits[0]] = reason
    out = []
    for n, (passage, s, e) in enumerate(bounds, start=1):
        ids = tuple(c.id for c in claims if s <= c.start and c.end <= e)
        out.append(Sentence(f"{r.doc.doc_id}-s{n:02d}", r.doc.doc_id, r.doc.fold, passage, s, e, r.doc.text[s:e], ids, reasons.get(n - 1)))
    return out


def resolve_folder(docs: list[Document], folder: Path) -> dict[str, DocumentAnnotations]:
    """Resolve every document's annotations in a folder (gold or one pass)."""
    entries = load_entries(folder) if folder.is_dir() else {}
    declared = [d.doc_id for d in docs]
    incidents = check_declared(declared, folder, set(entries), "document-annotations-missing")
    out: dict[str, DocumentAnnotations] = {}
    for doc in docs:
        try:
            out[doc.doc_id] = resolve(doc, entries.get(doc.doc_id, RawEntries(doc.doc_id)))
        except IncidentError as err:
            incidents.extend(err.incidents)
    if incidents:
        raise IncidentError(incidents)
    return out

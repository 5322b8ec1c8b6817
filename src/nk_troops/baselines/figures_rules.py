"""figures-rules: numbers found by patterns, with value, qualifier, kind and ISO dates.

Dates (``April 15, 2012``, ``October 8 and 13``, ``Oct. 3``, ``1950-53``), digit
numbers with an optional scale word (``1.2 million``), and number words
(``six``, ``fourth``). The qualifier comes from the words right before the number;
a date without a year takes the year of the story (2024). No idiom or pronoun
filtering beyond ``one of``: that is what a baseline leaves to a model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ..model import Figure, FigureKind, Qualifier
from .common import Doc, make_span

_MONTH_NAMES = "January February March April May June July August September October November December"
MONTHS = {m.lower(): i for i, m in enumerate(_MONTH_NAMES.split(), 1)}  # noqa: SIM905
MONTHS |= {m[:3]: i for m, i in list(MONTHS.items())} | {"sept": 9}
WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}  # noqa: SIM905
WORDS |= {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12}
ORDINALS = {w: i for i, w in enumerate("zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()) if i}  # noqa: SIM905
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
DURATION_UNITS = ("years", "year", "months", "month", "weeks", "week", "days", "day", "hours", "hour")
QUALIFIERS = [
    (Qualifier.APPROXIMATE, ("about", "around", "approximately", "some", "nearly", "roughly")),
    (Qualifier.UPPER_BOUND, ("up to", "as many as", "at most")),
    (Qualifier.LOWER_BOUND, ("more than", "over", "at least")),
]
_STOP = "to in on at from for with of by and or as than that who which were was are is have has had already since the a an"
UNIT_STOP = frozenset(_STOP.split())

_MONTH = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.|" + _MONTH_NAMES.replace(" ", "|")
_DATE = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:\s*(?:and|-|–)\s*(\d{{1,2}}))?(?:,\s+(\d{{4}}))?\b")
_YEARS = re.compile(r"\b(1[89]\d\d|20\d\d)(?:[-–](\d\d))?\b")
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s+(thousand|million|billion))?(\s*%| percent)?(?![\w])")
_WORD = re.compile(r"\b(" + "|".join(sorted([*WORDS, *ORDINALS], key=len, reverse=True)) + r")\b", re.IGNORECASE)


def _iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def _qualifier(text: str, start: int) -> Qualifier:
    before = text[max(0, start - 20) : start].lower()
    for qualifier, cues in QUALIFIERS:
        if any(re.search(rf"\b{cue} $", before) for cue in cues):
            return qualifier
    return Qualifier.EXACT


def _unit(text: str, end: int) -> str | None:
    """Up to three lowercase words right after the number, stopping at a function word or punctuation."""
    m = re.match(r"(?:\s+[A-Za-z-]+){1,3}", text[end:])
    words = []
    for w in m.group(0).split() if m else []:
        if w.lower() in UNIT_STOP:
            break
        if not w[0].isupper():  # proper-noun modifiers say whose, not what
            words.append(w)
    return " ".join(words) or None


def number_string(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


class Candidate(NamedTuple):
    """A number expression found in a document, before it becomes a Figure record."""

    start: int
    end: int
    kind: FigureKind
    value: float | None
    normalized: str
    year_inferred: bool = False
    value_max: float | None = None


def dates(doc: Doc) -> list[Candidate]:
    """Calendar dates (``April 15, 2012``, ``October 8 and 13``, ``Oct. 3``), then years outside them (``1950-53``)."""
    year, out = int(doc.story_date[:4]), []
    for m in _DATE.finditer(doc.text):
        month = MONTHS[m.group(1).rstrip(".").lower()]
        y = int(m.group(4)) if m.group(4) else year
        day, last = int(m.group(2)), m.group(3)
        norm = _iso(y, month, day) + (f"/{_iso(y, month, int(last))}" if last else "")
        out.append(Candidate(m.start(), m.end(), FigureKind.DATE, None, norm, not m.group(4)))
    for m in _YEARS.finditer(doc.text):
        if all(m.end() <= d.start or m.start() >= d.end for d in out):
            first = m.group(1)
            norm = f"{first}/{first[:2]}{m.group(2)}" if m.group(2) else first
            out.append(Candidate(m.start(), m.end(), FigureKind.DATE, None, norm))
    return out


def numerals(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Offsets from the first to the last numeral or number word in ``text[lo:hi]`` (a scale word and % kept), None if none."""
    found = [(m.start(), m.end()) for pattern in (_NUMBER, _WORD) for m in pattern.finditer(text, lo, hi)]
    return (min(s for s, _ in found), max(e for _, e in found)) if found else None


def _figures(doc: Doc) -> Iterator[Candidate]:
    """Every number expression: dates first, then digits, then number words, none overlapping an earlier one."""
    text, taken = doc.text, dates(doc)
    yield from taken

    def free(s: int, e: int) -> bool:
        return all(e <= c.start or s >= c.end for c in taken)

    for m in _NUMBER.finditer(text):
        if free(m.start(), m.end()):
            value = float(m.group(1).replace(",", "")) * SCALES.get(m.group(2) or "", 1)
            following = text[m.end() : m.end() + 8].lower()
            duration = following.strip().startswith(DURATION_UNITS)
            kind = FigureKind.PERCENT if m.group(3) else FigureKind.DURATION if duration else FigureKind.COUNT
            taken.append(Candidate(m.start(), m.end(), kind, value, number_string(value)))
            yield taken[-1]
    for m in _WORD.finditer(text):
        word = m.group(1).lower()
        if word == "one" and text[m.end() : m.end() + 3] == " of":  # "one of the world's": a pronoun
            continue
        if free(m.start(), m.end()):
            value = float(ORDINALS.get(word) or WORDS[word])
            yield Candidate(m.start(), m.end(), FigureKind.ORDINAL if word in ORDINALS else FigureKind.COUNT, value, number_string(value))


def to_figures(doc: Doc, candidates: Iterable[Candidate]) -> list[Figure]:
    """Figure records in text order, with the qualifier from the words before and the unit from the words after."""
    out = []
    for n, c in enumerate(sorted(candidates), start=1):
        unit = None if c.kind in (FigureKind.DATE, FigureKind.ORDINAL) else _unit(doc.text, c.end)
        out.append(
            make_span(
                Figure,
                doc,
                n,
                c.start,
                c.end,
                kind=c.kind,
                value=c.value,
                value_max=c.value_max,
                normalized=c.normalized,
                qualifier=_qualifier(doc.text, c.start),
                unit=unit,
                year_inferred=c.year_inferred,
            )
        )
    return out


def predict(doc: Doc) -> list[Figure]:
    return to_figures(doc, _figures(doc))

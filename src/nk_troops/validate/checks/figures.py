"""Figures: the value agrees with the surface text, ranges are ordered, dates are ISO 8601.

The surface parser reads what the spec's figures look like: digits with thousands
commas and decimals (``12,000``, ``1.2``), a scale word (``1.2 million``), number
words (``six``, ``twenty-five``), ordinals (``fourth``, ``4th``) and ranges
(``10,000 to 12,000``, ``1950-53``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from typing import Any

import numpy as np

from ...incidents import Incident
from ...model import FigureKind, Layer
from .context import Table, incident, rows, subset

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = {
    w: 10 * i for i, w in enumerate(["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]) if i >= 2
}
_ORDINALS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENS_ORD = {
    w: 10 * i
    for i, w in enumerate(["_", "_", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"])
    if i >= 2
}
WORDS = {w: i for i, w in enumerate(_UNITS)} | _TENS | {"dozen": 12, "hundred": 100}
WORDS |= {w: i for i, w in enumerate(_ORDINALS)} | _TENS_ORD | {"hundredth": 100}
SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER = re.compile(
    r"(?:(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:st|nd|rd|th)?"
    r"|(?P<word>(?:"
    + "|".join(sorted(map(re.escape, set(WORDS) | {"a"}), key=len, reverse=True))
    + r")(?:-(?:"
    + "|".join(_UNITS[1:10] + _ORDINALS[1:10])
    + r"))?)\b)"
    r"(?:\s+(?P<scale>" + "|".join(SCALES) + r")\b)?",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\s*(?:–|—|-|to|and|or)\s*", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _word_value(word: str) -> float | None:
    parts = word.lower().split("-")
    if parts[0] == "a":
        return None  # only counts with a scale word: "a million"
    return float(sum(WORDS[p] for p in parts))


def numbers(text: str) -> list[tuple[float, int, int]]:
    """(value, start, end) of each number in a figure's surface text."""
    out = []
    for m in _NUMBER.finditer(text):
        if m.group("digits"):
            value: float | None = float(m.group("digits").replace(",", ""))
        else:
            value = _word_value(m.group("word"))
            if value is None and m.group("scale"):
                value = 1.0
        if value is None:
            continue
        if m.group("scale"):
            value *= SCALES[m.group("scale").lower()]
        out.append((value, m.start(), m.end()))
    return out


def expected_values(text: str) -> tuple[float, float | None] | None:
    """(value, value_max) the surface text states, or None when it holds no number.

    A second number joined by a range connector is the upper end; ``1950-53``
    abbreviates it (53 -> 1953).
    """
    found = numbers(text)
    if not found:
        return None
    value = found[0][0]
    if len(found) >= 2 and _RANGE.fullmatch(text[found[0][2] : found[1][1]]):
        upper = found[1][0]
        digits = len(str(int(upper)))
        if upper < value and value >= 100 and digits < len(str(int(value))):
            upper += value - value % 10**digits
        return value, upper
    return value, None


def _canonical(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def iso_date(normalized: str) -> bool:
    """A date, year-month or year, or an interval of two (``2024-10-08/2024-10-13``, ``1950/1953``)."""
    parts = normalized.split("/")
    if len(parts) > 2:
        return False
    for part in parts:
        m = _ISO.match(part)
        if not m:
            return False
        year, month, day = (int(g) if g else None for g in m.groups())
        try:
            dt.date(year, month or 1, day or 1)
        except ValueError:
            return False
    return len(parts) == 1 or parts[0] <= parts[1]


def _close(a: float | None, b: float | None) -> bool:
    return (a is None) == (b is None) and (a is None or math.isclose(a, b, rel_tol=1e-9))


_FIGURE = list(Layer).index(Layer.FIGURE)
_JUDGED = ("text", "kind", "value", "value_max", "normalized")


def check(t: Table, file: str) -> list[Incident]:
    t = subset(t, np.flatnonzero(t.layer_code == _FIGURE))
    keys = list(zip(*(t[c] for c in _JUDGED), strict=True))
    try:  # figures repeat: each distinct one is judged once (1 == 1.0 here, and they are judged alike)
        bad = {k for k in set(keys) if _problems(*k)}
        t = subset(t, [i for i, k in enumerate(keys) if k in bad])
    except TypeError:  # an unhashable value the schema let through: every row is judged uncached below
        pass
    out = []
    for line, sid, doc_id, start, end, text, kind, value, vmax, normalized in rows(t, "id", "doc_id", "start", "end", *_JUDGED):
        loc = {"doc_id": doc_id, "span_id": sid, "start": start, "end": end}
        try:
            found = _problems(text, kind, value, vmax, normalized)
        except TypeError:
            found = _problems.__wrapped__(text, kind, value, vmax, normalized)
        out.extend(incident(code, file, line, got, want, **loc, **extra) for code, got, want, extra in found)
    return out


@lru_cache(maxsize=1 << 16, typed=True)
def _problems(text: str, kind: str, value: float | None, vmax: float | None, normalized: str) -> tuple[tuple[str, Any, Any, dict], ...]:
    """(code, found, expected, detail) of each rule a figure breaks; figures repeat, so this is cached."""
    out: list[tuple[str, Any, Any, dict]] = []
    if value is not None and vmax is not None and vmax < value:
        out.append(("value-range-inverted", [value, vmax], "value_max >= value", {}))
    if kind == FigureKind.DATE:
        if not iso_date(normalized):
            out.append(("date-not-iso", normalized, "YYYY-MM-DD, YYYY-MM, YYYY or an interval A/B", {}))
        if value is not None or vmax is not None:
            out.append(("figure-value-mismatch", [value, vmax], [None, None], {"detail": "a date has no value"}))
        return tuple(out)
    want = expected_values(text)
    if want is None:
        out.append(("figure-value-mismatch", text, "a numeral or number word in the span", {}))
    elif not (_close(value, want[0]) and _close(vmax, want[1])):
        out.append(("figure-value-mismatch", [value, vmax], list(want), {"detail": f"surface {text!r}"}))
    elif want[1] is None and normalized != _canonical(want[0]):
        out.append(("figure-value-mismatch", normalized, _canonical(want[0]), {"detail": "normalized"}))
    return tuple(out)

"""Figures: the value agrees with the surface text, ranges are ordered, dates are ISO 8601.

The surface parser reads what the spec's figures look like: digits with thousands commas and decimals (``12,000``, ``1.2``), a scale
word (``1.2 million``), number words (``six``, ``twenty-five``), ordinals (``fourth``, ``4th``) and ranges (``10,000 to 12,000``,
``1950-53``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator

from ...incidents import Incident
from ...model import FigureKind, Layer
from ...text import NUMBER_VALUES, ORDINALS, SCALES, UNITS
from ..registry import rule
from ..run import Rows, Run, at

_NUMBER = re.compile(
    r"(?:(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:st|nd|rd|th)?"
    r"|(?P<word>(?:" + "|".join(sorted(map(re.escape, set(NUMBER_VALUES) | {"a"}), key=len, reverse=True)) + r")"
    r"(?:-(?:" + "|".join(UNITS[1:10] + ORDINALS[1:10]) + r"))?)\b)"
    r"(?:\s+(?P<scale>" + "|".join(SCALES) + r")\b)?",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\s*(?:–|—|-|to|and|or)\s*", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def expected_values(text: str) -> tuple[float, float | None] | None:
    """(value, value_max) the surface text states, or None when it holds no number; a second number
    joined by a range connector is the upper end, and ``1950-53`` abbreviates it (53 -> 1953)."""
    found = []  # (value, start, end) of each number
    for m in _NUMBER.finditer(text):
        word, scale = (m.group("word") or "").lower(), SCALES[m.group("scale").lower()] if m.group("scale") else 1.0
        if m.group("digits"):
            value = float(m.group("digits").replace(",", ""))
        elif word != "a":
            value = float(sum(NUMBER_VALUES[p] for p in word.split("-")))
        elif m.group("scale"):
            value = 1.0  # "a" is a number only before a scale word ("a million")
        else:
            continue
        found.append((value * scale, m.start(), m.end()))
    if not found:
        return None
    value = found[0][0]
    if len(found) >= 2 and _RANGE.fullmatch(text[found[0][2] : found[1][1]]):
        upper = found[1][0]
        if 100 <= value < math.inf and upper < value and (digits := len(str(int(upper)))) < len(str(int(value))):
            upper += value - value % 10**digits
        return value, upper
    return value, None


def iso_date(normalized: str) -> bool:
    """A date, year-month or year, or an ordered interval of two (``2024-10-08/2024-10-13``, ``1950/1953``)."""

    def valid(part: str) -> bool:
        m = _ISO.match(part)
        try:
            return m is not None and bool(dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1)))
        except ValueError:
            return False

    parts = normalized.split("/")
    return len(parts) <= 2 and all(map(valid, parts)) and parts[0] <= parts[-1]


def _close(a: float | None, b: float | None) -> bool:
    return (a is None) == (b is None) and (a is None or math.isclose(a, b, rel_tol=1e-9))  # type: ignore[arg-type]


@rule("figure-value-mismatch", "value-range-inverted", "date-not-iso", on="spans")
def figure_value(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """A figure's ``value``/``value_max``/``normalized`` are what its surface text states, and ``value_max`` is not
    below ``value``; a date has no value, and its ``normalized`` is an ISO 8601 date, month, year or interval."""
    file = run.file(table)
    for line, row in (r for r in rows if r[1]["layer"] == Layer.FIGURE):
        text, values = row["text"], [row["value"], row["value_max"]]
        want = None if row["kind"] == FigureKind.DATE else expected_values(text)
        if None not in values and values[1] < values[0]:
            yield at("value-range-inverted", file, line, row, values, "value_max >= value")
        if row["kind"] == FigureKind.DATE:
            if not iso_date(row["normalized"]):
                yield at("date-not-iso", file, line, row, row["normalized"], "YYYY-MM-DD, YYYY-MM, YYYY or an interval A/B")
            if values != [None, None]:
                yield at("figure-value-mismatch", file, line, row, values, [None, None], detail="a date has no value")
        elif want is None:
            yield at("figure-value-mismatch", file, line, row, text, "a numeral or number word in the span")
        elif not (_close(values[0], want[0]) and _close(values[1], want[1])):
            yield at("figure-value-mismatch", file, line, row, values, list(want), detail=f"surface {text!r}")
        elif want[1] is None and row["normalized"] != (canonical := str(int(want[0])) if want[0].is_integer() else repr(want[0])):
            yield at("figure-value-mismatch", file, line, row, row["normalized"], canonical, detail="normalized")

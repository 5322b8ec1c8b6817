"""figures-quantulum3: the quantities the quantulum3 parser finds, in the release's figure shape.

quantulum3 (a pure-Python package from the index) reads each passage
offline with its own rules and unit tables; it decides which numbers are found.
The mapping to the spec's figures reuses figures-rules:

- span: the number expression only, from the first to the last numeral or number
  word of quantulum3's surface (``100 years`` -> ``100``, ``a third`` ->
  ``third``; ``1.2 million`` and ``10,000 to 12,000`` stay whole);
- dates: a quantity inside a date that figures-rules recognises becomes that
  date (quantulum3 sees ``April 15, 2012`` as the numbers 15 and 2012);
- kind from quantulum3's unit: time -> duration, percentage -> percent,
  currency -> money, dimensionless -> count, any other unit -> other;
- value from quantulum3, a range (value ± uncertainty) as value and value_max;
  an ordinal word, which quantulum3 reads as a fraction (``fourth`` -> 0.25), is
  an ordinal with the ordinal's number, so a true fraction (``a third of``) is
  mislabelled too: the spec has no fraction kind;
- qualifier and unit from the words around the span, as figures-rules does.

Units are disambiguated by quantulum3's heuristics, never by the classifier of
its ``classifier`` extra: that extra loads a pickled scikit-learn 1.8.0 model that
fails to load under other scikit-learn versions, and on these texts gives the same
quantities when it does load.
"""

from __future__ import annotations

import warnings
from typing import Any
from unittest import mock

from ..model import Figure, FigureKind
from .common import Doc
from .figures_rules import ORDINALS, Candidate, dates, number_string, numerals, to_figures

KINDS = {"time": FigureKind.DURATION, "currency": FigureKind.MONEY, "dimensionless": FigureKind.COUNT}


def parse(text: str) -> list[Any]:
    """quantulum3's quantities in ``text``, without its classifier or the warning that the classifier is not installed."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Classifier dependencies not installed", category=UserWarning)
        from quantulum3 import classifier, parser

        with mock.patch.object(classifier, "USE_CLF", False):  # the heuristics even where scikit-learn is installed
            return parser.parse(text)


def _candidate(doc: Doc, quantity: Any, offset: int) -> Candidate | None:
    """The figure a quantulum3 quantity stands for, None when its surface holds no numeral."""
    span = numerals(doc.text, offset + quantity.span[0], offset + quantity.span[1])
    if span is None:
        return None
    start, end = span
    word = doc.text[start:end].lower()
    if word in ORDINALS:  # quantulum3 reads "fourth" as the fraction 0.25
        return Candidate(start, end, FigureKind.ORDINAL, float(ORDINALS[word]), str(ORDINALS[word]))
    kind = FigureKind.PERCENT if quantity.unit.name == "percentage" else KINDS.get(quantity.unit.entity.name, FigureKind.OTHER)
    spread = quantity.uncertainty or 0.0
    value = quantity.value - spread
    return Candidate(start, end, kind, value, number_string(value), value_max=quantity.value + spread if spread else None)


def predict(doc: Doc) -> list[Figure]:
    known_dates = dates(doc)
    found: dict[tuple[int, int], Candidate] = {}
    for start, end, _ in doc.passages:  # one passage at a time: no quantity runs across a paragraph break
        for quantity in parse(doc.text[start:end]):
            c = _candidate(doc, quantity, start)
            if c is not None:
                c = next((d for d in known_dates if d.start < c.end and c.start < d.end), c)
                found.setdefault((c.start, c.end), c)
    return to_figures(doc, found.values())

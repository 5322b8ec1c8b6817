"""Text constants that the build, the validator and the baselines share: defined once, here.

Nothing in this module depends on any other part of the package, so the build
(``build/``) and the validator (``validate/``) can both import it without
importing each other.
"""

from __future__ import annotations

import re

CONTEXT = 32  # characters of prefix / suffix a released span carries (W3C TextQuoteSelector)
PASSAGE_SEPARATOR = "\n\n"  # between two passages of a document text
QUOTE_MARKS = '“”‘’"'
PRONOUNS = frozenset(["he", "she", "they", "it", "him", "her", "them", "his", "its", "their"])
REPORTING_CUES = ("said", "says", "stated", "noted", "added", "told", "claimed", "citing", "according to", "acknowledged")

NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion "
    "dozen half first second third fourth fifth sixth seventh eighth ninth tenth once twice single"
).split()

# Words whose full stop never ends a sentence (single capitals, as in "Michael R. Turner", too).
ABBREVIATIONS = frozenset(
    {
        "U.S",
        "U.N",
        "U.K",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "St",
        "Gen",
        "Sen",
        "Rep",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Aug",
        "Sept",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "No",
        "vs",
        "etc",
    }
)


def is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at ``dot`` closes a known abbreviation or a single capital."""
    if text[dot] != ".":
        return False
    word = re.search(r"[A-Za-z.]+$", text[:dot])
    if not word:
        return False
    w = word.group(0)
    return w in ABBREVIATIONS or (len(w) == 1 and w.isupper())

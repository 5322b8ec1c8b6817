"""Text constants that the build, the validator and the baselines share, and the one Markdown table renderer.

Nothing in this module depends on any other part of the package, so the build
(``build/``) and the validator (``validate/``) can both import it without
importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

CONTEXT = 32  # characters of prefix / suffix a released span carries (W3C TextQuoteSelector)
PASSAGE_SEPARATOR = "\n\n"  # between two passages of a document text
QUOTE_MARKS = '“”‘’"'
PRONOUNS = frozenset(["he", "she", "they", "it", "him", "her", "them", "his", "its", "their"])
REPORTING_CUES = ("said", "says", "stated", "noted", "added", "told", "claimed", "citing", "according to", "acknowledged")

# Number words, defined once: the figure rule reads a span's value with them; the build's completeness
# check and the CRF baseline look for NUMBER_WORDS in the text.
UNITS = "zero one two three four five six seven eight nine ten eleven twelve".split()
UNITS += [w + "teen" for w in "thir four fif six seven eigh nine".split()]  # (0..19)
ORDINALS = [w + "th" for w in UNITS]  # corrected below where English is irregular
ORDINALS[:4], ORDINALS[5], ORDINALS[8:10], ORDINALS[12] = ["zeroth", "first", "second", "third"], "fifth", ["eighth", "ninth"], "twelfth"
TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
NUMBER_VALUES = {w: i for i, w in enumerate(UNITS)} | {w: i for i, w in enumerate(ORDINALS)} | {"dozen": 12, "hundred": 100}
NUMBER_VALUES |= TENS | {w[:-1] + "ieth": v for w, v in TENS.items()} | {"hundredth": 100}
NUMBER_WORDS = (*UNITS, *TENS, *SCALES, "dozen", "half", *ORDINALS[1:11], "once", "twice", "single")

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


def context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix a span [start, end) of ``text`` carries: up to CONTEXT characters either side."""
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str) -> str:
    """A Markdown table without a final newline; ``align`` has a letter per column, ``l`` (left) or ``r`` (right).

    Cells are written as ``str`` gives them, unescaped: a ``|`` in a cell would split it.
    """
    lines = [header, *rows]
    if any(len(cells) != len(align) for cells in lines):
        raise ValueError(f"every row needs {len(align)} cells (align {align!r})")
    rule = "|" + "|".join({"l": "---", "r": "---:"}[a] for a in align) + "|"
    body = ["| " + " | ".join(map(str, cells)) + " |" for cells in lines]
    return "\n".join([body[0], rule, *body[1:]])

"""Row rules of spans (and of sentences and predictions, where they apply): offsets on the text they
claim, context, passages, edges, and who speaks or claims."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from ...incidents import Incident
from ...model import RESERVED_CLAIMANTS, Layer, PassageType
from ...text import PRONOUNS, QUOTE_MARKS, is_abbreviation
from ...text import context as context_of
from ..registry import rule
from ..run import Rows, Run, at

TEXT_ROWS = ("spans", "sentences", "predictions")  # the tables whose rows are ranges of a document's text
MENTIONS = ("speaker_span", "cue_span", "claimant_span")
QUOTE_EDGE_MARKS = QUOTE_MARKS + "«»„‟‹›"


def in_range(run: Run, row: dict[str, Any]) -> str | None:
    """The document text when the row's document is known and its offsets lie in it."""
    doc = run.docs.get(row["doc_id"])
    return doc.text if doc is not None and 0 <= row["start"] < row["end"] <= len(doc.text) else None


@rule("document-unknown", "fold-mismatch", "offset-out-of-range", "offset-text-mismatch", on=TEXT_ROWS, needs=("documents",))
def offsets(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """The row names a known document and its fold; 0 <= start < end <= len(text); ``text`` (when given)
    is text[start:end]; the speaker, cue and claimant mentions lie in the text too."""
    file = run.file(table)
    for line, row in rows:
        doc = run.docs.get(row["doc_id"])
        if doc is None:
            if run.complete("documents"):  # else it may be one on a line that could not be read
                yield at("document-unknown", file, line, row, row["doc_id"], sorted(run.docs)[:5], doc_id=None)
            continue
        if row.get("fold") is not None and row["fold"] != doc.fold:
            yield at("fold-mismatch", file, line, row, row["fold"], doc.fold)
        bounds = f"0 <= start < end <= {len(doc.text)}"
        if not 0 <= row["start"] < row["end"] <= len(doc.text):
            yield at("offset-out-of-range", file, line, row, [row["start"], row["end"]], bounds)
        elif row.get("text") is not None and doc.text[row["start"] : row["end"]] != row["text"]:
            yield at("offset-text-mismatch", file, line, row, row["text"], doc.text[row["start"] : row["end"]])
        for name in MENTIONS:
            m = row.get(name)
            if isinstance(m, dict) and not 0 <= m["start"] < m["end"] <= len(doc.text):
                yield at("offset-out-of-range", file, line, row, [m["start"], m["end"]], bounds, start=None, end=None, detail=name)


@rule("span-context-mismatch", on="spans", needs=("documents",))
def context(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """``prefix`` and ``suffix`` are the 32 characters before and after the span."""
    for line, row in rows:
        if (text := in_range(run, row)) is not None:
            want = list(context_of(text, row["start"], row["end"]))
            if [row["prefix"], row["suffix"]] != want:
                yield at("span-context-mismatch", run.file(table), line, row, [row["prefix"], row["suffix"]], want)


@rule("span-crosses-passage", "span-in-heading", on="spans", needs=("documents",))
def passage(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """A span lies inside one passage, which is not a heading."""
    for line, row in rows:
        if (text := in_range(run, row)) is not None:
            passages, surface = run.docs[row["doc_id"]].passages, text[row["start"] : row["end"]][:60]
            i = bisect.bisect_right(passages, row["start"], key=itemgetter(0)) - 1  # the passage it starts in
            p = passages[i] if i >= 0 and row["end"] <= passages[i][1] else None
            if p is None:
                yield at("span-crosses-passage", run.file(table), line, row, surface, "a range inside one passage")
            elif p[2] == PassageType.HEADING:
                yield at("span-in-heading", run.file(table), line, row, surface, "no span in a heading")


@rule("span-whitespace-edge", "quote-includes-marks", "claim-final-stop", on="spans")
def edges(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """A span starts and ends on a visible character; a quote holds the content inside its quotation marks (no mark at
    either end, no trailing comma or stop); a claim ends at its last word, not on the sentence-final full stop (an
    abbreviation's stop is fine)."""
    file = run.file(table)
    for line, row in rows:
        text = row["text"]
        if text[0].isspace() or text[-1].isspace():
            yield at("span-whitespace-edge", file, line, row, text[:60], "no whitespace at either end")
        if row["layer"] == Layer.QUOTE and (text[0] in QUOTE_EDGE_MARKS or text[-1] in QUOTE_EDGE_MARKS + ",."):
            yield at("quote-includes-marks", file, line, row, text[:60], "the content inside the marks")
        elif row["layer"] == Layer.CLAIM and text.endswith(".") and not is_abbreviation(text, len(text) - 1):
            yield at("claim-final-stop", file, line, row, text[-30:], "no sentence-final full stop")


@rule("entity-unknown", "mention-not-alias", on="spans", needs=("documents", "entities"))
def mentions(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """Speakers and claimants are entities of entities.jsonl (or author/unspecified); their mentions are
    aliases of the entity or pronouns."""
    if not run.complete("entities"):
        return  # an entity on a line that could not be read would seem unknown
    for line, row in rows:
        for who, span in (("speaker", "speaker_span"), ("claimant", "claimant_span")):
            entity, m, doc = row.get(who), row.get(span), run.docs.get(row["doc_id"])
            if entity is None or (who == "claimant" and entity in RESERVED_CLAIMANTS):
                continue
            if entity not in run.entities:
                yield at("entity-unknown", run.file(table), line, row, entity, "an id of entities.jsonl", detail=who)
            elif m is not None and doc is not None and 0 <= m["start"] < m["end"] <= len(doc.text):
                said, aliases = doc.text[m["start"] : m["end"]], run.entities[entity]
                if said not in aliases and said.lower() not in PRONOUNS:
                    yield at("mention-not-alias", run.file(table), line, row, said, sorted(aliases)[:5], detail=f"{span} of {entity}")

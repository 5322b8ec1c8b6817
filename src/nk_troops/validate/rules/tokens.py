"""The tokens view: one row per sentence, its tokens those of ``bio.tokenize`` over the sentence, one
valid BIO tag per token and layer, and the tags decoding to exactly the spans in that sentence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...bio import decode_bio, tokenize
from ...incidents import Incident
from ...model import Layer
from ..registry import rule
from ..run import Rows, Run, at

TAGS = {layer.value: f"{layer.value}_tags" for layer in Layer}


def _tokens(run: Run, row: dict[str, Any]) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]] | None:
    """(what the row holds, what tokenizing its sentence gives), when the sentence and its document are known."""
    sent, doc = run.ids["sentences"].get(row["id"]), run.docs.get(row["doc_id"])
    if sent is None or doc is None or sent.doc_id != row["doc_id"]:
        return None
    return list(zip(row["tokens"], row["token_starts"], row["token_ends"], strict=False)), tokenize(doc.text, sent.start, sent.end)


@rule("tokens-row-mismatch", on="tokens", needs=("documents", "sentences"), finish=True)
def token_rows(run: Run, table: str, rows: Rows | None) -> Iterator[Incident]:
    """Each tokens row is a sentence of the sentences view, of the same document and fold; each sentence has a row."""
    file, have = run.file(table), run.seen["sentences with tokens"]
    if rows is None:
        for sid, sent in run.ids["sentences"].items() if run.complete(table) else ():
            if sid not in have and sid not in run.broken:
                yield at("tokens-row-mismatch", file, None, None, doc_id=sent.doc_id, span_id=sid, detail="the sentence has no tokens row")
        return
    for line, row in rows:
        have.setdefault(row["id"], line)
        sent, doc = run.ids["sentences"].get(row["id"]), run.docs.get(row["doc_id"])
        if sent is None or sent.doc_id != row["doc_id"]:
            yield at("tokens-row-mismatch", file, line, row, row["doc_id"], sent.doc_id if sent else "a sentence id")
        elif doc is not None and row["fold"] != doc.fold:
            yield at("tokens-row-mismatch", file, line, row, row["fold"], doc.fold, detail="fold")


@rule("tokens-text-mismatch", on="tokens", needs=("documents", "sentences"))
def token_text(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """The tokens and their offsets are ``bio.tokenize`` of the sentence: each token is the text at its offsets."""
    for line, row in rows:
        pair = _tokens(run, row)
        lengths = {len(row["tokens"]), len(row["token_starts"]), len(row["token_ends"])}
        if pair is not None and (pair[0] != pair[1] or len(lengths) > 1):
            have, want = pair
            i = next((i for i, (h, w) in enumerate(zip(have, want, strict=False)) if h != w), min(len(have), len(want)))
            found, expected = (list(have[i]) if i < len(have) else None), (list(want[i]) if i < len(want) else None)
            yield at("tokens-text-mismatch", run.file(table), line, row, found, expected, detail=f"token {i}")


@rule("tokens-tags-length", "tokens-bio-invalid", on="tokens")
def token_tags(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """Each layer has one tag per token, and every I- tag continues a B- or I- tag of its layer."""
    for line, row in rows:
        for layer, column in TAGS.items():
            tags = row[column]
            if len(tags) != len(row["tokens"]):
                yield at("tokens-tags-length", run.file(table), line, row, len(tags), len(row["tokens"]), detail=column)
                continue
            bad = next((i for i, tag in enumerate(tags) if tag.startswith("I-") and (i == 0 or tags[i - 1] == "O")), None)
            if bad is not None:
                yield at("tokens-bio-invalid", run.file(table), line, row, tags[bad], f"B-{layer} first", detail=f"{column}[{bad}]")


@rule("tokens-tags-mismatch", on="tokens", needs=("documents", "sentences", "spans"))
def token_spans(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """Decoding each layer's tags gives exactly the spans of spans.jsonl inside the sentence."""
    if not run.complete("spans") or run.broken & run.seen["spans"].keys() or run.broken.intersection(run.nested["spans"]):
        return  # a span row that could not be read or failed its shape: the spans here are not all known
    for line, row in rows:
        pair = _tokens(run, row)
        if pair is None or pair[0] != pair[1]:
            continue  # reported by token_rows or token_text
        sent = run.ids["sentences"][row["id"]]
        for layer, column in TAGS.items():
            if len(row[column]) == len(row["tokens"]):
                decoded = [list(s) for s in decode_bio(row["token_starts"], row["token_ends"], row[column])]
                spans = sorted([k.start, k.end] for k in run.inside(sent.doc_id, layer, sent.start, sent.end))
                if decoded != spans:
                    yield at("tokens-tags-mismatch", run.file(table), line, row, decoded, spans, detail=column)

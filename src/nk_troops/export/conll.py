"""CoNLL (IOB2): one file per document, ``-DOCSTART-`` first, a token and its claim, quote and figure tags per line.

Written from the release's ``tokens`` view, so tokens and tags are exactly the
ones the release defines (``bio.py``); every gold span is a token range there
(the build refuses one that is not). Read it back with the CoNLL loader
``datasets`` ships: ``load_dataset("conll", data_files=..., column_names=COLUMNS)``.
"""

from __future__ import annotations

from typing import Any

from .common import DocView, Output

COLUMNS = ["tokens", "claim_tags", "quote_tags", "figure_tags"]
DOCSTART = "-DOCSTART- O O O"  # same column count as a token line, so column readers need no special case


def render(views: list[DocView], rows: dict[str, list[dict[str, Any]]]) -> Output:
    files: dict[str, list[str]] = {d["doc_id"]: [DOCSTART, ""] for d in rows["documents"]}
    for sent in rows["tokens"]:
        lines = files[sent["doc_id"]]
        for token, *tags in zip(sent["tokens"], sent["claim_tags"], sent["quote_tags"], sent["figure_tags"], strict=True):
            lines.append(" ".join([token, *tags]))
        lines.append("")
    return Output({f"{doc_id}.conll": "".join(line + "\n" for line in lines).encode("utf-8") for doc_id, lines in files.items()})

"""Documents: passages tile the text, the raw file is the one ``source_sha256`` names and replaying each
passage's edits over it gives the passage, and nested records sit under the document they name."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from ...files import read_inside
from ...incidents import Incident
from ...model import Passage, PassageType, from_dict, replay
from ...paths import RAW
from ...schemas import DOCUMENT_LISTS
from ...text import PASSAGE_SEPARATOR
from ..registry import rule
from ..run import Rows, Run, at


@rule("passage-tiling", on="documents")
def passage_tiling(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """Passages tile the text in order, one blank line apart, the title first."""
    file = run.file(table)
    for line, doc in rows:
        text, passages, pos = doc["text"], doc["passages"], 0
        for i, p in enumerate(passages):
            if p["index"] != i or p["start"] != pos or p["end"] <= p["start"]:
                found = [p["index"], p["start"], p["end"]]
                yield at("passage-tiling", file, line, doc, found, [i, pos, "> start"], detail=f"passages[{i}]")
            pos = p["end"] + len(PASSAGE_SEPARATOR)
            if i + 1 < len(passages) and text[p["end"] : pos] != PASSAGE_SEPARATOR:
                yield at("passage-tiling", file, line, doc, text[p["end"] : pos], PASSAGE_SEPARATOR, detail=f"after passages[{i}]")
        if passages[-1]["end"] != len(text):
            yield at("passage-tiling", file, line, doc, passages[-1]["end"], len(text), detail="the last passage ends the text")
        if passages[0]["type"] != PassageType.TITLE or text[passages[0]["start"] : passages[0]["end"]] != doc["title"]:
            yield at("passage-tiling", file, line, doc, passages[0]["type"], "the title passage first")


@rule("raw-sha-mismatch", "passage-text-mismatch", on="documents", needs=("raw",))
def raw_source(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """The raw file ``raw/`` + ``source_file`` (when the folder has raw/, as a release and the installed one do) has
    the SHA-256 ``source_sha256`` names, and replaying each passage's edits over it gives the passage's text."""
    assert run.folder is not None
    file = run.file(table)
    for line, doc in rows:
        data, problem = read_inside(run.folder, f"{RAW}/{doc['source_file']}", file)  # inside the folder, raw/ a link or not
        if data is None:
            assert problem is not None
            yield at(problem.code, file, line, doc, doc["source_file"], detail=problem.detail)
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha != doc["source_sha256"]:
            yield at("raw-sha-mismatch", file, line, doc, sha, doc["source_sha256"])
            continue
        raw = data.decode("utf-8", errors="replace")
        for p in doc["passages"]:
            body, have = replay(raw, from_dict(Passage, p)), doc["text"][p["start"] : p["end"]]
            if body != have:
                where = {"start": p["start"], "end": p["end"], "detail": f"passages[{p['index']}]"}
                yield at("passage-text-mismatch", file, line, doc, have[:60], body[:60], **where)


@rule("nested-wrong-document", on="documents")
def nested_placement(run: Run, table: str, rows: Rows) -> Iterator[Incident]:
    """Every record nested in a document row names that document."""
    for line, doc in rows:
        own = doc["doc_id"]
        for key in DOCUMENT_LISTS:
            for rec in (r for r in doc[key] if r["doc_id"] != own):
                yield at("nested-wrong-document", run.file(table), line, rec, rec["doc_id"], own, doc_id=own, detail=key)

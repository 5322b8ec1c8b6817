"""Documents: passages tile the text, replaying each passage's edits over the raw file
reproduces it, and the raw file is the one ``source_sha256`` names."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ...incidents import Incident
from ...model import Passage, PassageType, from_dict, replay
from ...text import PASSAGE_SEPARATOR
from .context import incident


def tiling(line: int, doc: dict[str, Any], file: str) -> list[Incident]:
    text, passages, doc_id = doc["text"], doc["passages"], doc["doc_id"]
    out = []
    pos = 0
    for i, p in enumerate(passages):
        if p["index"] != i or p["start"] != pos or p["end"] <= p["start"]:
            out.append(
                incident(
                    "passage-tiling",
                    file,
                    line,
                    [p["index"], p["start"], p["end"]],
                    [i, pos, "> start"],
                    doc_id=doc_id,
                    detail=f"passages[{i}]",
                )
            )
        pos = p["end"] + len(PASSAGE_SEPARATOR)
        if i + 1 < len(passages) and text[p["end"] : pos] != PASSAGE_SEPARATOR:
            out.append(
                incident(
                    "passage-tiling", file, line, text[p["end"] : pos], PASSAGE_SEPARATOR, doc_id=doc_id, detail=f"after passages[{i}]"
                )
            )
    if passages and passages[-1]["end"] != len(text):
        out.append(
            incident("passage-tiling", file, line, passages[-1]["end"], len(text), doc_id=doc_id, detail="last passage ends the text")
        )
    if passages and (passages[0]["type"] != PassageType.TITLE or text[passages[0]["start"] : passages[0]["end"]] != doc["title"]):
        out.append(incident("passage-tiling", file, line, passages[0]["type"], "the title passage first", doc_id=doc_id))
    return out


def raw_source(line: int, doc: dict[str, Any], file: str, raw_dir: Path) -> list[Incident]:
    path = raw_dir / doc["source_file"]
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        return [incident("file-missing", str(path), None, doc_id=doc["doc_id"], detail=f"raw file of {file}:{line}: {exc.strerror}")]
    sha = hashlib.sha256(raw_bytes).hexdigest()
    if sha != doc["source_sha256"]:
        return [incident("raw-sha-mismatch", file, line, sha, doc["source_sha256"], doc_id=doc["doc_id"])]
    raw = raw_bytes.decode("utf-8", errors="replace")
    out = []
    for p in doc["passages"]:
        body = replay(raw, from_dict(Passage, p))
        if body != doc["text"][p["start"] : p["end"]]:
            found = doc["text"][p["start"] : p["end"]][:60]
            out.append(
                incident(
                    "passage-text-mismatch",
                    file,
                    line,
                    found,
                    body[:60],
                    doc_id=doc["doc_id"],
                    start=p["start"],
                    end=p["end"],
                    detail=f"passages[{p['index']}]",
                )
            )
    return out

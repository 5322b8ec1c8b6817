"""``nk-troops diff OLD NEW``: spans added, removed and changed per layer between two releases.

Spans are matched by id (ids are never reused), so a moved or relabelled span is
"changed", with the names of the fields that differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..incidents import Incident, IncidentError
from ..model import Layer
from ..text import markdown_table

LAYERS = [layer.value for layer in Layer]  # a list: an unhashable value read from JSON is simply not in it


@dataclass
class LayerDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # span id -> fields that differ


def read_spans(folder: Path) -> dict[str, dict[str, Any]]:
    """Span rows of a release folder by id; unreadable files and bad rows become incidents."""
    path = folder / "spans.jsonl"
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        raise IncidentError([Incident("file-missing", file=str(path))]) from None
    except IsADirectoryError:
        raise IncidentError([Incident("file-missing", file=str(path), found="a folder", expected="a file")]) from None
    except UnicodeDecodeError:
        raise IncidentError([Incident("file-encoding", file=str(path))]) from None
    rows, incidents = {}, []
    lines = text.removesuffix("\n").split("\n") if text else []  # "\n" only: U+2028 or U+0085 may stand unescaped in a JSON string
    for n, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
        except RecursionError:
            incidents.append(Incident("file-too-deep", file=str(path), line=n))
            continue
        except ValueError as exc:  # malformed JSON, or an integer past Python's 4,300-digit limit
            incidents.append(Incident("json-malformed", file=str(path), line=n, detail=str(exc)))
            continue
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) or row.get("layer") not in LAYERS:
            incidents.append(Incident("json-not-object", file=str(path), line=n, detail="a span row with a string id and a layer"))
            continue
        rows[row["id"]] = row
    if incidents:
        raise IncidentError(incidents)
    return rows


def diff_spans(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[Layer, LayerDiff]:
    out = {layer: LayerDiff() for layer in Layer}
    for sid in sorted(old.keys() | new.keys()):
        a, b = old.get(sid), new.get(sid)
        if a is None:
            out[Layer(b["layer"])].added.append(sid)
        elif b is None:
            out[Layer(a["layer"])].removed.append(sid)
        elif a != b:
            out[Layer(b["layer"])].changed[sid] = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return out


def render_diff(diff: dict[Layer, LayerDiff], verbose: bool = False) -> str:
    rows = [[layer.value, len(d.added), len(d.removed), len(d.changed)] for layer, d in diff.items()]
    lines = [markdown_table(["layer", "added", "removed", "changed"], rows, "lrrr")]
    if verbose:
        for d in diff.values():
            lines += [f"+ {sid}" for sid in d.added] + [f"- {sid}" for sid in d.removed]
            lines += [f"~ {sid}: {', '.join(fields)}" for sid, fields in d.changed.items()]
    return "\n".join(lines) + "\n"

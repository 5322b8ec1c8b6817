"""The generated blocks of the hand-written Markdown files, in one place.

DATASHEET.md carries the release statistics and the two-pass agreement; README.md
the agreement; docs/VALIDATION.md the validator's rules table (from its registry).
``nk-troops build`` stages and publishes them with the release and
tests/test_generated.py fails when a committed copy is stale. The baseline results
table is not the build's: it has its own command (``nk-troops baseline``), so the
release does not depend on the baselines.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..build.agreement import render as render_agreement
from ..build.agreement import resolve_passes
from ..incidents import OTHER_COMMANDS
from ..text import markdown_table
from ..validate.registry import READER_CODES, RULES, SHAPE_CODES
from . import blocks
from .assemble import Release
from .stats import datasheet_stats

FILES = ("DATASHEET.md", "README.md", "docs/VALIDATION.md")  # root-relative POSIX paths


def expected(root: Path, release: Release) -> dict[str, dict[str, str]]:
    """File name -> block name -> body, freshly computed."""
    agreement = render_agreement(*resolve_passes(release.documents, root / "annotations"))
    return {
        "DATASHEET.md": {"stats": datasheet_stats(release), "agreement": agreement},
        "README.md": {"agreement": agreement},
        "docs/VALIDATION.md": {"rules": rules_table()},
    }


def render(root: Path, release: Release) -> dict[str, bytes]:
    """File name -> the whole file with every generated block refreshed (a missing file holds only its blocks)."""
    out = {}
    for name, bodies in expected(root, release).items():
        path = root / name
        out[name] = blocks.render(path.read_text(encoding="utf-8") if path.exists() else "", bodies).encode("utf-8")
    return out


def rules_table() -> str:
    """The validator's rules table (docs/VALIDATION.md): one row per rule of its registry, with the codes it raises."""
    rows = [
        ["(reader)", "every file and line can be read as a JSON object", _codes(READER_CODES), "every file", ""],
        ["(shape)", "every record against its JSON Schema (schema/)", _codes(SHAPE_CODES), "every file", ""],
    ]
    for r in RULES.values():
        summary = " ".join((r.fn.__doc__ or "").split())  # the docstring, on one line
        on = ", ".join(r.on)
        rows.append([f"`{r.name}`", summary, _codes(r.codes), on or "once", ", ".join(r.needs)])
    rows += [[f"({c})", f"raised by `nk-troops {c}`, never by the validator", _codes(codes), "", ""] for c, codes in OTHER_COMMANDS.items()]
    return markdown_table(["rule", "what it checks", "codes", "runs on", "needs"], rows, "lllll") + "\n"


def _codes(codes: Iterable[str]) -> str:
    return " ".join(f"`{c}`" for c in codes)

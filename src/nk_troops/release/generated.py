"""The generated blocks of the hand-written Markdown files, in one place.

DATASHEET.md carries the release statistics and the two-pass agreement; README.md
the agreement; docs/VALIDATION.md the validator's rules table (from its registry).
``nk-troops build`` stages and publishes them with the release and
tests/test_generated.py fails when a committed copy is stale. The baseline results
table is not the build's: it has its own command (``nk-troops baseline``), so the
release does not depend on the baselines.
"""

from __future__ import annotations

from pathlib import Path

from ..build.agreement import render as render_agreement
from ..build.agreement import resolve_passes
from ..validate import rules_table
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

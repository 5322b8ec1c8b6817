"""Every generated block of the hand-written Markdown files, in one place.

DATASHEET.md carries the release statistics and the two-pass agreement; README.md
the agreement. ``nk-troops build`` rewrites them and tests/test_generated.py
fails when a committed copy is stale. Listing them here keeps the build the one
command that refreshes everything derived from the annotations. (The baseline
results are trained, not derived: ``nk-troops baseline --results --write``
refreshes them, see ``baselines/results.py``.)
"""

from __future__ import annotations

from pathlib import Path

from ..build.agreement import render as render_agreement
from ..build.agreement import resolve_passes
from . import blocks
from .assemble import Release
from .stats import datasheet_stats


def expected(root: Path, release: Release, release_folder: Path) -> dict[str, dict[str, str]]:
    """File name -> block name -> body, freshly computed."""
    agreement = render_agreement(*resolve_passes(release.documents, root / "annotations"))
    return {
        "DATASHEET.md": {"stats": datasheet_stats(release), "agreement": agreement},
        "README.md": {"agreement": agreement},
    }


def refresh(root: Path, release: Release, release_folder: Path) -> list[str]:
    """Rewrite every generated block; the names of the files that changed."""
    return [name for name, bodies in expected(root, release, release_folder).items() if blocks.write(root / name, bodies)]

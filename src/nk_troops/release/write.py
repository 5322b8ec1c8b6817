"""Rendering a release to bytes: JSONL per config, card, manifest, Croissant, figure (``publish`` writes them).

Every file is a pure function of the annotations, written with fixed key order,
``ensure_ascii=False`` and ``\\n`` line ends, so a rebuild is byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .. import paths
from ..paths import CARD, CONFIGS, CROISSANT, FIGURE, LICENCE, MANIFEST, data_file
from ..version import __version__
from .assemble import Release


def render_jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(data: dict[str, bytes]) -> str:
    """One hash over the data files (name and bytes): what the version must change with."""
    return paths.content_hash({name: sha256(b) for name, b in data.items()})


RESULTS_TABLE = Path("results") / "baselines.md"  # written by `nk-troops baseline --results --write`
SCREENSHOT = Path("docs") / "viewer.png"  # written by the viewer's browser test


def render_release(release: Release, root: Path | None = None) -> dict[str, bytes]:
    """Every release file (name -> bytes); the manifest last, over all the others. From a project ``root``,
    the card also shows the committed baseline results and the release carries the viewer's screenshot."""
    from .card import SCREENSHOT as SCREENSHOT_NAME
    from .card import render_card, render_licence
    from .croissant import render_croissant
    from .parquet import render_parquet
    from .plot import render_span_counts

    rows = release.rows()
    data = {data_file(c): render_jsonl(rows[c]) for c in CONFIGS}
    digest = content_hash(data)  # over the JSONL only: Parquet bytes depend on the pyarrow that wrote them
    files = dict(data)
    parquet, sizes = render_parquet(rows)
    files |= parquet
    files[FIGURE] = render_span_counts(release)
    results = _input(root, RESULTS_TABLE)
    screenshot = _input(root, SCREENSHOT)
    if screenshot is not None:
        files[SCREENSHOT_NAME] = screenshot
    files[CARD] = render_card(sizes, digest, results.decode("utf-8") if results else None, screenshot is not None).encode("utf-8")
    files[LICENCE] = render_licence().encode("utf-8")
    files[CROISSANT] = render_croissant(rows, data, digest).encode("utf-8")
    manifest = {
        "name": "nk-troops",
        "version": __version__,
        "content_sha256": digest,
        "files": {name: {"sha256": sha256(files[name]), "bytes": len(files[name])} for name in sorted(files)},
    }
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def _input(root: Path | None, rel: Path) -> bytes | None:
    """A committed input of the release (a regular file of the project, never through a link), else None."""
    path = None if root is None else root / rel
    if path is None or path.is_symlink() or not path.is_file():
        return None
    return path.read_bytes()


def changelog_entry(path: Path, version: str) -> str | None:
    """The content hash CHANGELOG.md records for a version (heading ``## <version> ... sha256 `<hex>` ``)."""
    if not path.exists():
        return None
    m = re.search(rf"^## {re.escape(version)}\b.*?sha256 `([0-9a-f]{{64}})`", path.read_text(encoding="utf-8"), re.M)
    return m.group(1) if m else None

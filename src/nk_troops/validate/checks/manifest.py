"""The release manifest: every file it lists exists with its recorded SHA-256 and size.

The datasets library never checks local checksums, so this is the only guard
against a hand-edited release file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ...incidents import Incident
from ...paths import MANIFEST
from .context import incident


def check(folder: Path) -> list[Incident]:
    path = folder / MANIFEST
    if not path.exists():
        return []  # a user's own folder need not carry one; the release always does
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as exc:
        return [incident("json-malformed", str(path), None, detail=f"not a manifest: {exc}")]
    out = []
    for name, entry in files.items():
        try:
            data = (folder / name).read_bytes()
        except OSError:
            out.append(incident("file-missing", str(folder / name), None, detail=f"listed in {MANIFEST}"))
            continue
        found = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        if found != {"sha256": entry.get("sha256"), "bytes": entry.get("bytes")}:
            out.append(incident("manifest-mismatch", str(path), None, found, entry, detail=name))
    return out

"""Exports of the release into the formats its users already work in, and the way back from Label Studio.

``export(fmt, out, release=None)`` writes one format into a new folder ``out``
(atomically, see ``output.py``) and returns the names written and what the
format could not express. Every format reads the release through
``paths.read_release``; only the Label Studio import uses ``build/`` (to
write and check anchors).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from ..choices import EXPORT_FORMATS as FORMATS
from ..incidents import Incident
from .common import load_views
from .output import publish, write_files


def export(fmt: str, out: Path, release: Path | None = None) -> tuple[list[str], list[Incident]]:
    """Write format ``fmt`` of the release (default: the installed one) into the new folder ``out``."""
    module = import_module(f".{FORMATS[fmt]}", __name__)
    incidents: list[Incident] = []

    def write(folder: Path) -> list[str]:
        views, rows = load_views(release)
        output = module.render(views, rows)
        incidents.extend(output.incidents)
        return write_files(folder, output.files)

    return publish(out, write), incidents

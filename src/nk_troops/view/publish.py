"""Publishing the site as one folder, atomically, never through a symbolic link (``export.output.publish``).

An existing ``out`` is replaced only if it is empty or an earlier view output:
it holds ``.nk-troops-view.json`` and exactly the files that marker lists (so
nothing the viewer did not write is ever deleted). Anything else is refused, as
is a path with a symbolic link in it as given, or a missing parent folder (only
``out`` itself is created). The refusals carry the viewer's own codes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ..export.output import publish as publish_folder
from ..incidents import Incident, IncidentError
from ..version import __version__

MARKER = ".nk-troops-view.json"
CODES = {  # the shared publisher's refusals -> the viewer's codes
    "export-out-symlink": "view-out-symlink",
    "export-out-parent-missing": "view-out-parent",
    "export-out-not-empty": "view-out-exists",
}


def _previous(out: Path) -> list[str]:
    """The files of an earlier view output at the existing ``out``; refuses anything else."""
    present = sorted(p.name for p in out.iterdir()) if out.is_dir() else None
    try:
        listed = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        listed = None
    ours = isinstance(listed, list) and present == sorted({*listed, MARKER})
    if not ours or any((out / n).is_symlink() or not (out / n).is_file() for n in present):
        foreign = sorted(set(present or []) - set(listed or []) - {MARKER}) if present is not None else None
        raise IncidentError(
            [
                Incident(
                    "view-out-exists",
                    file=str(out),
                    found=", ".join(foreign) if foreign else "a file" if present is None else f"no valid {MARKER}",
                    expected="a new folder, an empty one, or an earlier nk-troops view output",
                )
            ]
        )
    return present


def publish(files: dict[str, bytes], out: Path) -> None:
    """Write ``files`` (flat names -> bytes) as the folder ``out``."""
    marker = {"tool": "nk-troops view", "version": __version__, "files": sorted(files)}

    def write(tmp: Path) -> list[str]:
        try:
            for name, data in files.items():
                (tmp / name).write_bytes(data)
            (tmp / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            raise IncidentError([Incident("view-out-write", file=str(out), detail=exc.strerror or str(exc))]) from None
        return sorted(files)

    try:
        publish_folder(out, write, replaceable=_previous)
    except IncidentError as err:
        raise IncidentError([replace(i, code=CODES.get(i.code, i.code)) for i in err.incidents]) from None

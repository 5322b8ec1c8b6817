"""Publishing the site as one folder, atomically, never through a symbolic link.

The files are written into a fresh hidden folder beside ``out``
(``.NAME.XXXX.tmp``), which is then renamed to ``out``: a reader sees the old
site or the new one, never half of one. An existing ``out`` is replaced only if
it is empty or an earlier view output: it holds ``.nk-troops-view.json`` and
exactly the files that marker lists (so nothing the viewer did not write is
ever deleted). Anything else is refused, as is a path with a symbolic link in
it as given, or a missing parent folder (only ``out`` itself is created).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..incidents import Incident, IncidentError
from ..version import __version__

MARKER = ".nk-troops-view.json"


def _symlink_on(path: Path) -> Path | None:
    """The first component of ``path`` as given (not its resolved ancestors) that is a symbolic link."""
    here = Path(path.anchor)
    for part in path.parts[1:] if path.anchor else path.parts:
        here = here / part
        if here.is_symlink():
            return here
    return None


def _previous(out: Path) -> list[str] | None:
    """The files of an earlier view output at ``out`` (None if ``out`` does not exist); refuses anything else."""
    if not os.path.lexists(out):
        return None
    present = sorted(p.name for p in out.iterdir()) if out.is_dir() else None
    if present == []:
        return []
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
    link = _symlink_on(out)
    if link is not None:
        raise IncidentError([Incident("view-out-symlink", file=str(out), found=str(link))])
    out = Path(os.path.abspath(out))  # "." and ".." name real folders from here on
    parent = out.parent
    if not parent.is_dir():
        raise IncidentError([Incident("view-out-parent", file=str(out), found=str(parent))])
    previous = _previous(out)
    marker = {"tool": "nk-troops view", "version": __version__, "files": sorted(files)}
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    retired = tmp.with_suffix(".old")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o777 & ~umask)  # a folder as mkdir would make it, not mkdtemp's private 0700
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        (tmp / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        if previous is not None:
            os.rename(out, retired)
        os.rename(tmp, out)
    except OSError as exc:
        if previous is not None and retired.exists() and not os.path.lexists(out):
            os.rename(retired, out)  # put the earlier output back
        shutil.rmtree(tmp, ignore_errors=True)  # only ever our own fresh folder
        raise IncidentError([Incident("view-out-write", file=str(out), detail=exc.strerror or str(exc))]) from None
    for name in previous or []:  # the earlier output: exactly the files it listed, checked above
        (retired / name).unlink()
    if previous is not None:
        retired.rmdir()

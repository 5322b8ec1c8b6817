"""Publishing an output folder: all of it or nothing, never through a symlink, never over someone's files.

Every command that writes a folder (export, import, rehydrate) builds it in a
fresh temporary folder beside ``--out`` and renames it into place at the end, so
an interrupted run leaves no half-written output. ``--out`` must not exist or be
an empty folder; anything else is refused before any work is done.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..incidents import Incident, IncidentError


class Unusable(IncidentError):
    """An unusable invocation (exit 2), not bad data: an output folder that cannot be used, a missing package."""


def check_out(out: Path) -> None:
    """Refuse an output path with a symbolic link on it, a file, a non-empty folder, or no parent folder."""
    problem = None
    link = next((p for p in (out, *out.parents) if p.is_symlink()), None)  # the path as given, link by link
    if link is not None:
        problem = ("export-out-symlink", f"a symbolic link: {link}")
    elif out.exists() and (not out.is_dir() or any(out.iterdir())):
        problem = ("export-out-not-empty", "an existing file" if not out.is_dir() else "a non-empty folder")
    elif not out.parent.is_dir():
        problem = ("export-out-parent-missing", "a path whose parent folder does not exist")
    if problem:
        code, found = problem
        raise Unusable([Incident(code, file=str(out), found=found, expected="a new or empty folder")])


def publish(out: Path, write: Callable[[Path], list[str]]) -> list[str]:
    """Run ``write(tmp)`` in a new folder beside ``out``, then move it to ``out``; returns the names written."""
    check_out(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        names = write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp's folder is private; the output is an ordinary folder
        try:
            if out.is_dir() and not out.is_symlink():
                out.rmdir()  # empty, checked above
            os.rename(tmp, out)
        except OSError:  # someone made or filled --out meanwhile: keep theirs
            raise Unusable(
                [Incident("export-out-not-empty", file=str(out), found="a path created meanwhile", expected="a new or empty folder")]
            ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # ours: made above
        raise
    return names


def write_files(folder: Path, files: dict[str, bytes]) -> list[str]:
    """Write name -> bytes into a folder this run created (names may hold one sub-folder level)."""
    for name, data in files.items():
        if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:  # callers check names taken from input
            raise ValueError(f"{name!r} would leave the output folder")
        path = folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    return sorted(files)

"""Publishing an output folder: all of it or nothing, never through a symlink, never over someone's files.

Every command that writes a folder (export, import, rehydrate, view) builds it
in a fresh temporary folder beside ``--out`` and renames it into place at the
end, so an interrupted run leaves no half-written output. ``--out`` must not
exist or be an empty folder, unless the caller's ``replaceable`` check accepts
what is there (the viewer: an earlier site it wrote); anything else is refused
before any work is done.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..incidents import Incident, IncidentError

Replaceable = Callable[[Path], list[str]]  # an existing --out -> the files it may replace, or raise IncidentError


class Unusable(IncidentError):
    """An unusable invocation (exit 2), not bad data: an output folder that cannot be used, a missing package."""


def _refuse(out: Path, code: str, found: str) -> Unusable:
    return Unusable([Incident(code, file=str(out), found=found, expected="a new or empty folder")])


def check_out(out: Path, replaceable: Replaceable | None = None) -> tuple[Path, list[str] | None]:
    """Refuse an output path with a symbolic link on it, a file, a non-empty folder, or no parent folder.

    Returns ``out`` made absolute ("." and ".." name real folders from here on)
    and the files ``replaceable`` accepts to replace (None: ``out`` is new or an
    empty folder).
    """
    link = next((p for p in (out, *out.parents) if p.is_symlink()), None)  # the path as given, link by link
    if link is not None:
        raise _refuse(out, "export-out-symlink", f"a symbolic link: {link}")
    given, out = out, Path(os.path.abspath(out))
    if not out.parent.is_dir():
        raise _refuse(given, "export-out-parent-missing", "a path whose parent folder does not exist")
    if not os.path.lexists(out) or (out.is_dir() and not any(out.iterdir())):
        return out, None
    if replaceable is None:
        raise _refuse(given, "export-out-not-empty", "an existing file" if not out.is_dir() else "a non-empty folder")
    return out, replaceable(out)


def publish(out: Path, write: Callable[[Path], list[str]], replaceable: Replaceable | None = None) -> list[str]:
    """Run ``write(tmp)`` in a new folder beside ``out``, then move it to ``out``; returns the names written.

    An ``out`` that ``replaceable`` accepts is swapped for the new folder, then
    exactly the files it listed are deleted (so nothing else ever is).
    """
    given = out
    out, previous = check_out(out, replaceable)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    retired = tmp.with_suffix(".old")
    try:
        names = write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp's folder is private; the output is an ordinary folder
        try:
            if previous is not None:
                os.rename(out, retired)
            elif out.is_dir():
                out.rmdir()  # empty, checked above; fails if someone filled it meanwhile
            os.rename(tmp, out)
        except OSError:  # someone made or filled --out meanwhile: keep theirs
            if previous is not None and retired.exists() and not os.path.lexists(out):
                os.rename(retired, out)  # put the earlier output back
            raise _refuse(given, "export-out-not-empty", "a path created meanwhile") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # ours: made above
        raise
    for name in previous or []:
        (retired / name).unlink()
    if previous is not None:
        retired.rmdir()
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

"""A throwaway copy of the project for the build tests, and byte-for-byte pictures of a folder."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

from nk_troops.release import generated
from nk_troops.release.assemble import assemble
from nk_troops.release.publish import STAGE_PREFIX, render_all

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("annotations", "dataset", "schema", "results", "docs", "README.md", "DATASHEET.md", "CHANGELOG.md")


def copy_project(tmp: Path) -> Path:
    """The checkout's sources and its committed (fresh) release, under ``tmp/project``."""
    root = tmp / "project"
    root.mkdir()
    for name in SOURCES:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, root / name)
    return root


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry under ``folder`` (hidden ones too): file bytes, a link's target, or "<dir>"."""
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                out[rel] = "<dir>"
            else:
                out[rel] = path.read_bytes()
    return out


@functools.cache
def generated_paths() -> tuple[str, ...]:
    """Root-relative paths of every file a default build of the checkout writes."""
    return tuple(render_all(ROOT, assemble(ROOT), "dataset"))


def make_stale(root: Path) -> dict[str, object]:
    """Put an older generated tree in place (every generated file differs from a fresh build); the fresh picture."""
    fresh = snapshot(root)
    for rel in generated_paths():
        path = root / rel
        if rel in generated.FILES:  # hand-written prose: only its generated blocks go stale
            text = path.read_text(encoding="utf-8")
            for head in ("| layer | pass A |", "| rule | what it checks |"):  # the agreement table, the rules table
                text = text.replace(head, "| stale" + head[1:])
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(b"an older build of " + rel.encode())
    return fresh


def stages(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(STAGE_PREFIX))


def build_killed_at(root: str, sig: int, hook: str, n: int, fail_at: int | None = None) -> int:
    """Run ``nk-troops build`` in this (child) process, sending ``sig`` to itself at the n-th call of ``hook``.

    ``hook`` is ``fsync`` (staging writes), ``check_release`` (validating the stage) or ``replace``
    (publishing renames); with ``fail_at`` that call raises an I/O error instead (a rollback follows).
    Returns the exit status; a SIGKILL never returns.
    """
    import signal

    from nk_troops.cli import main
    from nk_troops.release import publish

    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.dup2(os.open(Path(root).parent / "stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
    owner = publish if hook == "check_release" else os
    real, calls = getattr(owner, hook), []

    def trapped(*args):
        calls.append(args)
        if len(calls) == n:
            os.kill(os.getpid(), sig)
        if len(calls) == fail_at:
            raise OSError(5, "Input/output error")
        return real(*args)

    setattr(owner, hook, trapped)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return main(["--root", root, "build"])


def exit_killed_at(root: str, sig: int, hook: str, n: int, fail_at: int | None) -> None:
    """``build_killed_at`` as a process target: its status becomes the exit code."""
    os._exit(build_killed_at(root, sig, hook, n, fail_at))

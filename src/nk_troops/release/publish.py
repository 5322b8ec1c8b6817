"""``nk-troops build``: stage every generated file, validate the staged release, then publish by renames.

The build never writes a published file in place. It renders everything it makes
(the release folder, ``schema/``, README.md, DATASHEET.md and docs/VALIDATION.md with
their generated blocks) into a staging folder inside the project root (same filesystem, so a
rename is atomic), runs the full validator on the staged release, and only then
moves each changed file over its published copy with ``os.replace``.

Kills: SIGINT and SIGTERM are held back while the renames run, so they take
effect before publishing (nothing changed) or after it (all changed). A SIGKILL
cannot be held back: the staging folder holds a ``COMMITTED`` marker from the
first rename on, and the next build first finishes such a publish (rolls it
forward) before doing anything else. Between the kill and that next build the
tree may mix old and new files; ``nk-troops validate`` reports that as manifest
mismatches. A rename error undoes the renames made (hard-linked backups); a kill
during the undo, or an error in it, also leaves the marker, so the next build
publishes the new tree. Staged data is fsynced before the marker and folders
after the renames, so a power cut should behave like a SIGKILL (not tested).

Only the files the build renders are written or replaced, and a roll-forward moves
only files of the generated area (the release folder except ``raw/``, ``schema/*.schema.json``,
the Markdown files of ``generated.FILES``); names are never read from an old manifest. Nothing is
deleted except the build's own staging folders.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..build.documents import project_root
from ..incidents import Incident, IncidentError
from ..paths import CONFIGS, RAW, data_file
from ..schemas import RECORDS, render_json_schema, schema_path
from ..validate import check_release
from . import generated
from .assemble import Release, assemble
from .write import content_hash, render_release

DEFAULT_OUT = "dataset"
SCHEMA_DIR = "schema"
STAGE_PREFIX = ".nk-troops-build-"
COMMITTED = "COMMITTED"  # marker in a staging folder: validated, publishing has begun (holds the release folder's path)
BACKUP = ".old"  # inside a staging folder: hard links to the replaced files, to undo a failed publish
_DEFERRED = {signal.SIGINT, signal.SIGTERM}
PUBLISHED_BEFORE_SIGNAL = "the signal arrived while publishing and took effect once publishing had ended"


@dataclass
class Outcome:
    release: Release
    root: Path
    out: Path  # the release folder
    content_sha256: str  # the content hash its manifest records
    changed: list[str] = field(default_factory=list)  # root-relative paths replaced or created
    recovered: list[str] = field(default_factory=list)  # paths an interrupted earlier publish left, now published


def render_all(root: Path, release: Release, out_rel: str) -> dict[str, bytes]:
    """Every file a build writes, by root-relative path: the release files (the manifest last), and with the
    default folder the JSON Schemas and the Markdown files with their generated blocks."""
    files = {f"{out_rel}/{name}": data for name, data in render_release(release, root).items()}
    if out_rel == DEFAULT_OUT:
        files |= {schema_path(Path(SCHEMA_DIR), name).as_posix(): render_json_schema(name).encode("utf-8") for name in RECORDS}
        files |= generated.render(root, release)
    return files


def _generated_area(rel: Path, out_rel: str) -> bool:
    """Whether a root-relative path is one a build of ``out_rel`` may write."""
    out = Path(out_rel)
    if out in rel.parents:
        return Path(out, RAW) not in rel.parents
    if out_rel != DEFAULT_OUT:
        return False
    return rel.as_posix() in generated.FILES or (rel.parent == Path(SCHEMA_DIR) and rel.name.endswith(".schema.json"))


def out_folder(root: Path, out: Path | None) -> str:
    """The release folder relative to the root: an existing folder inside the project, reached through no link."""
    if out is None:
        return DEFAULT_OUT
    bad = Incident("argument-invalid", file=str(out), expected="an existing folder inside the project root (--out)")
    if not out.is_dir():
        raise IncidentError([dataclasses.replace(bad, found="no such folder" if not out.exists() else "not a folder")])
    absolute = Path(os.path.abspath(out if out.is_absolute() else Path.cwd() / out))
    try:
        rel = absolute.relative_to(root)
    except ValueError:
        raise IncidentError([dataclasses.replace(bad, found=f"outside {root}")]) from None
    kept = [Path("annotations"), Path(SCHEMA_DIR), Path(DEFAULT_OUT, RAW)]  # sources, and the schema the default build writes
    if rel == Path(".") or rel.parts[0].startswith(STAGE_PREFIX) or any(k == rel or k in rel.parents for k in kept):
        raise IncidentError([dataclasses.replace(bad, found="the project root or a source folder")])
    return rel.as_posix()


def unsafe_targets(root: Path, rels: list[str]) -> list[Incident]:
    """A link on the way to a target, or a target that is not a plain file (a folder where a file goes)."""
    incidents = []
    for rel in rels:
        path = root
        for part in Path(rel).parts:
            path = path / part
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                break  # created by the build
            if stat.S_ISLNK(mode):
                incidents.append(Incident("path-symlink", file=str(path), detail=f"on the way to {rel}"))
                break
            if path != root / rel and not stat.S_ISDIR(mode):
                incidents.append(Incident("build-write-failed", file=str(path), found="a file", expected="a folder", detail=rel))
                break
            if path == root / rel and not stat.S_ISREG(mode):
                incidents.append(Incident("build-write-failed", file=str(path), found="not a plain file", expected="a file", detail=rel))
    return incidents


def _refuse_unsafe(root: Path, rels: list[str]) -> None:
    incidents = unsafe_targets(root, rels)
    if incidents:
        raise IncidentError(incidents)


class BuildFailed(IncidentError):
    """A build that stopped before publishing; ``step`` says where (checking the tree, assembling, ...)."""

    def __init__(self, step: str, incidents: list[Incident]):
        super().__init__(incidents)
        self.step = step


@contextlib.contextmanager
def _step(name: str) -> Iterator[None]:
    try:
        yield
    except BuildFailed:
        raise
    except IncidentError as err:
        raise BuildFailed(name, err.incidents) from None


def build(root: Path, out: Path | None = None) -> Outcome:
    """Assemble, stage, validate and publish; raises ``IncidentError`` having published nothing."""
    root = project_root(root)
    out_rel = out_folder(root, out)
    with _locked(root):
        recovered = recover(root)
        with _step("checking the paths it writes"):
            _refuse_unsafe(root, list(generated.FILES) if out_rel == DEFAULT_OUT else [])  # read before rendering: no link either
        with _step("assembling the annotations"):
            release = assemble(root)
        files = render_all(root, release, out_rel)
        digest = content_hash({name: files[f"{out_rel}/{name}"] for name in map(data_file, CONFIGS)})
        with _step("checking the paths it writes"):
            _refuse_unsafe(root, list(files))
        changed = [rel for rel, data in files.items() if not _same(root / rel, data)]
        with _step("writing the staged files"):
            stage = _mkstage(root)
        try:
            with _step("writing the staged files"):
                _stage(stage, files, release, root, out_rel)
            with _step("validating the staged release"):
                _validate(stage, root, out_rel)
            with _step("publishing"):
                _publish(stage, root, out_rel, changed)
        finally:
            if not (stage / COMMITTED).exists():  # else a publish is half done: the next build rolls it forward
                shutil.rmtree(stage, ignore_errors=True)
    return Outcome(release, root, root / out_rel, digest, changed, recovered)


def _mkstage(root: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=root))
    except OSError as exc:
        raise IncidentError([Incident("build-write-failed", file=str(root), detail=exc.strerror)]) from None


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One build at a time per project: a second one would remove the first one's staging folder."""
    try:
        import fcntl
    except ImportError:  # no advisory locks (Windows): builds must not run concurrently
        yield
        return
    fd = os.open(root, os.O_RDONLY)  # the lock is on the root folder itself: no lock file to leave behind
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy = Incident("build-write-failed", file=str(root), detail="another build of this project is running")
            raise IncidentError([busy]) from None
        yield
    finally:
        os.close(fd)


def _stage(stage: Path, files: dict[str, bytes], release: Release, root: Path, out_rel: str) -> None:
    """Write every file into the staging folder, with the raw articles the validator compares against."""
    try:
        raw = {f"{out_rel}/{RAW}/{d.source_file}": (root / DEFAULT_OUT / RAW / d.source_file).read_bytes() for d in release.documents}
        for rel, data in (files | raw).items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())  # the marker must never reach the disk before the data it commits
    except OSError as exc:
        raise IncidentError([Incident("build-write-failed", file=str(exc.filename or stage), detail=exc.strerror)]) from None


def _validate(stage: Path, root: Path, out_rel: str) -> None:
    report = check_release(stage / out_rel)
    if report.incidents or report.unusable:

        def unstaged(inc: Incident) -> Incident:  # the validator names files within the folder: name them as published, say they were not
            file = str(root / out_rel / inc.file) if inc.file else None
            return dataclasses.replace(inc, file=file, detail="; ".join(filter(None, ["in the staged release", inc.detail])))

        raise IncidentError([unstaged(i) for i in report.incidents] or [Incident("build-write-failed", file=str(stage / out_rel))])


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM arriving inside the block take effect when it ends.

    Held back by Python-level handlers, not by a signal mask: a mask covers only the
    calling thread, and a process-directed signal goes to any thread that does not
    mask it (pyarrow, imported for the Parquet files, runs threads of its own).
    """
    caught: list[int] = []
    try:
        old = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in _DEFERRED}
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        if caught:
            handler = old[caught[0]]
            try:
                if callable(handler):
                    handler(caught[0], None)
                elif handler == signal.SIG_DFL:
                    os.kill(os.getpid(), caught[0])
            except KeyboardInterrupt as exc:
                exc.args = (PUBLISHED_BEFORE_SIGNAL,)
                raise


def _publish(stage: Path, root: Path, out_rel: str, changed: list[str]) -> None:
    """Move the changed files into place; on an error put every replaced file back."""
    done: list[tuple[str, bool]] = []  # (path, had an old copy)
    made: list[Path] = []  # folders created for new files (schema/ in a fresh checkout)
    with _signals_deferred():
        try:
            _write_marker(stage, out_rel)
            for rel in changed:
                dest, backup = root / rel, stage / BACKUP / rel
                for folder in reversed(dest.relative_to(root).parents[:-1]):
                    if not (root / folder).is_dir():
                        (root / folder).mkdir()
                        made.append(root / folder)
                existed = dest.exists()
                if existed:
                    backup.parent.mkdir(parents=True, exist_ok=True)
                    os.link(dest, backup)
                os.replace(stage / rel, dest)
                done.append((rel, existed))
            _sync_dirs(root, changed)
        except OSError as exc:
            failed = Incident("build-write-failed", file=str(exc.filename or root), detail=exc.strerror)
            try:
                _undo(stage, root, done, made)
            except OSError as second:  # the marker stays: the next build finishes this publish
                detail = f"{exc.strerror}; undoing it failed too ({second.strerror}): run nk-troops build again to finish publishing"
                raise IncidentError([dataclasses.replace(failed, detail=detail)]) from None
            (stage / COMMITTED).unlink(missing_ok=True)
            raise IncidentError([failed]) from None
        (stage / COMMITTED).unlink()


def _undo(stage: Path, root: Path, done: list[tuple[str, bool]], made: list[Path]) -> None:
    for rel, existed in reversed(done):
        os.link(root / rel, stage / rel)  # the new copy back in the stage first: a kill from here on rolls forward to new
        if existed:
            os.replace(stage / BACKUP / rel, root / rel)
        else:
            os.unlink(root / rel)
    for folder in reversed(made):
        folder.rmdir()


def _write_marker(stage: Path, out_rel: str) -> None:
    with open(stage / COMMITTED, "w", encoding="utf-8") as f:
        f.write(out_rel + "\n")
        f.flush()
        os.fsync(f.fileno())
    _fsync_dir(stage)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem syncs directories
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sync_dirs(root: Path, rels: list[str]) -> None:
    for folder in sorted({(root / rel).parent for rel in rels}):
        _fsync_dir(folder)


def recover(root: Path) -> list[str]:
    """Finish publishes a kill interrupted (staging folders holding the marker); remove every other staging folder.

    Only files of the generated area are moved, never through a link; a marker naming an unusable
    release folder is ignored (the build that follows rebuilds every file anyway).
    """
    moved: list[str] = []
    for stage in sorted(root.glob(STAGE_PREFIX + "*")):
        if stage.is_symlink() or not stage.is_dir():
            continue
        marker = stage / COMMITTED
        if marker.is_file() and not marker.is_symlink():
            with contextlib.suppress(IncidentError, OSError, UnicodeDecodeError):
                out_rel = out_folder(root, root / marker.read_text(encoding="utf-8").strip())
                found = (p.relative_to(stage) for p in sorted(stage.rglob("*")) if p.is_file() and not p.is_symlink())
                rels = [rel.as_posix() for rel in found if _generated_area(rel, out_rel)]
                if not unsafe_targets(root, rels):
                    with _signals_deferred():
                        for rel in rels:
                            (root / rel).parent.mkdir(parents=True, exist_ok=True)
                            os.replace(stage / rel, root / rel)
                        _sync_dirs(root, rels)
                    moved += rels
        shutil.rmtree(stage, ignore_errors=True)
    return moved

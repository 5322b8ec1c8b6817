"""Builds killed at many points leave the tree old or new, byte for byte.

SIGINT and SIGTERM are honoured while staging and validating (nothing published,
the staging folder removed) and held back while the renames run (all published).
A SIGKILL cannot be held back: a kill while staging leaves a staging folder the
next build removes; a kill between two renames leaves a committed staging folder
the next build rolls forward (``publish.recover``) before anything else.

Each build runs in a process forked from a forkserver that has the package
imported, so a run costs one build, not an interpreter start.
"""

from __future__ import annotations

import multiprocessing
import signal

import pytest
from build_project import copy_project, exit_killed_at, generated_paths, make_stale, snapshot, stages

from nk_troops.release import publish

HEAVY = ["datasets", "matplotlib.figure", "matplotlib.backends.backend_agg"]  # imported once, in the forkserver
RENAMES = len(generated_paths())  # every generated file differs from the stale tree
# (signal, hook, n-th call, published?[, failing call]): staging writes, validating, the first, a middle and
# the last rename; and a kill while a failed publish is being undone (rename 10 fails, the undo's second
# rename is killed), which the next build rolls forward to the new tree.
POINTS = [
    (signal.SIGINT, "fsync", 3, False),
    (signal.SIGINT, "check_release", 1, False),
    (signal.SIGINT, "replace", 1, True),
    (signal.SIGINT, "replace", RENAMES // 2, True),
    (signal.SIGTERM, "fsync", 12, False),
    (signal.SIGTERM, "replace", 2, True),
    (signal.SIGTERM, "replace", RENAMES, True),
    (signal.SIGKILL, "fsync", 5, False),
    (signal.SIGKILL, "check_release", 1, False),
    (signal.SIGKILL, "replace", 1, True),
    (signal.SIGKILL, "replace", RENAMES // 2, True),
    (signal.SIGKILL, "replace", RENAMES, True),
    (signal.SIGKILL, "replace", 12, True, 10),
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each point's project folder, old and new pictures and the child's exit, all run up front on two workers."""
    projects = []
    for i, _ in enumerate(POINTS):
        root = copy_project(tmp_path_factory.mktemp(f"kill{i}"))
        fresh = make_stale(root)
        projects.append((root, snapshot(root), fresh))
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["build_project", "nk_troops.cli", "nk_troops.release.publish", *HEAVY])
    children = [
        ctx.Process(target=exit_killed_at, args=(str(root), sig, hook, n, fail_at))
        for (root, *_), (sig, hook, n, _, fail_at) in zip(projects, [(*p, None)[:5] for p in POINTS], strict=True)
    ]
    for pair in range(0, len(children), 2):  # two at a time: two cores
        for child in children[pair : pair + 2]:
            child.start()
        for child in children[pair : pair + 2]:
            child.join(timeout=120)
    exits = [child.exitcode for child in children]
    return projects, exits


def _name(point: tuple) -> str:
    sig, hook, n, _, *fail = point
    return f"{sig.name}-{hook}-{n}" + (f"-undoing-failed-{fail[0]}" if fail else "")


@pytest.mark.parametrize("i", range(len(POINTS)), ids=[_name(p) for p in POINTS])
def test_a_killed_build_leaves_the_old_or_the_new_tree(runs, i):
    (root, old, new), status = runs[0][i], runs[1][i]
    sig, _, _, published, *_ = POINTS[i]
    if sig == signal.SIGKILL:
        assert status == -signal.SIGKILL
        assert stages(root), "a SIGKILL leaves its staging folder"
        publish.recover(root)
    else:
        assert status == 128 + sig
        err = (root.parent / "stderr.txt").read_text(encoding="utf-8")
        said = "interrupted" if sig == signal.SIGINT else "terminated (SIGTERM)"
        done = publish.PUBLISHED_BEFORE_SIGNAL if published else "nothing was published"
        assert err == f"nk-troops: {said}; {done}\n"  # one line: the signal, and what the build had done
    assert stages(root) == []
    assert snapshot(root) == (new if published else old)

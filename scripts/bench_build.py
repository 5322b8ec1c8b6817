"""How long `nk-troops build` takes, and what costs what.

    python scripts/bench_build.py [--runs 3]

Prints the wall time of whole builds (each in a fresh interpreter, on a copy of the
checkout, median of --runs), then one cold build in a fresh interpreter with a timer
around each of its real steps (wall and CPU seconds, nested as they ran; lazy imports
such as pyarrow and matplotlib count under the step that first needs them). CPU is
what to compare on a busy machine. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("annotations", "dataset", "schema", "results", "docs", "README.md", "DATASHEET.md", "CHANGELOG.md")
# The steps timed, as they are looked up when called (module attributes, wrapped in place): the build's own
# calls, then the files render_release makes (it imports these at call time, so the wrappers apply).
STEPS = (
    "release.publish.assemble",
    "release.publish.render_release",
    "release.parquet.render_parquet",
    "release.plot.render_span_counts",
    "release.card.render_card",
    "release.croissant.render_croissant",
    "release.publish.render_json_schema",
    "release.generated.render",
    "release.publish._stage",
    "release.publish._validate",
    "release.publish._publish",
)


def _copy(tmp: Path) -> Path:
    """The checkout's sources and release only (no .venv, no .git)."""
    keep_top = set(SOURCES)
    shutil.copytree(ROOT, tmp / "project", ignore=lambda folder, names: [n for n in names if Path(folder) == ROOT and n not in keep_top])
    return tmp / "project"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stages(root: Path) -> None:
    """One cold build with a timer around each of the real steps in STEPS, printed nested as they ran."""
    import importlib

    t, c = time.perf_counter(), time.process_time()
    from nk_troops.release import publish

    laps: list[tuple[int, str, float, float]] = []
    depth = [0]

    def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            at, t, c = len(laps), time.perf_counter(), time.process_time()
            laps.append((depth[0], name, 0.0, 0.0))
            depth[0] += 1
            try:
                return func(*args, **kwargs)
            finally:
                depth[0] -= 1
                laps[at] = (depth[0], name, time.perf_counter() - t, time.process_time() - c)

        return run

    laps.append((0, "import nk_troops.release.publish", time.perf_counter() - t, time.process_time() - c))
    for dotted in STEPS:
        module, attr = dotted.rsplit(".", 1)
        owner = importlib.import_module(f"nk_troops.{module}")
        setattr(owner, attr, timed(dotted, getattr(owner, attr)))
    timed("release.publish.build", publish.build)(root)
    merged: list[list[Any]] = []  # a step called several times in a row (one per schema): one line
    for level, name, wall, cpu in laps:
        if merged and merged[-1][:2] == [level, name]:
            merged[-1][2:] = [merged[-1][2] + wall, merged[-1][3] + cpu, merged[-1][4] + 1]
        else:
            merged.append([level, name, wall, cpu, 1])
    for level, name, wall, cpu, calls in merged:
        label = "  " * level + name + (f" (x{calls})" if calls > 1 else "")
        print(f"{label:55s} {wall:6.2f} s wall {cpu:6.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", type=Path, help=argparse.SUPPRESS)  # the child: profile one build of this copy
    args = parser.parse_args()
    if args.stages:
        stages(args.stages)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = _copy(Path(tmp))
        walls, cpus = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), _child_cpu()
            subprocess.run([sys.executable, "-m", "nk_troops.cli", "--root", str(root), "build"], check=True, capture_output=True)
            walls.append(time.perf_counter() - t)
            cpus.append(_child_cpu() - c)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import nk_troops.cli"], check=True)
        start = time.perf_counter() - t
        runs = ", ".join(f"{w:.2f}" for w in walls)
        print(f"nk-troops build, fresh interpreter: median {statistics.median(walls):.2f} s wall of {args.runs} ({runs}),")
        print(f"  median {statistics.median(cpus):.2f} s CPU (user + system)")
        print(f"of which interpreter start and `import nk_troops.cli`: {start:.2f} s wall")
        print("one cold build, step by step:")
        subprocess.run([sys.executable, __file__, "--stages", str(root)], check=True)


if __name__ == "__main__":
    main()

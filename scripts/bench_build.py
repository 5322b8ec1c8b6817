"""How long `nk-troops build` takes, and what costs what.

    python scripts/bench_build.py [--runs 3]

Prints the wall time of whole builds (each in a fresh interpreter, on a copy of the
checkout, median of --runs), then one cold build taken apart stage by stage, with
wall and CPU seconds (CPU is what to compare on a busy machine). Nothing is asserted.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("annotations", "dataset", "schema", "README.md", "DATASHEET.md", "CHANGELOG.md")

STAGES = r"""
import sys, time
from pathlib import Path
root = Path(sys.argv[1])
rows = []
def lap(name, t=[time.perf_counter(), time.process_time()]):
    now = [time.perf_counter(), time.process_time()]
    rows.append((name, now[0] - t[0], now[1] - t[1]))
    t[:] = now
from nk_troops.release import publish, card, croissant, plot, write, generated
from nk_troops import schemas
lap("import the build (validator, schemas, yaml)")
release = publish.assemble(root)
lap("assemble: recipes, anchors, completeness, tokens")
rows_ = release.rows()
data = {write.data_file(c): write.render_jsonl(rows_[c]) for c in write.CONFIGS}
digest = write.content_hash(data)
lap("release rows and JSONL")
plot.render_span_counts(release)
lap("span-count figure (matplotlib, cold)")
card.render_card(rows_, data, digest)
lap("dataset card (HF features and dataset_info)")
croissant.render_croissant(rows_, data, digest)
lap("Croissant metadata")
[schemas.render_json_schema(n) for n in schemas.RECORDS]
lap("JSON Schemas")
generated.render(root, release)
lap("generated blocks (two-pass agreement)")
publish.build(root)
lap("a whole build again, warm (stage, validate, publish)")
for name, wall, cpu in rows:
    print(f"{name:55s} {wall:6.2f} s wall {cpu:6.2f} s CPU")
"""


def _copy(tmp: Path) -> Path:
    """The checkout's sources and release only (no .venv, no .git)."""
    keep_top = set(SOURCES)
    shutil.copytree(ROOT, tmp / "project", ignore=lambda folder, names: [n for n in names if Path(folder) == ROOT and n not in keep_top])
    return tmp / "project"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
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
        print("one cold build, stage by stage:")
        subprocess.run([sys.executable, "-c", STAGES, str(root)], check=True)


if __name__ == "__main__":
    main()

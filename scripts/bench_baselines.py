"""Benchmark ``nk-troops baseline --results`` (every baseline trained and scored) and the bootstrap.

Runs the command ``--runs`` times in a child process and prints its wall time,
CPU time (user + system, from ``wait4``) and peak RSS, with the per-part seconds
the command reports; then times ``nk-troops evaluate --bootstrap N`` on the
figures-rules predictions for a few N. Prints figures only: nothing here asserts
a time.

    python scripts/bench_baselines.py [--runs 3] [--resamples 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak RSS in MB and standard error of one run of ``cmd``."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--resamples", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print("| run | wall s | CPU s | peak RSS MB | parts (s, as the command reports them) |\n|---:|---:|---:|---:|---|")
    for run in range(1, args.runs + 1):
        wall, cpu, rss, stderr = timed(["nk-troops", "baseline", "--results"])
        parts = next((line.removeprefix("seconds: ") for line in stderr.splitlines() if line.startswith("seconds: ")), "")
        print(f"| {run} | {wall:.2f} | {cpu:.2f} | {rss} | {parts} |")
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        subprocess.run(["nk-troops", "baseline", "figures-rules", "--out", str(pred)], check=True)
        print("\n| resamples | evaluate --bootstrap wall s | CPU s |\n|---:|---:|---:|")
        for n in [0, *args.resamples]:
            wall, cpu, _, _ = timed(["nk-troops", "evaluate", "--pred", str(pred), *(["--bootstrap", str(n)] if n else [])])
            print(f"| {n or 'none'} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()

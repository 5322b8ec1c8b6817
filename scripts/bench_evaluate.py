"""Scoring time and peak memory for 100k and 1M predicted spans against the release.

Two shapes, each in a fresh process (so the peak memory is its own):
- jittered: copies of gold spans with both edges moved by up to 5 characters
  (many predictions overlap each gold span and one another);
- nested: in each document, every prediction covers the document's midpoint, so
  all of them overlap one another and most gold spans of their layer.
Scoring is ``evaluate.score`` on rows in memory (reading and validating the file are
``scripts/bench_validate.py``'s business). Usage: python scripts/bench_evaluate.py [N ...]
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import time

SHAPES = ("jittered", "nested")


def predictions(n: int, shape: str, seed: int = 0) -> list[dict]:
    from nk_troops.paths import read_release

    rng = random.Random(seed)
    release = read_release(configs=("documents", "spans"))
    spans, lengths = release["spans"], {d["doc_id"]: len(d["text"]) for d in release["documents"]}
    out = []
    for _ in range(n):
        g = rng.choice(spans)
        size = lengths[g["doc_id"]]
        if shape == "jittered":
            s = min(max(0, g["start"] + rng.randint(-5, 5)), size - 1)
            e = min(size, max(s + 1, g["end"] + rng.randint(-5, 5)))
        else:
            s, e = rng.randrange(0, size // 2), rng.randrange(size // 2 + 1, size + 1)
        out.append({"doc_id": g["doc_id"], "layer": g["layer"], "start": s, "end": e})
    return out


def one(n: int, shape: str) -> str:
    from nk_troops.evaluate import score
    from nk_troops.paths import read_release

    gold = read_release(configs=("spans",))["spans"]
    pred = predictions(n, shape)
    score(gold, gold[:10])  # the scorer imports numpy and scipy on first use: not part of the figure
    t = time.perf_counter()
    report = score(gold, pred)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    strict = report.overall.schemas["strict"]
    return f"{n:>9,} {shape:<9} {seconds:>7.2f} s {peak:>7.0f} MB peak   (strict COR {strict.COR}, SPU {strict.SPU})"


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(one(int(argv[1]), argv[2]))
        return
    sizes = [int(a) for a in argv] or [100_000, 1_000_000]
    print(f"{'predictions':>9} {'shape':<9} {'score':>9} {'memory':>12}")
    for n in sizes:
        for shape in SHAPES:
            out = subprocess.run([sys.executable, __file__, "--one", str(n), shape], capture_output=True, text=True, check=True)
            print(out.stdout.strip(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

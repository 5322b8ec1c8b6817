"""Benchmark ``nk-troops validate`` against a plain ``jsonschema`` per-record loop.

Generates synthetic, valid documents/spans pairs of 10k, 100k and 1M spans (a
claim, a quote and a figure per paragraph; documents carry their spans and
sentences nested, as the release does), runs ``nk-troops validate D S`` in a
subprocess (wall and CPU seconds, peak RSS from ``wait4``), then validates the
same lines with ``json.loads`` + ``jsonschema`` one by one, in-process: the span
lines alone, and the span and document lines (what the validator reads). The
plain loop is capped at --cap seconds per file and extrapolated linearly when it
hits the cap (marked ``*``). Last, the wall time of ``nk-troops validate dataset``
(interpreter start included, best of 5) and whether that run imports datasets,
pandas or matplotlib (``python -X importtime``).

    python scripts/bench_validate.py [--sizes 10000 100000 1000000] [--cap 30]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema

from nk_troops.model import (
    Claim,
    Document,
    Figure,
    FigureKind,
    Offsets,
    Passage,
    PassageType,
    Provenance,
    Qualifier,
    Quote,
    QuoteType,
    Sentence,
    span_from_dict,
    span_to_row,
    to_dict,
)
from nk_troops.schemas import json_schema
from nk_troops.text import context

UNIT = "The ministry said “we sent 12,000 troops” on Monday."
UNITS_PER_DOC = 1000


def _document(n: int, units: int, fold: int) -> tuple[dict, list[dict]]:
    """One document of ``units`` identical paragraphs; rows are built once and shifted per paragraph."""
    doc_id = f"nk{n:03d}"
    title = f"Synthetic article {n}"
    body = [title] + [UNIT] * units
    text = "\n\n".join(body)
    passages, pos = [], 0
    for i, part in enumerate(body):
        passages.append(Passage(i, PassageType.TITLE if i == 0 else PassageType.PARAGRAPH, pos, pos + len(part), pos, pos + len(part), ()))
        pos += len(part) + 2
    prov = Provenance(None, None, None, None, (), None, None, "2024-10-21", None, "synthetic", None, "synthetic")
    doc = to_dict(Document(doc_id, fold, title, text, tuple(passages), f"{doc_id}.txt", "0" * 64, prov))
    q0, f0, c0 = UNIT.index("we sent"), UNIT.index("12,000"), UNIT.index("said")
    qe, fe = q0 + len("we sent 12,000 troops"), f0 + len("12,000")
    templates = [
        Claim("x", doc_id, fold, q0, qe, UNIT[q0:qe], "", "", "ministry", None, False, "sent-troops", ("f",), ("q",)),
        Quote("q", doc_id, fold, q0, qe, UNIT[q0:qe], "", "", QuoteType.DIRECT, "ministry", Offsets(4, 12), Offsets(c0, c0 + 4)),
        Figure("f", doc_id, fold, f0, fe, UNIT[f0:fe], "", "", FigureKind.COUNT, 12000.0, None, "12000", Qualifier.EXACT, "troops", False),
    ]
    rows, nested = [], {key: [] for key in ("claims", "quotes", "figures", "sentences")}
    sentence = to_dict(Sentence("s", doc_id, fold, 0, 0, len(UNIT), UNIT, ("c",), None))
    for k, p in enumerate(passages[1:], start=1):
        ids = {"claim": f"{doc_id}-clm-{k:02d}", "quote": f"{doc_id}-quo-{k:02d}", "figure": f"{doc_id}-fig-{k:02d}"}
        for template in templates:
            row = span_to_row(template) if k == 1 else dict(rows[len(rows) - 3])
            if k == 1:
                row["_base"] = (row["start"], row["end"])
            s, e = row["_base"][0] + p.start, row["_base"][1] + p.start
            row |= {"id": ids[row["layer"]], "start": s, "end": e, "prefix": context(text, s, e)[0], "suffix": context(text, s, e)[1]}
            for span in ("speaker_span", "cue_span"):
                if template.layer.value == "quote":
                    base = getattr(template, span)
                    row[span] = {"start": base.start + p.start, "end": base.end + p.start}
            if row["layer"] == "claim":
                row |= {"figures": [ids["figure"]], "quotes": [ids["quote"]]}
            rows.append(row)
        sentence = sentence | {"id": f"{doc_id}-s{k:02d}", "passage": k, "start": p.start, "end": p.end, "claims": [ids["claim"]]}
        nested["sentences"].append(sentence)
    for row in rows:
        del row["_base"]
    for row in rows:
        nested[row["layer"] + "s"].append(to_dict(span_from_dict(row)))  # the record a document row nests, as the release does
    return doc | nested, rows


def write_corpus(folder: Path, spans: int) -> tuple[Path, Path]:
    units = spans // 3
    docs, span_file = folder / "documents.jsonl", folder / "spans.jsonl"
    with docs.open("w", encoding="utf-8") as d, span_file.open("w", encoding="utf-8") as s:
        n = 0
        while units > 0:
            row, rows = _document(n, min(units, UNITS_PER_DOC), n % 5)
            d.write(json.dumps(row, ensure_ascii=False) + "\n")
            s.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            units -= UNITS_PER_DOC
            n += 1
    return docs, span_file


def run_validator(docs: Path, spans: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit status) of ``nk-troops validate D S`` in a child process."""
    cmd = [sys.executable, "-m", "nk_troops.cli", "validate", str(docs), str(spans), "--max-errors", "3"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def run_plain(path: Path, record: str, cap: float) -> tuple[float, bool]:
    """Seconds for json.loads + jsonschema over every line of a file; extrapolated past ``cap``."""
    validator = jsonschema.Draft202012Validator(json_schema(record), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    total = sum(1 for _ in path.open(encoding="utf-8"))
    done, t0 = 0, time.perf_counter()
    with path.open(encoding="utf-8") as f:
        for line in f:
            for _ in validator.iter_errors(json.loads(line)):
                pass
            done += 1
            if time.perf_counter() - t0 > cap:
                break
    elapsed = time.perf_counter() - t0
    return elapsed * total / done, done < total


def release_run(folder: Path) -> tuple[float, list[str]]:
    """Best wall seconds of 5 runs of ``nk-troops validate <release>``, and the heavy modules that run imports."""
    cmd = [sys.executable, "-m", "nk_troops.cli", "validate", str(folder)]
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    trace = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], capture_output=True, text=True).stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in trace.splitlines() if "|" in line}
    return min(times), sorted(imported & {"datasets", "pandas", "matplotlib", "pyarrow", "numpy"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--cap", type=float, default=30.0, help="seconds the plain loop may run on one file before it is extrapolated")
    parser.add_argument("--release", default="dataset", help="release folder for the start-up figure")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
    head = "| spans | validate wall s | CPU s | spans/s | peak RSS MB | exit | plain spans s | speed-up | plain spans+docs s | speed-up |"
    print(head)
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            docs, spans = write_corpus(Path(tmp), size)
            n = sum(1 for _ in spans.open(encoding="utf-8"))
            secs, cpu, rss, code = run_validator(docs, spans)
            plain, capped = run_plain(spans, "span", args.cap)
            plain_docs, capped_docs = run_plain(docs, "document", args.cap)
            both, mark = plain + plain_docs, "*" if capped or capped_docs else ""
            ours = f"| {n:,} | {secs:.2f} | {cpu:.2f} | {n / secs:,.0f} | {rss:,.0f} | {code} "
            theirs = f"| {plain:.1f}{'*' if capped else ''} | {plain / secs:.1f}x | {both:.1f}{mark} | {both / secs:.1f}x |"
            print(ours + theirs, flush=True)
    print("* extrapolated linearly from the first --cap seconds")
    wall, heavy = release_run(Path(args.release))
    print(f"nk-troops validate {args.release}: {wall:.2f} s wall (best of 5, interpreter start included)")
    print(f"heavy modules it imports (of datasets, pandas, matplotlib, pyarrow, numpy): {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()

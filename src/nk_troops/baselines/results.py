"""The baseline results table of README.md and DATASHEET.md, regenerated from the release.

``nk-troops baseline --results --write`` rewrites the text between the markers;
a test fails when the files differ from a fresh computation.
"""

from __future__ import annotations

from pathlib import Path

from ..evaluate import Report, load_gold, score
from ..model import span_to_row
from . import BASELINES, run
from .common import load_inputs

BEGIN, END = "<!-- baselines:begin -->", "<!-- baselines:end -->"
COMMAND = "nk-troops baseline --results --write"


def compute(release: Path) -> list[tuple[str, Report]]:
    """Each baseline scored on its own layer against the release."""
    docs, entities = load_inputs(release)
    gold = load_gold(release)
    out = []
    for name, (layer, _) in BASELINES.items():
        pred = [span_to_row(sp) for sp in run([name], docs, entities)]
        out.append((name, score(gold.spans, pred, (layer,))))
    return out


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def render(results: list[tuple[str, Report]]) -> str:
    """Markdown table: strict and partial scores per baseline, attribute accuracy on matched spans."""
    lines = [
        "| baseline | layer | gold | predicted | strict P | strict R | strict F1 | partial F1 | attribute accuracy (matched spans) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, report in results:
        ((layer, schemas),) = report.layers.items()
        strict, partial = schemas["strict"], schemas["partial"]
        attrs = [f"{a} {_f(t.accuracy)} ({t.correct}/{t.compared})" for a, t in report.attributes[layer].items()]
        if report.clusters:
            attrs.append(f"cluster B-cubed F1 {report.clusters.f1:.3f}")
        lines.append(
            f"| {name} | {layer.value} | {strict.possible} | {strict.actual} | {_f(strict.precision)} | {_f(strict.recall)} "
            f"| {_f(strict.f1)} | {_f(partial.f1)} | {', '.join(attrs)} |"
        )
    lines += [
        "",
        "The rules were written with these five articles in view (there is no held-out text), so read the scores as what",
        "simple patterns reach here, not as an estimate for other news. Each baseline is scored on its own layer;",
        f"attribute accuracy counts matched spans. Generated from the release by `{COMMAND}`;",
        "`tests/test_baselines.py` fails when this table is stale.",
    ]
    return "\n".join(lines)


def replace_section(text: str, body: str) -> str:
    """``text`` with the part between the markers replaced by ``body`` (markers appended when absent)."""
    if BEGIN not in text or END not in text:
        return f"{text.rstrip()}\n\n{BEGIN}\n{body}\n{END}\n".lstrip()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{body}\n{END}{tail}"


def section(text: str) -> str | None:
    """The current text between the markers, None when they are missing."""
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def write(files: list[Path], body: str) -> list[Path]:
    """Rewrite the section in each file (created when missing); returns the files that changed."""
    changed = []
    for path in files:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = replace_section(old, body)
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed

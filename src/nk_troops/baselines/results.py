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

COMMAND = "nk-troops build"


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
        "simple patterns reach here, not as an estimate for other news. figures-quantulum3 finds its numbers with the",
        "quantulum3 parser (not written for these texts) but takes dates, ordinals and qualifiers from the figures-rules",
        "helpers. Each baseline is scored on its own layer;",
        f"attribute accuracy counts matched spans. Generated from the release by `{COMMAND}`;",
        "`tests/test_generated.py` fails when this table is stale.",
    ]
    return "\n".join(lines)

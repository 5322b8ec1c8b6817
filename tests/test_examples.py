"""Each script in examples/ runs as a user would run it: a copy in an empty folder outside the checkout, by the python of a venv
with the built wheel installed (the session fixture ``installed`` of conftest.py), on the release that wheel ships."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from nk_troops.evaluate import check_predictions, evaluate_file
from nk_troops.model import Layer
from nk_troops.paths import release_dir

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {"token_classifier.py": Layer.FIGURE, "sentence_classifier.py": Layer.CLAIM}


def test_every_example_is_run() -> None:
    assert sorted(p.name for p in (ROOT / "examples").glob("*.py")) == sorted(EXAMPLES)


@pytest.mark.parametrize(("script", "layer"), EXAMPLES.items())
def test_example_writes_valid_predictions_and_prints_their_scores(installed, tmp_path, script, layer) -> None:
    shutil.copy(ROOT / "examples" / script, tmp_path / script)
    done = installed.run("python", script, "out.jsonl", cwd=tmp_path)  # the venv's python, with the wheel installed
    assert done.returncode == 0, done.stderr
    pred = tmp_path / "out.jsonl"
    rows, incidents = check_predictions(pred, release_dir())
    assert incidents == [] and rows and {r["layer"] for r in rows} == {layer.value}
    assert f"wrote {len(rows)} predicted {layer.value} spans to out.jsonl" in done.stdout
    printed = re.search(rf"^{layer.value}\s+strict(?:\s+\d+){{5}}\s+(\S+)\s+(\S+)\s+(\S+)$", done.stdout, re.MULTILINE)
    strict = evaluate_file(pred, release_dir(), [layer]).layers[layer]["strict"]
    assert printed and printed.groups() == tuple(f"{x:.3f}" for x in (strict.precision, strict.recall, strict.f1))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.jsonl", script])  # wrote nothing else (caches: installed.env)

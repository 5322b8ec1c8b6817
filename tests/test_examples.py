"""Each script in examples/ runs as a user would run it: a copy in an empty folder outside the checkout, on the installed release."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
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
def test_example_writes_valid_predictions_and_prints_their_scores(tmp_path, script, layer) -> None:
    shutil.copy(ROOT / "examples" / script, tmp_path / script)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    done = subprocess.run([sys.executable, script, "out.jsonl"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    pred = tmp_path / "out.jsonl"
    rows, incidents = check_predictions(pred, release_dir())
    assert incidents == [] and rows and {r["layer"] for r in rows} == {layer.value}
    assert f"wrote {len(rows)} predicted {layer.value} spans to out.jsonl" in done.stdout
    printed = re.search(rf"^{layer.value}\s+strict(?:\s+\d+){{5}}\s+(\S+)\s+(\S+)\s+(\S+)$", done.stdout, re.MULTILINE)
    strict = evaluate_file(pred, release_dir(), [layer]).layers[layer]["strict"]
    assert printed and printed.groups() == tuple(f"{x:.3f}" for x in (strict.precision, strict.recall, strict.f1))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["hf", "out.jsonl", script])  # wrote nothing else

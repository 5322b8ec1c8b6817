"""examples/github-workflow.yml: its shell steps run as written against the installed wheel (conftest.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from test_cli_formats import check_sarif

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text(encoding="utf-8"))
STEPS = next(iter(WORKFLOW["jobs"].values()))["steps"]
INSTALL = 'python -m pip install "$NK_TROOPS"'


def test_the_workflow_installs_nk_troops_and_uploads_what_it_writes():
    assert True in WORKFLOW or "on" in WORKFLOW  # YAML 1.1 reads the key `on` as true
    assert re.fullmatch(r"nk-troops(==[0-9.]+| @ .+)", WORKFLOW["env"]["NK_TROOPS"])
    runs = [s["run"] for s in STEPS if "run" in s]
    assert runs[0] == INSTALL and all("nk-troops " in r for r in runs[1:])
    uses = {s["uses"].split("@")[0]: s.get("with", {}) for s in STEPS if "uses" in s}
    assert uses["github/codeql-action/upload-sarif"]["sarif_file"] == "nk-troops.sarif"
    assert any("--format github" in r for r in runs) and any("--format sarif > nk-troops.sarif" in r for r in runs)


@pytest.fixture(scope="module")
def predictions(installed, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A predictions file, made by a rule baseline."""
    folder = tmp_path_factory.mktemp("baselines")
    for name in ("figures-rules",):
        out = installed.run("nk-troops", "baseline", name, "--out", str(folder / f"{name}.jsonl"))
        assert out.returncode == 0, out.stderr
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}


@pytest.fixture
def workspace(predictions, tmp_path: Path) -> Path:
    """A user's repository with its predictions under predictions/."""
    (tmp_path / "predictions").mkdir()
    for name, text in predictions.items():
        (tmp_path / "predictions" / name).write_text(text, encoding="utf-8")
    return tmp_path


def _steps(installed, workspace: Path, first: int | None = None) -> list[tuple[str, subprocess.CompletedProcess[str]]]:
    """The shell steps after the install (which the installed wheel stands in for), in order, as CI would run them."""
    env = installed.env | {k: str(v) for k, v in WORKFLOW["env"].items()}
    runs = [s["run"] for s in STEPS if "run" in s and s["run"] != INSTALL][:first]
    return [(r, subprocess.run(["bash", "-eo", "pipefail", "-c", r], cwd=workspace, env=env, capture_output=True, text=True)) for r in runs]


def test_the_steps_run_clean_on_good_predictions(installed, workspace):
    for run, out in _steps(installed, workspace):
        assert out.returncode == 0, f"{run}\n{out.stdout}{out.stderr}"
    assert check_sarif((workspace / "nk-troops.sarif").read_text(encoding="utf-8"))["runs"][0]["results"] == []
    scores = sorted(p.name for p in (workspace / "predictions").glob("*.scores.json"))  # what upload-artifact takes
    assert scores == ["figures-rules.scores.json"]


def test_bad_predictions_fail_the_job_with_annotations_and_sarif(installed, workspace):
    (workspace / "predictions" / "bad.jsonl").write_text(
        '{"doc_id": "nk002", "layer": "figure", "start": "x", "end": 5}\n', encoding="utf-8"
    )
    (validate, github), (sarif, written) = _steps(installed, workspace, first=2)
    assert "--format github" in validate and github.returncode == 1
    assert "::error file=predictions/bad.jsonl,line=1,title=schema-type::" in github.stdout
    assert "--format sarif" in sarif and written.returncode == 0  # exit 1 (incidents) still writes the SARIF for upload
    (result,) = check_sarif((workspace / "nk-troops.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert result["ruleId"] == "schema-type"

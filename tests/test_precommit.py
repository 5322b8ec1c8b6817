"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit in a temporary git repository.

The ``language: system`` hooks are run, with the installed wheel's nk-troops on PATH (conftest.py). The
``language: python`` hooks are the same commands; for them pre-commit would pip-install this repository and
its dependencies (datasets, pyarrow, pandas) into an environment of its own, minutes from an index, so the test
checks that they match their -system twins key for key and that pre-commit accepts the manifest.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
GOOD = '{"doc_id": "nk002", "layer": "figure", "start": 1234, "end": 1239}\n'
BAD = GOOD + '{"doc_id": "nk002", "layer": "figure", "start": "x", "end": 5}\n'


def test_pre_commit_accepts_the_manifest():
    out = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_python_hook_has_a_system_twin_running_the_same_command():
    by_id = {h["id"]: h for h in HOOKS}
    plain = [h for h in HOOKS if not h["id"].endswith("-system")]
    assert [h["id"] for h in plain] == ["nk-troops-validate-release", "nk-troops-validate-predictions"]
    for hook in plain:
        twin = by_id.pop(hook["id"] + "-system")
        assert (hook["language"], twin["language"]) == ("python", "system")
        same = ("entry", "args", "files", "pass_filenames")
        assert {k: hook.get(k) for k in same} == {k: twin.get(k) for k in same}
        by_id.pop(hook["id"])
    assert not by_id


@pytest.fixture
def repo(tmp_path: Path, installed) -> tuple[Path, dict[str, str]]:
    """A user's repository holding a release under dataset/ and predictions under preds/, using the -system hooks."""
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    repo = tmp_path / "user"
    shutil.copytree(ROOT / "dataset", repo / "dataset")
    (repo / "preds").mkdir()
    (repo / "preds" / "good.jsonl").write_text(GOOD, encoding="utf-8")
    (repo / "preds" / "bad.jsonl").write_text(BAD, encoding="utf-8")
    hooks = [{"id": "nk-troops-validate-release-system"}, {"id": "nk-troops-validate-predictions-system"}]
    config = {"repos": [{"repo": str(ROOT), "rev": rev, "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "gitconfig").write_text("[user]\n\tname = test\n\temail = test@example.invalid\n", encoding="utf-8")
    env = installed.env | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}
    env |= {"GIT_CONFIG_NOSYSTEM": "1"}
    for cmd in (["git", "init", "--quiet"], ["git", "add", "."]):
        subprocess.run(cmd, cwd=repo, env=env, check=True)
    return repo, env


def _pre_commit(repo: tuple[Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess[str]:
    folder, env = repo
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def test_installed_hooks_refuse_bad_predictions_and_a_broken_release(repo):
    folder, env = repo
    assert _pre_commit(repo, "install").returncode == 0

    def commit() -> tuple[int, str]:  # git shows the hook's output on stderr
        subprocess.run(["git", "add", "--all"], cwd=folder, env=env, check=True)
        out = subprocess.run(["git", "commit", "--quiet", "-m", "update"], cwd=folder, env=env, capture_output=True, text=True)
        return out.returncode, out.stdout + out.stderr

    def status(out: str, hook: str) -> str:
        return next(x for x in out.splitlines() if x.startswith(hook)).rsplit(".", 1)[-1]

    spans = folder / "dataset" / "spans.jsonl"
    intact = spans.read_text(encoding="utf-8")
    spans.write_text(intact.replace('"start": 0,', '"start": "0",', 1), encoding="utf-8")  # line 1
    code, out = commit()
    assert code == 1 and "preds/bad.jsonl:2" in out and "dataset/spans.jsonl:1" in out and "good.jsonl" not in out, out
    assert (status(out, "nk-troops validate ("), status(out, "nk-troops validate --")) == ("Failed", "Failed")

    (folder / "preds" / "bad.jsonl").write_text(GOOD, encoding="utf-8")
    spans.write_text(intact, encoding="utf-8")
    code, out = commit()
    assert code == 0, out
    assert subprocess.run(["git", "log", "--oneline"], cwd=folder, env=env, capture_output=True, text=True).stdout.count("update") == 1

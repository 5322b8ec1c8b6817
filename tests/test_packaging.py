"""The distribution ships every module and declares every third-party import."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# import name -> distribution name, where they differ
DISTRIBUTION = {
    "yaml": "pyyaml",
    "jsonschema_rs": "jsonschema-rs",
    "sklearn": "scikit-learn",
    "pycrfsuite": "python-crfsuite",
    "peek": "brat-peek",
}


def test_every_subpackage_is_listed_for_the_wheel():
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in src.rglob("__init__.py")}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"]) - {"nk_troops._release", "nk_troops._schema"}  # data: dataset/, schema/
    assert listed == found


def _imports(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"nk_troops"} - {p.stem for p in folder.glob("*.py")}  # helpers beside the tests


def _declared(requirements: list[str]) -> set[str]:
    return {r.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for r in requirements}


def test_runtime_imports_are_declared_dependencies():
    runtime = _declared(PYPROJECT["project"]["dependencies"])
    optional = _declared([r for extra in PYPROJECT["project"]["optional-dependencies"].values() for r in extra])
    used = {DISTRIBUTION.get(name, name).replace("_", "-").lower() for name in _imports(ROOT / "src")}
    # an optional dependency may be imported only where the code handles its absence (see baselines)
    assert used <= runtime | optional, used - runtime - optional


def test_test_imports_are_declared():
    extras = PYPROJECT["project"]["optional-dependencies"]
    included = [r for name, reqs in extras.items() if f"nk-troops[{name}]" in extras["test"] for r in reqs]  # e.g. formats
    declared = _declared(PYPROJECT["project"]["dependencies"]) | _declared(extras["test"]) | _declared(included)
    local = {p.stem for p in (ROOT / "tests").glob("*.py")}  # test modules importing each other's helpers
    used = {DISTRIBUTION.get(n, n).replace("_", "-").lower() for n in (_imports(ROOT / "tests") | _imports(ROOT / "scripts")) - local}
    assert used <= declared, used - declared


HEAVY = ("datasets", "pandas", "pyarrow", "matplotlib")
PROBE = """
import json, sys
from nk_troops.cli import main
try:
    code = main(sys.argv[1:])
finally:  # --version exits from inside main
    print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))), file=sys.stderr)
sys.exit(code)
"""


def test_a_command_imports_only_what_it_uses(tmp_path):
    """validate, evaluate and --version read JSONL and need none of the data-frame or plotting stacks (Arrow only for Parquet)."""
    preds = tmp_path / "preds.jsonl"
    preds.write_text('{"doc_id": "nk002", "layer": "figure", "start": 1234, "end": 1239}\n', encoding="utf-8")
    commands = [["validate", "dataset"], ["validate", "--predictions", str(preds)], ["evaluate", "--pred", str(preds)], ["--version"]]
    for argv in commands:
        out = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}", *argv], cwd=ROOT, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        # a release folder's Parquet files are compared with its JSONL rows, which needs pyarrow (and only pyarrow)
        allowed = '["pyarrow"]' if argv == ["validate", "dataset"] else "[]"
        assert out.stderr.splitlines()[-1] == allowed, (argv, out.stderr.splitlines()[-1])

"""The built wheel, installed outside the checkout: it carries the release, validates it clean and every command
defaults to it (conftest.py builds and installs it)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import jsonschema

from nk_troops import schemas
from nk_troops.paths import MANIFEST
from nk_troops.version import __version__

ROOT = Path(__file__).resolve().parents[1]


def _installed_module(installed, module: str) -> Path:
    out = installed.run("python", "-c", f"import {module}; print({module}.__file__)")
    assert out.returncode == 0, out.stderr
    return Path(out.stdout.strip())


def test_the_wheel_ships_every_release_and_schema_file(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for folder, package in (("dataset", "nk_troops/_release"), ("schema", "nk_troops/_schema")):
        files = [
            p.relative_to(ROOT / folder).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        ]
        assert files, folder
        assert {f"{package}/{f}" for f in files} <= names, sorted({f"{package}/{f}" for f in files} - names)
    assert {f"nk_troops/_schema/{name}.schema.json" for name in schemas.RECORDS} <= names  # the files the schema-* hints name


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    package = _installed_module(installed, "nk_troops")
    assert installed.venv in package.parents and ROOT not in package.parents
    assert installed.run("nk-troops", "--version").stdout == f"nk-troops {__version__}\n"
    assert installed.run("python", "-m", "nk_troops", "--version").stdout == f"nk-troops {__version__}\n"


def test_the_installed_release_validates_clean(installed):
    out = installed.run("nk-troops", "validate")  # no path: the installed release
    assert (out.returncode, out.stdout) == (0, ""), out.stdout + out.stderr


def test_readme_benchmark_commands_default_to_the_installed_release(installed):
    """baseline, validate --predictions and evaluate, from an empty folder, with no release path given."""
    out = installed.run("nk-troops", "baseline", "figures-rules", "--out", "preds.jsonl")
    assert out.returncode == 0, out.stderr
    assert len((installed.home / "preds.jsonl").read_text(encoding="utf-8").splitlines()) == 39  # README's baselines table
    out = installed.run("nk-troops", "validate", "--predictions", "preds.jsonl")
    assert out.returncode == 0, out.stdout + out.stderr
    out = installed.run("nk-troops", "evaluate", "--pred", "preds.jsonl", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    schema_dir = _installed_module(installed, "nk_troops").parent / "_schema"
    jsonschema.Draft202012Validator(json.loads((schema_dir / "report.schema.json").read_text(encoding="utf-8"))).validate(doc)
    manifest = json.loads((ROOT / "dataset" / "manifest.json").read_text(encoding="utf-8"))
    assert doc["release"] == {"version": manifest["version"], "content_sha256": manifest["content_sha256"]}
    strict = doc["results"]["layers"]["figure"]["strict"]
    assert (strict["COR"], strict["SPU"]) == (38, 1)  # README's baselines table: 38 gold, 39 predicted, recall 1.000


def test_the_wheel_ships_exactly_the_release_and_load_reads_it(installed):
    """The installed release is the manifest's files, the manifest and the raw articles, nothing else; load() reads
    it, whatever the current folder, and serves the rows load_dataset gives on the checkout's release."""
    assert installed.wheel.name.startswith(f"nk_troops-{__version__}-")
    shipped = _installed_module(installed, "nk_troops").parent / "_release"
    manifest = json.loads((ROOT / "dataset" / MANIFEST).read_text(encoding="utf-8"))
    raw = {f"raw/{p.name}" for p in (ROOT / "dataset" / "raw").iterdir()}  # what the validator traces the passages to
    assert {p.relative_to(shipped).as_posix() for p in shipped.rglob("*") if p.is_file()} == set(manifest["files"]) | {MANIFEST} | raw
    probe = (
        "import json, nk_troops; from datasets import load_dataset; from nk_troops.paths import release_dir; "
        "rows = lambda ds: [dict(r) for r in ds]; "
        f"checkout = load_dataset({str(ROOT / 'dataset')!r}, 'spans', split='test'); "
        "print(json.dumps({'dir': str(release_dir()), 'rows': rows(nk_troops.load('spans', split='test')), 'checkout': rows(checkout)}))"
    )
    out = installed.run("python", "-c", probe)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.splitlines()[-1])
    assert Path(got["dir"]) == shipped
    spans = (ROOT / "dataset" / "spans.jsonl").read_text(encoding="utf-8").splitlines()
    assert got["rows"] == got["checkout"] and len(got["rows"]) == len(spans)

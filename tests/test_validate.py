"""The validator on fixtures: exact (file, line, code) per invalid fixture, a clean valid release."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nk_troops.incidents import CATALOGUE
from nk_troops.validate import release_inputs, validate

FIXTURES = Path(__file__).parent / "fixtures"
VALID, INVALID = FIXTURES / "valid", FIXTURES / "invalid"
RELEASE = Path(__file__).resolve().parents[1] / "dataset"

# fixture -> (file, line, code) of every incident it yields; a <code>.jsonl fixture replaces
# spans.jsonl of the valid release, a <code>/ folder overlays its files (REMOVE lists files to delete)
EXPECTED: dict[str, list[tuple[str, int | None, str]]] = {
    "claim-final-stop": [("spans.jsonl", 3, "claim-final-stop")],
    "claim-member-outside": [("spans.jsonl", 4, "claim-member-outside")],
    "claim-members-mismatch": [("spans.jsonl", 4, "claim-members-mismatch")],
    "cluster-members-mismatch": [("spans.jsonl", 7, "cluster-members-mismatch")],
    "cluster-unknown": [("spans.jsonl", 1, "cluster-unknown")],
    "date-not-iso": [("spans.jsonl", 21, "date-not-iso")],
    "document-unknown": [("spans.jsonl", 5, "claim-member-outside"), ("spans.jsonl", 22, "document-unknown")],
    "duplicate-id": [
        ("spans.jsonl", 4, "claim-member-outside"),
        ("spans.jsonl", 5, "claim-members-mismatch"),
        ("spans.jsonl", 5, "span-unknown"),
        ("spans.jsonl", 21, "row-document-mismatch"),
        ("spans.jsonl", 22, "duplicate-id"),
        ("spans.jsonl", 22, "row-document-mismatch"),
    ],
    "entity-unknown": [("spans.jsonl", 15, "entity-unknown")],
    "figure-value-mismatch": [("spans.jsonl", 21, "figure-value-mismatch")],
    "file-bom.jsonl": [("spans.jsonl", 1, "file-bom")],
    "file-empty.jsonl": [("spans.jsonl", None, "file-empty")],
    "file-encoding.jsonl": [("spans.jsonl", 8, "file-encoding")],
    "file-missing": [("spans.jsonl", None, "file-missing")],
    "fold-mismatch": [("spans.jsonl", 15, "fold-mismatch")],
    "json-malformed.jsonl": [("spans.jsonl", 4, "json-malformed")],
    "json-not-object.jsonl": [("spans.jsonl", 3, "json-not-object")],
    "json-truncated.jsonl": [("spans.jsonl", 22, "json-truncated")],
    "layer-overlap": [
        ("spans.jsonl", 5, "claim-member-outside"),
        ("spans.jsonl", 22, "figure-value-mismatch"),
        ("spans.jsonl", 22, "layer-overlap"),
    ],
    "manifest-mismatch": [("manifest.json", None, "manifest-mismatch")],
    "mention-not-alias": [("spans.jsonl", 15, "mention-not-alias")],
    "offset-out-of-range.jsonl": [("spans.jsonl", 15, "offset-out-of-range"), ("spans.jsonl", 15, "row-document-mismatch")],
    "offset-text-mismatch.jsonl": [("spans.jsonl", 21, "offset-text-mismatch"), ("spans.jsonl", 21, "row-document-mismatch")],
    "passage-text-mismatch": [("documents.jsonl", 1, "passage-text-mismatch")],
    "passage-tiling": [
        ("documents.jsonl", 1, "passage-text-mismatch"),
        ("documents.jsonl", 1, "passage-tiling"),
        ("spans.jsonl", 3, "span-crosses-passage"),
    ],
    "quote-includes-marks": [("spans.jsonl", 15, "quote-includes-marks")],
    "raw-sha-mismatch": [("documents.jsonl", 1, "raw-sha-mismatch")],
    "row-document-mismatch": [("sentences.jsonl", 1, "offset-text-mismatch"), ("sentences.jsonl", 1, "row-document-mismatch")],
    "schema-enum.jsonl": [("spans.jsonl", 21, "schema-enum")],
    "schema-format": [("documents.jsonl", 1, "schema-format")],
    "schema-layer-field.jsonl": [("spans.jsonl", 1, "schema-layer-field")],
    "schema-not-finite.jsonl": [("spans.jsonl", 21, "schema-not-finite")],
    "schema-pattern.jsonl": [("spans.jsonl", 1, "schema-pattern")],
    "schema-range.jsonl": [("spans.jsonl", 1, "schema-range")],
    "schema-required.jsonl": [("spans.jsonl", 15, "schema-required")],
    "schema-type.jsonl": [("spans.jsonl", 1, "schema-type")],
    "schema-unknown-key.jsonl": [("spans.jsonl", 1, "schema-unknown-key")],
    "sentence-decision": [("sentences.jsonl", 1, "sentence-decision")],
    "span-context-mismatch.jsonl": [("spans.jsonl", 15, "row-document-mismatch"), ("spans.jsonl", 15, "span-context-mismatch")],
    "span-crosses-passage": [
        ("sentences.jsonl", 1, "claim-member-outside"),
        ("spans.jsonl", 1, "span-crosses-passage"),
        ("spans.jsonl", 2, "layer-overlap"),
    ],
    "span-unknown": [("spans.jsonl", 4, "span-unknown")],
    "span-whitespace-edge": [("spans.jsonl", 21, "span-whitespace-edge")],
    "value-range-inverted": [("spans.jsonl", 21, "figure-value-mismatch"), ("spans.jsonl", 21, "value-range-inverted")],
}


def _release(tmp: Path, fixture: Path) -> Path:
    folder = tmp / "release"
    shutil.copytree(VALID, folder)
    if fixture.is_dir():
        for f in fixture.iterdir():
            if f.name == "REMOVE":
                for name in f.read_text(encoding="utf-8").split():
                    (folder / name).unlink()
            else:
                shutil.copy(f, folder / f.name)
    else:
        shutil.copy(fixture, folder / "spans.jsonl")
    return folder


def _pairs(folder: Path) -> list[tuple[str, int | None, str]]:
    report = validate(release_inputs(folder))
    return sorted((Path(i.file or "-").name, i.line, i.code) for i in report.incidents)


def test_valid_fixture_is_clean() -> None:
    assert validate(release_inputs(VALID)).incidents == []


def test_release_is_clean(tmp_path: Path) -> None:
    folder = RELEASE if (RELEASE / "spans.jsonl").exists() else _release(tmp_path, VALID / "spans.jsonl")
    assert [i.message() for i in validate(release_inputs(folder)).incidents] == []


@pytest.mark.parametrize("fixture", sorted(p.name for p in INVALID.iterdir()))
def test_invalid_fixture_yields_exactly(fixture: str, tmp_path: Path) -> None:
    assert _pairs(_release(tmp_path, INVALID / fixture)) == sorted(EXPECTED[fixture])


def test_every_fixture_yields_its_code() -> None:
    for fixture, pairs in EXPECTED.items():
        assert fixture.removesuffix(".jsonl") in {code for *_, code in pairs}, fixture


def test_every_catalogue_code_has_a_fixture() -> None:
    have = {p.name.removesuffix(".jsonl") for p in INVALID.iterdir()}
    assert sorted(set(CATALOGUE) - have) == []


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nk_troops.cli", "validate", *args], capture_output=True, text=True, timeout=120)


def test_cli_exit_codes(tmp_path: Path) -> None:
    assert _cli(str(VALID)).returncode == 0
    assert _cli(str(_release(tmp_path, INVALID / "layer-overlap"))).returncode == 1
    assert _cli(str(tmp_path / "nowhere")).returncode == 2
    assert _cli(str(VALID / "documents.jsonl"), str(tmp_path / "missing.jsonl")).returncode == 2


def test_cli_json_caps_repeats_per_code(tmp_path: Path) -> None:
    import json

    out = json.loads(_cli(str(_release(tmp_path, INVALID / "file-bom.jsonl")), "--format", "json", "--max-errors", "1").stdout)
    assert out["counts"] == {"file-bom": 1} and len(out["incidents"]) == 1

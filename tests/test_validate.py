"""The validator and the build on fixtures: exact (file, where, code) per invalid fixture, clean valid ones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nk_troops.incidents import CATALOGUE, Incident, IncidentError
from nk_troops.model import Layer
from nk_troops.paths import data_file
from nk_troops.release.assemble import assemble
from nk_troops.release.write import render_jsonl
from nk_troops.validate import release_inputs, validate

FIXTURES = Path(__file__).parent / "fixtures"
VALID, INVALID = FIXTURES / "valid", FIXTURES / "invalid"
SOURCE = FIXTURES / "source"  # a small checkout (recipe, raw article, annotations) that builds clean
RELEASE = Path(__file__).resolve().parents[1] / "dataset"

# fixture -> (file, where, code) of every incident it yields. A <code>.jsonl fixture replaces
# spans.jsonl of the valid release; a <code>/ folder overlays its files (REMOVE lists files to
# delete) on the valid release, which is validated, or, when it holds annotations/, on SOURCE,
# which is built. `where` is the line, else the entry the incident names (regions[3],
# figures[0]), else the span id, else the character range.
EXPECTED: dict[str, list[tuple[str, int | str | None, str]]] = {
    "anchor-ambiguous": [("annotations/gold/nk000.extra.yaml", "figures[0]", "anchor-ambiguous")],
    "anchor-mismatch": [("annotations/gold/nk000.extra.yaml", "figures[0]", "anchor-mismatch")],
    "anchor-not-found": [("annotations/gold/nk000.extra.yaml", "claims[0]", "anchor-not-found")],
    "annotation-invalid": [("annotations/gold/nk000.extra.yaml", "figures[0]", "annotation-invalid")],
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
    "figure-unexplained": [("annotations/gold/nk000.yaml", "[76,79)", "figure-unexplained")],
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
    "quote-mark-unexplained": [("annotations/gold/nk000.yaml", "[139,140)", "quote-mark-unexplained")],
    "raw-sha-mismatch": [("documents.jsonl", 1, "raw-sha-mismatch")],
    "recipe-edit": [("annotations/recipes/nk000.yaml", "regions[3]", "recipe-edit")],
    "recipe-invalid": [("annotations/recipes/nk000.yaml", "regions[1]", "recipe-invalid")],
    "recipe-join": [("annotations/recipes/nk000.yaml", "regions[2]", "recipe-join")],
    "recipe-line-range": [("annotations/recipes/nk000.yaml", "regions[5]", "recipe-line-range")],
    "recipe-overlap": [("annotations/recipes/nk000.yaml", "regions[1]", "recipe-overlap")],
    "recipe-passage-text": [("annotations/recipes/nk000.yaml", "regions[3]", "recipe-passage-text")],
    "recipe-passage-type": [("annotations/recipes/nk000.yaml", "regions[3]", "recipe-passage-type")],
    "recipe-raw-mismatch": [("annotations/recipes/nk000.yaml", "source_sha256", "recipe-raw-mismatch")],
    "recipe-uncovered": [("annotations/recipes/nk000.yaml", "line 1", "recipe-uncovered")],
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
    "span-in-heading": [("spans.jsonl", 20, "span-in-heading")],
    "span-token-misaligned": [("annotations/gold/nk000.yaml", "nk000-fig-03", "span-token-misaligned")],
    "span-unknown": [("spans.jsonl", 4, "span-unknown")],
    "span-whitespace-edge": [("spans.jsonl", 21, "span-whitespace-edge")],
    "value-range-inverted": [("spans.jsonl", 21, "figure-value-mismatch"), ("spans.jsonl", 21, "value-range-inverted")],
}


def _laid_over(tmp: Path, fixture: Path) -> Path:
    """A copy of the fixture's base (the valid release or the source checkout) with the fixture laid over it."""
    base = SOURCE if (fixture / "annotations").is_dir() else VALID
    folder = tmp / base.name
    shutil.copytree(base, folder)
    if fixture.is_file():
        shutil.copy(fixture, folder / "spans.jsonl")
        return folder
    for f in fixture.rglob("*"):
        if f.name == "REMOVE":
            for name in f.read_text(encoding="utf-8").split():
                (folder / name).unlink()
        elif f.is_file():
            target = folder / f.relative_to(fixture)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)
    return folder


def _incidents(folder: Path) -> list[Incident]:
    """A checkout is built, a release validated."""
    if not (folder / "annotations").is_dir():
        return validate(release_inputs(folder)).incidents
    try:
        assemble(folder)
    except IncidentError as err:
        return err.incidents
    return []


ENTRY = re.compile(r"^([\w.\[\] ]+): ")  # build incidents name their entry first in the detail: "regions[3]: ..."


def _where(i: Incident) -> int | str | None:
    if i.line is not None:
        return i.line
    if entry := ENTRY.match(i.detail or ""):
        return entry.group(1)
    if i.span_id is not None or i.start is None:
        return i.span_id
    return f"[{i.start},{i.end})"


def _file(i: Incident, folder: Path) -> str:
    if i.file is None:
        return "-"
    path = Path(i.file)
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else i.file


def _pairs(folder: Path) -> list[tuple[str, int | str | None, str]]:
    return sorted(((_file(i, folder), _where(i), i.code) for i in _incidents(folder)), key=repr)


def test_valid_fixture_is_clean() -> None:
    assert validate(release_inputs(VALID)).incidents == []


def test_release_is_clean(tmp_path: Path) -> None:
    folder = RELEASE if (RELEASE / "spans.jsonl").exists() else _laid_over(tmp_path, VALID / "spans.jsonl")
    assert [i.message() for i in validate(release_inputs(folder)).incidents] == []


def test_source_fixture_builds_a_release_that_validates_clean(tmp_path: Path) -> None:
    release = assemble(SOURCE)
    assert {sp.layer for sp in release.spans()} == set(Layer) and release.clusters
    for config, rows in release.rows().items():
        (tmp_path / data_file(config)).write_bytes(render_jsonl(rows))
    shutil.copytree(SOURCE / "dataset" / "raw", tmp_path / "raw")
    assert [i.message() for i in validate(release_inputs(tmp_path)).incidents] == []


@pytest.mark.parametrize("fixture", sorted(p.name for p in INVALID.iterdir()))
def test_invalid_fixture_yields_exactly(fixture: str, tmp_path: Path) -> None:
    assert _pairs(_laid_over(tmp_path, INVALID / fixture)) == sorted(EXPECTED[fixture], key=repr)


def test_every_fixture_yields_its_code() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in INVALID.iterdir())
    for fixture, pairs in EXPECTED.items():
        assert fixture.removesuffix(".jsonl") in {code for *_, code in pairs}, fixture


# the scorer's refusals and the Parquet comparison (registered with the validator at merge) are tested in test_api.py
ELSEWHERE = {"gold-empty", "gold-mismatch", "parquet-unreadable", "parquet-rows-mismatch"}


def test_every_catalogue_code_has_a_fixture() -> None:
    have = {p.name.removesuffix(".jsonl") for p in INVALID.iterdir()}
    have |= {code for code in CATALOGUE if code.startswith("view-")}  # the viewer's output-folder codes: tests/test_view.py
    exported = {c for c in CATALOGUE if c.startswith(("export-", "ls-", "standoff-", "rehydrate-"))}  # cases: test_export_codes.py
    assert sorted(set(CATALOGUE) - have - ELSEWHERE - exported) == []


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nk_troops.cli", "validate", *args], capture_output=True, text=True, timeout=120)


def test_cli_exit_codes(tmp_path: Path) -> None:
    assert _cli(str(VALID)).returncode == 0
    assert _cli(str(_laid_over(tmp_path, INVALID / "layer-overlap"))).returncode == 1
    assert _cli(str(tmp_path / "nowhere")).returncode == 2
    assert _cli(str(VALID / "documents.jsonl"), str(tmp_path / "missing.jsonl")).returncode == 2


def test_cli_json_caps_repeats_per_code(tmp_path: Path) -> None:
    import json

    out = json.loads(_cli(str(_laid_over(tmp_path, INVALID / "file-bom.jsonl")), "--format", "json", "--max-errors", "1").stdout)
    assert out["counts"] == {"file-bom": 1} and len(out["incidents"]) == 1


# Large inputs are checked by two processes: the documents and the last part of the spans in a forked
# one (validate.py). Forcing that on every fixture must change nothing, for a release folder and for a
# documents/spans pair (whose nested sentences are then the sentence table). It runs in a fresh
# interpreter, which has no threads to fork with.
_BOTH_WAYS = """
import json, sys
from pathlib import Path
from nk_troops.validate import run as v
from nk_troops.validate import span_pass
from nk_troops.validate import Inputs, release_inputs, validate
span_pass.PART_BYTES = 4000  # even these small spans files in parts, shared between the two processes
out = {}
for folder in map(Path, sys.argv[1:]):
    for name, inputs in (("release", release_inputs(folder)), ("pair", Inputs(folder / "documents.jsonl", folder / "spans.jsonl"))):
        reports = [validate(inputs, parallel=p) for p in (False, True)]
        found = [[[i.file, i.line, i.code, i.span_id, i.found] for i in r.incidents] + [r.unusable] for r in reports]
        out[f"{folder.parent.name}/{name}"] = found
    out[f"{folder.parent.name}/split"] = len(span_pass.parts(folder / "spans.jsonl")) > 2
print(json.dumps(out))
"""


def test_two_processes_find_what_one_finds(tmp_path: Path) -> None:
    folders = [VALID] + [_laid_over(tmp_path / p.name, p) for p in sorted(INVALID.iterdir()) if not (p / "annotations").is_dir()]
    done = subprocess.run([sys.executable, "-c", _BOTH_WAYS, *map(str, folders)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == 3 * len(folders) and results["fixtures/split"]
    for name, (one, two) in ((k, v) for k, v in results.items() if not k.endswith("/split")):
        assert sorted(map(repr, two)) == sorted(map(repr, one)), name
    assert results["fixtures/release"][0] == results["fixtures/pair"][0] == [False]  # the valid fixture: clean either way
    # the pair's sentence claims: the screen lets nothing through that the table check would report
    pair = results["span-crosses-passage/pair"][0][:-1]
    assert ["documents.jsonl", "claim-member-outside"] in [[Path(f).name, c] for f, _, c, *_ in pair]

"""The validator and the build on fixtures: exact (file, where, code) per invalid fixture, clean valid ones.

Every catalogue code has a fixture: a file or folder in fixtures/invalid, or (for what a
committed file cannot be: a FIFO, a sealed release edited afterwards) a mutation below.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nk_troops.incidents import CATALOGUE, OTHER_COMMANDS, Incident, IncidentError
from nk_troops.model import Layer
from nk_troops.paths import CARD, CONFIGS, CROISSANT, MANIFEST, content_hash, data_file
from nk_troops.release.assemble import assemble
from nk_troops.release.write import content_hash as build_content_hash
from nk_troops.release.write import render_jsonl
from nk_troops.schemas import features_yaml
from nk_troops.validate import RULES, check_pair, check_predictions, check_release, reader
from nk_troops.validate.registry import READER_CODES, SHAPE_CODES
from nk_troops.validate.rules.figures import expected_values
from nk_troops.version import __version__

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
VALID, INVALID = FIXTURES / "valid", FIXTURES / "invalid"
SOURCE = FIXTURES / "source"  # a small checkout (recipe, raw article, annotations) that builds clean
RELEASE = ROOT / "dataset"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal(folder: Path) -> None:
    """Give a folder of data files the card, Croissant and manifest a release carries, over its files as they are
    (what a contributor who edits a data file and re-runs the sealing gets: only the data rules can catch it)."""
    digests = {data_file(c): _sha((folder / data_file(c)).read_bytes()) for c in CONFIGS if (folder / data_file(c)).is_file()}
    content = content_hash(digests)
    configs = [{"config_name": c, "data_files": [{"split": "test", "path": data_file(c)}]} for c in CONFIGS]
    meta = {"version": __version__, "content_sha256": content, "configs": configs}
    meta["dataset_info"] = [{"config_name": c, "features": features_yaml(c)} for c in CONFIGS]
    (folder / CARD).write_text("---\n" + json.dumps(meta) + "\n---\n\n# a test release\n", encoding="utf-8")  # JSON is YAML
    objects = [{"@type": "cr:FileObject", "contentUrl": name, "sha256": sha} for name, sha in digests.items()]
    (folder / CROISSANT).write_text(json.dumps({"version": __version__, "distribution": objects}), encoding="utf-8")
    files = {p.name: {"sha256": _sha(p.read_bytes()), "bytes": p.stat().st_size} for p in sorted(folder.iterdir()) if p.is_file()}
    files.pop(MANIFEST, None)
    manifest = {"name": "nk-troops", "version": __version__, "content_sha256": content, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


# fixture -> (file, where, code) of every incident it yields. A <code>.jsonl fixture replaces
# spans.jsonl of the valid release; a <code>/ folder overlays its files (REMOVE lists files to
# delete) on the valid release, which is sealed and validated, or, when it holds annotations/, on
# SOURCE, which is built. `where` is the line, else the entry the incident names (regions[3],
# figures[0]), else the span id, else the character range.
EXPECTED: dict[str, list[tuple[str, int | str | None, str]]] = {
    "anchor-ambiguous": [("annotations/gold/nk000.extra.yaml", "figures[0]", "anchor-ambiguous")],
    "anchor-mismatch": [("annotations/gold/nk000.extra.yaml", "figures[0]", "anchor-mismatch")],
    "anchor-not-found": [("annotations/gold/nk000.extra.yaml", "claims[0]", "anchor-not-found")],
    "annotation-invalid": [("annotations/gold/nk000.extra.yaml", "figures[0]", "annotation-invalid")],
    "claim-final-stop": [("tokens.jsonl", 3, "tokens-tags-mismatch"), ("spans.jsonl", 3, "claim-final-stop")],
    "claim-member-outside": [("spans.jsonl", 4, "claim-member-outside")],
    "claim-members-mismatch": [("spans.jsonl", 4, "claim-members-mismatch")],
    "cluster-members-mismatch": [("spans.jsonl", 7, "cluster-members-mismatch")],
    "cluster-unknown": [("spans.jsonl", 1, "cluster-unknown")],
    "date-not-iso": [("spans.jsonl", 21, "date-not-iso")],
    "document-unknown": [
        ("tokens.jsonl", 5, "tokens-tags-mismatch"),
        ("documents.jsonl", 1, "nested-wrong-document"),
        ("spans.jsonl", 5, "claim-member-outside"),
        ("spans.jsonl", 22, "document-unknown"),
    ],
    "document-annotations-missing": [("annotations/gold", None, "document-annotations-missing")],
    "document-recipe-missing": [("annotations/recipes", None, "document-recipe-missing")],
    "document-undeclared": [("annotations/gold", None, "document-undeclared")],
    "documents-invalid": [("annotations/documents.yaml", None, "documents-invalid")],
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
    "file-too-deep": [("annotations/gold/nk000.extra.yaml", None, "file-too-deep")],
    "fold-mismatch": [("spans.jsonl", 15, "fold-mismatch")],
    "json-duplicate-key.jsonl": [("spans.jsonl", 2, "json-duplicate-key")],
    "json-malformed.jsonl": [("spans.jsonl", 4, "json-malformed")],
    "json-not-object.jsonl": [("spans.jsonl", 3, "json-not-object")],
    "json-number-too-long.jsonl": [("spans.jsonl", 4, "json-number-too-long")],
    "json-too-deep.jsonl": [("spans.jsonl", 3, "json-too-deep")],
    "json-truncated.jsonl": [("spans.jsonl", 22, "json-truncated")],
    "layer-overlap": [
        ("tokens.jsonl", 5, "tokens-tags-mismatch"),
        ("spans.jsonl", 5, "claim-member-outside"),
        ("spans.jsonl", 22, "figure-value-mismatch"),
        ("spans.jsonl", 22, "layer-overlap"),
    ],
    "mention-not-alias": [("spans.jsonl", 15, "mention-not-alias")],
    "nested-wrong-document": [("documents.jsonl", 1, "nested-wrong-document"), ("spans.jsonl", 1, "row-document-mismatch")],
    "offset-out-of-range.jsonl": [
        ("tokens.jsonl", 6, "tokens-tags-mismatch"),
        ("spans.jsonl", 15, "offset-out-of-range"),
        ("spans.jsonl", 15, "row-document-mismatch"),
    ],
    "offset-text-mismatch.jsonl": [("spans.jsonl", 21, "offset-text-mismatch"), ("spans.jsonl", 21, "row-document-mismatch")],
    "passage-text-mismatch": [("documents.jsonl", 1, "passage-text-mismatch")],
    "passage-tiling": [
        ("documents.jsonl", 1, "passage-text-mismatch"),
        ("documents.jsonl", 1, "passage-tiling"),
        ("spans.jsonl", 3, "span-crosses-passage"),
    ],
    "project-not-found": [("annotations/documents.yaml", None, "project-not-found")],
    "path-unsafe": [("documents.jsonl", 1, "path-unsafe")],
    "quote-includes-marks": [("tokens.jsonl", 6, "tokens-tags-mismatch"), ("spans.jsonl", 15, "quote-includes-marks")],
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
        ("tokens.jsonl", 1, "tokens-tags-mismatch"),
        ("sentences.jsonl", 1, "claim-member-outside"),
        ("spans.jsonl", 1, "span-crosses-passage"),
        ("spans.jsonl", 2, "layer-overlap"),
    ],
    "span-in-heading": [("spans.jsonl", 20, "span-in-heading")],
    "span-token-misaligned": [("annotations/gold/nk000.yaml", "nk000-fig-03", "span-token-misaligned")],
    "span-unknown": [("spans.jsonl", 4, "span-unknown")],
    "span-whitespace-edge": [("tokens.jsonl", 5, "tokens-tags-mismatch"), ("spans.jsonl", 21, "span-whitespace-edge")],
    "tokens-bio-invalid": [("tokens.jsonl", 1, "tokens-bio-invalid")],  # (decode_bio reads a stray I- as B-: the spans agree)
    "tokens-row-mismatch": [("tokens.jsonl", "nk000-s05", "tokens-row-mismatch")],
    "tokens-tags-length": [("tokens.jsonl", 2, "tokens-tags-length")],
    "tokens-tags-mismatch": [("tokens.jsonl", 5, "tokens-tags-mismatch")],
    "tokens-text-mismatch": [("tokens.jsonl", 3, "tokens-text-mismatch")],
    "value-range-inverted": [("spans.jsonl", 21, "figure-value-mismatch"), ("spans.jsonl", 21, "value-range-inverted")],
}


def _json_edit(name: str, edit: Callable[[dict], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        edit(data)
        (folder / name).write_text(json.dumps(data), encoding="utf-8")

    return mutate


def _card_edit(fn: Callable[[str], str]) -> Callable[[Path], None]:
    return lambda folder: (folder / CARD).write_text(fn((folder / CARD).read_text(encoding="utf-8")), encoding="utf-8")


def _moved_out(folder: Path, name: str) -> None:
    """``name`` moved next to the folder, a symlink to it left in its place."""
    shutil.move(folder / name, folder.parent / f"{name}-out")
    (folder / name).symlink_to(folder.parent / f"{name}-out")


def _fifo_as_spans(folder: Path) -> None:
    (folder / "spans.jsonl").unlink()
    os.mkfifo(folder / "spans.jsonl")


# sealed releases edited afterwards (or holding what git cannot): mutation -> expected, as in EXPECTED; each is
# named for the code it is there for, as a fixture is: <code> or <code>-<what> (test_every_fixture_yields_its_code)
MUTATIONS: dict[str, tuple[Callable[[Path], None], list[tuple[str, int | str | None, str]]]] = {
    "manifest-mismatch": (
        _json_edit(MANIFEST, lambda m: m["files"]["entities.jsonl"].update(bytes=1)),
        [("manifest.json", None, "manifest-mismatch")],
    ),
    "manifest-mismatch-files-a-list": (_json_edit(MANIFEST, lambda m: m.update(files=[])), [("manifest.json", None, "manifest-mismatch")]),
    "manifest-unlisted": (
        lambda folder: (folder / "notes.txt").write_text("an extra file", encoding="utf-8"),
        [("manifest.json", None, "manifest-unlisted")],
    ),
    "manifest-unlisted-lists-a-missing-file": (
        _json_edit(MANIFEST, lambda m: m["files"].update({"gone.txt": {"sha256": "0" * 64, "bytes": 1}})),
        [("manifest.json", None, "manifest-unlisted")],
    ),
    "path-unsafe-manifest-leads-out": (
        _json_edit(MANIFEST, lambda m: m["files"].update({"../../../../etc/passwd": {"sha256": "0" * 64, "bytes": 1}})),
        [("manifest.json", None, "path-unsafe")],
    ),
    "file-missing-manifest": (lambda folder: (folder / MANIFEST).unlink(), [("manifest.json", None, "file-missing")]),
    "file-not-regular-manifest-a-directory": (
        lambda folder: ((folder / MANIFEST).unlink(), (folder / MANIFEST).mkdir()),
        [("manifest.json", None, "file-not-regular")],
    ),
    "version-mismatch": (_json_edit(MANIFEST, lambda m: m.update(version="0.9.0")), [("manifest.json", None, "version-mismatch")]),
    "card-invalid": (
        _card_edit(lambda t: t.replace('"configs"', '"configs": [}', 1)),
        [("README.md", None, "card-invalid"), ("manifest.json", None, "manifest-mismatch")],
    ),
    "card-features-mismatch": (
        _card_edit(lambda t: t.replace('"path": "clusters.jsonl"', '"path": "clusters.json"')),
        [("README.md", None, "card-features-mismatch"), ("manifest.json", None, "manifest-mismatch")],
    ),
    "croissant-invalid": (
        _json_edit(CROISSANT, lambda c: c.update(distribution={})),
        [("croissant.json", None, "croissant-invalid"), ("manifest.json", None, "manifest-mismatch")],
    ),
    "json-malformed-croissant": (
        lambda folder: (folder / CROISSANT).write_bytes((folder / CROISSANT).read_bytes()[:40]),
        [("croissant.json", "column 40", "json-malformed"), ("manifest.json", None, "manifest-mismatch")],
    ),
    "croissant-checksum-mismatch": (
        _json_edit(CROISSANT, lambda c: c["distribution"][0].update(sha256="0" * 64)),
        [("croissant.json", None, "croissant-checksum-mismatch"), ("manifest.json", None, "manifest-mismatch")],
    ),
    "file-not-regular": (_fifo_as_spans, [("spans.jsonl", None, "file-not-regular")]),
    "file-not-regular-raw-file-a-fifo": (  # a source_file naming a FIFO is refused, never waited on
        lambda folder: [p.unlink() or os.mkfifo(p) for p in (folder / "raw").iterdir()],
        [("documents.jsonl", 1, "file-not-regular")],
    ),
    "path-unsafe-raw-file-links-out": (
        lambda folder: [
            (folder / "raw" / p.name).unlink() or (folder / "raw" / p.name).symlink_to("/dev/zero") for p in (folder / "raw").iterdir()
        ],
        [("documents.jsonl", 1, "path-unsafe")],
    ),
    "path-unsafe-manifest-links-out": (  # read as the folder's own, it would vouch for files it does not describe
        lambda folder: _moved_out(folder, MANIFEST),
        [("manifest.json", None, "path-unsafe")],
    ),
    "path-unsafe-raw-folder-links-out": (
        lambda folder: _moved_out(folder, "raw"),
        [("documents.jsonl", 1, "path-unsafe")],
    ),
    "file-missing-raw-a-plain-file": (  # raw/ is there, but no raw file can be in it
        lambda folder: shutil.rmtree(folder / "raw") or (folder / "raw").write_text("not a folder", encoding="utf-8"),
        [("documents.jsonl", 1, "file-missing")],
    ),
    "path-unsafe-data-file-links-out": (
        lambda folder: (folder / "entities.jsonl").unlink() or (folder / "entities.jsonl").symlink_to(VALID / "entities.jsonl"),
        [("entities.jsonl", None, "path-unsafe")],
    ),
}
# the mutations are sealed first, then edited: their manifest does not know the edit (noted where it shows)
for name in ("card-invalid", "card-features-mismatch", "croissant-invalid", "json-malformed-croissant", "croissant-checksum-mismatch"):
    assert ("manifest.json", None, "manifest-mismatch") in MUTATIONS[name][1]


def _laid_over(tmp: Path, fixture: Path) -> Path:
    """A sealed copy of the valid release (or a copy of the source checkout) with the fixture laid over it."""
    base = SOURCE if (fixture / "annotations").is_dir() else VALID
    folder = tmp / base.name
    shutil.copytree(base, folder)
    if fixture.is_file():
        shutil.copy(fixture, folder / "spans.jsonl")
    files = sorted(fixture.rglob("*")) if fixture.is_dir() else []
    for f in files:
        if f.is_file() and f.name != "REMOVE":
            target = folder / f.relative_to(fixture)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)
    if base is VALID:
        seal(folder)
    for f in (f for f in files if f.name == "REMOVE"):  # names relative to the fixture's root, wherever REMOVE sits
        for name in f.read_text(encoding="utf-8").split():
            (folder / name).unlink()
    return folder


def _incidents(folder: Path) -> list[Incident]:
    """A checkout is built, a release validated."""
    if not (folder / "annotations").is_dir():
        return check_release(folder).incidents
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
    path = Path(i.file or "-")
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else i.file or "-"


def _pairs(folder: Path, incidents: list[Incident] | None = None) -> list[tuple[str, int | str | None, str]]:
    return sorted(((_file(i, folder), _where(i), i.code) for i in (incidents if incidents is not None else _incidents(folder))), key=repr)


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("valid") / "release"
    shutil.copytree(VALID, folder)
    seal(folder)
    return folder


def test_valid_fixture_is_clean(sealed: Path) -> None:
    assert check_release(sealed).incidents == []
    assert check_release(sealed).ok


def test_release_is_clean() -> None:
    assert [i.message() for i in check_release(RELEASE).incidents] == []


def test_a_release_without_raw_files_is_checked_without_them(sealed: Path, tmp_path: Path) -> None:
    """The wheel ships the release without raw/ (the article files): the rest is checked as usual."""
    folder = tmp_path / "release"
    shutil.copytree(sealed, folder, ignore=shutil.ignore_patterns("raw"))
    assert check_release(folder).ok
    (folder / "spans.jsonl").write_bytes((folder / "spans.jsonl").read_bytes().replace(b'"start": 84,', b'"start": 85,', 1))
    assert ("spans.jsonl", 2, "offset-text-mismatch") in _pairs(folder)


def test_content_hash_is_the_builds() -> None:
    """The hash the validator computes over the committed data files is the one the build recorded in the
    committed manifest (test_release.py checks the CHANGELOG entry against the build)."""
    data = {data_file(c): (RELEASE / data_file(c)).read_bytes() for c in CONFIGS}
    recorded = json.loads((RELEASE / MANIFEST).read_text(encoding="utf-8"))["content_sha256"]
    assert content_hash({name: _sha(b) for name, b in data.items()}) == recorded
    assert build_content_hash(data) == recorded


def test_source_fixture_builds_a_release_that_validates_clean(tmp_path: Path) -> None:
    release = assemble(SOURCE)
    assert {sp.layer for sp in release.spans()} == set(Layer) and release.clusters
    for config, rows in release.rows().items():
        (tmp_path / data_file(config)).write_bytes(render_jsonl(rows))
    shutil.copytree(SOURCE / "dataset" / "raw", tmp_path / "raw")
    seal(tmp_path)
    assert [i.message() for i in check_release(tmp_path).incidents] == []


@pytest.mark.parametrize("fixture", sorted(p.name for p in INVALID.iterdir()))
def test_invalid_fixture_yields_exactly(fixture: str, tmp_path: Path) -> None:
    assert _pairs(_laid_over(tmp_path, INVALID / fixture)) == sorted(EXPECTED[fixture], key=repr)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_edited_release_yields_exactly(name: str, sealed: Path, tmp_path: Path) -> None:
    folder = tmp_path / "release"
    shutil.copytree(sealed, folder, symlinks=True)
    mutate, expected = MUTATIONS[name]
    mutate(folder)
    assert _pairs(folder) == sorted(expected, key=repr)


def test_long_lines_are_refused_not_read(sealed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "LINE_CAP", 4096)  # documents.jsonl holds a 19 kB line
    assert ("documents.jsonl", 1, "file-too-large") in _pairs(sealed, check_release(sealed).incidents)


def test_every_fixture_yields_its_code() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in INVALID.iterdir())
    for fixture, pairs in list(EXPECTED.items()) + [(k, v[1]) for k, v in MUTATIONS.items()]:
        name = fixture.removesuffix(".jsonl")
        assert any(name == code or name.startswith(f"{code}-") for *_, code in pairs), f"{fixture} yields none of the code it names"


# the scorer's refusals and the Parquet comparison are tested in test_api.py
ELSEWHERE = {"gold-empty", "gold-mismatch", "parquet-unreadable", "parquet-rows-mismatch"}


def test_every_catalogue_code_has_a_fixture() -> None:
    have = {p.name.removesuffix(".jsonl") for p in INVALID.iterdir()} | set(MUTATIONS)
    have.add("file-too-large")  # test_long_lines_are_refused_not_read: a cap lowered, rather than a 128 MB fixture
    have |= {"argument-invalid", "path-symlink", "build-write-failed"}  # invocation and writing: tests/test_build_safety.py
    have |= {code for code in CATALOGUE if code.startswith("view-")}  # the viewer's output-folder codes: tests/test_view.py
    exported = {c for c in CATALOGUE if c.startswith(("export-", "ls-", "standoff-", "rehydrate-"))}  # cases: test_export_codes.py
    assert sorted(set(CATALOGUE) - have - ELSEWHERE - exported) == []


def test_every_code_belongs_to_exactly_one_rule_or_pass() -> None:
    owners = [("(reader)", READER_CODES), ("(shape)", SHAPE_CODES)]
    owners += [(f"({command})", codes) for command, codes in OTHER_COMMANDS.items()] + [(r.name, r.codes) for r in RULES.values()]
    claimed = [code for _, codes in owners for code in codes]
    assert sorted(claimed) == sorted(CATALOGUE), {c: [o for o, cs in owners if c in cs] for c in set(claimed) ^ set(CATALOGUE)}
    assert len(claimed) == len(set(claimed)), [c for c in claimed if claimed.count(c) > 1]


def test_the_rules_table_in_the_docs_names_every_rule() -> None:  # kept fresh by the build: tests/test_generated.py
    docs = (ROOT / "docs" / "VALIDATION.md").read_text(encoding="utf-8")
    assert "docs/VALIDATION.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in docs for name in RULES)


def test_in_memory_rows_are_checked_like_files() -> None:
    rows = {c: [json.loads(line) for line in (VALID / data_file(c)).read_text(encoding="utf-8").splitlines()] for c in CONFIGS}
    assert check_pair(rows["documents"], rows["spans"], rows["sentences"], tokens=rows["tokens"]).ok
    rows["spans"][2]["start"] += 1
    report = check_pair(rows["documents"], rows["spans"], name={"spans": "mine.jsonl"})
    assert ("mine.jsonl", 3, "offset-text-mismatch") in _pairs(ROOT, report.incidents)


def test_swapped_nested_lists_are_found() -> None:
    """Two documents whose claims lists are swapped: each nested claim sits under the wrong document."""
    rows = [json.loads((VALID / "documents.jsonl").read_text(encoding="utf-8"))]
    spans = [json.loads(line) for line in (VALID / "spans.jsonl").read_text(encoding="utf-8").splitlines()]
    twin = json.loads(json.dumps(rows[0]).replace("nk000", "nk001"))
    spans += [json.loads(json.dumps(s).replace("nk000", "nk001")) for s in spans]
    rows[0]["claims"], twin["claims"] = twin["claims"], rows[0]["claims"]
    pairs = _pairs(ROOT, check_pair(rows + [twin], spans).incidents)
    assert {code for _, _, code in pairs} == {"nested-wrong-document"}
    assert {line for _, line, _ in pairs} == {1, 2}


def test_predictions_are_model_output(tmp_path: Path) -> None:
    gold = [json.loads(line) for line in (VALID / "spans.jsonl").read_text(encoding="utf-8").splitlines()]
    free = [
        {"id": f"pred-{k}", "doc_id": s["doc_id"], "layer": s["layer"], "start": s["start"], "end": s["end"], "score": 0.5}
        for k, s in enumerate(gold)
    ]
    assert check_predictions(free, VALID).ok
    assert check_predictions([{k: v for k, v in p.items() if k != "id"} for p in free], VALID).ok
    assert check_predictions([], VALID).ok and check_predictions(tmp_path / "none.jsonl", VALID).unusable
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert check_predictions(tmp_path / "empty.jsonl", VALID).ok
    wrong = [free[0] | {"text": "not the text"}, free[1] | {"start": None}, free[2] | {"start": 10**6}, free[3] | {"doc_id": "nk009"}]
    assert _pairs(ROOT, check_predictions(wrong, VALID, name="p.jsonl").incidents) == [
        ("p.jsonl", 1, "offset-text-mismatch"),
        ("p.jsonl", 2, "schema-type"),
        ("p.jsonl", 3, "offset-out-of-range"),
        ("p.jsonl", 4, "document-unknown"),
    ]


def test_incident_json_has_every_key_and_json_values() -> None:
    out = Incident("fold-mismatch", file="x", line=1, found=[1, None], expected={"a": True}).to_json()
    assert set(out) == {"code", "file", "line", "doc_id", "span_id", "start", "end", "found", "expected", "detail", "message", "hint"}
    assert out["found"] == [1, None] and out["expected"] == {"a": True} and out["start"] is None
    assert json.loads(json.dumps(out)) == out and "[1, null]" in out["message"] and out["hint"] == CATALOGUE["fold-mismatch"].hint


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nk_troops.cli", "validate", *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_cli_exit_codes(sealed: Path, tmp_path: Path) -> None:
    assert _cli(str(sealed)).returncode == 0
    assert _cli(str(_laid_over(tmp_path / "a", INVALID / "layer-overlap"))).returncode == 1
    assert _cli(str(_laid_over(tmp_path / "b", INVALID / "file-missing"))).returncode == 1  # a release missing a file: bad data
    assert _cli(str(tmp_path / "nowhere")).returncode == 2
    assert _cli(str(sealed / "documents.jsonl"), str(tmp_path / "missing.jsonl")).returncode == 2
    assert _cli(str(sealed / "documents.jsonl"), str(tmp_path)).returncode == 2  # a folder given where a JSONL file goes
    done = _cli("--predictions", str(tmp_path))
    assert done.returncode == 2 and "file-not-regular" in done.stderr
    done = _cli(str(sealed / "spans.jsonl"))  # one file where a release folder goes: told what to give instead
    assert done.returncode == 2 and "--predictions" in done.stderr
    assert _cli(str(sealed), "--max-errors", "x").returncode == 2
    assert _cli(str(sealed), "--max-errors", "-1").returncode == 2
    done = _cli("--predictions", str(tmp_path / "p.jsonl"), cwd=tmp_path)  # no ./dataset: the installed release is the gold
    assert done.returncode == 2 and "p.jsonl" in done.stderr
    (tmp_path / "p.jsonl").write_text('{"doc_id": "nk000", "layer": "claim", "start": 0, "end": 5, "model": "x"}\n', encoding="utf-8")
    assert _cli("--predictions", str(tmp_path / "p.jsonl"), cwd=tmp_path).returncode == 0


def test_cli_json_caps_repeats_per_code(tmp_path: Path) -> None:
    out = json.loads(_cli(str(_laid_over(tmp_path, INVALID / "file-bom.jsonl")), "--format", "json", "--max-errors", "1").stdout)
    assert out["counts"] == {"file-bom": 1} and len(out["incidents"]) == 1


def test_rows_in_any_order_meet_the_records_their_documents_nest() -> None:
    """documents.jsonl is read in step with the rows: a row is compared with its nested record whether its
    document comes before it or after it, and a row naming no document is reported once every one is read."""
    rows = {c: [json.loads(line) for line in (RELEASE / data_file(c)).read_text(encoding="utf-8").splitlines()] for c in CONFIGS}
    assert check_pair(rows["documents"][::-1], rows["spans"][::-1], rows["sentences"][::-1]).ok
    claim = rows["documents"][0]["claims"][0]
    claim["hedged"] = not claim["hedged"]
    spans = rows["spans"][::-1] + [rows["spans"][0] | {"id": "nk999-clm-01", "doc_id": "nk999"}]
    report = check_pair(rows["documents"], spans, rows["sentences"][::-1])
    line = next(n for n, r in enumerate(spans, start=1) if r["id"] == claim["id"])
    got = [(i.code, i.line, i.span_id) for i in report.incidents]
    unknown = [("document-unknown", len(spans), "nk999-clm-01"), ("row-document-mismatch", len(spans), "nk999-clm-01")]
    assert sorted(got) == sorted([("row-document-mismatch", line, claim["id"]), *unknown])


def test_a_figure_number_too_large_for_a_float_is_compared_not_a_crash() -> None:
    """A surface number beyond float range reads as infinity; a range with it is not taken for 1950-53."""
    assert expected_values("1" * 400 + " to 5") == (math.inf, 5.0)
    assert expected_values("1950-53") == (1950.0, 1953.0)


def test_a_document_line_that_cannot_be_read_is_one_incident_not_one_per_span(tmp_path: Path) -> None:
    """Its spans cannot be told from spans of no document: they get no document-unknown or row-document-mismatch."""
    lines = (RELEASE / "documents.jsonl").read_bytes().split(b"\n")
    lines[1] = lines[1][:-40]  # nk001's row cut short
    (tmp_path / "documents.jsonl").write_bytes(b"\n".join(lines))
    report = check_pair(tmp_path / "documents.jsonl", RELEASE / "spans.jsonl")
    assert [(Path(i.file).name, i.line, i.code) for i in report.incidents] == [("documents.jsonl", 2, "json-malformed")]

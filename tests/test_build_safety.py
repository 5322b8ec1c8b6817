"""`nk-troops build` never destroys or half-writes: refusals, invalid annotations, links, write errors.

Every test pictures the whole folder before and after (every file's bytes, every
link) and asserts the exact picture, not only the exit status.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from build_project import ROOT, copy_project, generated_paths, make_stale, snapshot, stages

from nk_troops.cli import main
from nk_troops.release import publish


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def _build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", *args])


def _codes(err: str) -> list[str]:
    return sorted(line.split(" x")[0].removeprefix("hint ") for line in err.splitlines() if line.startswith("hint "))


# --- refusing: not a project, no such root, nothing to build from ------------


def test_a_folder_that_is_not_an_nk_troops_project_is_left_alone(tmp_path, capsys):
    (tmp_path / "dataset").mkdir()
    (tmp_path / "dataset" / "documents.jsonl").write_text('{"mine": 1}\n', encoding="utf-8")
    (tmp_path / "README.md").write_text("# my own project\n", encoding="utf-8")
    (tmp_path / "annotations").mkdir()
    before = snapshot(tmp_path)
    assert _build(tmp_path) == 2
    err = capsys.readouterr().err
    assert _codes(err) == ["project-not-found"] and "annotations/documents.yaml" in err
    assert snapshot(tmp_path) == before


def test_a_documents_yaml_of_another_dataset_is_not_a_project(project, capsys):
    (project / "annotations" / "documents.yaml").write_text("dataset: other\ndocuments: [nk000]\n", encoding="utf-8")
    before = snapshot(project)
    assert _build(project) == 2
    assert _codes(capsys.readouterr().err) == ["project-not-found"]
    assert snapshot(project) == before


def test_a_root_that_does_not_exist_is_not_created(tmp_path, capsys):
    assert _build(tmp_path / "nonexistent") == 2
    assert _codes(capsys.readouterr().err) == ["argument-invalid"]
    assert list(tmp_path.iterdir()) == []


def test_missing_recipes_folder_writes_nothing(project, capsys):
    shutil.rmtree(project / "annotations" / "recipes")
    before = snapshot(project)
    assert _build(project) == 1
    err = capsys.readouterr().err
    assert _codes(err) == ["document-recipe-missing"] and err.count("document-recipe-missing: ") == 5
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("change", "code", "doc_id"),
    [
        ("rm recipes/nk003.yaml", "document-recipe-missing", "nk003"),  # its gold file would otherwise be ignored
        ("rm gold/nk003.yaml", "document-annotations-missing", "nk003"),  # the document would otherwise go unannotated
        ("cp gold/nk003.yaml gold/nk009.yaml", "document-undeclared", "nk009"),  # annotations without a recipe
        ("cp recipes/nk003.yaml recipes/nk009.yaml", "document-undeclared", "nk009"),  # a recipe without annotations
        ("declare nk009", "document-recipe-missing", "nk009"),  # declared, with neither
    ],
)
def test_the_declared_documents_their_recipes_and_annotations_agree(project, capsys, change, code, doc_id):
    ann = project / "annotations"
    verb, *paths = change.split()
    if verb == "rm":
        (ann / paths[0]).unlink()
    elif verb == "cp":
        text = (ann / paths[0]).read_text(encoding="utf-8").replace("nk003", "nk009")
        (ann / paths[1]).write_text(text, encoding="utf-8")
    else:
        (ann / "documents.yaml").write_text("dataset: nk-troops\ndocuments: [nk000, nk001, nk002, nk003, nk004, nk009]\n")
    before = snapshot(project)
    assert _build(project) == 1
    err = capsys.readouterr().err
    assert _codes(err) == [code] and f" {doc_id}: {code}: " in err
    assert snapshot(project) == before


# --- invalid annotations: the staged release is validated before publishing ----


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "code"),
    [
        ("gold/nk000.yaml", "speaker: volodymyr-zelenskyy", "speaker: nobody-registered", "entity-unknown"),
        ("gold/nk000.yaml", "id: nk000-fig-02", "id: nk000-fig-01", "duplicate-id"),
        ("entities.yaml", "- id: analysts\n", "- id: analysts\n  name: x\n  type: group\n  aliases: [x]\n- id: analysts\n", "duplicate-id"),
    ],
    ids=["unknown-speaker", "duplicate-span-id", "duplicate-entity"],
)
def test_annotations_giving_an_invalid_release_publish_nothing(project, capsys, file, old, new, code):
    _edit(project / "annotations" / file, old, new)
    before = snapshot(project)
    assert _build(project) == 1
    err = capsys.readouterr().err
    assert code in _codes(err) and "failed while validating the staged release; nothing was published" in err
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("value: 12000", "value: lots"),
        ("value: 12000", "value: " + "9" * 4000),  # an integer no float holds
        ("value: 12000", "value: " + "9" * 4301),  # past Python's digit limit for int()
        ("id: nk000-fig-02", "id: [nk000-fig-02]"),  # a list as an id
    ],
    ids=["value-lots", "huge-value", "4301-digits", "list-id"],
)
def test_bad_annotation_values_are_incidents_not_tracebacks(project, capsys, old, new):
    _edit(project / "annotations" / "gold" / "nk000.yaml", old, new)
    before = snapshot(project)
    assert _build(project) == 1
    assert _codes(capsys.readouterr().err) == ["annotation-invalid"]
    assert snapshot(project) == before


@pytest.mark.parametrize("name", ["gold/nk001.yaml", "entities.yaml", "clusters.yaml"])
def test_a_folder_for_an_annotation_file_is_an_incident(project, capsys, name):
    (project / "annotations" / name).unlink()
    (project / "annotations" / name).mkdir()
    before = snapshot(project)
    assert _build(project) == 1
    err = capsys.readouterr().err
    assert _codes(err) == ["file-missing"] and f"annotations/{name}: file-missing" in err
    assert snapshot(project) == before


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_yaml_nested_deeply_is_an_incident(project, capsys, depth):
    (project / "annotations" / "gold" / "nk000.deep.yaml").write_text("doc_id: nk000\nfigures: " + "[" * depth + "]" * depth)
    before = snapshot(project)
    assert _build(project) == 1
    assert _codes(capsys.readouterr().err) == ["file-too-deep"]
    assert snapshot(project) == before


# --- what it writes, and what it never touches --------------------------------


def test_a_stale_tree_is_rebuilt_and_foreign_files_survive(project, capsys):
    fresh = make_stale(project)
    (project / "dataset" / "my-notes.txt").write_text("mine\n", encoding="utf-8")
    assert _build(project) == 0
    out = capsys.readouterr().out
    assert snapshot(project) == fresh | {"dataset/my-notes.txt": b"mine\n"}
    assert f"published {len(generated_paths())} changed file(s)" in out


def test_names_in_an_old_manifest_are_never_deleted(project, tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    manifest = json.loads((project / "dataset" / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] |= {"../../victim.txt": {}, str(victim): {}, "../README.md": {}}
    (project / "dataset" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    fresh = snapshot(project) | {"dataset/manifest.json": (ROOT / "dataset" / "manifest.json").read_bytes()}
    assert _build(project) == 0
    assert snapshot(project) == fresh and victim.read_text(encoding="utf-8") == "keep me\n"


def test_a_corrupt_manifest_does_not_stop_the_next_build(project, capsys):
    (project / "dataset" / "manifest.json").write_bytes(b'{"files": ')
    assert _build(project) == 0
    assert (project / "dataset" / "manifest.json").read_bytes() == (ROOT / "dataset" / "manifest.json").read_bytes()


@pytest.mark.parametrize("link", ["dataset/documents.jsonl", "schema", "README.md", "docs", "docs/VALIDATION.md", "dataset"])
def test_it_never_writes_through_a_link(project, tmp_path, capsys, link):
    outside = tmp_path / "outside"
    shutil.move(project / link, outside)
    os.symlink(outside, project / link)
    make_stale(project) if link != "dataset" else None
    before, outside_before = snapshot(project), snapshot(tmp_path / "outside") if outside.is_dir() else outside.read_bytes()
    assert _build(project) == 1
    assert "path-symlink" in _codes(capsys.readouterr().err)
    assert snapshot(project) == before
    assert (snapshot(outside) if outside.is_dir() else outside.read_bytes()) == outside_before


def test_a_folder_where_a_release_file_goes_is_refused(project, capsys):
    make_stale(project)
    (project / "dataset" / "croissant.json").unlink()
    (project / "dataset" / "croissant.json").mkdir()
    before = snapshot(project)
    assert _build(project) == 1
    assert _codes(capsys.readouterr().err) == ["build-write-failed"]
    assert snapshot(project) == before


def test_a_write_error_while_staging_publishes_nothing(project, capsys, monkeypatch):
    make_stale(project)
    before = snapshot(project)
    real_fsync, calls = os.fsync, []

    def full_disk(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 7:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(publish.os, "fsync", full_disk)
    assert _build(project) == 1
    err = capsys.readouterr().err
    assert _codes(err) == ["build-write-failed"] and "No space left on device" in err and "while writing the staged files" in err
    assert snapshot(project) == before and stages(project) == []


@pytest.mark.parametrize("schema", ["stale", "missing"])
def test_a_rename_error_while_publishing_puts_every_old_file_back(project, capsys, monkeypatch, schema):
    make_stale(project)
    if schema == "missing":  # a checkout without schema/: the folder the publish creates goes again
        shutil.rmtree(project / "schema")
    before = snapshot(project)
    real_replace, calls = os.replace, []

    def failing(src, dst) -> None:
        calls.append(dst)
        if len(calls) == 12:  # the second schema file: the release files and one schema file are in place
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", failing)
    assert _build(project) == 1
    assert _codes(capsys.readouterr().err) == ["build-write-failed"]
    assert len(calls) > 12 and snapshot(project) == before and stages(project) == []


def test_when_undoing_fails_too_the_next_build_finishes_the_publish(project, capsys, monkeypatch):
    fresh = make_stale(project)
    real_replace, real_link, replaces, links = os.replace, os.link, [], []

    def failing_replace(src, dst) -> None:
        replaces.append(dst)
        if len(replaces) == 9:
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real_replace(src, dst)

    def failing_link(src, dst) -> None:
        links.append(dst)
        if len(links) == 10:  # nine backups made, then the undo's first link
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real_link(src, dst)

    monkeypatch.setattr(publish.os, "replace", failing_replace)
    monkeypatch.setattr(publish.os, "link", failing_link)
    assert _build(project) == 1
    err = capsys.readouterr().err
    assert _codes(err) == ["build-write-failed"] and "undoing it failed too" in err
    assert len(stages(project)) == 1  # kept, with its marker
    monkeypatch.undo()
    assert len(publish.recover(project)) == len(generated_paths()) - 8  # the eight renames that went through are done
    assert snapshot(project) == fresh and stages(project) == []


# --- --out: an existing folder inside the project -------------------------------


def test_out_folder_that_does_not_exist_is_refused(project, capsys):
    before = snapshot(project)
    assert _build(project, "--out", str(project / "side" / "release")) == 2
    assert _codes(capsys.readouterr().err) == ["argument-invalid"]
    assert snapshot(project) == before


@pytest.mark.parametrize("folder", [".", "annotations", "schema", "dataset/raw"])
def test_out_folder_may_not_be_a_source_folder(project, capsys, folder):
    before = snapshot(project)
    assert _build(project, "--out", str(project / folder)) == 2
    assert _codes(capsys.readouterr().err) == ["argument-invalid"]
    assert snapshot(project) == before


def test_out_folder_outside_the_project_is_refused(project, tmp_path, capsys):
    (tmp_path / "elsewhere").mkdir()
    before = snapshot(tmp_path)
    assert _build(project, "--out", str(tmp_path / "elsewhere")) == 2
    assert _codes(capsys.readouterr().err) == ["argument-invalid"]
    assert snapshot(tmp_path) == before


def test_out_folder_gets_the_release_files_only(project, capsys):
    (project / "side").mkdir()
    before = snapshot(project)
    assert _build(project, "--out", str(project / "side")) == 0
    names = [rel.removeprefix("dataset/") for rel in generated_paths() if rel.startswith("dataset/")]
    files = {rel: data for rel, data in snapshot(project).items() if data != "<dir>"}  # release files may sit in subfolders
    assert files == {rel: data for rel, data in before.items() if data != "<dir>"} | {
        f"side/{n}": (ROOT / "dataset" / n).read_bytes() for n in names
    }


# --- staging folders: another build's, a killed build's, a forged one -------------


def test_a_second_build_at_the_same_time_is_refused(project, capsys):
    import fcntl

    make_stale(project)
    before = snapshot(project)
    fd = os.open(project, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what a running build holds
        assert _build(project) == 1
    finally:
        os.close(fd)
    assert _codes(capsys.readouterr().err) == ["build-write-failed"]
    assert snapshot(project) == before


def test_a_forged_staging_folder_moves_nothing_and_follows_no_link(project, tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n", encoding="utf-8")
    forged = project / f"{publish.STAGE_PREFIX}forged"
    (forged / "dataset").mkdir(parents=True)
    (forged / "dataset" / "documents.jsonl").write_text("forged\n", encoding="utf-8")
    (forged / publish.COMMITTED).write_text("../outside\n", encoding="utf-8")  # a release folder outside the project
    os.symlink(outside, forged / "link")
    (forged / "notes.txt").write_text("x\n", encoding="utf-8")
    fresh = {k: v for k, v in snapshot(project).items() if not k.startswith(publish.STAGE_PREFIX)}
    assert publish.recover(project) == []
    assert snapshot(project) == fresh and stages(project) == []
    assert snapshot(outside) == {"keep.txt": b"keep\n"}

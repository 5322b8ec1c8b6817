"""Bad input to `diff`, `check-anchors`, `stats`, `agreement`, `build`, `baseline --out`: a stable code and exit
status, no traceback, nothing written.

Each test pictures the folders involved before and after, byte for byte.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from build_project import ROOT, copy_project, snapshot

from nk_troops import cli
from nk_troops.baselines import BASELINES
from nk_troops.cli import main
from nk_troops.export import FORMATS
from nk_troops.release import publish, stats


def _codes(err: str) -> list[str]:
    return sorted(line.split(" x")[0].removeprefix("hint ") for line in err.splitlines() if line.startswith("hint "))


def _run(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


# --- diff ---------------------------------------------------------------------


def _release_with_spans(tmp: Path, name: str, lines: list[str]) -> Path:
    folder = tmp / name
    folder.mkdir()
    (folder / "spans.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


GOOD_ROW = json.dumps({"id": "nk000-fig-01", "layer": "figure", "start": 0, "end": 2})


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (json.dumps({"id": ["nk000-fig-01"], "layer": "figure"}), "json-not-object"),  # a list as an id
        (json.dumps({"id": "nk000-fig-01", "layer": ["figure"]}), "json-not-object"),  # a list as a layer
        ("[" * 100_000 + "]" * 100_000, "file-too-deep"),
        ('{"id": "nk000-fig-01", "layer": "figure", "start": ' + "1" * 4301 + "}", "json-malformed"),
        ("[]", "json-not-object"),
    ],
    ids=["list-id", "list-layer", "deep-nesting", "4301-digits", "not-an-object"],
)
def test_diff_reports_bad_rows(tmp_path, capsys, line, code):
    old = _release_with_spans(tmp_path, "old", [GOOD_ROW])
    new = _release_with_spans(tmp_path, "new", [GOOD_ROW, line])
    before = snapshot(tmp_path)
    status, err = _run(capsys, "diff", str(old), str(new))
    assert (status, _codes(err)) == (1, [code]) and "new/spans.jsonl:2" in err
    assert snapshot(tmp_path) == before


def test_diff_a_folder_where_the_spans_file_goes(tmp_path, capsys):
    old = _release_with_spans(tmp_path, "old", [GOOD_ROW])
    (tmp_path / "new" / "spans.jsonl").mkdir(parents=True)
    before = snapshot(tmp_path)
    status, err = _run(capsys, "diff", str(old), str(tmp_path / "new"))
    assert (status, _codes(err)) == (1, ["file-missing"])
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("which", ["missing", "a-file"])
def test_diff_needs_two_release_folders(tmp_path, capsys, which):
    old = _release_with_spans(tmp_path, "old", [GOOD_ROW])
    other = tmp_path / which
    if which == "a-file":
        other.write_text(GOOD_ROW, encoding="utf-8")
    before = snapshot(tmp_path)
    status, err = _run(capsys, "diff", str(old), str(other))
    assert (status, _codes(err)) == (2, ["argument-invalid"])
    assert snapshot(tmp_path) == before


# --- check-anchors --------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


@pytest.mark.parametrize(
    ("arg", "status", "code"),
    [
        ("x/nk009.yaml", 2, "argument-invalid"),  # no such file
        ("annotations/gold", 2, "argument-invalid"),  # a folder for a file
        ("annotations/documents.yaml", 2, "argument-invalid"),  # not an annotation file
        ("annotations/gold/nk009.yaml", 1, "document-undeclared"),  # a file of an undeclared document
    ],
)
def test_check_anchors_bad_arguments(project, capsys, arg, status, code):
    shutil.copy(project / "annotations/gold/nk000.yaml", project / "annotations/gold/nk009.yaml")
    before = snapshot(project)
    got, err = _run(capsys, "--root", str(project), "check-anchors", str(project / arg))
    assert (got, code in _codes(err)) == (status, True)
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("doc_id: nk000\nfigures: " + "[" * 100_000 + "]" * 100_000 + "\n", "file-too-deep"),
        ("doc_id: nk000\nfigures:\n  - {id: nk000-fig-99, text: '12,000', kind: count, value: lots, normalized: '12000',"
         " qualifier: exact, unit: troops}\n", "annotation-invalid"),
        ("doc_id: nk000\nfigures:\n  - {id: [1], text: '12,000', kind: count, value: 1, normalized: '1', qualifier: exact, unit: x}\n",
         "annotation-invalid"),
        ("doc_id: nk000\nfigures: " + "1" * 4301 + "\n", "annotation-invalid"),
    ],
    ids=["yaml-100000-deep", "value-lots", "list-id", "4301-digits"],
)  # fmt: skip
def test_check_anchors_bad_annotations(project, capsys, text, code):
    extra = project / "annotations/gold/nk000.extra.yaml"
    extra.write_text(text, encoding="utf-8")
    before = snapshot(project)
    status, err = _run(capsys, "--root", str(project), "check-anchors", str(extra))
    assert (status, code in _codes(err)) == (1, True) and "nk000.extra.yaml" in err
    assert snapshot(project) == before


def test_check_anchors_names_the_undeclared_file_of_a_selection(project, capsys):
    """Of the files given, only the undeclared one is an incident; the declared documents not given are not missing."""
    extra = project / "annotations/gold/nk009.yaml"
    extra.write_text("doc_id: nk009\n", encoding="utf-8")
    status = main(["--root", str(project), "check-anchors", str(extra), str(project / "annotations/gold/nk001.yaml")])
    out, err = capsys.readouterr()
    incidents = [line.split(": ")[:2] for line in err.splitlines() if not line.startswith("hint ")]
    assert (status, _codes(err), incidents) == (1, ["document-undeclared"], [[f"{extra} nk009", "document-undeclared"]])
    assert out.endswith("nk001: 3 figures, 2 quotes, 12 claims, 4 no-claim sentences\n")


def test_check_anchors_counts_a_good_file(project, capsys):
    assert main(["--root", str(project), "check-anchors", str(project / "annotations/gold/nk001.yaml")]) == 0
    assert capsys.readouterr().out.endswith("nk001: 3 figures, 2 quotes, 12 claims, 4 no-claim sentences\n")


# --- stats and agreement need annotations ----------------------------------------


@pytest.mark.parametrize("command", ["stats", "agreement", "check-anchors"])
def test_a_folder_without_annotations_is_an_error_not_zeros(tmp_path, capsys, command):
    (tmp_path / "dataset").mkdir()
    before = snapshot(tmp_path)
    extra = [str(tmp_path / "nk000.yaml")] if command == "check-anchors" else []
    if extra:
        Path(extra[0]).write_text("doc_id: nk000\n", encoding="utf-8")
        before = snapshot(tmp_path)
    status, err = _run(capsys, "--root", str(tmp_path), command, *extra)
    assert (status, _codes(err)) == (2, ["project-not-found"]) and capsys.readouterr().out == ""
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(("command", "folder"), [("stats", "gold"), ("agreement", "passes")])
def test_missing_annotation_folders_are_named(project, capsys, command, folder):
    shutil.rmtree(project / "annotations" / folder)
    before = snapshot(project)
    status, err = _run(capsys, "--root", str(project), command)
    assert (status, _codes(err)) == (1, ["document-annotations-missing"])
    assert snapshot(project) == before


# --- interrupts, closed pipes, unusable arguments --------------------------------


def test_keyboard_interrupt_is_one_line_and_130(project, capsys, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(stats, "stats_table", interrupted)
    status, err = _run(capsys, "--root", str(project), "stats")
    assert (status, err) == (130, "nk-troops: interrupted\n")


@pytest.mark.parametrize(
    ("raised", "status", "said"), [(KeyboardInterrupt, 130, "interrupted"), (cli._Terminated, 143, "terminated (SIGTERM)")]
)
def test_an_interrupted_build_says_so_once(project, capsys, monkeypatch, raised, status, said):
    def interrupted(*args):
        raise raised

    monkeypatch.setattr(publish, "assemble", interrupted)
    before = snapshot(project)
    assert _run(capsys, "--root", str(project), "build") == (status, f"nk-troops: {said}; nothing was published\n")
    assert snapshot(project) == before


def test_a_closed_pipe_ends_quietly_with_141():
    proc = subprocess.Popen(
        [sys.executable, "-m", "nk_troops.cli", "--root", str(ROOT), "stats"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader is gone before the first line is written (`nk-troops stats | head -0`)
    err = proc.stderr.read()
    assert (proc.wait(timeout=60), err) == (141, b"")


@pytest.mark.parametrize(("command", "offered"), [("baseline", [*BASELINES, "all"]), ("export", list(FORMATS))], ids=["baseline", "export"])
def test_help_offers_every_baseline_and_format_there_is(capsys, command, offered):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0 and "{" + ",".join(offered) + "}" in capsys.readouterr().out


PROBE = """
import sys
from nk_troops.cli import main
code = main(sys.argv[2:])
print(sorted(m for m in sys.argv[1].split(",") if m in sys.modules), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("argv", "unused"),
    [
        (["stats"], ["jsonschema_rs"]),  # the validator: reading annotations needs no release check
        (["agreement"], ["jsonschema_rs"]),
        (["check-anchors", "annotations/gold/nk001.yaml"], ["jsonschema_rs"]),
        (["validate", "dataset"], ["nk_troops.baselines", "nk_troops.export", "quantulum3"]),  # the parser's choices cost nothing
    ],
    ids=["stats", "agreement", "check-anchors", "validate"],
)
def test_a_command_does_not_import_what_it_does_not_use(argv, unused):
    out = subprocess.run([sys.executable, "-c", PROBE, ",".join(unused), *argv], cwd=ROOT, capture_output=True, text=True)
    assert (out.returncode, out.stderr.splitlines()[-1]) == (0, "[]"), out.stderr


@pytest.mark.parametrize("argv", [["diff", "only-one"], ["build", "--bogus"], ["nonsense"]])
def test_unusable_arguments_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and "Traceback" not in capsys.readouterr().err


# --- stats and agreement read annotations as the build does ----------------------

BAD_ANNOTATIONS = {  # case -> (old, new) in the file, or None: the file replaced by a folder
    "value-lots": ("value: 12000", "value: lots"),
    "4301-digits": ("value: 12000", "value: " + "1" * 4301),
    "list-id": ("id: nk000-fig-02", "id: [nk000-fig-02]"),
    "yaml-100000-deep": ("figures:\n", "deep: " + "[" * 100_000 + "]" * 100_000 + "\nfigures:\n"),
    "folder-for-file": None,
}
CODES = {"yaml-100000-deep": "file-too-deep", "folder-for-file": "file-missing"}


@pytest.mark.parametrize("case", BAD_ANNOTATIONS)
@pytest.mark.parametrize(("command", "file"), [("stats", "gold/nk000.yaml"), ("agreement", "passes/a/nk000.fq.yaml")])
def test_stats_and_agreement_report_bad_annotations(project, capsys, command, file, case):
    path = project / "annotations" / file
    if BAD_ANNOTATIONS[case] is None:
        path.unlink()
        path.mkdir()
    else:
        old, new = BAD_ANNOTATIONS[case]
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = snapshot(project)
    status, err = _run(capsys, "--root", str(project), command)
    assert (status, _codes(err)) == (1, [CODES.get(case, "annotation-invalid")]) and file in err
    assert snapshot(project) == before


# --- build: the staged release's incidents name the files as published -----------


def test_a_failed_build_names_the_release_file_with_its_folder(project, capsys):
    gold = project / "annotations/gold/nk000.yaml"
    gold.write_text(gold.read_text(encoding="utf-8").replace("speaker: volodymyr-zelenskyy", "speaker: nobody", 1), encoding="utf-8")
    before = snapshot(project)
    status, err = _run(capsys, "--root", str(project), "build")
    lines = [line for line in err.splitlines() if ": entity-unknown: " in line]
    assert (status, len(lines) > 0) == (1, True)
    assert all(line.startswith(f"{project.resolve() / 'dataset'}/") for line in lines), lines
    assert snapshot(project) == before


# --- baseline --out: written whole, or an unusable argument ------------------------


def test_baseline_out_is_written_whole_beside_nothing_else(tmp_path, capsys):
    out = tmp_path / "preds.jsonl"
    out.write_text("an older run\n", encoding="utf-8")
    status, _ = _run(capsys, "baseline", "figures-rules", "--out", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (status, [p.name for p in tmp_path.iterdir()]) == (0, ["preds.jsonl"])
    assert rows and {r["layer"] for r in rows} == {"figure"}


@pytest.mark.parametrize("where", ["no-such-folder/preds.jsonl", "a-folder"])
def test_baseline_out_that_cannot_be_written_exits_2_and_writes_nothing(tmp_path, capsys, where):
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-folder" / "mine.txt").write_text("kept\n", encoding="utf-8")
    before = snapshot(tmp_path)
    status, err = _run(capsys, "baseline", "figures-rules", "--out", str(tmp_path / where))
    assert (status, _codes(err)) == (2, ["argument-invalid"]) and f"{tmp_path / where}" in err
    assert snapshot(tmp_path) == before


# --- export / import --release: a folder that is no release -----------------------


@pytest.mark.parametrize("command", ["export", "import"])
def test_a_release_folder_without_its_data_files_is_file_missing_and_exit_2(tmp_path, capsys, command):
    (tmp_path / "release").mkdir()
    shutil.copy(ROOT / "dataset" / "documents.jsonl", tmp_path / "release")
    (tmp_path / "tasks.json").write_text("[]", encoding="utf-8")
    before = snapshot(tmp_path)
    tool = ["--format", "brat"] if command == "export" else ["label-studio", str(tmp_path / "tasks.json")]
    status, err = _run(capsys, command, *tool, "--release", str(tmp_path / "release"), "--out", str(tmp_path / "out"))
    named = sorted(line.split(":")[0] for line in err.splitlines() if ": file-missing: " in line)
    assert (status, _codes(err)) == (2, ["file-missing"])
    assert named == sorted(str(tmp_path / "release" / f"{c}.jsonl") for c in ("spans", "sentences", "tokens", "entities", "clusters"))
    assert snapshot(tmp_path) == before

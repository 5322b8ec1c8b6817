"""One case per error code of export/ (export, import label-studio, rehydrate): the command exits as it
should, names the code, prints no traceback and leaves nothing half-written."""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path

import pytest

from nk_troops.cli import main
from nk_troops.incidents import CATALOGUE
from nk_troops.paths import CONFIGS, data_file, release_dir

PREFIXES = ("export-", "ls-", "standoff-", "rehydrate-")  # the catalogue's export block


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("exported")
    for fmt in ("label-studio", "standoff"):
        assert main(["export", "--format", fmt, "--out", str(root / fmt)]) == 0
    return root


def _task(exported: Path, change) -> list[dict]:
    """nk000's task as Label Studio exports it once submitted, with one fault put in by ``change(result, task)``."""
    (task,) = copy.deepcopy(json.loads((exported / "label-studio" / "tasks.json").read_text(encoding="utf-8"))[:1])
    task["annotations"] = [{"id": 1, "was_cancelled": False, "result": task.pop("predictions")[0]["result"]}]
    change(task["annotations"][0]["result"], task)
    return [task]


def _region(result, label, n=0):
    return [r for r in result if r["type"] == "labels" and r["value"]["labels"] == [label]][n]


def _field(result, region, name):
    return next(r for r in result if r.get("id") == region["id"] and r["from_name"] == name)


def _ls_text_changed(result, task):
    task["data"]["text"] = task["data"]["text"].replace("Russia", "Rusia", 1)


def _ls_region_mismatch(result, task):
    _region(result, "Quote")["value"]["text"] = "something else"


def _ls_attribute_missing(result, task):
    result.remove(_field(result, _region(result, "Quote"), "speaker"))


def _ls_attribute_invalid(result, task):
    _field(result, _region(result, "Figure"), "value")["value"]["text"] = ["many"]


def _ls_span_id(result, task):
    _field(result, _region(result, "Quote"), "span_id")["value"]["text"] = ["nk001-quo-99"]  # another document's id


def _ls_relation_invalid(result, task):
    next(r for r in result if r["type"] == "relation" and r["labels"] == ["SpeakerOf"])["labels"] = ["ClaimantOf"]


def _ls_sentence_unknown(result, task):
    value = _region(result, "NoClaimSentence")["value"]
    value["end"] -= 1
    value["text"] = value["text"][:-1]


def _ls_anchor_unresolvable(result, task):
    speaker = _region(result, "Speaker")["value"]  # moved into the title: outside its quote's passage
    speaker.update(start=0, end=5, text=task["data"]["text"][:5])


def _ls_document_unknown(result, task):
    task["data"]["doc_id"] = "nk999"


def _ls_import_invalid(result, task):
    task["annotations"].append(copy.deepcopy(task["annotations"][0]))


LS_FAULTS = {
    "ls-text-changed": _ls_text_changed,
    "ls-region-mismatch": _ls_region_mismatch,
    "ls-attribute-missing": _ls_attribute_missing,
    "ls-attribute-invalid": _ls_attribute_invalid,
    "ls-span-id": _ls_span_id,
    "ls-relation-invalid": _ls_relation_invalid,
    "ls-sentence-unknown": _ls_sentence_unknown,
    "ls-anchor-unresolvable": _ls_anchor_unresolvable,
    "ls-document-unknown": _ls_document_unknown,
    "ls-import-invalid": _ls_import_invalid,
}


def _release_copy(tmp: Path, spans_change=None) -> Path:
    folder = tmp / "release"
    folder.mkdir()
    for config in CONFIGS:
        shutil.copyfile(release_dir() / data_file(config), folder / data_file(config))
    if spans_change:
        rows = [json.loads(line) for line in (folder / "spans.jsonl").read_text(encoding="utf-8").splitlines()]
        spans_change(rows)
        (folder / "spans.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return folder


def _shift_first_figure(rows):
    next(r for r in rows if r["layer"] == "figure")["start"] += 1  # now inside the token "12,000"


def case(code: str, tmp: Path, exported: Path, monkeypatch) -> tuple[list[str], int]:
    """Set up the fault of ``code`` under ``tmp``; the command to run and the exit code it must give."""
    out = str(tmp / "out")
    pages = str(release_dir() / "raw")
    if code in LS_FAULTS:
        (tmp / "export.json").write_text(json.dumps(_task(exported, LS_FAULTS[code]), ensure_ascii=False), encoding="utf-8")
        return ["import", "label-studio", str(tmp / "export.json"), "--out", out], 1
    if code == "export-out-symlink":  # a link on the way to --out
        (tmp / "real").mkdir()
        (tmp / "link").symlink_to(tmp / "real")
        out = str(tmp / "link" / "out")
    elif code == "export-out-not-empty":
        (tmp / "out").mkdir()
        (tmp / "out" / "mine.txt").write_text("keep", encoding="utf-8")
    elif code == "export-out-parent-missing":
        out = str(tmp / "missing" / "out")
    if code.startswith("export-out-"):
        return ["export", "--format", "brat", "--out", out], 2
    if code == "export-dependency-missing":
        monkeypatch.setitem(sys.modules, "spacy", None)  # as if the formats extra were not installed
        return ["export", "--format", "spacy", "--out", out], 2
    if code == "export-release-invalid":  # a release folder whose spans file is cut off
        folder = _release_copy(tmp)
        (folder / "spans.jsonl").write_text('{"layer": "claim", "id": "nk0', encoding="utf-8")
        return ["export", "--format", "brat", "--release", str(folder), "--out", out], 1
    if code == "export-span-misaligned":
        return ["export", "--format", "spacy", "--release", str(_release_copy(tmp, _shift_first_figure)), "--out", out], 1
    standoff = exported / "standoff"
    if code == "standoff-invalid":
        (tmp / "empty").mkdir()
        standoff = tmp / "empty"
    elif code in ("rehydrate-page-missing", "rehydrate-page-mismatch"):
        shutil.copytree(release_dir() / "raw", tmp / "pages")
        page = next((tmp / "pages").iterdir())
        page.unlink() if code == "rehydrate-page-missing" else page.write_bytes(page.read_bytes() + b"\n")
        pages = str(tmp / "pages")
    elif code == "rehydrate-output-mismatch":  # a stand-off file edited: the rebuilt rows would differ from the release
        shutil.copytree(exported / "standoff", tmp / "standoff")
        standoff = tmp / "standoff"
        spans = standoff / "spans.jsonl"
        spans.write_text(spans.read_text(encoding="utf-8").replace('"end": 82,', '"end": 81,', 1), encoding="utf-8")
    return ["rehydrate", "--standoff", str(standoff), "--pages", pages, "--out", out], 1


CODES = sorted(c for c in CATALOGUE if c.startswith(PREFIXES))


def test_every_export_code_has_a_case():
    assert len(CODES) == 20 and {c for c in CODES if not c.startswith("ls-")} | set(LS_FAULTS) == set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_code(code, tmp_path, exported, monkeypatch, capsys):
    argv, exit_code = case(code, tmp_path, exported, monkeypatch)
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert main(argv) == exit_code
    err = capsys.readouterr().err
    assert f": {code}:" in err and f"hint {code}" in err and "Traceback" not in err
    after = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    if code == "export-span-misaligned":  # written whole, the span kept aside (see test_export.py)
        assert (tmp_path / "out" / "nk-troops.spacy").is_file()
    else:
        assert after == before  # nothing written, nothing left behind, nothing touched

"""Label Studio export -> import reproduces the annotations exactly; the stand-off release rehydrates byte for byte."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from nk_troops import files
from nk_troops.build.anchors import RawEntries, resolve
from nk_troops.cli import main
from nk_troops.model import Document, from_dict, span_to_row, to_dict
from nk_troops.paths import CONFIGS, data_file, read_release, release_dir

ROWS = read_release()
DOCS = {d["doc_id"]: from_dict(Document, d) for d in ROWS["documents"]}
ROOT = Path(__file__).resolve().parents[1]


def _resolve(folder: Path) -> tuple[list[dict], list[dict]]:
    """Span rows and sentence rows of imported YAML files, resolved by the build's own anchor resolver."""
    spans, sentences = [], []
    for doc_id, doc in DOCS.items():
        data = yaml.safe_load((folder / f"{doc_id}.yaml").read_text(encoding="utf-8"))
        raw = RawEntries(doc_id)
        for key in raw.entries:
            raw.entries[key] = [(Path(f"{doc_id}.yaml"), i, item) for i, item in enumerate(data.get(key) or [])]
        ann = resolve(doc, raw)
        spans += [span_to_row(s) for s in (*ann.figures, *ann.quotes, *ann.claims)]
        sentences += [to_dict(s) for s in ann.sentences]
    return sorted(spans, key=lambda s: s["id"]), sentences


@pytest.fixture(scope="module")
def ls(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ls") / "ls"
    assert main(["export", "--format", "label-studio", "--out", str(out)]) == 0
    return out


def _as_annotated(tasks: list[dict]) -> list[dict]:
    """Tasks as Label Studio's JSON export gives them once a person submitted the pre-annotations: the
    annotation with its bookkeeping, the prediction by id only, results marked as coming from it."""
    out = copy.deepcopy(tasks)
    for n, t in enumerate(out, start=1):
        result = t.pop("predictions")[0]["result"]
        for r in result:
            r |= {"origin": "prediction"}
        t |= {"predictions": [n], "drafts": [], "inner_id": n, "file_upload": "tasks.json", "total_annotations": 1}
        t["annotations"] = [
            {
                "id": n,
                "completed_by": 1,
                "was_cancelled": False,
                "ground_truth": False,
                "lead_time": 12.5,
                "prediction": {},
                "result": result,
            }
        ]
    return out


def _import(tmp_path: Path, tasks: list[dict], *extra: str) -> int:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return main(["import", "label-studio", str(path), "--out", str(tmp_path / "yaml"), *extra])


def test_label_studio_round_trip_reproduces_every_span_and_sentence(ls, tmp_path):
    tasks = json.loads((ls / "tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 5 and sum(len(t["predictions"][0]["result"]) for t in tasks) > 239
    for shape in ("predictions", "annotations"):
        work = tmp_path / shape
        work.mkdir()
        assert _import(work, tasks if shape == "predictions" else _as_annotated(tasks)) == 0
        spans, sentences = _resolve(work / "yaml")
        assert spans == sorted(ROWS["spans"], key=lambda s: s["id"])
        assert sentences == ROWS["sentences"]


def test_label_studio_results_use_only_what_the_config_declares(ls):
    config = ET.parse(ls / "config.xml").getroot()
    controls = {c.get("name"): c for c in config if c.get("name")}
    labels = {x.get("value") for x in controls["label"]}
    relations = {x.get("value") for x in config.find("Relations")}
    for t in json.loads((ls / "tasks.json").read_text(encoding="utf-8")):
        for r in t["predictions"][0]["result"]:
            if r["type"] == "relation":
                assert set(r["labels"]) <= relations
                continue
            control = controls[r["from_name"]]
            assert control.tag.lower() == r["type"] and control.get("toName") == r["to_name"] == "text"
            if r["type"] == "labels":
                assert (
                    set(r["value"]["labels"]) <= labels and t["data"]["text"][r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]
                )
            elif r["type"] == "choices":
                assert set(r["value"]["choices"]) <= {c.get("value") for c in control}


def test_a_span_corrected_in_label_studio_comes_back_corrected(ls, tmp_path, capsys):
    tasks = _as_annotated(json.loads((ls / "tasks.json").read_text(encoding="utf-8")))
    # the maintainer shortens nk000-clm-02 to its first clause
    claim = next(s for s in ROWS["spans"] if s["id"] == "nk000-clm-02")
    new_end = claim["start"] + claim["text"].index(" in response")
    for r in tasks[0]["annotations"][0]["result"]:
        if r.get("from_name") == "no_claim_reason" and r["id"] == "nk000-s04":
            r["value"]["choices"] = ["prediction"]  # and a sentence's reason
        if r.get("id") == "nk000-clm-02":
            r["value"]["end"] = new_end
            if "text" in r["value"] and r["type"] == "labels":
                r["value"]["text"] = DOCS["nk000"].text[claim["start"] : new_end]
    capsys.readouterr()
    assert _import(tmp_path, tasks) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["nk000: changed nk000-clm-02; reason changed nk000-s04", "nk001: unchanged"]
    spans, sentences = _resolve(tmp_path / "yaml")
    assert [(s["id"], s["no_claim_reason"]) for s, g in zip(sentences, ROWS["sentences"], strict=True) if s != g] == [
        ("nk000-s04", "prediction")
    ]
    changed = [s for s, g in zip(spans, sorted(ROWS["spans"], key=lambda s: s["id"]), strict=True) if s != g]
    assert [(s["id"], s["start"], s["end"]) for s in changed] == [("nk000-clm-02", claim["start"], new_end)]


def test_a_build_from_the_imported_files_is_the_release(ls, tmp_path):
    """The maintainer's loop closed: gold files replaced by the import (exclusions carried over), the build
    (anchors, completeness, sentences, tokens) gives every release row unchanged."""
    from nk_troops.release.assemble import assemble

    root = tmp_path / "checkout"
    shutil.copytree(ROOT / "annotations", root / "annotations")
    shutil.copytree(release_dir() / "raw", root / "dataset" / "raw")
    tasks = json.loads((ls / "tasks.json").read_text(encoding="utf-8"))
    assert _import(tmp_path, tasks, "--exclusions-from", str(root / "annotations" / "gold")) == 0
    written = (tmp_path / "yaml" / "nk000.yaml").read_text(encoding="utf-8")
    assert '\n  - id: nk000-fig-01\n    text: "12,000"\n    kind: count\n' in written  # laid out as the gold files
    assert '    speaker_mention: {text: "Peskov", prefix: "' in written and "\nnot_quotes: []\nclaims:\n" in written
    for path in (tmp_path / "yaml").iterdir():
        shutil.copyfile(path, root / "annotations" / "gold" / path.name)
    assert assemble(root).rows() == ROWS


def test_relations_drawn_either_way_read_the_same(ls, tmp_path):
    tasks = _as_annotated(json.loads((ls / "tasks.json").read_text(encoding="utf-8")))
    relations = [r for t in tasks for r in t["annotations"][0]["result"] if r["type"] == "relation"]
    for n, r in enumerate(relations):  # span -> mention, marked left or both ways, as Label Studio records it
        r["from_id"], r["to_id"], r["direction"] = r["to_id"], r["from_id"], "left" if n % 2 else "bi"
    assert _import(tmp_path, tasks) == 0
    assert _resolve(tmp_path / "yaml")[0] == sorted(ROWS["spans"], key=lambda s: s["id"])


@pytest.mark.parametrize("fault", ["dangling-mention", "reused-id"])
def test_a_mention_without_its_span_or_a_reused_id_is_reported(ls, tmp_path, capsys, fault):
    (task,) = _as_annotated(json.loads((ls / "tasks.json").read_text(encoding="utf-8"))[:1])
    result = task["annotations"][0]["result"]
    if fault == "dangling-mention":  # its only relation deleted: the mention would silently vanish
        speaker = next(r["id"] for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Speaker"])
        result[:] = [r for r in result if not (r["type"] == "relation" and r["from_id"] == speaker)]
    else:
        ids = [r for r in result if r.get("from_name") == "span_id" and r["value"]["text"][0].startswith("nk000-fig")]
        ids[1]["value"]["text"] = ids[0]["value"]["text"]
    assert _import(tmp_path, [task]) == 1
    err = capsys.readouterr().err
    assert (": ls-relation-invalid:" if fault == "dangling-mention" else "nk000-fig-01 [829,834): ls-span-id:") in err
    assert not (tmp_path / "yaml").exists()


@pytest.mark.parametrize("fault", ["relation-labels-a-number", "textarea-a-number", "id-a-list"])
def test_a_result_of_a_shape_no_export_holds_is_that_task_s_incident(ls, tmp_path, capsys, fault):
    tasks = _as_annotated(json.loads((ls / "tasks.json").read_text(encoding="utf-8"))[:2])
    result = tasks[0]["annotations"][0]["result"]
    if fault == "relation-labels-a-number":
        next(r for r in result if r["type"] == "relation")["labels"] = 5
    elif fault == "textarea-a-number":
        next(r for r in result if r["type"] == "textarea")["value"]["text"] = 5
    else:
        next(r for r in result if r["type"] == "labels")["id"] = ["a", "list"]
    tasks[1]["data"]["text"] += " "  # a second problem in another task: both are reported in one run
    assert _import(tmp_path, tasks) == 1
    err = capsys.readouterr().err
    assert "task[0]" in err and "ls-import-invalid" in err and "ls-text-changed" in err and "Traceback" not in err


def test_import_locates_a_json_error_by_line_and_refuses_a_byte_order_mark(ls, tmp_path, capsys):
    text = (ls / "tasks.json").read_text(encoding="utf-8")
    lines = text.splitlines()
    (tmp_path / "bad.json").write_text("\n".join(lines[:50] + ["  oops"] + lines[50:]), encoding="utf-8")
    assert main(["import", "label-studio", str(tmp_path / "bad.json"), "--out", str(tmp_path / "y")]) == 1
    assert "json-malformed: line 51 column 3" in capsys.readouterr().err
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert main(["import", "label-studio", str(tmp_path / "bom.json"), "--out", str(tmp_path / "y")]) == 1
    assert "file-bom" in capsys.readouterr().err and not (tmp_path / "y").exists()


def test_import_of_a_file_that_is_not_json_or_missing(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert main(["import", "label-studio", str(tmp_path / "bad.json"), "--out", str(tmp_path / "y")]) == 1
    assert main(["import", "label-studio", str(tmp_path / "none.json"), "--out", str(tmp_path / "y")]) == 2
    assert "ls-import-invalid" in capsys.readouterr().err and not (tmp_path / "y").exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b'[{"data": {}, "data": {}}]', "json-duplicate-key"),
        (b"[" * 100_000, "json-too-deep"),
        (b"[1" + b"0" * 5000 + b"]", "json-number-too-long"),
        (b'[{"data": "\xff"}]', "file-encoding"),
    ],
)
def test_import_reads_the_export_as_strict_json(tmp_path, capsys, data, code):
    """What load_dataset or a second reader would read differently, or not at all, is refused, never a traceback."""
    (tmp_path / "export.json").write_bytes(data)
    assert main(["import", "label-studio", str(tmp_path / "export.json"), "--out", str(tmp_path / "y")]) == 1
    err = capsys.readouterr().err
    assert "ls-import-invalid: " in err and code in err and "Traceback" not in err and not (tmp_path / "y").exists()


# --- stand-off release and rehydration -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standoff(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("so") / "standoff"
    assert main(["export", "--format", "standoff", "--out", str(out)]) == 0
    return out


def test_standoff_holds_no_article_text(standoff):
    manifest = json.loads((standoff / "standoff.json").read_text(encoding="utf-8"))
    assert [p["sha256"] for p in manifest["pages"]] == [d["source_sha256"] for d in ROWS["documents"]]
    assert [p["url"] for p in manifest["pages"]] == [d["provenance"]["url"] for d in ROWS["documents"]]
    blob = "\n".join(p.read_text(encoding="utf-8") for p in standoff.iterdir())
    sentences = [s["text"] for s in ROWS["sentences"] if len(s["text"]) > 40]
    assert len(sentences) > 90 and not [s for s in sentences if s in blob]
    rows = read_release(standoff)
    assert {c: len(rows[c]) for c in CONFIGS} == {c: len(ROWS[c]) for c in CONFIGS}

    def text_values(value):
        if isinstance(value, dict):
            yield from ((k, v) for k, v in value.items() if k in manifest["text_keys"])
            yield from (x for v in value.values() for x in text_values(v))
        elif isinstance(value, list):
            yield from (x for v in value for x in text_values(v))

    found = list(text_values(list(rows.values())))
    assert len(found) > 164 * 2 and {v for _, v in found} == {None}


def test_rehydrate_rebuilds_the_release_byte_for_byte(standoff, tmp_path):
    assert main(["rehydrate", "--standoff", str(standoff), "--pages", str(release_dir() / "raw"), "--out", str(tmp_path / "out")]) == 0
    for config in CONFIGS:
        assert (tmp_path / "out" / data_file(config)).read_bytes() == (release_dir() / data_file(config)).read_bytes()
    assert sorted(p.name for p in (tmp_path / "out" / "raw").iterdir()) == sorted(d["source_file"] for d in ROWS["documents"])


def test_rehydrate_finds_a_renamed_page_by_its_hash(standoff, tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(release_dir() / "raw", pages)
    first = pages / ROWS["documents"][0]["source_file"]
    first.rename(pages / "saved-from-browser.txt")
    assert main(["rehydrate", "--standoff", str(standoff), "--pages", str(pages), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "documents.jsonl").read_bytes() == (release_dir() / "documents.jsonl").read_bytes()


def test_rehydrate_reads_pages_as_regular_files_of_a_page_s_size(standoff, tmp_path, capsys):
    """A FIFO among the pages is passed over (reading it would block) and a file beyond files.BLOB_CAP
    under a page's name is file-too-large (read no further than the cap)."""
    pages = tmp_path / "pages"
    shutil.copytree(release_dir() / "raw", pages)
    os.mkfifo(pages / "a-fifo")
    big = pages / ROWS["documents"][1]["source_file"]
    with big.open("r+b") as f:
        f.truncate(files.BLOB_CAP + 1)  # sparse: nothing is written
    assert main(["rehydrate", "--standoff", str(standoff), "--pages", str(pages), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "file-too-large" in err and ROWS["documents"][1]["source_file"] in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("change", ["edited", "crlf"])
def test_rehydrate_names_the_altered_page_and_its_hash(standoff, tmp_path, capsys, change):
    pages = tmp_path / "pages"
    shutil.copytree(release_dir() / "raw", pages)
    page = pages / ROWS["documents"][2]["source_file"]
    if change == "edited":  # one letter inside paragraph 1
        raw, second = page.read_text(encoding="utf-8"), ROWS["documents"][2]["passages"][1]
        at = raw.index("troops", second["raw_start"])
        assert at < second["raw_end"]
        page.write_text(raw[:at] + "troopz" + raw[at + 6 :], encoding="utf-8")
    else:  # the same text saved with Windows line ends: every later offset would shift
        page.write_bytes(page.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["rehydrate", "--standoff", str(standoff), "--pages", str(pages), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "nk002: rehydrate-page-mismatch:" in err and hashlib.sha256(page.read_bytes()).hexdigest() in err
    # the passages the change reaches: that paragraph, or all of them from the first line end on
    assert ("passages [1] of 22" if change == "edited" else f"passages {list(range(22))} of 22") in err
    assert not (tmp_path / "out").exists()


def test_rehydrate_refuses_a_folder_that_is_not_a_standoff_release(tmp_path, capsys):
    (tmp_path / "so").mkdir()
    assert main(["rehydrate", "--standoff", str(tmp_path / "so"), "--pages", str(release_dir() / "raw"), "--out", str(tmp_path / "o")]) == 1
    assert main(["rehydrate", "--standoff", str(tmp_path / "none"), "--pages", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "standoff-invalid" in capsys.readouterr().err and not (tmp_path / "o").exists()


@pytest.mark.parametrize("fault", ["documents-a-fifo", "spans-links-out", "row-of-no-document", "passage-not-a-passage"])
def test_rehydrate_refuses_a_standoff_folder_it_cannot_trust(standoff, tmp_path, fault):
    """Each is standoff-invalid, in a child process with a deadline: a FIFO would block a reader forever."""
    so = tmp_path / "so"
    shutil.copytree(standoff, so)
    if fault == "documents-a-fifo":
        (so / "documents.jsonl").unlink()
        os.mkfifo(so / "documents.jsonl")
    elif fault == "spans-links-out":
        shutil.move(so / "spans.jsonl", tmp_path / "spans.jsonl")
        (so / "spans.jsonl").symlink_to(tmp_path / "spans.jsonl")
    elif fault == "row-of-no-document":
        rows = (so / "spans.jsonl").read_text(encoding="utf-8").replace('"doc_id": "nk001"', '"doc_id": "nk999"', 1)
        (so / "spans.jsonl").write_text(rows, encoding="utf-8")
    else:
        rows = (so / "documents.jsonl").read_text(encoding="utf-8").replace('"passages": [{', '"passages": [7, {', 1)
        (so / "documents.jsonl").write_text(rows, encoding="utf-8")
    cmd = [sys.executable, "-m", "nk_troops.cli", "rehydrate", "--standoff", str(so), "--pages", str(release_dir() / "raw")]
    done = subprocess.run([*cmd, "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "standoff-invalid" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_rehydrate_reads_its_manifest_as_strict_json(standoff, tmp_path, capsys):
    so = tmp_path / "so"
    shutil.copytree(standoff, so)
    text = (so / "standoff.json").read_text(encoding="utf-8")
    (so / "standoff.json").write_text(text.replace("{", '{"pages": [], ', 1), encoding="utf-8")  # "pages" twice
    assert main(["rehydrate", "--standoff", str(so), "--pages", str(release_dir() / "raw"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "standoff-invalid" in err and "json-duplicate-key" in err and not (tmp_path / "o").exists()


@pytest.mark.parametrize("page", [{"source_file": "../../escaped.txt"}, {"doc_id": "nk999"}, {"source_file": ".."}])
def test_rehydrate_refuses_pages_that_name_no_document_or_leave_the_folder(standoff, tmp_path, capsys, page):
    so = tmp_path / "nest" / "so"
    shutil.copytree(standoff, so)
    manifest = json.loads((so / "standoff.json").read_text(encoding="utf-8"))
    manifest["pages"][0] |= page
    (so / "standoff.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    assert main(["rehydrate", "--standoff", str(so), "--pages", str(release_dir() / "raw"), "--out", str(tmp_path / "nest" / "o")]) == 1
    err = capsys.readouterr().err
    assert "standoff-invalid" in err and "Traceback" not in err and sorted(tmp_path.rglob("*")) == before

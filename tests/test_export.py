"""nk-troops export: each format read back by its ecosystem's own reader and compared span by span with the release."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

from datasets import load_dataset  # noqa: E402

from nk_troops.bio import decode_bio  # noqa: E402
from nk_troops.cli import main  # noqa: E402
from nk_troops.export import FORMATS  # noqa: E402
from nk_troops.export.bigbio import kb_features  # noqa: E402
from nk_troops.export.common import OWN_FIELDS, doc_views  # noqa: E402
from nk_troops.export.conll import COLUMNS  # noqa: E402
from nk_troops.export.spacy_docbin import USER_KEY, to_doc  # noqa: E402
from nk_troops.paths import read_release  # noqa: E402

ROWS = read_release()
SPANS = {s["id"]: s for s in ROWS["spans"]}
MENTION_KEYS = ("speaker_span", "claimant_span", "cue_span")


def _where(spans):
    return sorted((s["doc_id"], s["layer"], s["start"], s["end"]) for s in spans)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every format, written once by the command itself."""
    root = tmp_path_factory.mktemp("export")
    for fmt in FORMATS:
        assert main(["export", "--format", fmt, "--out", str(root / fmt)]) == 0
    return root


def test_release_figures_pinned():
    """The counts every comparison below rests on; a data change must update them deliberately."""
    views = doc_views(ROWS)
    assert len(views) == 5 and len(SPANS) == 164
    labels = [r.label for v in views for r in v.regions]
    assert {k: labels.count(k) for k in set(labels)} == {"Claim": 102, "Figure": 38, "Quote": 24, "Speaker": 21, "Cue": 23, "Claimant": 31}
    assert sum(len(v.links) for v in views) == 129


# --- brat -------------------------------------------------------------------


def _brat_peek_reader():
    """brat-peek's reader module alone: its package __init__ also imports its plotting and stats modules
    (seaborn, unidecode, which it does not declare and the reader does not use)."""
    import importlib.util

    spec = importlib.util.find_spec("peek")
    path = Path(spec.submodule_search_locations[0]) / "ann_structure.py"
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location("peek_ann_structure", path))
    module.__loader__.exec_module(module)
    return module


def _read_brat(folder: Path) -> list[dict]:
    """Span rows rebuilt from brat files as brat-peek reads them: T, A, R and AnnotatorNotes."""
    from nk_troops.export.brat import ATTRIBUTES

    AnnDocument = _brat_peek_reader().AnnDocument  # noqa: N806

    by_name = {name: key for key, (name, _) in ATTRIBUTES.items()}
    rows = []
    for ann_path in sorted(folder.glob("*.ann")):
        doc = AnnDocument(str(ann_path))
        text = ann_path.with_suffix(".txt").read_text(encoding="utf-8")
        ents = {e.name: e for e in doc.anns["entities"]}
        for e in ents.values():
            assert text[e.span[0][0] : e.span[0][1]] == e.text  # brat's own offset contract
        spans = {}
        for e in ents.values():
            if e.tag in ("Claim", "Quote", "Figure"):
                (note,) = [json.loads(n.note) for n in e.notes]
                (start, end), layer = e.span[0], e.tag.lower()
                row = {"id": note.pop("id"), "doc_id": ann_path.stem, "layer": layer, "start": start, "end": end, "text": e.text}
                row |= {k: None for k in OWN_FIELDS[layer]} | note
                row |= {k: False for k in ("hedged", "year_inferred") if k in OWN_FIELDS[layer]}
                for a in e.attr:
                    key = by_name[a.tag]
                    row[key] = True if a.type == "binary" else a.arguments[1]
                spans[e.name] = row
        for r in doc.anns["relations"]:
            a, b = ents[r.arg1.split(":")[1]], ents[r.arg2.split(":")[1]]
            target = spans[b.name]
            if r.tag == "HasFigure" or r.tag == "HasQuote":
                target = spans[a.name]
                target.setdefault(r.tag, []).append(spans[b.name]["id"])
            else:
                key = {"SpeakerOf": "speaker_span", "CueOf": "cue_span", "ClaimantOf": "claimant_span"}[r.tag]
                target[key] = {"start": a.span[0][0], "end": a.span[0][1]}
        rows.extend(spans.values())
    return rows


def test_brat_reads_back_as_the_release(exported):
    rows = _read_brat(exported / "brat")
    assert len(rows) == 164
    for row in rows:
        gold = SPANS[row["id"]]
        for key in ("doc_id", "layer", "start", "end", "text", *OWN_FIELDS[row["layer"]]):
            assert row[key] == gold[key], (row["id"], key)
        for key in MENTION_KEYS:
            assert row.get(key) == gold[key], (row["id"], key)
        if row["layer"] == "claim":
            assert sorted(row.get("HasFigure", [])) == sorted(gold["figures"]) and sorted(row.get("HasQuote", [])) == sorted(gold["quotes"])


def test_brat_conf_declares_every_type_attribute_and_value_used(exported):
    """What brat's server checks on load: types, relation argument types, attribute values."""
    folder = exported / "brat"
    section, conf = None, {"entities": set(), "relations": {}, "attributes": {}}
    for line in (folder / "annotation.conf").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif line and section == "entities":
            conf["entities"].add(line)
        elif line and section in ("relations", "attributes") and not line.startswith("<OVERLAP>"):
            name, args = line.split("\t")
            conf[section][name] = dict(part.strip().split(":", 1) for part in args.split(","))
    assert "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>" in (folder / "annotation.conf").read_text(encoding="utf-8")
    used = 0
    for ann in folder.glob("*.ann"):
        types = {}
        for line in ann.read_text(encoding="utf-8").splitlines():
            ident, body = line.split("\t")[:2]
            parts = body.split(" ")
            if ident[0] == "T":
                assert parts[0] in conf["entities"]
                types[ident] = parts[0]
            elif ident[0] == "A":
                decl = conf["attributes"][parts[0]]
                assert decl["Arg"] == types[parts[1]]
                assert (len(parts) == 2) == ("Value" not in decl) and (len(parts) == 2 or parts[2] in decl["Value"].split("|"))
            elif ident[0] == "R":
                decl = conf["relations"][parts[0]]
                assert [types[p.split(":")[1]] for p in parts[1:]] == [decl["Arg1"], decl["Arg2"]]
            used += 1
    assert used > 164 * 2


# --- CoNLL --------------------------------------------------------------------


def test_conll_loads_with_the_datasets_conll_loader(exported, tmp_path):
    folder = exported / "conll"
    assert sorted(p.name for p in folder.iterdir()) == [f"nk00{i}.conll" for i in range(5)]
    assert all(p.read_text(encoding="utf-8").startswith("-DOCSTART-") for p in folder.iterdir())
    files = {p.stem: str(p) for p in sorted(folder.iterdir())}
    ds = load_dataset("conll", data_files=files, column_names=COLUMNS, cache_dir=str(tmp_path))
    assert sum(len(ds[d]) for d in files) == len(ROWS["tokens"]) == 111
    decoded = []
    sentences = iter(ROWS["tokens"])
    for doc_id in files:
        for row in ds[doc_id]:
            gold = next(sentences)
            assert gold["doc_id"] == doc_id and row["tokens"] == gold["tokens"]
            for layer in ("claim", "quote", "figure"):
                for s, e in decode_bio(gold["token_starts"], gold["token_ends"], row[f"{layer}_tags"]):
                    decoded.append({"doc_id": doc_id, "layer": layer, "start": s, "end": e})
    assert _where(decoded) == _where(ROWS["spans"])


# --- BigBio -------------------------------------------------------------------


def test_bigbio_loads_with_the_kb_features_and_passes_its_offset_checks(exported, tmp_path):
    path = exported / "bigbio" / "bigbio_kb.jsonl"
    ds = load_dataset("json", data_files=str(path), features=kb_features(), cache_dir=str(tmp_path))["train"]
    assert len(ds) == 5
    back, seen = [], set()
    for ex in ds:
        text = " ".join(t for p in ex["passages"] for t in p["text"])  # BigBio's example text
        for p in ex["passages"]:
            assert len(p["offsets"]) == len(p["text"]) == 1 and text[p["offsets"][0][0] : p["offsets"][0][1]] == p["text"][0]
        for e in ex["entities"]:
            assert [text[s:t] for s, t in e["offsets"]] == e["text"]
        ids = [ex["id"]] + [x["id"] for key in ("passages", "entities", "coreferences", "relations") for x in ex[key]]
        assert len(ids) == len(set(ids)) and not seen & set(ids)
        seen |= set(ids)
        entity_ids = {e["id"] for e in ex["entities"]}
        assert all({r["arg1_id"], r["arg2_id"]} <= entity_ids for r in ex["relations"])
        assert all(set(c["entity_ids"]) <= entity_ids for c in ex["coreferences"])
        # back to release offsets: one character more per earlier passage
        starts = [p["offsets"][0][0] for p in ex["passages"]]
        for e in ex["entities"]:
            if e["type"] in ("claim", "quote", "figure"):
                (s, t), shift = e["offsets"][0], sum(1 for x in starts[1:] if x <= e["offsets"][0][0])
                back.append({"doc_id": ex["document_id"], "layer": e["type"], "start": s + shift, "end": t + shift})
                assert SPANS[e["id"]]["text"] == e["text"][0]
    assert _where(back) == _where(ROWS["spans"])
    assert sum(len(ex["relations"]) for ex in ds) == 129


# --- spaCy --------------------------------------------------------------------


def test_spacy_docbin_reads_back_span_by_span(exported):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(exported / "spacy" / "nk-troops.spacy").get_docs(nlp.vocab))
    assert [d.user_data[USER_KEY]["doc_id"] for d in docs] == [d["doc_id"] for d in ROWS["documents"]]
    back = []
    for doc in docs:
        meta = json.loads(json.dumps(doc.user_data[USER_KEY]))  # msgpack gives lists back as tuples
        assert meta["misaligned"] == []  # the release has no span spaCy's tokenizer cuts
        for layer in ("claim", "quote", "figure"):
            for span in doc.spans[layer]:
                gold = SPANS[span.id_]
                assert (span.text, span.label_) == (gold["text"], layer)
                in_doc = ("id", "doc_id", "fold", "text", "prefix", "suffix")  # the Doc and the Span hold these
                assert meta["spans"][span.id_] == {k: v for k, v in gold.items() if k not in in_doc}
                back.append({"doc_id": meta["doc_id"], "layer": layer, "start": span.start_char, "end": span.end_char})
    assert _where(back) == _where(ROWS["spans"])


def test_spacy_reports_a_span_that_cuts_a_token_and_keeps_it():
    import spacy

    rows = {**ROWS, "spans": [dict(SPANS["nk000-fig-01"], start=SPANS["nk000-fig-01"]["start"] + 1)]}
    view = next(v for v in doc_views(rows) if v.doc_id == "nk000")
    doc, incidents = to_doc(spacy.blank("en"), view)
    assert [(i.code, i.span_id) for i in incidents] == [("export-span-misaligned", "nk000-fig-01")]
    assert doc.user_data[USER_KEY]["misaligned"] == ["nk000-fig-01"] and "nk000-fig-01" in doc.user_data[USER_KEY]["spans"]
    assert len(doc.spans["figure"]) == 0


# --- output folder (every format shares it; refusals: test_export_codes.py) -----------


def test_empty_out_folder_is_used_and_a_bad_release_is_refused(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    assert main(["export", "--format", "conll", "--out", str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out").iterdir())) == 5 and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask  # an ordinary folder, not mkdtemp's private one
    assert main(["export", "--format", "conll", "--release", str(tmp_path), "--out", str(tmp_path / "other")]) == 2
    assert ": file-missing: " in capsys.readouterr().err and not (tmp_path / "other").exists()


def test_the_readme_formats_examples_run_as_written(tmp_path):
    """The bash blocks of README "Formats", run in an empty folder outside the checkout."""
    import re
    import subprocess
    import sys

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Formats\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "HF_HOME": str(tmp_path / "hf")}
    outputs = []
    for block in blocks:
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    assert "['South', 'Korea', 'Considers', 'Military', 'Response'] ['B-claim', 'I-claim', 'I-claim', 'I-claim', 'I-claim']" in outputs[0]
    assert json.loads((tmp_path / "standoff" / "standoff.json").read_text(encoding="utf-8"))["name"] == "nk-troops-standoff"


def test_out_dot_names_the_current_folder(tmp_path, monkeypatch, capsys):
    """``--out .`` in an empty folder fills it; in a non-empty one it is refused as such, nothing written."""
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert main(["export", "--format", "conll", "--out", "."]) == 0
    assert len(list((tmp_path / "here").iterdir())) == 5 and sorted(p.name for p in tmp_path.iterdir()) == ["here"]
    monkeypatch.chdir(tmp_path / "here")  # the folder was swapped for the new one: enter that
    assert main(["export", "--format", "conll", "--out", "."]) == 2
    assert ": export-out-not-empty: " in capsys.readouterr().err and len(list((tmp_path / "here").iterdir())) == 5

"""Raw articles -> documents (issue 2): traceable, clean, pinned, deterministic."""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from nk_troops.build.documents import build_documents
from nk_troops.model import EditKind, replay
from nk_troops.text import PASSAGE_SEPARATOR

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "dataset" / "raw"
RECIPES = ROOT / "annotations" / "recipes"
SEEDS = sorted(RAW.glob("*.txt"))

# Site chrome of the raw pages (ANNOTATION_SPEC.md section 0): none of it may survive.
CHROME = [
    "Monday, April 28, 2025",
    "Latest\n",
    "Information for this story was found via",
    "Leave a Reply",
    "Video Articles",
    "Related News",
    "Recommended",
    "spot_img",
    "Get in Touch",
    "Latest Posts",
    "Top StoryWorld",
    "Morning Edition",
    "J. Mansour",
    "More on World News",
    "Previous Article",
    "How useful was this article?",
    "Average rating",
    "No votes so far",
    "Menu",
    "Connect with us",
    "Published",
    "Continue Reading",
    "•",
]
# (document, repaired text, the broken raw form)
JOINS = [
    ("nk001", "arms trade", "arms tr\nade"),
    ("nk001", "has notably strengthened", "has notably\nstrengthened"),
    ("nk003", "following", "follo\nwing"),
    ("nk003", "Russia‘s", "Russia\n‘s"),
]
# doc_id: passages per type
PASSAGES = {
    "nk000": {"title": 1, "paragraph": 9},
    "nk001": {"title": 1, "paragraph": 6},
    "nk002": {"title": 1, "paragraph": 12, "caption": 1, "heading": 2, "list_item": 6},
    "nk003": {"title": 1, "paragraph": 7},
    "nk004": {"title": 1, "paragraph": 10},
}


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in build_documents(RECIPES, RAW)}


def test_raw_files_are_kept_byte_for_byte(docs):
    recorded = {yaml.safe_load(p.read_text(encoding="utf-8"))["source_file"]: p for p in RECIPES.glob("*.yaml")}
    assert sorted(recorded) == [p.name for p in SEEDS]
    for doc in docs.values():
        assert hashlib.sha256((RAW / doc.source_file).read_bytes()).hexdigest() == doc.source_sha256
        assert yaml.safe_load((RECIPES / f"{doc.doc_id}.yaml").read_text(encoding="utf-8"))["source_sha256"] == doc.source_sha256


def test_pinned_documents_and_passage_types(docs):
    assert sorted(docs) == sorted(PASSAGES)
    assert {d: dict(Counter(p.type.value for p in doc.passages)) for d, doc in docs.items()} == PASSAGES


def test_every_passage_traces_back_to_its_raw_region(docs):
    for doc in docs.values():
        raw = (RAW / doc.source_file).read_text(encoding="utf-8")
        for p in doc.passages:
            assert replay(raw, p) == doc.text[p.start : p.end], (doc.doc_id, p.index)
            assert all(p.raw_start <= e.raw_start <= e.raw_end <= p.raw_end for e in p.edits)


def test_text_is_title_then_passages_separated_by_a_blank_line(docs):
    for doc in docs.values():
        assert doc.text == PASSAGE_SEPARATOR.join(doc.text[p.start : p.end] for p in doc.passages)
        assert doc.title == doc.text[: doc.passages[0].end] and doc.passages[0].type.value == "title"


def test_no_chrome_survives(docs):
    for doc in docs.values():
        for chrome in CHROME:
            assert chrome not in doc.text, (doc.doc_id, chrome)


@pytest.mark.parametrize(("doc_id", "repaired", "broken"), JOINS)
def test_broken_lines_are_repaired(docs, doc_id, repaired, broken):
    doc = docs[doc_id]
    raw = (RAW / doc.source_file).read_text(encoding="utf-8")
    assert broken in raw and repaired in doc.text
    joins = [e for p in doc.passages for e in p.edits if e.kind is EditKind.JOIN]
    assert any(raw[e.raw_start : e.raw_end] == "\n" and raw[e.raw_start - 1] == broken[broken.index("\n") - 1] for e in joins)


def test_only_the_four_listed_joins_exist(docs):
    joins = [(d.doc_id, e.replacement) for d in docs.values() for p in d.passages for e in p.edits if e.kind is EditKind.JOIN]
    assert joins == [("nk001", ""), ("nk001", " "), ("nk003", ""), ("nk003", "")]


def test_passages_are_clean(docs):
    for doc in docs.values():
        assert "\u00a0" not in doc.text
        for p in doc.passages:
            body = doc.text[p.start : p.end]
            assert body and body == body.strip() and "\n" not in body, (doc.doc_id, p.index)


def test_characters_are_kept_as_published(docs):
    text = "".join(d.text for d in docs.values())
    assert "“" in text and "”" in text and "’" in text and "–" in text and "Russia‘s" in text


def test_nk002_metadata_line_is_parsed_into_provenance(docs):
    prov = docs["nk002"].provenance
    assert (prov.publisher, prov.dateline, prov.byline, prov.edition) == ("Newslooks", "SEOUL", "J. Mansour", "Morning Edition")
    assert prov.keywords[0] == "North Korea troops Russia" and len(prov.keywords) == 7
    assert docs["nk002"].passages[1].type.value == "paragraph"
    assert docs["nk002"].text[docs["nk002"].passages[1].start :].startswith("South Korea’s intelligence agency confirmed")


def test_unknown_provenance_is_null_not_guessed(docs):
    assert docs["nk001"].provenance.url is None and docs["nk001"].provenance.publisher is None
    assert docs["nk000"].provenance.page_date == "2025-04-28" and docs["nk000"].provenance.story_date == "2024-10-21"


def test_rebuild_is_identical(docs):
    again = {d.doc_id: d for d in build_documents(RECIPES, RAW)}
    assert again == docs


def test_folds_follow_the_declared_order(tmp_path):
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations")
    declared = ["nk004", "nk003", "nk002", "nk001", "nk000"]
    (tmp_path / "annotations" / "documents.yaml").write_text(f"dataset: nk-troops\ndocuments: [{', '.join(declared)}]\n", encoding="utf-8")
    docs = build_documents(tmp_path / "annotations" / "recipes", ROOT / "dataset" / "raw")
    assert [(d.doc_id, d.fold) for d in docs] == [(doc_id, fold) for fold, doc_id in enumerate(declared)]

"""The release under dataset/: derived, loadable offline with its declared features, versioned, never stale."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from pathlib import Path

import pytest

os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import datasets  # noqa: E402
import yaml  # noqa: E402
from datasets import ClassLabel, load_dataset  # noqa: E402

import nk_troops  # noqa: E402
from nk_troops.bio import decode_bio  # noqa: E402
from nk_troops.build.completeness import NUMBER_RE  # noqa: E402
from nk_troops.build.documents import build_documents  # noqa: E402
from nk_troops.cli import main  # noqa: E402
from nk_troops.incidents import IncidentError  # noqa: E402
from nk_troops.model import Layer, bio_labels, span_from_dict, to_dict  # noqa: E402
from nk_troops.paths import (  # noqa: E402
    CARD,
    CROISSANT,
    DEFAULT_CONFIG,
    FIGURE,
    LICENCE,
    MANIFEST,
    data_file,
    parquet_file,
    release_dir,
    release_info,
    splits,
)
from nk_troops.release import blocks, card  # noqa: E402
from nk_troops.release.assemble import Release, assemble  # noqa: E402
from nk_troops.release.card import DESCRIPTIONS  # noqa: E402
from nk_troops.release.diff import diff_spans, read_spans  # noqa: E402
from nk_troops.release.publish import build  # noqa: E402
from nk_troops.release.write import (  # noqa: E402
    RESULTS_TABLE,
    SCREENSHOT,
    changelog_entry,
    content_hash,
    render_jsonl,
    render_release,
    sha256,
)
from nk_troops.schemas import CONFIGS, hf_features  # noqa: E402
from nk_troops.version import __version__  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "dataset"
# Sub-task ids the Hub accepts per category; datasets ships no list of them (its
# known_task_ids has empty lists), so these are copied from huggingface.js
# packages/tasks/src/pipelines.ts for the categories the card uses.
HUB_TASK_IDS = {
    "text-classification": {"acceptability-classification", "entity-linking-classification", "fact-checking", "intent-classification",
                            "language-identification", "multi-class-classification", "multi-label-classification",
                            "multi-input-text-classification", "natural-language-inference", "semantic-similarity-classification",
                            "sentiment-classification", "topic-classification", "semantic-similarity-scoring", "sentiment-scoring",
                            "sentiment-analysis", "hate-speech-detection", "text-scoring"},
    "token-classification": {"named-entity-recognition", "part-of-speech", "parsing", "lemmatization", "word-sense-disambiguation",
                             "coreference-resolution"},
}  # fmt: skip


@pytest.fixture(scope="module")
def built() -> tuple[Release, dict[str, bytes]]:
    release = assemble(ROOT)
    return release, render_release(release, ROOT)


def _card_yaml(folder: Path) -> dict:
    text = (folder / CARD).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def _copy_sources(tmp: Path) -> Path:
    """A checkout with only what the build reads: annotations/, the raw articles, the committed baseline
    results table and the viewer's screenshot."""
    root = tmp / "root"
    shutil.copytree(ROOT / "annotations", root / "annotations")
    shutil.copytree(DATASET / "raw", root / "dataset" / "raw")
    for rel in (RESULTS_TABLE, SCREENSHOT):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, root / rel)
    return root


def _rows(ds: datasets.Dataset) -> list[dict]:
    return [dict(r) for r in ds]


# --- derived and deterministic ----------------------------------------------


def _build_files(root: Path) -> dict[str, bytes]:
    """``nk-troops build`` in a checkout copy; the release files it published."""
    outcome = build(root)
    out = outcome.out
    assert outcome.content_sha256 == json.loads((out / MANIFEST).read_bytes())["content_sha256"]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.parent.name != "raw"}


def test_rebuild_reproduces_every_release_file(built, tmp_path):
    _, files = built
    rebuilt = _build_files(_copy_sources(tmp_path))
    on_disk = {p.relative_to(DATASET).as_posix() for p in DATASET.rglob("*") if p.is_file() and p.parent.name != "raw"}
    assert on_disk == set(files), "dataset/ holds files the build does not make (or lacks some): run nk-troops build"
    assert rebuilt == files
    for name, data in files.items():
        assert (DATASET / name).read_bytes() == data, f"dataset/{name} is stale: run nk-troops build"


def test_manifest_lists_every_file_with_its_sha256(built):
    _, files = built
    manifest = json.loads(files[MANIFEST])
    assert set(manifest["files"]) == set(files) - {MANIFEST}
    for name, entry in manifest["files"].items():
        assert entry == {"sha256": sha256(files[name]), "bytes": len(files[name])}
    data = {data_file(c): files[data_file(c)] for c in CONFIGS}
    assert manifest["content_sha256"] == content_hash(data)


def test_jsonl_is_one_object_per_line_in_model_order(built):
    release, files = built
    rows = release.rows()
    for config in CONFIGS:
        text = files[data_file(config)].decode("utf-8")
        assert "\r" not in text and (text == "" or text.endswith("\n"))
        assert [json.loads(line) for line in text.splitlines()] == rows[config]


# --- loading ------------------------------------------------------------------


@pytest.mark.parametrize("config", CONFIGS)
def test_config_loads_offline_with_declared_features(built, config, tmp_path):
    release, _ = built
    ds = load_dataset(str(DATASET), config, cache_dir=str(tmp_path))
    assert list(ds) == list(splits(config))
    assert ds["test"].features == hf_features(config)
    assert ds["test"].num_rows == len(release.rows()[config])


def test_offsets_are_int32_and_labels_are_class_labels(tmp_path):
    spans = load_dataset(str(DATASET), "spans", split="test", cache_dir=str(tmp_path))
    assert spans.features["start"].dtype == spans.features["end"].dtype == "int32"
    assert spans.features["layer"] == ClassLabel(names=[layer.value for layer in Layer])
    tokens = load_dataset(str(DATASET), "tokens", split="test", cache_dir=str(tmp_path))
    for layer in Layer:
        assert tokens.features[f"{layer.value}_tags"].feature == ClassLabel(names=list(bio_labels(layer)))
    assert tokens.features["token_starts"].feature.dtype == "int32"


def test_every_span_row_equals_the_span_in_its_document_row(built):
    release, _ = built
    rows = release.rows()
    nested = {s["id"]: s for d in rows["documents"] for key in ("claims", "quotes", "figures") for s in d[key]}
    assert set(nested) == {r["id"] for r in rows["spans"]}
    for row in rows["spans"]:
        own = nested[row["id"]]
        assert {k: row[k] for k in own} == own
        assert all(row[k] is None for k in row.keys() - own.keys())
        assert to_dict(span_from_dict(row)) == own


def test_load_equals_load_dataset_on_the_checkout(tmp_path):
    """Whether the package is installed from a wheel or editable, load() serves this checkout's release."""
    served = release_dir()
    assert served == DATASET or served.name == "_release"
    for name in json.loads((DATASET / "manifest.json").read_text(encoding="utf-8"))["files"]:
        assert (served / name).read_bytes() == (DATASET / name).read_bytes(), name
    via_load = nk_troops.load("spans", split="test", cache_dir=str(tmp_path / "a"))
    direct = load_dataset(str(DATASET), "spans", split="test", cache_dir=str(tmp_path / "b"))
    assert _rows(via_load) == _rows(direct)
    with pytest.raises(ValueError):
        nk_troops.load("no-such-config")


# --- tokens ---------------------------------------------------------------------


def test_tokens_decode_back_to_every_gold_span(built):
    release, _ = built
    docs = {d.doc_id: d for d in release.documents}
    decoded = set()
    for row in release.tokens:
        text = docs[row.doc_id].text
        assert list(row.tokens) == [text[s:e] for s, e in zip(row.token_starts, row.token_ends, strict=True)]
        for layer in Layer:
            tags = getattr(row, f"{layer.value}_tags")
            assert len(tags) == len(row.tokens)
            decoded |= {(row.doc_id, layer, s, e) for s, e in decode_bio(row.token_starts, row.token_ends, tags)}
    assert decoded == {(sp.doc_id, sp.layer, sp.start, sp.end) for sp in release.spans()}


def test_sentence_rows_cover_every_document_sentence(built):
    release, _ = built
    assert [t.id for t in release.tokens] == [s["id"] for s in release.rows()["sentences"]]


# --- versioning and the cache -------------------------------------------------


def test_version_is_one_and_the_same_everywhere(built):
    _, files = built
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in pyproject["project"]["dynamic"] and "version" not in pyproject["project"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "nk_troops.version.__version__"}
    card = yaml.safe_load(files[CARD].decode("utf-8").split("---\n")[1])
    assert card["version"] == __version__
    assert [c["version"] for c in card["configs"]] == [__version__] * len(CONFIGS)
    assert all(f"nk-troops {__version__}, content sha256 {card['content_sha256']}" in c["description"] for c in card["configs"])
    assert json.loads(files[MANIFEST])["version"] == __version__
    assert json.loads(files[CROISSANT])["version"] == __version__


def test_changelog_records_this_content_under_this_version(built):
    """Fails when the release content changed but the version (and its CHANGELOG entry) did not."""
    _, files = built
    digest = json.loads(files[MANIFEST])["content_sha256"]
    recorded = changelog_entry(ROOT / "CHANGELOG.md", __version__)
    assert recorded is not None, f"CHANGELOG.md has no '## {__version__} ... sha256 `...`' entry"
    assert recorded == digest, "the release changed but the version did not: bump version.py and add a CHANGELOG entry"


def test_build_prints_the_content_hash_its_manifest_records(tmp_path, capsys):
    root = _copy_sources(tmp_path)  # no CHANGELOG.md: no entry records this hash
    assert main(["--root", str(root), "build"]) == 0
    digest = json.loads((root / "dataset" / MANIFEST).read_bytes())["content_sha256"]
    out = capsys.readouterr().out
    assert f"\nversion {__version__}, content sha256 {digest}\n" in out and f"note: CHANGELOG.md has no entry for {__version__} " in out


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (None, (None, None)),  # no manifest
        (b"\xff not UTF-8", (None, None)),
        (b"{not json", (None, None)),
        (b'["a", "list"]', (None, None)),
        (b'{"version": 2, "content_sha256": "abc"}', (None, "abc")),
        (b'{"version": "2.0.0"}', ("2.0.0", None)),
    ],
    ids=["missing", "not-utf8", "not-json", "a-list", "number-version", "no-hash"],
)
def test_release_info_reads_what_a_manifest_holds_and_nulls_the_rest(tmp_path, manifest, expected):
    if manifest is not None:
        (tmp_path / MANIFEST).write_bytes(manifest)
    assert release_info(tmp_path) == dict(zip(("version", "content_sha256"), expected, strict=True))


def test_release_info_of_the_installed_release_is_its_manifest():
    manifest = json.loads((release_dir() / MANIFEST).read_bytes())
    assert release_info() == {"version": manifest["version"], "content_sha256": manifest["content_sha256"]}


def _edit_first_entity(root: Path) -> str:
    path = root / "annotations" / "entities.yaml"
    entities = yaml.safe_load(path.read_text(encoding="utf-8"))
    entities[0]["name"] += " (renamed)"
    path.write_text(yaml.safe_dump(entities, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return entities[0]["name"]


def test_changed_annotation_is_never_served_from_a_stale_cache(tmp_path):
    root = _copy_sources(tmp_path)
    out, cache = root / "dataset", str(tmp_path / "cache")
    old_files = _build_files(root)
    old_names = [r["name"] for r in load_dataset(str(out), "entities", split="test", cache_dir=cache)]
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}

    new_name = _edit_first_entity(root)
    new_files = _build_files(root)
    for name, ns in mtimes.items():  # the library looks at mtimes too; take that signal away
        os.utime(out / name, ns=(ns, ns))
    new_digest = json.loads(new_files[MANIFEST])["content_sha256"]
    assert new_digest != json.loads(old_files[MANIFEST])["content_sha256"]
    assert changelog_entry(ROOT / "CHANGELOG.md", __version__) != new_digest  # so the version-bump test would fail

    names = [r["name"] for r in load_dataset(str(out), "entities", split="test", cache_dir=cache)]
    assert new_name in names and names != old_names

    # control: under the old card (old hash) the same cache serves the old rows, so the card's hash is what prevents it
    (out / CARD).write_bytes(old_files[CARD])
    os.utime(out / CARD, ns=(mtimes[CARD],) * 2)
    assert [r["name"] for r in load_dataset(str(out), "entities", split="test", cache_dir=cache)] == old_names


# --- card and Croissant -------------------------------------------------------


def test_card_table_gives_each_configs_rows_and_description(built):
    release, files = built
    rows = release.rows()
    table = [
        [cell.strip() for cell in line.strip("|").split("|")] for line in files[CARD].decode("utf-8").splitlines() if line.startswith("| `")
    ]
    assert [name for name, _, _ in table] == [f"`{c}`" + (" (default)" if c == DEFAULT_CONFIG else "") for c in CONFIGS]
    assert [(int(n), what) for _, n, what in table] == [(len(rows[c]), DESCRIPTIONS[c]) for c in CONFIGS]


def test_card_shows_the_screenshot_the_release_carries(built, monkeypatch):
    _, files = built
    assert f"]({card.SCREENSHOT})" in files[CARD].decode("utf-8") and card.SCREENSHOT in files
    monkeypatch.setattr(card, "SCREENSHOT", "site.png")  # the image link follows the name the release gives the file
    sizes = {c: {split: (1, 1) for split in splits(c)} for c in CONFIGS}
    text = card.render_card(sizes, "0" * 64, screenshot=True)
    assert "](site.png)" in text and "](viewer.png)" not in text


def test_card_metadata_uses_values_the_hub_knows():
    from datasets.utils.metadata import known_task_ids

    resources = Path(datasets.__file__).parent / "utils" / "resources"
    creators = json.loads((resources / "creators.json").read_text())
    card = _card_yaml(DATASET)
    assert card["license"] == "other" and card["license_name"] and card["license_link"] == LICENCE
    assert set(card["language"]) <= set(json.loads((resources / "languages.json").read_text()))
    assert set(card["size_categories"]) <= set(json.loads((resources / "size_categories.json").read_text()))
    assert set(card["multilinguality"]) <= set(json.loads((resources / "multilingualities.json").read_text()))
    assert set(card["annotations_creators"]) <= set(creators["annotations"])
    assert set(card["language_creators"]) <= set(creators["language"])
    assert set(card["task_categories"]) <= set(known_task_ids)
    assert set(card["task_ids"]) <= set().union(*(HUB_TASK_IDS.get(c, set()) for c in card["task_categories"]))
    assert card["source_datasets"] == ["original"] and card["pretty_name"] and card["tags"]
    n = sum(len(json.loads(line)["passages"]) for line in (DATASET / "documents.jsonl").read_text().splitlines())
    assert n < 1000, "size_categories says n<1K"
    assert [c["config_name"] for c in card["configs"]] == list(CONFIGS)
    assert [c["config_name"] for c in card["configs"] if c.get("default")] == [DEFAULT_CONFIG]
    for c in card["configs"]:
        assert c["data_files"] == [{"split": s, "path": parquet_file(c["config_name"], s)} for s in splits(c["config_name"])]
    body = (DATASET / CARD).read_text(encoding="utf-8")
    assert "copyright in\nthem remains with their publishers" in body and FIGURE in body


def test_card_dataset_info_matches_the_rows(built):
    release, _ = built
    infos = {i["config_name"]: i for i in _card_yaml(DATASET)["dataset_info"]}
    for config in CONFIGS:
        info = datasets.DatasetInfo._from_yaml_dict(infos[config])
        assert info.features == hf_features(config)
        assert info.splits["test"].num_examples == len(release.rows()[config])


def test_croissant_validates_and_reads_records(built):
    import mlcroissant as mlc

    release, files = built
    ds = mlc.Dataset(str(DATASET / CROISSANT))
    assert not ds.metadata.issues.errors
    rows = release.rows()
    docs = list(ds.records("documents"))
    assert [d["documents/doc_id"].decode() for d in docs] == [r["doc_id"] for r in rows["documents"]]
    spans = list(ds.records("spans"))
    assert [(s["spans/id"].decode(), s["spans/start"], s["spans/end"]) for s in spans] == [
        (r["id"], r["start"], r["end"]) for r in rows["spans"]
    ]
    meta = json.loads(files[CROISSANT])
    assert meta["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    objects = [d for d in meta["distribution"] if d["@type"] == "cr:FileObject"]
    assert {d["name"]: d["sha256"] for d in objects} == {data_file(c): sha256(files[data_file(c)]) for c in CONFIGS}


# --- partial annotations, clusters, statistics, diff --------------------------


def test_build_with_empty_gold_annotations_reports_every_unexplained_number_and_quote(tmp_path):
    root = _copy_sources(tmp_path)
    for path in (root / "annotations" / "gold").glob("*.yaml"):
        path.write_text(f"doc_id: {path.stem}\n", encoding="utf-8")
    with pytest.raises(IncidentError) as err:
        assemble(root)
    codes = {i.code for i in err.value.incidents}
    assert codes == {"figure-unexplained", "quote-mark-unexplained"}
    numbers = sum(len(NUMBER_RE.findall(d.text)) for d in build_documents(root / "annotations/recipes", root / "dataset/raw"))
    assert sum(i.code == "figure-unexplained" for i in err.value.incidents) == numbers > 0


def test_cluster_claims_are_derived_from_the_claims(built):
    release, _ = built
    claims = [c for d in release.documents for c in release.annotations[d.doc_id].claims]
    for cluster in release.clusters:
        assert sorted(cluster.claims) == sorted(c.id for c in claims if c.cluster == cluster.id)
    assert {c.cluster for c in claims} == {c.id for c in release.clusters}


def test_claim_naming_an_undefined_cluster_is_an_incident(built, tmp_path):
    release, _ = built
    root = _copy_sources(tmp_path)
    doc = release.documents[0]
    claim = {
        "id": f"{doc.doc_id}-clm-99",
        "text": doc.title,
        "occurrence": 1,
        "claimant": "author",
        "hedged": False,
        "cluster": "no-such-cluster",
    }
    extra = {"doc_id": doc.doc_id, "claims": [claim]}
    (root / "annotations" / "gold" / f"{doc.doc_id}.extra.yaml").write_text(yaml.safe_dump(extra, allow_unicode=True), encoding="utf-8")
    with pytest.raises(IncidentError) as err:
        assemble(root)
    assert [(i.code, i.span_id, i.found) for i in err.value.incidents] == [("cluster-unknown", claim["id"], "no-such-cluster")]


def test_stats_prints_a_row_per_document(built, capsys):
    release, _ = built
    assert main(["--root", str(ROOT), "stats"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "| doc | passages | characters | words | sentences | claims | quotes | figures |"
    assert [line.split(" | ")[0].strip("| ") for line in out[2:]] == [d.doc_id for d in release.documents] + ["total"]
    first = release.documents[0]
    assert (
        out[2]
        == f"| {first.doc_id} | {len(first.passages)} | {len(first.text)} | {len(first.text.split())} | "
        + " | ".join(str(len(getattr(release.annotations[first.doc_id], k))) for k in ("sentences", "claims", "quotes", "figures"))
        + " |"
    )


def test_generated_block_is_replaced_in_place_and_appended_when_missing():
    text = "intro\n<!-- x:begin -->\nold\n<!-- x:end -->\noutro\n"
    assert blocks.replace_section(text, "x", "new") == "intro\n<!-- x:begin -->\nnew\n<!-- x:end -->\noutro\n"
    assert blocks.section(blocks.replace_section("intro", "y", "new"), "y") == "new"
    assert blocks.section("no markers", "x") is None


def test_diff_counts_added_removed_and_changed_spans_per_layer(tmp_path, capsys):
    old, new = tmp_path / "old", tmp_path / "new"
    rows = [
        {"id": "nk000-fig-01", "layer": "figure", "start": 0, "end": 2, "value": 1.0},
        {"id": "nk000-fig-02", "layer": "figure", "start": 5, "end": 7, "value": 2.0},
        {"id": "nk000-quo-01", "layer": "quote", "start": 9, "end": 20, "speaker": "a"},
    ]
    changed = [{**rows[0], "value": 3.0}, rows[2], {"id": "nk000-clm-01", "layer": "claim", "start": 0, "end": 30}]
    for folder, data in ((old, rows), (new, changed)):
        folder.mkdir()
        (folder / "spans.jsonl").write_bytes(render_jsonl(data))
    diff = diff_spans(read_spans(old), read_spans(new))
    assert (diff[Layer.FIGURE].added, diff[Layer.FIGURE].removed, diff[Layer.FIGURE].changed) == (
        [],
        ["nk000-fig-02"],
        {"nk000-fig-01": ["value"]},
    )
    assert diff[Layer.CLAIM].added == ["nk000-clm-01"] and not diff[Layer.QUOTE].changed
    assert main(["diff", str(old), str(new)]) == 0
    assert "| figure | 0 | 1 | 1 |" in capsys.readouterr().out
    assert main(["diff", str(old), str(tmp_path / "missing")]) == 2
    assert "argument-invalid" in capsys.readouterr().err


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085"])
def test_diff_reads_rows_holding_line_separators_inside_strings(tmp_path, char):
    row = {"id": "nk000-quo-01", "layer": "quote", "start": 0, "end": 9, "text": f"one{char}two"}
    (tmp_path / "spans.jsonl").write_bytes(render_jsonl([row, {**row, "id": "nk000-quo-02"}]))  # json.dumps leaves the char as is
    assert read_spans(tmp_path) == {"nk000-quo-01": row, "nk000-quo-02": {**row, "id": "nk000-quo-02"}}

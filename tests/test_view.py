"""``nk-troops view`` without a browser: the HTML itself, the nesting, the output folder rules, bad input.

The browser half (toggles, focus, links, screenshot) is tests/test_view_browser.py.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nk_troops.cli import main
from nk_troops.incidents import CATALOGUE
from nk_troops.model import Layer
from nk_troops.paths import read_release
from nk_troops.view.markup import Mark, render_marked
from nk_troops.view.pages import layer_fields
from nk_troops.view.publish import MARKER

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "dataset"
RELEASE = read_release(DATASET)
PAGES = ["index.html", "nk000.html", "nk001.html", "nk002.html", "nk003.html", "nk004.html"]


VOID = {"meta", "link", "input", "br", "img", "hr"}  # elements without an end tag


class Marks(HTMLParser):
    """What a reader without JavaScript gets: the text of ``#text``, each mark piece with its offset in it, each element by id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.inside = 0  # depth inside #text
        self.open: list[dict] = []  # mark pieces being read
        self.pieces: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.data_under: dict[str, list[str]] = {}  # element id -> its text
        self._stack: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in VOID:
            return
        if a.get("id"):
            self.by_id[a["id"]] = a
            self.data_under[a["id"]] = []
        self._stack.append(a.get("id"))
        if a.get("id") == "text":
            self.inside = 1
        elif self.inside:
            self.inside += 1
            if tag == "mark":
                piece = dict(a, at=len("".join(self.text)), chars=[])
                self.open.append(piece)
                self.pieces.append(piece)

    def handle_endtag(self, tag):
        self._stack.pop()
        if self.inside:
            self.inside -= 1
            if tag == "mark":
                self.open.pop()

    def handle_data(self, data):
        for eid in self._stack:
            if eid is not None:
                self.data_under[eid].append(data)
        if self.inside:
            self.text.append(data)
            for piece in self.open:
                piece["chars"].append(data)


def parse(html: str) -> Marks:
    p = Marks()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("view") / "site"
    assert main(["view", "--release", str(DATASET), "--out", str(out)]) == 0
    return out


def _span_rows(doc_id: str) -> list[dict]:
    return [s for s in RELEASE["spans"] if s["doc_id"] == doc_id]


def test_site_has_an_index_a_page_per_article_and_its_assets(site):
    assert sorted(p.name for p in site.iterdir()) == sorted([MARKER, *PAGES, "view.css", "view.js"])
    assert json.loads((site / MARKER).read_text())["files"] == sorted([*PAGES, "view.css", "view.js"])


@pytest.mark.parametrize("doc", RELEASE["documents"], ids=lambda d: d["doc_id"])
def test_without_javascript_every_span_is_in_the_page_with_its_offsets_text_and_attributes(site, doc):
    page = parse((site / f"{doc['doc_id']}.html").read_text(encoding="utf-8"))
    assert "".join(page.text) == doc["text"]  # the text block is the document text, character for character
    spans = _span_rows(doc["doc_id"])
    assert sorted(p["data-id"] for p in page.pieces) == sorted(s["id"] for s in spans)  # nothing crosses here: one piece each
    for s in spans:
        piece = next(p for p in page.pieces if p["data-id"] == s["id"])
        assert (piece["at"], int(piece["data-start"]), int(piece["data-end"])) == (s["start"], s["start"], s["end"])
        assert "".join(piece["chars"]) == s["text"]
        assert piece["data-layer"] == s["layer"] and piece["tabindex"] == "0" and piece["aria-describedby"] == f"d-{s['id']}"
        head, *lines = piece["data-tip"].splitlines()
        fields = layer_fields(Layer(s["layer"]))
        assert head == f"{s['layer']} {s['id']} [{s['start']}, {s['end']})"
        assert [line.split(":")[0] for line in lines if line.split(":")[0] in fields] == fields
        entry = "".join(page.data_under[f"d-{s['id']}"])  # the span list entry, readable as plain HTML
        assert s["text"] in entry and f"[{s['start']}, {s['end']})" in entry


def test_attributes_of_each_layer_are_shown_by_name(site):
    page = parse((site / "nk000.html").read_text(encoding="utf-8"))
    quote = page.by_id["nk000-quo-01"]["data-tip"].splitlines()
    assert quote[1:] == [
        "quote_type: partial",
        "speaker: Volodymyr Zelenskyy (volodymyr-zelenskyy)",
        "speaker_span: “Ukrainian President Volodymyr Zelensky” [887, 925)",
        "cue_span: “warning” [990, 997)",
    ]
    figure = page.by_id["nk000-fig-01"]["data-tip"].splitlines()
    assert figure[1:] == [
        "kind: count",
        "value: 12000",
        "value_max: none",
        "normalized: 12000",
        "qualifier: exact",
        "unit: special forces troops",
        "year_inferred: no",
    ]
    claim = page.by_id["nk000-clm-04"]["data-tip"].splitlines()
    assert claim[1:4] == [
        "claimant: National Intelligence Service (South Korea) (south-korea-nis)",
        "claimant_span: “South Korea’s intelligence agency” [700, 733)",
        "hedged: no",
    ]
    assert claim[4].startswith("cluster: nk-plans-12000-troops: ")
    assert claim[5] == "same claim: nk002-clm-17"
    assert claim[6].startswith("conflicts with: ⚠ nk-preparing-10000-troops: ")
    assert claim[7:] == ["figures: nk000-fig-01", "quotes: none"]
    assert "conflict" in page.by_id["nk000-clm-04"]["class"].split()


def test_claims_link_to_their_cluster_in_other_articles(site):
    html = (site / "nk000.html").read_text(encoding="utf-8")
    assert 'href="nk002.html#nk002-clm-17"' in html  # nk000-clm-04's cluster nk-plans-12000-troops
    assert 'href="nk004.html#nk004-clm-15"' in html  # its conflicting cluster nk-preparing-10000-troops


def test_index_has_provenance_and_counts_of_every_article(site):
    page = parse((site / "index.html").read_text(encoding="utf-8"))
    for doc in RELEASE["documents"]:
        row = "".join(page.data_under[doc["doc_id"]])
        counts = [sum(1 for s in _span_rows(doc["doc_id"]) if s["layer"] == layer) for layer in Layer]
        assert f"{counts[0]}{counts[1]}{counts[2]}{len(doc['sentences'])}{len(doc['text'])}" in row
        assert doc["title"] in row and doc["provenance"]["story_date"] in row and doc["source_file"] in row
    assert "".join(page.data_under["nk002"]).count("Newslooks") == 1


def test_pages_fetch_nothing_from_the_network(site):
    for name in PAGES:
        html = (site / name).read_text(encoding="utf-8")
        assert " src=" not in html.replace(' src="view.js"', "")
        assert "<link " not in html.replace('<link rel="stylesheet" href="view.css">', "")
    assert "url(" not in (site / "view.css").read_text() and "@import" not in (site / "view.css").read_text()


def _pieces(text: str, marks: list[Mark]) -> Marks:
    return parse(f'<div id="text">{render_marked(text, marks)}</div>')


def test_nesting_claim_outside_quote_outside_figure_at_equal_ranges():
    marks = [Mark("f", Layer.FIGURE, 0, 3), Mark("q", Layer.QUOTE, 0, 3), Mark("c", Layer.CLAIM, 0, 3)]
    assert render_marked("abc", marks).replace(" ", "").count("<mark") == 3
    html = render_marked("abc", marks)
    assert html.index('data-id="c"') < html.index('data-id="q"') < html.index('data-id="f"')


def test_a_crossing_span_is_closed_and_reopened_and_keeps_its_text():
    text = "0123456789"
    page = _pieces(text, [Mark("c", Layer.CLAIM, 0, 6), Mark("q", Layer.QUOTE, 4, 9), Mark("f", Layer.FIGURE, 2, 3)])
    assert "".join(page.text) == text
    got = {}
    for p in page.pieces:
        got.setdefault(p["data-id"], []).append((p["at"], "".join(p["chars"]), p.get("data-part")))
    assert got == {"c": [(0, "012345", None)], "f": [(2, "2", None)], "q": [(4, "45", None), (6, "678", "cont")]}
    assert [p.get("id") for p in page.pieces if p["data-id"] == "q"] == ["q", None]  # one id, one tab stop


def test_text_is_escaped_and_attributes_quoted():
    page = _pieces('<b>&"', [Mark("x", Layer.FIGURE, 0, 3, attrs={"data-tip": 'a "b" <c>'})])
    assert "".join(page.text) == '<b>&"' and page.pieces[0]["data-tip"] == 'a "b" <c>'


# --- the output folder --------------------------------------------------------


def test_an_earlier_output_is_replaced_and_a_foreign_folder_refused(tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["view", "--out", str(out)]) == 0
    (out / "nk000.html").write_text("stale")
    assert main(["view", "--out", str(out)]) == 0  # an earlier view output: replaced whole
    assert (out / "nk000.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    (out / "notes.txt").write_text("mine")
    assert main(["view", "--out", str(out)]) == 2
    assert "view-out-exists" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine" and (out / "index.html").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "a.txt").write_text("a")
    assert main(["view", "--out", str(mine)]) == 2
    assert sorted(p.name for p in mine.iterdir()) == ["a.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "site"]  # no temporary folder left behind


def test_an_empty_folder_is_used_and_a_file_refused(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["view", "--out", str(empty)]) == 0 and (empty / "index.html").exists()
    (tmp_path / "file").write_text("x")
    assert main(["view", "--out", str(tmp_path / "file")]) == 2
    assert "view-out-exists" in capsys.readouterr().err and (tmp_path / "file").read_text() == "x"


def test_never_writes_through_a_symbolic_link(tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    assert main(["view", "--out", str(tmp_path / "link")]) == 2
    assert main(["view", "--out", str(tmp_path / "link" / "site")]) == 2
    assert capsys.readouterr().err.count(": view-out-symlink: ") == 2
    assert list(real.iterdir()) == []


def test_a_missing_parent_folder_is_not_created(tmp_path, capsys):
    assert main(["view", "--out", str(tmp_path / "no" / "site")]) == 2
    assert "view-out-parent" in capsys.readouterr().err and not (tmp_path / "no").exists()


def test_a_failed_write_publishes_nothing(tmp_path, capsys, monkeypatch):
    out = tmp_path / "site"
    assert main(["view", "--out", str(out)]) == 0
    written = []
    real = Path.write_bytes

    def full_disk(self, data):
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(self.name)
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    (out / "index.html").write_text("earlier")
    assert main(["view", "--out", str(out)]) == 2
    assert "view-out-write" in capsys.readouterr().err
    assert (out / "index.html").read_text() == "earlier"  # the earlier output stands
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # and the half-written folder is gone


def test_every_view_code_is_asserted_here():
    source = Path(__file__).read_text(encoding="utf-8")
    assert [code for code in CATALOGUE if code.startswith("view-") and code not in source] == []


# --- bad input ----------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "release"
    shutil.copytree(DATASET, folder)
    return folder


def _edit(folder: Path, config: str, edit) -> None:
    path = folder / f"{config}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in edit(rows)), encoding="utf-8")


def test_bad_release_gives_every_incident_and_writes_nothing(tmp_path, capsys):
    folder = _copy(tmp_path)

    def spans(rows):
        rows[0]["start"] = 5000  # past the text
        rows[1]["text"] = "not the text"
        rows[2]["doc_id"] = "nk999"
        return rows

    _edit(folder, "spans", spans)
    _edit(folder, "documents", lambda rows: [*rows[:4], dict(rows[4], doc_id="../evil")])
    assert main(["view", "--release", str(folder), "--out", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    found = set(re.findall(r"(\w+\.jsonl:\d+)\b[^:]*: ([a-z-]+): ", err))
    expected = {("spans.jsonl:1", "offset-out-of-range"), ("spans.jsonl:2", "offset-text-mismatch"), ("spans.jsonl:3", "document-unknown")}
    assert expected | {("documents.jsonl:5", "schema-pattern")} <= found
    assert "Traceback" not in err and not (tmp_path / "site").exists()


def test_missing_fields_and_files_are_incidents(tmp_path, capsys):
    folder = _copy(tmp_path)
    _edit(folder, "spans", lambda rows: [{k: v for k, v in rows[0].items() if k != "end"}, *rows[1:]])
    assert main(["view", "--release", str(folder), "--out", str(tmp_path / "site")]) == 1
    assert "spans.jsonl:1 nk000-clm-01: schema-required" in capsys.readouterr().err
    (folder / "clusters.jsonl").unlink()
    assert main(["view", "--release", str(folder), "--out", str(tmp_path / "site")]) == 2
    assert "clusters.jsonl: file-missing" in capsys.readouterr().err
    assert main(["view", "--release", str(tmp_path / "nowhere"), "--out", str(tmp_path / "site")]) == 2
    assert main(["view", "--diff", str(tmp_path / "nowhere"), "--out", str(tmp_path / "site")]) == 2
    (folder / "documents.jsonl").write_text("{not json\n")
    assert main(["view", "--release", str(folder), "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "file-missing" in err and "documents.jsonl: json-malformed" in err and "Traceback" not in err


def test_a_release_without_a_manifest_is_viewed_and_says_so(tmp_path) -> None:
    folder = _copy(tmp_path)
    (folder / "manifest.json").unlink()
    assert main(["view", "--release", str(folder), "--out", str(tmp_path / "site")]) == 0
    assert "release without manifest" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


# --- the docs -----------------------------------------------------------------


def _viewer_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Viewer\n", 1)[1].split("\n## ", 1)[0]


def test_readme_shows_the_screenshot_and_ci_runs_the_readme_test_command():
    assert "](docs/viewer.png)" in _viewer_section() and (ROOT / "docs/viewer.png").is_file()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = readme.split("\n# 2. ", 1)[1].splitlines()[1]
    install = "(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)"
    assert command.startswith(f"(command -v chromium >/dev/null || {install}) && ")
    assert (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()[-1] == command


def test_a_bad_older_release_is_reported_and_odd_attribute_values_shown_plainly(tmp_path, capsys):
    old = _copy(tmp_path)
    _edit(old, "spans", lambda rows: [{k: v for k, v in rows[0].items() if k != "start"}, *rows[1:]])
    assert main(["view", "--diff", str(old), "--out", str(tmp_path / "site")]) == 1
    assert "spans.jsonl nk000-clm-01: schema-required" in capsys.readouterr().err and not (tmp_path / "site").exists()

    def odd(rows):  # values the validator rejects, which the pages still show without failing
        return [dict(r, speaker=["x"], cue_span={"start": "a"}) if r["id"] == "nk000-quo-01" else r for r in rows]

    new = _copy(tmp_path / "n")
    _edit(new, "spans", odd)
    _edit(new, "clusters", lambda rows: [dict(rows[0], claims=[1]), dict(rows[1], claims=7), *rows[2:]])
    assert main(["view", "--release", str(new), "--out", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert "clusters.jsonl:1: schema-type" in err and "clusters.jsonl:2: schema-type" in err
    shutil.copyfile(DATASET / "clusters.jsonl", new / "clusters.jsonl")
    assert main(["view", "--release", str(new), "--out", str(tmp_path / "site")]) == 0
    tip = parse((tmp_path / "site" / "nk000.html").read_text(encoding="utf-8")).by_id["nk000-quo-01"]["data-tip"]
    assert "speaker: x" in tip and 'cue_span: {"start": "a"}' in tip

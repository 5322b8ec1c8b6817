"""``nk-troops view`` in a real browser: Debian's chromium, headless, driven by Playwright.

Never skipped: without chromium the tests fail and say how to install it (README's
test command does). Playwright's bundled driver is used with ``/usr/bin/chromium``;
no browser is downloaded. One browser for the module, pages opened from file://,
and every request a page makes is checked to stay on file://.

``NK_TROOPS_UPDATE_SCREENSHOT=1 pytest tests/test_view_browser.py`` rewrites
docs/viewer.png from this run.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from nk_troops.cli import main
from nk_troops.paths import read_release

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "dataset"
RELEASE = read_release(DATASET)
SCREENSHOT = ROOT / "docs" / "viewer.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# headless and a fresh --user-data-dir are Playwright's own for launch(); the rest keeps chromium off the (closed) network
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1100, "height": 960}
INSTALL = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"


def _alter(old: Path) -> None:
    """An older release: one span moved, one attribute changed, one span missing, one extra."""
    path = old / "spans.jsonl"
    rows = {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    rows["nk000-fig-01"] |= {"start": 775, "end": 781}
    rows["nk000-quo-01"]["speaker"] = "yoon-suk-yeol"
    rows["nk000-fig-99"] = dict(rows.pop("nk000-fig-02"), id="nk000-fig-99")
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows.values()), encoding="utf-8")


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("view")
    shutil.copytree(DATASET, base / "old")
    _alter(base / "old")
    assert main(["view", "--release", str(DATASET), "--out", str(base / "site")]) == 0
    assert main(["view", "--release", str(DATASET), "--diff", str(base / "old"), "--out", str(base / "diff")]) == 0
    return {"site": base / "site", "diff": base / "diff"}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is needed for the viewer tests and is not installed: run `{INSTALL}` as root", pytrace=False)
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except PlaywrightError as exc:
            pytest.fail(f"chromium at {CHROMIUM} did not start ({exc}); reinstall it with `{INSTALL}`", pytrace=False)
        yield b
        b.close()


class Tab:
    """A page in a fresh context that records every request and every script error."""

    def __init__(self, browser, sites: dict[str, Path], javascript: bool = True):
        self.context = browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.sites = sites

    def open(self, site: str, name: str):
        self.page.goto((self.sites[site] / name).as_uri())
        return self.page

    def close(self) -> None:
        self.context.close()
        assert self.errors == []
        assert self.requests and all(u.startswith("file://") for u in self.requests), [
            u for u in self.requests if not u.startswith("file:")
        ]


@pytest.fixture
def tab(browser, sites):
    t = Tab(browser, sites)
    yield t
    t.close()


def _style(page, selector: str, prop: str, pseudo: str | None = None) -> str:
    return page.eval_on_selector(selector, f"(e, p) => getComputedStyle(e, p)[{prop!r}]", pseudo)


READ_MARKS = """() => {
  const root = document.getElementById('text'), out = {};
  for (const m of root.querySelectorAll('mark.span')) {
    const before = document.createRange();
    before.setStart(root, 0);
    before.setEndBefore(m);
    const s = getComputedStyle(m);
    (out[m.dataset.id] ||= []).push({
      at: Array.from(before.toString()).length,  // code points, as the release counts offsets
      text: m.textContent, start: m.dataset.start, end: m.dataset.end, layer: m.dataset.layer,
      shown: s.backgroundColor !== 'rgba(0, 0, 0, 0)' || s.boxShadow !== 'none' || s.borderBottomStyle !== 'none'});
  }
  return {text: root.textContent, marks: out};
}"""


def test_every_span_of_the_release_is_in_its_page_with_offsets_and_text(tab):
    seen = 0
    for doc in RELEASE["documents"]:
        got = tab.open("site", f"{doc['doc_id']}.html").evaluate(READ_MARKS)
        assert got["text"] == doc["text"]
        spans = [s for s in RELEASE["spans"] if s["doc_id"] == doc["doc_id"]]
        assert sorted(got["marks"]) == sorted(s["id"] for s in spans)
        for s in spans:
            [piece] = got["marks"][s["id"]]
            assert piece == {
                "at": s["start"],
                "text": s["text"],
                "start": str(s["start"]),
                "end": str(s["end"]),
                "layer": s["layer"],
                "shown": True,
            }
            seen += 1
    assert seen == len(RELEASE["spans"]) == 164


def test_toggles_hide_and_show_a_layer(tab):
    page = tab.open("site", "nk000.html")
    claim, quote, figure = '[id="nk000-clm-04"]', '[id="nk000-quo-01"]', '[id="nk000-fig-01"]'
    assert _style(page, claim, "backgroundColor") == "rgb(255, 241, 168)"
    assert _style(page, quote, "borderBottomStyle") == "solid"
    page.click("label.toggle.claim")  # a real checkbox, by its label
    assert not page.is_checked("#show-claim")
    assert _style(page, claim, "backgroundColor") == "rgba(0, 0, 0, 0)" and _style(page, claim, "textDecorationLine") == "none"
    assert page.is_hidden("#list-claim") and page.is_visible("#list-figure")
    assert page.get_attribute(claim, "tabindex") == "-1"  # out of the tab order while hidden
    assert _style(page, figure, "backgroundColor") == "rgb(220, 252, 231)"  # the other layers stay
    assert _style(page, quote, "borderBottomStyle") == "solid"
    page.focus("#show-quote")
    page.keyboard.press("Space")  # and by keyboard
    assert _style(page, quote, "borderBottomStyle") == "none" and page.is_hidden("#list-quote")
    page.keyboard.press("Space")
    page.click("#show-claim")
    assert _style(page, claim, "backgroundColor") == "rgb(255, 241, 168)" and page.is_visible("#list-claim")
    assert _style(page, quote, "borderBottomStyle") == "solid" and page.get_attribute(claim, "tabindex") == "0"


def test_a_cluster_link_reaches_the_claim_in_the_other_article(tab):
    page = tab.open("site", "nk000.html")
    entry = '[id="d-nk000-clm-04"]'
    assert "⚠" in page.inner_text(f"{entry} .conflict")  # its cluster conflicts with nk-preparing-10000-troops
    page.click(f'{entry} a[href="nk002.html#nk002-clm-17"]')
    page.wait_for_url("**/nk002.html#nk002-clm-17")
    target = page.evaluate("() => { const t = document.querySelector(':target'); return [t.tagName, t.dataset.id, t.textContent] }")
    other = next(s for s in RELEASE["spans"] if s["id"] == "nk002-clm-17")
    assert target == ["MARK", "nk002-clm-17", other["text"]]
    assert "conflict" in page.get_attribute('[id="nk002-clm-17"]', "class").split()


def _tab_to(page, span_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == span_id:
            return
    raise AssertionError(f"{span_id} not reached in {limit} Tab presses")


def test_keyboard_focus_shows_a_span_s_attributes(tab):
    page = tab.open("site", "nk000.html")
    quote = '[id="nk000-quo-01"]'
    assert _style(page, quote, "display", "::after") == "none"
    _tab_to(page, "nk000-quo-01")
    assert _style(page, quote, "outlineStyle") == "solid"  # visible focus
    assert _style(page, quote, "display", "::after") == "block"
    box = _style(page, quote, "content", "::after")
    assert "speaker: Volodymyr Zelenskyy" in box and "cue_span: “warning” [990, 997)" in box
    related = page.eval_on_selector_all(".mention.related", "ms => ms.map(m => [m.textContent, getComputedStyle(m).outlineStyle])")
    assert related == [["Ukrainian President Volodymyr Zelensky", "dotted"], ["warning", "dotted"]]  # its speaker and cue
    page.keyboard.press("Escape")
    assert _style(page, quote, "display", "::after") == "none"
    page.keyboard.press("Enter")  # to the span's entry in the list
    assert page.evaluate("() => document.activeElement.id") == "d-nk000-quo-01"
    page.hover('[id="nk000-fig-01"]')  # hover: the innermost span's box only
    assert _style(page, '[id="nk000-fig-01"]', "display", "::after") == "block"
    assert _style(page, '[id="nk000-clm-04"]', "display", "::after") == "none"


def test_without_javascript_text_attributes_focus_and_toggles_work(browser, sites):
    t = Tab(browser, sites, javascript=False)
    page = t.open("site", "nk000.html")
    doc = RELEASE["documents"][0]
    assert page.inner_text("#text") == doc["text"]
    assert page.is_visible('[id="d-nk000-fig-01"]') and "special forces troops" in page.inner_text('[id="d-nk000-fig-01"]')
    _tab_to(page, "nk000-clm-01")
    assert _style(page, '[id="nk000-clm-01"]', "display", "::after") == "block"
    page.click("label.toggle.figure")
    assert _style(page, '[id="nk000-fig-01"]', "backgroundColor") == "rgba(0, 0, 0, 0)" and page.is_hidden("#list-figure")
    t.close()
    assert t.requests == [(sites["site"] / "nk000.html").as_uri(), (sites["site"] / "view.css").as_uri()]  # no script fetched


def test_a_diff_page_shows_changed_added_and_removed_spans(tab):
    page = tab.open("diff", "nk000.html")
    status = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('mark[class*=diff-]')].map(m => [m.dataset.id, m.className]))"
    )
    assert {k: [c for c in v.split() if c.startswith("diff-")] for k, v in status.items()} == {
        "nk000-fig-01": ["diff-changed"],
        "nk000-quo-01": ["diff-changed"],
        "nk000-fig-02": ["diff-added"],
        "nk000-fig-99": ["diff-removed"],  # drawn where its old offsets still hold its text
    }
    assert _style(page, '[id="nk000-fig-01"]', "content", "::before") == '"~"'
    assert _style(page, '[id="nk000-fig-01"]', "outlineStyle") == "dashed"
    changed = page.inner_text('[id="d-nk000-fig-01"]')
    assert "start: 775 → 776" in changed and "end: 781 → 782" in changed
    assert 'speaker: "yoon-suk-yeol" → "volodymyr-zelenskyy"' in page.get_attribute('[id="nk000-quo-01"]', "data-tip")
    assert "nk000-fig-99" in page.inner_text("#list-removed")
    page = tab.open("diff", "index.html")
    rows = page.evaluate("() => [...document.querySelectorAll('#changes tbody tr')].map(r => r.innerText.split('\\t'))")
    assert rows == [["claim", "0", "0", "0"], ["quote", "0", "0", "1"], ["figure", "1", "1", "1"]]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_screenshot_of_an_article_page(tab, tmp_path):
    page = tab.open("site", "nk000.html")
    page.focus('[id="nk000-clm-04"]')  # a claim holding a figure, in a conflicting cluster: its box shows the links
    shot = tmp_path / "viewer.png"
    page.screenshot(path=str(shot))
    assert _png_size(shot) == (VIEWPORT["width"], VIEWPORT["height"]) and shot.stat().st_size > 50_000
    if os.environ.get("NK_TROOPS_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, SCREENSHOT)
    assert _png_size(SCREENSHOT) == (VIEWPORT["width"], VIEWPORT["height"])  # the committed copy README shows

"""The site as files: an index page, one page per article, a style sheet and a script.

Every attribute of a span is in the HTML: in the span's ``data-tip`` (shown by the
style sheet on hover and on keyboard focus, no script needed) and in its entry in
the span list under the text, which ``aria-describedby`` points screen readers to.
The script only adds conveniences (Enter jumps to the entry, Escape hides the box,
a hidden layer leaves the tab order).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import Any

from ..model import SPAN_CLASSES, Layer, SpanBase
from .data import ViewDiff, ViewRelease
from .markup import Mark, render_marked

ASSETS = ("view.css", "view.js")
ENTITY_FIELDS = {"speaker", "claimant"}  # entity ids, shown with the entity's name
BASE_FIELDS = {f.name for f in dataclasses.fields(SpanBase)}
TITLE = {Layer.CLAIM: "Claims", Layer.QUOTE: "Quotes", Layer.FIGURE: "Figures"}


def layer_fields(layer: Layer) -> list[str]:
    """A layer's own attributes, in model order."""
    return [f.name for f in dataclasses.fields(SPAN_CLASSES[layer]) if f.name not in BASE_FIELDS]


@dataclass(frozen=True)
class Attr:
    label: str
    plain: str  # for the hover/focus box
    html: str  # for the span list, with links


def _h(value: Any) -> str:
    return escape(str(value))


def _plain(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(map(_plain, value)) or "none"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _mention(value: Any, text: str) -> tuple[int, int] | None:
    """The range of an attribute that is a mention in the text (``Offsets``: speaker, cue, claimant), else None."""
    s, e = (value.get("start"), value.get("end")) if isinstance(value, dict) else (None, None)
    return (s, e) if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text) else None


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{_h(title)}</title>\n<link rel="stylesheet" href="view.css">\n<script src="view.js" defer></script>\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


class Site:
    def __init__(self, release: ViewRelease, diff: ViewDiff | None = None):
        self.release = release
        self.diff = diff

    # --- links ---------------------------------------------------------------

    def _href(self, span_id: str, here: str) -> str:
        doc = self.release.by_id[span_id]["doc_id"]
        return f"#{span_id}" if doc == here else f"{doc}.html#{span_id}"

    def _links(self, ids: list[str], here: str, quoted: bool = False) -> str:
        """Links to the spans among ``ids`` (other ids as plain code); ``quoted`` adds each span's text."""
        items = []
        for sid in ids:
            span = self.release.by_id.get(sid)
            if span is None:
                items.append(f"<code>{_h(sid)}</code>")
                continue
            link = f'<a href="{_h(self._href(sid, here))}">{_h(sid)}</a>'
            items.append(f"<li>{link} <q>{_h(span['text'])}</q></li>" if quoted else link)
        if quoted:
            return f"<ul>{''.join(items)}</ul>" if items else "none"
        return ", ".join(items) or "none"

    # --- attributes ----------------------------------------------------------

    def _cluster(self, span: dict[str, Any], here: str) -> list[Attr]:
        cid = span.get("cluster")
        cluster = self.release.clusters.get(cid) if isinstance(cid, str) else None
        if cluster is None:
            return [Attr("cluster", _plain(cid), _h(_plain(cid)))]
        others = [m for m in cluster["claims"] if m != span["id"] and m in self.release.by_id]
        out = [
            Attr("cluster", f"{cid}: {cluster['statement']}", f"<code>{_h(cid)}</code>: {_h(cluster['statement'])}"),
            Attr("same claim", ", ".join(others) or "no other claim", self._links(others, here, quoted=True)),
        ]
        for conflict in cluster["conflicts_with"]:
            other = self.release.clusters.get(conflict.get("cluster"), {"statement": "", "claims": []})
            out.append(
                Attr(
                    "conflicts with",
                    f"⚠ {conflict.get('cluster')}: {conflict.get('note')}",
                    f'<span class="conflict">⚠ <code>{_h(conflict.get("cluster"))}</code>: {_h(other["statement"])}</span> '
                    f"{_h(conflict.get('note'))}{self._links(other['claims'], here, quoted=True)}",
                )
            )
        return out

    def _changes(self, span: dict[str, Any]) -> list[Attr]:
        status = self.diff.status(span["id"]) if self.diff else None
        if status is None:
            return []
        label = self.diff.label
        if status != "changed":
            return [Attr(status, f"since {label}", f"since {_h(label)}")]
        old, fields = self.diff.old[span["id"]], self.diff.layers[Layer(span["layer"])].changed[span["id"]]
        was = [f"{f}: {json.dumps(old.get(f), ensure_ascii=False)} → {json.dumps(span.get(f), ensure_ascii=False)}" for f in fields]
        return [
            Attr("changed", f"since {label}: " + "; ".join(was), f"since {_h(label)}<ul>{''.join(f'<li>{_h(w)}</li>' for w in was)}</ul>")
        ]

    def attributes(self, span: dict[str, Any], text: str) -> list[Attr]:
        """Every attribute of a span's layer, then what changed (with a diff)."""
        out = self._changes(span)
        for name in layer_fields(Layer(span["layer"])):
            value = span.get(name)
            if name == "cluster":
                out += self._cluster(span, span["doc_id"])
            elif name in ENTITY_FIELDS and isinstance(value, str) and value in self.release.entities:
                plain = f"{self.release.entities[value]['name']} ({value})"
                out.append(Attr(name, plain, _h(plain)))
            elif mention := _mention(value, text):  # speaker, cue or claimant
                s, e = mention
                plain = f"“{text[s:e]}” [{s}, {e})"
                out.append(Attr(name, plain, _h(plain)))
            elif isinstance(value, list) and value and all(isinstance(v, str) and v in self.release.by_id for v in value):
                out.append(Attr(name, _plain(value), self._links(value, span["doc_id"])))
            else:
                out.append(Attr(name, _plain(value), _h(_plain(value))))
        return out

    # --- pages ---------------------------------------------------------------

    def _classes(self, span: dict[str, Any], status: str | None) -> tuple[str, ...]:
        out = (f"diff-{status}",) if status else ()
        cid = span.get("cluster") if span["layer"] == Layer.CLAIM else None
        cluster = self.release.clusters.get(cid) if isinstance(cid, str) else None
        return out + (("conflict",) if cluster and cluster["conflicts_with"] else ())

    def _span(self, span: dict[str, Any], text: str, status: str | None) -> tuple[Mark, str]:
        """A span's mark in the text and its entry in the span list."""
        attrs = self.attributes(span, text)
        layer, sid, s, e = Layer(span["layer"]), span["id"], span["start"], span["end"]
        tip = "\n".join([f"{layer.value} {sid} [{s}, {e})"] + [f"{a.label}: {a.plain}" for a in attrs])
        classes = self._classes(span, status)
        mark = Mark(sid, layer, s, e, classes, {"data-tip": tip, "aria-describedby": f"d-{sid}"})
        dl = "".join(f"<dt>{_h(a.label)}</dt><dd>{a.html}</dd>" for a in attrs)
        entry = (
            f'<li id="d-{_h(sid)}" class="{" ".join((layer.value, *classes))}" tabindex="-1">'
            f'<p><a class="span-ref" href="#{_h(sid)}">{_h(sid)}</a> <span class="offsets">[{s}, {e})</span> '
            f"<q>{_h(span['text'])}</q></p><dl>{dl}</dl></li>"
        )
        return mark, entry

    @staticmethod
    def _mentions(spans: list[dict[str, Any]], text: str) -> list[Mark]:
        """The speaker, cue and claimant mentions in the text, each naming the spans it belongs to (``data-of``)."""
        of: dict[tuple[int, int], list[str]] = {}
        for span in spans:
            for mention in filter(None, (_mention(v, text) for v in span.values())):
                of.setdefault(mention, []).append(span["id"])
        return [Mark(f"m-{s}-{e}", None, s, e, attrs={"data-of": " ".join(ids)}) for (s, e), ids in sorted(of.items())]

    def _removed_here(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        return [r for r in self.diff.removed() if r.get("doc_id") == doc["doc_id"]] if self.diff else []

    def article(self, doc: dict[str, Any], neighbours: tuple[str | None, str | None]) -> str:
        doc_id, text = doc["doc_id"], doc["text"]
        spans = self.release.spans[doc_id]
        marks, entries = [], {layer: [] for layer in Layer}
        for span in spans:
            mark, entry = self._span(span, text, self.diff.status(span["id"]) if self.diff else None)
            marks.append(mark)
            entries[Layer(span["layer"])].append(entry)
        removed = []
        for row in self._removed_here(doc):  # drawn in the text where its old offsets still hold its text
            mark, entry = self._span(row, text, "removed")
            s, e = row.get("start"), row.get("end")
            if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text) and text[s:e] == row.get("text"):
                marks.append(mark)
            removed.append(entry)
        marks += self._mentions(spans, text)
        counts = {layer: len(entries[layer]) for layer in Layer}
        prov = doc["provenance"]
        nav = ['<a href="index.html">All articles</a>']
        nav += [
            f'<a href="{n}.html" rel="{rel}">{label} {n}</a>'
            for n, rel, label in zip(neighbours, ("prev", "next"), ("←", "→"), strict=True)
            if n
        ]
        toggles = "".join(
            f'<label class="toggle {layer.value}"><input type="checkbox" id="show-{layer.value}" value="{layer.value}" '
            f'data-layer-toggle checked> {TITLE[layer]} <span class="count">{counts[layer]}</span></label>'
            for layer in Layer
        )
        lists = "".join(
            f'<section id="list-{layer.value}" class="layer-list {layer.value}"><h3>{TITLE[layer]} ({counts[layer]})</h3>'
            f"<ol>{''.join(entries[layer])}</ol></section>"
            for layer in Layer
        )
        if self.diff:
            lists += (
                f'<section id="list-removed" class="layer-list removed"><h3>Removed since {_h(self.diff.label)} ({len(removed)})</h3>'
                f"<ol>{''.join(removed) or '<li>none</li>'}</ol></section>"
            )
        meta = [_h(prov.get("publisher") or "publisher unknown"), f"story date {_h(prov.get('story_date'))}", f"{len(text)} characters"]
        meta += [self._diff_line(doc)] if self.diff else []
        body = f"""<a class="skip" href="#spans">Skip to the span list</a>
<nav aria-label="Articles">{" · ".join(nav)}</nav>
<header><h1><span class="doc-id">{_h(doc_id)}</span> {_h(doc["title"])}</h1>
<p class="meta">{" · ".join(meta)} · <a href="index.html#{_h(doc_id)}">provenance</a></p></header>
<fieldset class="toggles"><legend>Show layers</legend>{toggles}</fieldset>
{self._key()}
<main><div class="text" id="text" lang="en">{render_marked(text, marks)}</div>
<section id="spans" aria-label="Spans and their attributes"><h2>Spans</h2>{lists}</section></main>"""
        return _page(f"{doc_id}: {doc['title']}", body)

    def _diff_line(self, doc: dict[str, Any]) -> str:
        if not self.diff:
            return ""
        status = [self.diff.status(s["id"]) for s in self.release.spans[doc["doc_id"]]]
        n = {k: status.count(k) for k in ("added", "changed")} | {"removed": len(self._removed_here(doc))}
        return f"since {_h(self.diff.label)}: {n['added']} added, {n['changed']} changed, {n['removed']} removed"

    def _key(self) -> str:
        items = [
            '<li><span class="swatch claim">claim</span> <span class="swatch quote">quote</span> '
            '<span class="swatch figure">figure</span>: nested spans are drawn inside each other</li>',
            '<li><span class="swatch claim conflict">wavy red underline</span>: the claim\'s cluster conflicts with another cluster</li>',
            "<li>Tab and Shift+Tab move from span to span; a span's attributes show on focus and on hover; "
            "Enter jumps to its entry in the span list; Escape hides the box</li>",
        ]
        if self.diff:
            items.append(
                f'<li><span class="swatch diff-added">+ added</span> <span class="swatch diff-changed">~ changed</span> '
                f'<span class="swatch diff-removed">− removed</span> since {_h(self.diff.label)}</li>'
            )
        return f'<details class="key"><summary>Key</summary><ul>{"".join(items)}</ul></details>'

    def index(self) -> str:
        r = self.release
        rows = []
        for doc in r.documents:
            spans = r.spans[doc["doc_id"]]
            counts = "".join(f"<td>{sum(1 for s in spans if s['layer'] == layer)}</td>" for layer in Layer)
            prov = "".join(
                f"<dt>{_h(k)}</dt><dd>{self._prov_value(k, v)}</dd>" for k, v in doc["provenance"].items() if v not in (None, [], "")
            )
            prov += f"<dt>source_file</dt><dd>{_h(doc.get('source_file'))}</dd>"
            diff = f"<td>{self._diff_line(doc)}</td>" if self.diff else ""
            rows.append(
                f'<tr id="{_h(doc["doc_id"])}"><th scope="row"><a href="{_h(doc["doc_id"])}.html">{_h(doc["doc_id"])}</a></th>'
                f'<td>{_h(doc["title"])}</td><td class="provenance"><dl>{prov}</dl></td>'
                f"{counts}<td>{len(doc.get('sentences') or [])}</td><td>{len(doc['text'])}</td>{diff}</tr>"
            )
        head = "".join(f'<th scope="col">{TITLE[layer].lower()}</th>' for layer in Layer)
        version = (
            f"release {_h(r.version)}, content sha256 <code>{_h(r.content_sha256)}</code>" if r.version else "release without manifest"
        )
        body = f"""<header><h1>nk-troops: the annotations</h1>
<p class="meta">{version} · {len(r.documents)} articles · {len(r.by_id)} spans · {len(r.clusters)} claim clusters</p></header>
<main>{self._diff_summary()}
<h2>Articles</h2>
<table class="articles"><thead><tr><th scope="col">article</th><th scope="col">title</th><th scope="col">provenance</th>{head}
<th scope="col">sentences</th><th scope="col">characters</th>{"<th scope='col'>changes</th>" if self.diff else ""}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{self._clusters()}</main>"""
        return _page("nk-troops: the annotations", body)

    @staticmethod
    def _prov_value(key: str, value: Any) -> str:
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return f'<a href="{_h(value)}" rel="noreferrer">{_h(value)}</a>'  # a link to the source, never fetched by the page
        return _h(_plain(value))

    def _diff_summary(self) -> str:
        if not self.diff:
            return ""
        rows = "".join(
            f"<tr><th scope='row'>{layer.value}</th><td>{len(d.added)}</td><td>{len(d.removed)}</td><td>{len(d.changed)}</td></tr>"
            for layer, d in self.diff.layers.items()
        )
        docs = {d["doc_id"] for d in self.release.documents}
        orphans = [s for s in self.diff.removed() if s.get("doc_id") not in docs]
        gone = ", ".join(f"<code>{_h(s['id'])}</code>" for s in orphans)
        gone = f"<p>Removed with their article: {gone}</p>" if orphans else ""
        return (
            f'<section id="changes"><h2>Changes since {_h(self.diff.label)}</h2><table class="diff">'
            f"<thead><tr><th scope='col'>layer</th><th scope='col'>added</th><th scope='col'>removed</th><th scope='col'>changed</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>{gone}</section>"
        )

    def _clusters(self) -> str:
        """Claims stated in more than one article, and clusters in conflict."""
        items = []
        for cid, c in sorted(self.release.clusters.items()):
            members = [m for m in c["claims"] if m in self.release.by_id]
            if len({self.release.by_id[m]["doc_id"] for m in members}) < 2 and not c["conflicts_with"]:
                continue
            conflicts = "".join(
                f'<li class="conflict">⚠ conflicts with <code>{_h(x.get("cluster"))}</code>: {_h(x.get("note"))}</li>'
                for x in c["conflicts_with"]
            )
            links = ", ".join(f'<a href="{_h(self.release.by_id[m]["doc_id"])}.html#{_h(m)}">{_h(m)}</a>' for m in members)
            items.append(f'<li id="cluster-{_h(cid)}"><code>{_h(cid)}</code>: {_h(c["statement"])} ({links})<ul>{conflicts}</ul></li>')
        return f'<h2>Claims across articles and conflicts</h2><ul class="clusters">{"".join(items)}</ul>'


def render_site(release: ViewRelease, diff: ViewDiff | None = None) -> dict[str, bytes]:
    """Every file of the site: name -> bytes."""
    site = Site(release, diff)
    ids = [d["doc_id"] for d in release.documents]
    files = {"index.html": site.index()}
    for i, doc in enumerate(release.documents):
        files[f"{doc['doc_id']}.html"] = site.article(doc, (ids[i - 1] if i else None, ids[i + 1] if i + 1 < len(ids) else None))
    out = {name: text.encode("utf-8") for name, text in files.items()}
    for name in ASSETS:
        out[name] = (resources.files(__package__) / name).read_bytes()
    return out

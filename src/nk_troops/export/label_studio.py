"""Label Studio, both ways: tasks with pre-annotations + the labelling config out; its JSON export back to anchored YAML.

Export: ``tasks.json`` (one task per document: ``data.text``, ``data.doc_id``
and the gold annotations as ``predictions``) and ``config.xml`` (the labelling
interface: one label per region kind, a per-region control per attribute,
relations from mentions to the span they belong to). Import: a Label Studio
JSON export (a task's ``annotations``, or its ``predictions`` when it has none)
becomes one ``<doc>.yaml`` per document in the authoring format of
annotations/FORMAT.md; each file is resolved again with ``build.anchors`` and
must land on the offsets Label Studio gave, so what is written is what was
corrected. Claim -> figure / quote membership is derived by containment (the
build recomputes it), so it is neither exported as relations nor imported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from ..files import decode, read_blob
from ..incidents import Incident, IncidentError
from ..model import LAYER_ID_CODE, SPAN_ID_PATTERN, FigureKind, Layer, NoClaimReason, Qualifier, QuoteType, span_to_row
from ..version import __version__
from .common import MENTIONS, OWN_FIELDS, SPAN_LABELS, DocView, Output, read_rows

SENTENCE_LABEL = "NoClaimSentence"  # a sentence that holds no claim, with its reason
LABELS = (*SPAN_LABELS.values(), *(label for label, _, _ in MENTIONS.values()), SENTENCE_LABEL)
LABEL_LAYER = {label: layer.value for layer, label in SPAN_LABELS.items()}
CHOICES = {
    "kind": [k.value for k in FigureKind],
    "qualifier": [q.value for q in Qualifier],
    "year_inferred": ["false", "true"],
    "quote_type": [q.value for q in QuoteType],
    "hedged": ["false", "true"],
    "no_claim_reason": [r.value for r in NoClaimReason],
}
FIELD_LABEL = {name: label for label, layer in LABEL_LAYER.items() for name in OWN_FIELDS[layer]} | {"no_claim_reason": SENTENCE_LABEL}
SPAN_ID = "span_id"  # the per-region text field holding a span's id (new regions: type one, as FORMAT.md says)
TEXT = "text"


def render_config() -> str:
    lines = ["<View>", f'  <Labels name="label" toName="{TEXT}">']
    lines += [f"    <Label value={quoteattr(label)}/>" for label in LABELS]
    lines += ["  </Labels>", f'  <Text name="{TEXT}" value="$text"/>', "  <Relations>"]
    lines += [f"    <Relation value={quoteattr(link)}/>" for _, link, _ in MENTIONS.values()]
    lines += ["  </Relations>"]
    # per-region controls, each shown for its label's regions; span_id for every region, since Label Studio
    # submits a per-region result only when the region has the one whenLabelValue label
    per_region = f'toName="{TEXT}" perRegion="true" visibleWhen="region-selected"'
    lines.append(f'  <TextArea name="{SPAN_ID}" {per_region} maxSubmissions="1" editable="true"/>')
    for name, label in FIELD_LABEL.items():
        common = f'name="{name}" {per_region} whenLabelValue="{label}"'
        if name in CHOICES:
            lines.append(f'  <Choices {common} choice="single">')
            lines += [f"    <Choice value={quoteattr(v)}/>" for v in CHOICES[name]]
            lines.append("  </Choices>")
        else:
            lines.append(f'  <TextArea {common} maxSubmissions="1" editable="true"/>')
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def _field_text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _results(view: DocView, sentences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def region(rid: str, label: str, start: int, end: int, fields: dict[str, Any]) -> None:
        where = {"start": start, "end": end}
        out.append(
            {
                "id": rid,
                "from_name": "label",
                "to_name": TEXT,
                "type": "labels",
                "value": {**where, "text": view.text[start:end], "labels": [label]},
            }
        )
        for name, value in fields.items():
            if value is None:
                continue  # an empty field is null
            if name in CHOICES:
                out.append(
                    {"id": rid, "from_name": name, "to_name": TEXT, "type": "choices", "value": {**where, "choices": [_field_text(value)]}}
                )
            else:
                out.append(
                    {"id": rid, "from_name": name, "to_name": TEXT, "type": "textarea", "value": {**where, "text": [_field_text(value)]}}
                )

    for r in view.regions:
        fields = {} if r.span is None else {SPAN_ID: r.id} | {k: r.span[k] for k in OWN_FIELDS[r.span["layer"]]}
        region(r.id, r.label, r.start, r.end, fields)
    for s in sentences:
        region(s["id"], SENTENCE_LABEL, s["start"], s["end"], {"no_claim_reason": s["no_claim_reason"]})
    for label, a, b in view.links:
        if label in {link for _, link, _ in MENTIONS.values()}:
            out.append({"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": [label]})
    return out


def render(views: list[DocView], rows: dict[str, list[dict[str, Any]]]) -> Output:
    tasks = []
    for n, view in enumerate(views, start=1):
        sentences = [s for s in rows["sentences"] if s["doc_id"] == view.doc_id and s["no_claim_reason"]]
        tasks.append(
            {
                "id": n,
                "data": {"text": view.text, "doc_id": view.doc_id},
                "predictions": [{"model_version": f"nk-troops {__version__}", "result": _results(view, sentences)}],
            }
        )
    files = {
        "tasks.json": (json.dumps(tasks, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
        "config.xml": render_config().encode("utf-8"),
    }
    return Output(files)


# --- import: a Label Studio JSON export -> anchored annotation YAML -------------------------------------------


REQUIRED = {"claim": ("claimant", "hedged", "cluster"), "quote": ("quote_type", "speaker"), "figure": ("kind", "normalized", "qualifier")}
NUMBERS, BOOLEANS = ("value", "value_max"), ("hedged", "year_inferred")
MENTION_KEYS = {link: (label, layer.value, key) for key, (label, link, layer) in MENTIONS.items()}
MENTION_LABELS = {label for label, _, _ in MENTIONS.values()}
YAML_MENTION = {"speaker_span": "speaker_mention", "cue_span": "cue", "claimant_span": "claimant_mention"}
_SENTENCE_WORDS = 5  # a `starts` anchor is at least this many words, for a reader's sake
_CLAIM_TAIL = ("claimant", "claimant_mention", "hedged", "cluster")
_QUOTED = ("text", "prefix", "normalized", "starts")  # anchors and canonical strings: always quoted
_PLAIN = re.compile(r"[a-z][a-z0-9]*([-_ ][a-z0-9]+)*")  # ids, labels, units: written unquoted, as the gold files do


class _Import:
    """One export file being turned into YAML; every problem becomes an incident, all reported at the end."""

    def __init__(self, path: Path):
        self.path = path
        self.incidents: list[Incident] = []

    def fail(self, code: str, where: str, doc_id: str | None = None, **kw: Any) -> None:
        self.incidents.append(Incident(code, file=str(self.path), doc_id=doc_id, detail=where, **kw))


def read_export(path: Path) -> list[Any]:
    """The tasks of a Label Studio JSON export (a list of tasks, or one task), read as ``files`` reads JSON."""
    data, problem = read_blob(path, str(path))
    try:
        value, code, detail = decode(data.decode("utf-8")) if data is not None else (None, problem.code, problem.detail)  # type: ignore[union-attr]
    except UnicodeDecodeError as err:
        value, code, detail = None, "file-encoding", str(err)
    if data is not None and data.startswith(b"\xef\xbb\xbf"):
        value, code, detail = None, "file-bom", "a UTF-8 byte-order mark before the JSON"
    if code is not None:
        found = f"{code}: {detail}" if detail else code
        raise IncidentError([Incident("ls-import-invalid", file=str(path), found=found, expected="a Label Studio JSON export")])
    return [value] if isinstance(value, dict) else value if isinstance(value, list) else [None]


def _task_result(imp: _Import, task: Any, where: str) -> tuple[str | None, list[Any] | None]:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        imp.fail("ls-import-invalid", where, found=type(task).__name__, expected="a task object with data")
        return None, None
    doc_id = task["data"].get("doc_id")
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    chosen = annotations or predictions
    if len(chosen) != 1 or not isinstance(chosen[0].get("result"), list):
        kind = "annotations" if annotations else "predictions"
        imp.fail(
            "ls-import-invalid",
            where,
            doc_id,
            found=f"{len(chosen)} {kind}",
            expected="exactly one annotation (or one prediction) per task",
        )
        return doc_id, None
    return doc_id, chosen[0]["result"]


def _regions(imp: _Import, doc_id: str, text: str, result: list[Any], where: str) -> tuple[dict, list]:
    """Region id -> {label, start, end, fields}, and the relations (label, from, to)."""
    regions: dict[str, dict[str, Any]] = {}
    fields: dict[str, dict[str, str]] = {}
    relations = []
    for j, item in enumerate(result):
        at = f"{where}.result[{j}]"
        kind = item.get("type") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if kind == "relation":
            labels = item.get("labels") or []
            ends = (item.get("from_id"), item.get("to_id"))
            if item.get("direction") == "left":  # drawn from the span to its mention
                ends = ends[::-1]
            relations.append((labels[0] if len(labels) == 1 else None, *ends, item.get("direction") == "bi", at))
            continue
        if not isinstance(value, dict) or not isinstance(value.get("start"), int) or not isinstance(value.get("end"), int):
            imp.fail(
                "ls-import-invalid",
                at,
                doc_id,
                found=item if isinstance(item, dict) else str(item),
                expected="a result with value.start/end",
            )
            continue
        rid, s, e = item.get("id"), value["start"], value["end"]
        if kind == "labels":
            labels = value.get("labels") or []
            if len(labels) != 1 or labels[0] not in LABELS:
                imp.fail("ls-import-invalid", at, doc_id, span_id=rid, found=labels, expected=f"one of {list(LABELS)}")
            elif not 0 <= s < e <= len(text) or value.get("text", text[s:e]) != text[s:e]:
                imp.fail(
                    "ls-region-mismatch",
                    at,
                    doc_id,
                    span_id=rid,
                    start=s,
                    end=e,
                    found=value.get("text"),
                    expected=text[s:e] if 0 <= s < e <= len(text) else None,
                )
            else:
                regions[rid] = {"label": labels[0], "start": s, "end": e, "at": at}
        elif kind in ("choices", "textarea"):
            got = value.get("choices" if kind == "choices" else "text") or []
            if len(got) == 1 and isinstance(got[0], str):
                fields.setdefault(rid, {})[item.get("from_name")] = got[0]
            elif got:
                imp.fail("ls-attribute-invalid", at, doc_id, span_id=rid, found=got, expected="one value")
    for rid, region in regions.items():
        region["fields"] = fields.get(rid, {})
    return regions, relations


def _convert(imp: _Import, name: str, raw: str, doc_id: str, span_id: str, at: str) -> Any:
    if name in NUMBERS:
        try:
            number = float(raw)
            return int(number) if number.is_integer() else number  # 1500, as a person writes it (the build reads a float)
        except ValueError:
            imp.fail("ls-attribute-invalid", at, doc_id, span_id=span_id, found=raw, expected=f"{name}: a number")
            return None
    if name in BOOLEANS:
        if raw not in ("true", "false"):
            imp.fail("ls-attribute-invalid", at, doc_id, span_id=span_id, found=raw, expected=f"{name}: true or false")
        return raw == "true"
    return raw


def anchor(text: str, start: int, end: int, lo: int, hi: int, floor: int) -> dict[str, Any] | None:
    """The anchor FORMAT.md wants for text[start:end], searched within text[lo:hi] as the resolver does: the
    text, plus a prefix (on a word, not before ``floor``, the passage start) or else an occurrence when the
    text recurs; None when no anchor selects it."""
    needle = text[start:end]
    hits = [lo + m.start() for m in re.finditer(re.escape(needle), text[lo:hi])]
    if start not in hits:
        return None  # overlapping repeats: no anchor the resolver accepts selects it
    if len(hits) == 1:
        return {"text": needle}
    for k in range(1, start - floor + 1):
        prefix = text[start - k : start]
        on_word = not prefix[0].isspace() and (start - k == floor or text[start - k - 1].isspace())
        if on_word and [h for h in hits if text[:h].endswith(prefix)] == [start]:
            return {"text": needle, "prefix": prefix}
    return {"text": needle, "occurrence": hits.index(start) + 1}


def _sentence_start(text: str, bounds: list[tuple[int, int, int]], n: int) -> str:
    """The shortest word prefix (at least a few words) of sentence n that begins no other sentence."""
    s, e = bounds[n][1], bounds[n][2]
    ends = [m.end() for m in re.finditer(r"\S+", text[s:e])]
    for w, stop in enumerate(ends, start=1):
        starts = text[s : s + stop]
        if w >= min(_SENTENCE_WORDS, len(ends)) and sum(1 for _, b, _ in bounds if text.startswith(starts, b)) == 1:
            return starts
    return text[s:e]


def _document_entries(imp: _Import, doc: Any, regions: dict, relations: list) -> dict[str, list[dict[str, Any]]] | None:
    """The YAML entries of one document (figures, quotes, claims, sentences), or None after reporting why not."""
    from ..build.sentences import split_document

    text, doc_id, before = doc.text, doc.doc_id, len(imp.incidents)
    passage = {i: (p.start, p.end) for p in doc.passages for i in range(p.start, p.end)}
    spans: dict[str, dict[str, Any]] = {}  # region id -> entry
    for rid, r in regions.items():
        layer = LABEL_LAYER.get(r["label"])
        if layer is None:
            continue
        span_id = r["fields"].get(SPAN_ID) or (rid if isinstance(rid, str) and re.match(SPAN_ID_PATTERN, rid) else None)
        if span_id is None or not re.match(SPAN_ID_PATTERN, span_id) or not span_id.startswith(f"{doc_id}-{LAYER_ID_CODE[Layer(layer)]}-"):
            imp.fail(
                "ls-span-id",
                r["at"],
                doc_id,
                span_id=span_id,
                start=r["start"],
                end=r["end"],
                found=span_id,
                expected=f"{doc_id}-{LAYER_ID_CODE[Layer(layer)]}-NN in {SPAN_ID}",
            )
            continue
        if span_id in {e["id"] for e in spans.values()}:
            imp.fail(
                "ls-span-id", r["at"], doc_id, span_id=span_id, start=r["start"], end=r["end"], found=span_id, expected="an id used once"
            )
            continue
        floor = passage.get(r["start"], (0, 0))[0]
        entry: dict[str, Any] = {
            "id": span_id,
            **(anchor(text, r["start"], r["end"], 0, len(text), floor) or {"text": text[r["start"] : r["end"]]}),
        }
        for name in OWN_FIELDS[layer]:
            raw = r["fields"].get(name)
            if raw is None and name in REQUIRED[layer]:
                imp.fail("ls-attribute-missing", r["at"], doc_id, span_id=span_id, found=None, expected=name)
            entry[name] = None if raw is None else _convert(imp, name, raw, doc_id, span_id, r["at"])
        if layer == "figure":
            entry["year_inferred"] = bool(entry["year_inferred"])
        for key, (_, _, span_layer) in MENTIONS.items():
            if span_layer.value == layer:
                entry[YAML_MENTION[key]] = None
        if layer == "claim":  # the order the gold files use
            entry = {k: entry[k] for k in (*[k for k in entry if k not in _CLAIM_TAIL], *_CLAIM_TAIL)}
        spans[rid] = entry | {"_layer": layer, "_region": r}
    used: set[str] = set()
    for label, a, b, both_ways, at in relations:
        if both_ways and a in spans:
            a, b = b, a
        target = spans.get(b)
        if label not in MENTION_KEYS or a not in regions or target is None:
            imp.fail("ls-relation-invalid", at, doc_id, found=[label, a, b], expected=f"{'/'.join(MENTION_KEYS)} from a mention to a span")
            continue
        mention_label, layer, key = MENTION_KEYS[label]
        m = regions[a]
        if m["label"] != mention_label or target["_layer"] != layer or target[YAML_MENTION[key]] is not None:
            imp.fail(
                "ls-relation-invalid",
                at,
                doc_id,
                span_id=target["id"],
                found=[label, m["label"], target["_layer"]],
                expected=f"one {mention_label} -> {layer}",
            )
            continue
        used.add(a)
        lo, hi = passage.get(target["_region"]["start"], (0, len(text)))
        found = anchor(text, m["start"], m["end"], lo, hi, lo)
        if found is None or not lo <= m["start"] < m["end"] <= hi:
            imp.fail(
                "ls-anchor-unresolvable",
                at,
                doc_id,
                span_id=target["id"],
                start=m["start"],
                end=m["end"],
                found=text[m["start"] : m["end"]],
                expected="a mention inside the passage of its span",
            )
            continue
        target[YAML_MENTION[key]] = found
    for rid, r in regions.items():  # a mention no relation attaches would be lost
        if r["label"] in MENTION_LABELS and rid not in used:
            imp.fail(
                "ls-relation-invalid", r["at"], doc_id, start=r["start"], end=r["end"], found=r["label"], expected="a relation to its span"
            )
    bounds = split_document(doc)
    sentences = []
    for r in (r for r in regions.values() if r["label"] == SENTENCE_LABEL):
        hits = [n for n, (_, s, e) in enumerate(bounds) if (s, e) == (r["start"], r["end"])]
        reason = r["fields"].get("no_claim_reason")
        if not hits or reason is None:
            imp.fail(
                "ls-sentence-unknown",
                r["at"],
                doc_id,
                start=r["start"],
                end=r["end"],
                found=reason,
                expected="a whole sentence with a no_claim_reason",
            )
            continue
        sentences.append((r["start"], {"starts": _sentence_start(text, bounds, hits[0]), "reason": reason}))
    if len(imp.incidents) > before:
        return None
    out: dict[str, list[dict[str, Any]]] = {}
    for key, layer in (("figures", "figure"), ("quotes", "quote"), ("claims", "claim")):
        chosen = sorted((e for e in spans.values() if e["_layer"] == layer), key=lambda e: e["id"])  # id order, as written by hand
        out[key] = [{k: v for k, v in e.items() if not k.startswith("_")} for e in chosen]
    out["sentences"] = [entry for _, entry in sorted(sentences, key=lambda x: x[0])]
    return out


def _check_resolves(imp: _Import, doc: Any, entries: dict[str, list[dict[str, Any]]], regions: dict, name: str) -> Any:
    """Resolve the written entries as the build will and require the very offsets Label Studio gave; the result."""
    from ..build.anchors import RawEntries, resolve

    raw = RawEntries(doc.doc_id)
    for key, items in entries.items():
        raw.entries[key] = [(Path(name), i, item) for i, item in enumerate(items)]
    try:
        ann = resolve(doc, raw)
    except IncidentError as err:
        imp.incidents.extend(err.incidents)
        return None
    want = {(r["start"], r["end"]) for r in regions.values() if r["label"] in LABEL_LAYER}
    got = {(s.start, s.end) for s in (*ann.figures, *ann.quotes, *ann.claims)}
    for s, e in sorted(want ^ got):
        imp.fail(
            "ls-anchor-unresolvable",
            name,
            doc.doc_id,
            start=s,
            end=e,
            found=doc.text[s:e],
            expected="the anchor to resolve to these offsets",
        )
    return ann


def changes(rows: dict[str, list[dict[str, Any]]], ann: Any) -> dict[str, list[str]]:
    """Against the release rows of the document: span ids added, removed and changed (offsets or any
    attribute), and sentence ids whose no-claim reason changed."""
    before = {s["id"]: s for s in rows["spans"]}
    after = {s.id: span_to_row(s) for s in (*ann.figures, *ann.quotes, *ann.claims)}
    reasons = {s["id"]: s["no_claim_reason"] for s in rows["sentences"]}
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(i for i in before.keys() & after.keys() if before[i] != after[i]),
        "reason changed": [s.id for s in ann.sentences if (s.no_claim_reason and s.no_claim_reason.value) != reasons.get(s.id)],
    }


def _scalar(value: Any, key: str = "") -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    plain = key not in _QUOTED and _PLAIN.fullmatch(value) and value not in ("null", "true", "false", "yes", "no", "on", "off", "y", "n")
    return value if plain else json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def render_yaml(data: dict[str, Any]) -> str:
    """An annotation file laid out as the hand-written ones are: block lists of spans, each anchor and each
    sentence or exclusion entry a one-line flow mapping, free text double-quoted."""
    lines = []
    for key, value in data.items():
        if not isinstance(value, list):
            lines.append(f"{key}: {_scalar(value)}")
        elif not value:
            lines.append(f"{key}: []")
        else:
            lines.append(f"{key}:")
            for item in value:
                if key in ("sentences", "not_figures", "not_quotes"):
                    lines.append("  - {" + ", ".join(f"{k}: {_scalar(v, k)}" for k, v in item.items()) + "}")
                    continue
                for n, (k, v) in enumerate(item.items()):
                    shown = "{" + ", ".join(f"{a}: {_scalar(b, a)}" for a, b in v.items()) + "}" if isinstance(v, dict) else _scalar(v, k)
                    lines.append(f"{'  - ' if n == 0 else '    '}{k}: {shown}")
    return "\n".join(lines) + "\n"


def import_tasks(
    path: Path, release: Path | None = None, exclusions: Path | None = None
) -> tuple[dict[str, bytes], dict[str, dict[str, list[str]]]]:
    """``<doc>.yaml`` per task of a Label Studio export (name -> bytes), and per document the span ids it
    adds, removes and changes against the release; raises ``IncidentError`` with every problem.

    ``exclusions``: an annotation folder (e.g. annotations/gold) whose ``not_figures`` / ``not_quotes`` are
    carried over: the release does not hold them, so Label Studio never saw them.
    """
    import yaml

    from ..build.documents import read_yaml
    from ..model import Document, from_dict

    imp = _Import(path)
    rows = read_rows(release, ("documents", "spans", "sentences"))
    docs = {d["doc_id"]: from_dict(Document, d) for d in rows["documents"]}
    files: dict[str, bytes] = {}
    changed: dict[str, dict[str, list[str]]] = {}
    for i, task in enumerate(read_export(path)):
        where = f"task[{i}]"
        try:  # a value of a shape no export holds (labels: 5, a list for an id) is this task's problem, not a traceback
            doc_id, result = _task_result(imp, task, where)
            if result is None:
                continue
            doc = docs.get(doc_id)
            if doc is None:
                imp.fail("ls-document-unknown", where, doc_id, found=doc_id, expected=sorted(docs))
                continue
            if task["data"].get("text") != doc.text:
                imp.fail("ls-text-changed", where, doc_id, expected="data.text equal to the release document text")
                continue
            name = f"{doc_id}.yaml"
            if name in files:
                imp.fail("ls-import-invalid", where, doc_id, found=doc_id, expected="one task per document")
                continue
            regions, relations = _regions(imp, doc_id, doc.text, result, where)
            entries = _document_entries(imp, doc, regions, relations)
            if entries is None:
                continue
            ann = _check_resolves(imp, doc, entries, regions, name)
            if ann is not None:
                changed[doc_id] = changes({c: [r for r in rows[c] if r["doc_id"] == doc_id] for c in ("spans", "sentences")}, ann)
            kept = exclusions / name if exclusions is not None else None
            if kept is not None and kept.is_file():
                old = read_yaml(kept)
                old = old if isinstance(old, dict) else {}
                entries |= {key: old.get(key) or [] for key in ("not_figures", "not_quotes")}
            header = f"# {doc_id}: imported from the Label Studio export {path.name} (nk-troops import label-studio). Format: FORMAT.md.\n"
            order = ("figures", "quotes", "not_figures", "not_quotes", "claims", "sentences")  # as the gold files are laid out
            data = {"doc_id": doc_id, **{key: entries[key] for key in order if key in entries}}
            body = render_yaml(data)
            if yaml.safe_load(body) != data:  # render_yaml is ours: should it ever not read back as given, PyYAML lays it out
                body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)
            files[name] = (header + body).encode("utf-8")
        except (TypeError, AttributeError, KeyError, ValueError) as err:
            imp.fail("ls-import-invalid", where, found=f"{type(err).__name__}: {err}", expected="a task as nk-troops export writes it")
    if imp.incidents:
        raise IncidentError(imp.incidents)
    return files, changed

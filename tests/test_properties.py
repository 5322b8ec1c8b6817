"""Property tests of the validator (issue 3).

Generated releases (documents with passages, non-overlapping trimmed spans per layer,
consistent claim members, entities and clusters) validate clean; each single mutation
of one record yields its code at that record; no bytes make the validator raise.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nk_troops import model
from nk_troops.build.anchors import DocumentAnnotations
from nk_troops.cli import main
from nk_troops.incidents import Incident
from nk_troops.model import AUTHOR, UNSPECIFIED, EntityType, FigureKind, NoClaimReason, PassageType, Qualifier, QuoteType
from nk_troops.paths import data_file
from nk_troops.release.assemble import Release
from nk_troops.text import CONTEXT, PASSAGE_SEPARATOR
from nk_troops.validate import check_pair

# fixed seed and a small budget: the file runs in seconds and CI sees the same examples
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True)
FIXTURE = Path(__file__).parent / "fixtures" / "valid"
CONFIGS = ("documents", "spans", "sentences", "entities", "clusters")
LISTS = ("claims", "quotes", "figures")  # the span lists of a document row

WORDS = ("troops", "Korea", "moved", "north", "army", "said", "Russia", "units", "border", "officials", "he")
# a figure's surface text -> the value the validator must read from it
NUMERALS = {"12,000": 12000.0, "six": 6.0, "1.2 million": 1_200_000.0, "300": 300.0, "fourth": 4.0, "twenty-five": 25.0}
ENTITY = model.Entity("speaker-a", "Speaker A", EntityType.PERSON, WORDS)
CLUSTERS = ("cluster-a", "cluster-b", "cluster-c")
PROVENANCE = model.Provenance(None, None, None, None, (), None, None, "2024-10-21", None, "generated", None, "generated")
WORD, NUMERAL = st.sampled_from(WORDS), st.sampled_from(sorted(NUMERALS))

Token = tuple[int, int, str]  # (start, end, surface) in document offsets


def _ranges(draw: Any, tokens: list[Token], least: int = 0) -> list[tuple[int, int]]:
    """Character ranges of disjoint runs of whole tokens: spans never start or end on whitespace."""
    cuts = sorted(draw(st.lists(st.integers(0, len(tokens)), unique=True, min_size=least, max_size=6)))
    return [(tokens[a][0], tokens[b - 1][1]) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]


def _mention(draw: Any, tokens: list[Token]) -> model.Offsets | None:
    words = [model.Offsets(s, e) for s, e, surface in tokens if surface in WORDS]  # every word is an alias of ENTITY
    return draw(st.none() | st.sampled_from(words)) if words else None


def _numbered(doc_id: str, code: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s | {"id": f"{doc_id}-{code}-{k:02d}"} for k, s in enumerate(sorted(spans, key=lambda s: s["start"]), start=1)]


def _passages(draw: Any) -> tuple[str, list[model.Passage], list[list[Token]]]:
    """Text, passages and tokens of a document: a title, a paragraph with a number, up to two more passages."""
    extra = draw(
        st.lists(st.sampled_from([PassageType.PARAGRAPH, PassageType.LIST_ITEM, PassageType.CAPTION, PassageType.HEADING]), max_size=2)
    )
    text, passages, tokens = "", [], []
    for i, kind in enumerate([PassageType.TITLE, PassageType.PARAGRAPH, *extra]):
        if kind in (PassageType.TITLE, PassageType.HEADING):
            surfaces = draw(st.lists(WORD, min_size=1, max_size=5))
        else:
            surfaces = draw(st.lists(WORD | NUMERAL, min_size=2, max_size=10))
            if i == 1:  # every document has a figure
                surfaces.insert(draw(st.integers(0, len(surfaces))), draw(NUMERAL))
        text += PASSAGE_SEPARATOR if i else ""
        start, toks = len(text), []
        for j, surface in enumerate(surfaces):
            text += " " if j else ""
            toks.append((len(text), len(text) + len(surface), surface))
            text += surface
        passages.append(model.Passage(i, kind, start, len(text), start, len(text), ()))
        tokens.append(toks)
    return text, passages, tokens


@st.composite
def documents(draw: Any, n: int) -> tuple[model.Document, DocumentAnnotations]:
    doc_id = f"nk{n:03d}"
    text, passages, tokens = _passages(draw)

    def base(start: int, end: int) -> dict[str, Any]:
        context = {"prefix": text[max(0, start - CONTEXT) : start], "suffix": text[end : end + CONTEXT]}
        return {"doc_id": doc_id, "fold": n, "start": start, "end": end, "text": text[start:end], **context}

    figures, quotes, claims = [], [], []
    for passage, toks in zip(passages, tokens, strict=True):
        if passage.type is PassageType.HEADING:  # headings carry no spans
            continue
        for s, e, surface in toks:  # every number is a figure
            if surface in NUMERALS:
                value, qualifier = NUMERALS[surface], draw(st.sampled_from(Qualifier))
                attributes = {"kind": FigureKind.COUNT, "value": value, "value_max": None, "normalized": str(int(value))}
                figures.append(base(s, e) | attributes | {"qualifier": qualifier, "unit": "troops", "year_inferred": False})
        for s, e in _ranges(draw, toks):
            speaker = {"speaker": ENTITY.id, "speaker_span": _mention(draw, toks), "cue_span": _mention(draw, toks)}
            quotes.append(base(s, e) | {"quote_type": draw(st.sampled_from(QuoteType)), **speaker})
        for s, e in _ranges(draw, toks, least=4 if passage.index == 1 else 0):  # two claims in the first paragraph
            claimant = draw(st.sampled_from([AUTHOR, UNSPECIFIED, ENTITY.id]))
            mention = _mention(draw, toks) if claimant == ENTITY.id else None
            attributes = {"claimant": claimant, "claimant_span": mention, "hedged": draw(st.booleans())}
            claims.append(base(s, e) | attributes | {"cluster": draw(st.sampled_from(CLUSTERS))})
    figs = [model.Figure(**f) for f in _numbered(doc_id, "fig", figures)]
    quos = [model.Quote(**q) for q in _numbered(doc_id, "quo", quotes)]

    def inside(spans: list[Any], c: dict[str, Any]) -> tuple[str, ...]:
        return tuple(x.id for x in spans if c["start"] <= x.start and x.end <= c["end"])

    clms = [model.Claim(**c, figures=inside(figs, c), quotes=inside(quos, c)) for c in _numbered(doc_id, "clm", claims)]
    sentences = []  # one sentence per passage
    for p in passages:
        held = inside(clms, {"start": p.start, "end": p.end})
        reason = None if held else NoClaimReason.HEADING if p.type is PassageType.HEADING else NoClaimReason.VAGUE
        sentences.append(
            model.Sentence(f"{doc_id}-s{p.index + 1:02d}", doc_id, n, p.index, p.start, p.end, text[p.start : p.end], held, reason)
        )
    doc = model.Document(doc_id, n, text[: passages[0].end], text, tuple(passages), f"{doc_id}.txt", "0" * 64, PROVENANCE)
    return doc, DocumentAnnotations(figures=figs, quotes=quos, claims=clms, sentences=sentences)


@st.composite
def releases(draw: Any) -> dict[str, list[dict[str, Any]]]:
    """Rows per config, written by the release's own row code."""
    docs = [draw(documents(n)) for n in range(draw(st.integers(1, 2)))]
    members: dict[str, list[str]] = {}
    for _, ann in docs:
        for claim in ann.claims:
            members.setdefault(claim.cluster, []).append(claim.id)
    used = sorted(members)
    conflicts = {used[0]: (model.Conflict(used[1], "a different number"),)} if len(used) > 1 else {}
    clusters = [model.Cluster(c, f"statement of {c}", tuple(members[c]), conflicts.get(c, ())) for c in used]
    release = Release([d for d, _ in docs], {d.doc_id: ann for d, ann in docs}, [ENTITY], clusters, [], [])
    return release.rows()


def _jsonl(rows: list[Any]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode("ascii")  # escapes carry lone surrogates and NaN


def _validate(rows: dict[str, list[dict[str, Any]]]) -> list[Incident]:
    """The rows checked as they are, in memory (as files they read the same: tests/test_validate.py)."""
    views = {config: rows[config] for config in ("entities", "clusters")}
    return check_pair(rows["documents"], rows["spans"], rows["sentences"], **views).incidents


@SETTINGS
@given(releases())
def test_generated_releases_validate_clean(rows: dict[str, list[dict[str, Any]]]) -> None:
    assert [i.message() for i in _validate(rows)] == []


# --- single mutations: each changes one record (in spans.jsonl and in its document row alike) ---

Draw = Callable[[st.SearchStrategy], Any]


def _copies(rows: dict[str, list[dict[str, Any]]], span_id: str) -> list[dict[str, Any]]:
    """The flat row of a span and the same record nested in its document row."""
    nested = [r for doc in rows["documents"] for key in LISTS for r in doc[key] if r["id"] == span_id]
    return [r for r in rows["spans"] if r["id"] == span_id] + nested


def _set(rows: dict[str, list[dict[str, Any]]], span_id: str, **values: Any) -> None:
    for record in _copies(rows, span_id):
        record.update(values)


def _text(rows: dict[str, list[dict[str, Any]]], doc_id: str) -> str:
    return next(d["text"] for d in rows["documents"] if d["doc_id"] == doc_id)


def shift_an_offset(rows: dict, draw: Draw) -> tuple[str, str]:
    span = draw(st.sampled_from(rows["spans"]))
    start, end, n = span["start"], span["end"], len(_text(rows, span["doc_id"]))
    moves = [("start", start + d) for d in (-1, 1) if 0 <= start + d < end] + [("end", end + d) for d in (-1, 1) if start < end + d <= n]
    name, value = draw(st.sampled_from(moves))
    _set(rows, span["id"], **{name: value})
    return "offset-text-mismatch", span["id"]


def overlap_two_spans(rows: dict, draw: Draw) -> tuple[str, str]:
    """The later of two spans of one layer starts on the last character of the earlier one."""
    pairs = [
        (a, b)
        for a in rows["spans"]
        for b in rows["spans"]
        if (a["doc_id"], a["layer"]) == (b["doc_id"], b["layer"]) and a["end"] <= b["start"]
    ]
    earlier, later = draw(st.sampled_from(pairs))
    text, start, end = _text(rows, later["doc_id"]), earlier["end"] - 1, later["end"]
    _set(rows, later["id"], start=start, text=text[start:end], prefix=text[max(0, start - CONTEXT) : start])
    return "layer-overlap", later["id"]


def _claim(rows: dict, draw: Draw) -> dict[str, Any]:
    return draw(st.sampled_from([r for r in rows["spans"] if r["layer"] == "claim"]))


def dangle_a_document(rows: dict, draw: Draw) -> tuple[str, str]:
    span = draw(st.sampled_from(rows["spans"]))
    _set(rows, span["id"], doc_id="nk009")
    return "document-unknown", span["id"]


def dangle_an_entity(rows: dict, draw: Draw) -> tuple[str, str]:
    span = draw(st.sampled_from([r for r in rows["spans"] if r["layer"] != "figure"]))
    _set(rows, span["id"], **{"claimant" if span["layer"] == "claim" else "speaker": "nobody-known"})
    return "entity-unknown", span["id"]


def dangle_a_cluster(rows: dict, draw: Draw) -> tuple[str, str]:
    claim = _claim(rows, draw)
    _set(rows, claim["id"], cluster="no-such-cluster")
    return "cluster-unknown", claim["id"]


def dangle_a_member(rows: dict, draw: Draw) -> tuple[str, str]:
    claim, key = _claim(rows, draw), draw(st.sampled_from(["figures", "quotes"]))
    _set(rows, claim["id"], **{key: [*claim[key], f"{claim['doc_id']}-{key[:3]}-99"]})
    return "span-unknown", claim["id"]


ENUMS = {"claim": ("layer",), "quote": ("layer", "quote_type"), "figure": ("layer", "kind", "qualifier")}


def break_an_enum(rows: dict, draw: Draw) -> tuple[str, str]:
    span = draw(st.sampled_from(rows["spans"]))
    _set(rows, span["id"], **{draw(st.sampled_from(ENUMS[span["layer"]])): "bogus"})
    return "schema-enum", span["id"]


def a_string_in_an_int(rows: dict, draw: Draw) -> tuple[str, str]:
    span, name = draw(st.sampled_from(rows["spans"])), draw(st.sampled_from(["start", "end", "fold"]))
    _set(rows, span["id"], **{name: str(span[name])})
    return "schema-type", span["id"]


def nan_in_a_value(rows: dict, draw: Draw) -> tuple[str, str]:
    figure = draw(st.sampled_from([r for r in rows["spans"] if r["layer"] == "figure"]))
    _set(rows, figure["id"], **{draw(st.sampled_from(["value", "value_max"])): math.nan})
    return "schema-not-finite", figure["id"]


def swap_nested_lists(rows: dict, draw: Draw) -> tuple[str, str]:
    """Two document rows trade a list of nested records: each now sits under the wrong document."""
    docs = rows["documents"]
    keys = [k for k in (*LISTS, "sentences") if len(docs) > 1 and docs[0][k] and docs[1][k]]
    if not keys:  # one document: a nested record of it names a document that is not it
        docs[0]["sentences"][0]["doc_id"] = "nk009"
        return "nested-wrong-document", docs[0]["sentences"][0]["id"]
    key = draw(st.sampled_from(keys))
    docs[0][key], docs[1][key] = docs[1][key], docs[0][key]
    return "nested-wrong-document", docs[0][key][0]["id"]


MUTATIONS = [
    swap_nested_lists,
    shift_an_offset,
    overlap_two_spans,
    dangle_a_document,
    dangle_an_entity,
    dangle_a_cluster,
    dangle_a_member,
    break_an_enum,
    a_string_in_an_int,
    nan_in_a_value,
]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda m: m.__name__)
@SETTINGS
@given(rows=releases(), data=st.data())
def test_a_single_mutation_yields_its_code_at_the_record(mutate: Callable, rows: dict, data: st.DataObject) -> None:
    code, span_id = mutate(rows, data.draw)
    incidents = _validate(rows)
    assert span_id in {i.span_id for i in incidents if i.code == code}, [i.message() for i in incidents]


# --- bad bytes: incidents or exit status 2, never a traceback ---

# what hand-edited or machine-written rows get wrong: integral floats, numbers as strings, lone surrogates, ...
ODD = st.sampled_from([None, True, 0, -1, 0.0, 84.0, 2**64, 1e300, math.nan, math.inf, "", "0", "\ud800", [], {}, [None], {"start": 1.0}])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURE / data_file(name)).read_text(encoding="utf-8").splitlines()]


def _replaced(name: str, row: int, path: tuple[str | int, ...], value: Any) -> bytes:
    """The valid file with one value replaced: the @example cases below, each of which made the validator raise."""
    rows = _rows(name)
    parent = rows[row]
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return _jsonl(rows)


@st.composite
def corrupted(draw: Any, name: str) -> bytes:
    """The valid file with a few bytes replaced, inserted or deleted."""
    out = bytearray((FIXTURE / data_file(name)).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out)))
        out[at : at + draw(st.integers(0, 3))] = draw(st.binary(max_size=3))
    return bytes(out)


@st.composite
def values_replaced(draw: Any, name: str) -> bytes:
    """The valid file, still well-formed JSON, with a few values anywhere in each row replaced."""
    rows = _rows(name)
    for row in rows:
        for _ in range(draw(st.integers(1, 3))):
            parent, key = row, draw(st.sampled_from(sorted(row)))
            for _ in range(draw(st.integers(0, 3))):  # how deep into nested records and lists
                child = parent[key]
                if not isinstance(child, dict | list) or not child:
                    break
                parent, key = child, draw(st.sampled_from(sorted(child)) if isinstance(child, dict) else st.integers(0, len(child) - 1))
            parent[key] = copy.deepcopy(draw(ODD | JSON))  # ODD hands out one object each time; a row must not hold itself
    return _jsonl(rows)


def _bytes(name: str) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=300) | corrupted(name) | values_replaced(name)


def _never_raises(name: str, written: bytes) -> None:
    """Bytes as one file of the valid release: the CLI reports incidents (or exit status 2), never a traceback."""
    # like a terminal, the streams take UTF-8 only: an incident quoting a lone surrogate must not crash the report
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in range(2))
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        folder = Path(tmp) / "release"
        shutil.copytree(FIXTURE, folder)  # (unsealed: no manifest, card or Croissant, which the release rules report)
        (folder / data_file(name)).write_bytes(written)
        status = main(["validate", str(folder), "--format", "json"])
        out.flush()
    report = json.loads(out.buffer.getvalue())
    assert status in (0, 1) and (status == 0) == (report["total"] == 0)


@SETTINGS
@given(_bytes("spans"))
@example(_replaced("spans", 1, ("start",), 0.0))
@example(_replaced("spans", 1, ("claimant_span", "start"), 267.0))
@example(_replaced("spans", 0, ("text",), "\ud800"))
@example(_replaced("spans", 2, ("start",), "BIG").replace(b'"BIG"', b"1" + b"0" * 4300))  # more digits than int() takes
@example(_replaced("spans", 3, ("figures",), "DEEP").replace(b'"DEEP"', b"[" * 1000 + b"]" * 1000))  # nested 1,000 deep
def test_arbitrary_bytes_as_spans_never_raise(written: bytes) -> None:
    _never_raises("spans", written)


@SETTINGS
@given(_bytes("documents"))
@example(_replaced("documents", 0, ("passages", 1, "end"), 304.0))
@example(_replaced("documents", 0, ("passages", 1, "start"), 84.0))
@example(_replaced("documents", 0, ("passages", 1, "start"), math.inf))  # Infinity as a passage offset
@example(_replaced("documents", 0, ("source_file",), "../../../../etc/passwd"))
def test_arbitrary_bytes_as_documents_never_raise(written: bytes) -> None:
    _never_raises("documents", written)

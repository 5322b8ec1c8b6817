"""Raw article + recipe -> normalised ``Document`` (ANNOTATION_SPEC.md section 0).

A recipe lists regions of raw lines, each a passage or dropped chrome. Every edit
made inside a passage (a re-joined line break, a trimmed trailing space, a no-break
space made a space) is recorded with its raw offsets, so each passage can be rebuilt
from the raw file by ``replay``.
"""

from __future__ import annotations

import hashlib
import re
import typing
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ..incidents import Incident, IncidentError
from ..model import (
    DOC_ID_PATTERN,
    Document,
    Edit,
    EditKind,
    Passage,
    PassageType,
    Provenance,
    from_dict,
    record_fields,
    replay,
    unwrap_optional,
)
from ..text import PASSAGE_SEPARATOR

TRAILING = " \t\u00a0"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster, same results
PROVENANCE_FIELDS = [name for name, *_ in record_fields(Provenance)]


class _Recipe:
    """Collects incidents for one recipe file, tagged with the entry they concern."""

    def __init__(self, path: Path):
        self.path = path
        self.incidents: list[Incident] = []

    def fail(self, code: str, entry: str, detail: str, found: Any = None, expected: Any = None) -> None:
        self.incidents.append(
            Incident(
                code,
                file=str(self.path),
                detail=f"{entry}: {detail}",
                found=found,
                expected=expected,
            )
        )


def read_yaml(path: Path) -> Any:
    """YAML from a file; unreadable or malformed files become incidents."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError) as exc:
        raise IncidentError([Incident("file-missing", file=str(path), detail=str(exc))]) from None
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml's own limit
            raise IncidentError([Incident("file-too-deep", file=str(path), detail=str(exc).splitlines()[0])]) from None
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise IncidentError(
            [Incident("annotation-invalid", file=str(path), line=None if line is None else line + 1, detail=str(exc).splitlines()[0])]
        ) from None
    except RecursionError:  # the YAML reader recurses once per nesting level
        raise IncidentError([Incident("file-too-deep", file=str(path))]) from None
    except ValueError as exc:  # an integer beyond Python's 4,300-digit conversion limit
        raise IncidentError([Incident("annotation-invalid", file=str(path), detail=str(exc))]) from None


def mistyped(cls: type, data: dict[str, Any]) -> dict[str, str]:
    """The fields of a text-only record (provenance, entity) whose hand-written value is of the wrong kind, each
    with what it must be. Nothing is coerced: ``aliases: Kim`` is not ``("K", "i", "m")``, ``5`` is not ``"5"``."""
    out = {}
    for name, tp, _ in record_fields(cls):
        inner, optional = unwrap_optional(tp)
        value = data[name]
        if typing.get_origin(inner) is tuple:
            ok, kind = isinstance(value, list) and all(isinstance(v, str) for v in value), "a list of text"
        else:
            ok, kind = isinstance(value, str), "text"
        if not ok and not (optional and value is None):
            out[name] = f"{kind} or null" if optional else kind
    return out


DECLARATION = "documents.yaml"
DATASET_NAME = "nk-troops"
_DOC_ID = re.compile(DOC_ID_PATTERN)


def declared_documents(ann_dir: Path) -> list[str]:
    """The document ids ``annotations/documents.yaml`` declares, in fold order.

    The file marks a folder as an nk-troops project: without it nothing is built.
    """
    path = ann_dir / DECLARATION
    if not path.is_file():
        raise IncidentError(
            [
                Incident(
                    "project-not-found", file=str(path), found="no such file" if not path.exists() else "not a file", expected=DECLARATION
                )
            ]
        )
    data = read_yaml(path)
    if not isinstance(data, dict) or data.get("dataset") != DATASET_NAME:
        found = data.get("dataset") if isinstance(data, dict) else type(data).__name__
        raise IncidentError([Incident("project-not-found", file=str(path), found=str(found), expected=f"dataset: {DATASET_NAME}")])
    ids = data.get("documents")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and _DOC_ID.match(i) for i in ids) or len(set(ids)) < len(ids):
        raise IncidentError(
            [Incident("documents-invalid", file=str(path), found=str(ids), expected="a non-empty list of distinct ids nkNNN")]
        )
    return ids


def project_root(root: Path) -> Path:
    """The resolved project root; ``IncidentError`` (unusable) when it is no nk-troops project."""
    if not root.is_dir():
        raise IncidentError([Incident("argument-invalid", file=str(root), found="no such folder", expected="the project root (--root)")])
    root = root.resolve()
    declared_documents(root / "annotations")  # raises project-not-found
    return root


def check_declared(declared: list[str], folder: Path, present: set[str], missing_code: str) -> list[Incident]:
    """Incidents for declared documents absent from ``present`` and for present ones not declared."""
    incidents = [Incident(missing_code, file=str(folder), doc_id=d) for d in declared if d not in present]
    incidents += [Incident("document-undeclared", file=str(folder), doc_id=d, expected=declared) for d in sorted(present - set(declared))]
    return incidents


def _line_spans(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each raw line's content, end before the line break."""
    spans, pos = [], 0
    lines = raw.split("\n")
    if raw.endswith("\n"):  # a final line break ends the last line; it does not open another
        lines.pop()
    for line in lines:
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _check_coverage(r: _Recipe, regions: list[dict], lines: list[tuple[int, int]], raw: str) -> None:
    covered: set[int] = set()
    last = 0
    for i, region in enumerate(regions):
        first, final = region["lines"]
        if not (1 <= first <= final <= len(lines)):
            r.fail("recipe-line-range", f"regions[{i}]", "line range outside the raw file", [first, final], f"within 1..{len(lines)}")
            continue
        if first <= last:
            r.fail("recipe-overlap", f"regions[{i}]", "region starts at or before the end of the previous one", first, f"> {last}")
        covered.update(range(first, final + 1))
        last = max(last, final)
    for n, (s, e) in enumerate(lines, start=1):
        if raw[s:e].strip(TRAILING) and n not in covered:
            r.fail("recipe-uncovered", f"line {n}", "non-blank line in no region", raw[s:e][:40], "a passage or drop region")


def _parse_head(r: _Recipe, entry: str, head: dict, content: str, prov: dict) -> int:
    """Split the page metadata off the front of a line; return its length."""
    sep, fields = head["separator"], head["fields"]
    parts = content.split(sep, len(fields))
    if len(parts) != len(fields) + 1:
        r.fail("recipe-edit", entry, "head has fewer fields than declared", len(parts) - 1, len(fields))
        return 0
    for name, value in zip(fields, parts[:-1], strict=True):
        if name == "keywords":
            prov["keywords"] = [*prov.get("keywords", []), value]
        elif name in PROVENANCE_FIELDS and prov.get(name) in (None, value):
            prov[name] = value
        else:
            r.fail("recipe-edit", entry, f"head field {name!r} is not a free provenance field", name, "keywords or a null provenance field")
    return len(content) - len(parts[-1])


def _passage(
    r: _Recipe, i: int, region: dict, raw: str, lines: list[tuple[int, int]], prov: dict
) -> tuple[PassageType, int, int, list[Edit]] | None:
    entry = f"regions[{i}]"
    try:
        ptype = PassageType(region["passage"])
    except ValueError:
        r.fail("recipe-passage-type", entry, "unknown passage type", region["passage"], [t.value for t in PassageType])
        return None
    first, final = region["lines"]
    start, end = lines[first - 1][0], lines[final - 1][1]
    edits: list[Edit] = []

    marker = region.get("marker")
    if marker is not None:
        if not raw.startswith(marker, start):
            r.fail("recipe-edit", entry, "line does not start with the marker", raw[start : start + len(marker)], marker)
        else:
            start += len(marker)
    if "head" in region:
        start += _parse_head(r, entry, region["head"], raw[start : lines[first - 1][1]], prov)

    joins = {j["after_line"]: j["with"] for j in region.get("joins", [])}
    breaks = set(range(first, final))
    for after_line in joins:
        if after_line not in breaks:
            r.fail("recipe-join", entry, "join is not on a line break inside the region", after_line, sorted(breaks))
    for n in sorted(breaks - set(joins)):
        r.fail("recipe-join", entry, "line break without a join", n, "a join entry")
    for n in range(first, final + 1):
        s, e = lines[n - 1]
        s = max(s, start)
        kept = raw[s:e].rstrip(TRAILING)
        if len(kept) < e - s:
            edits.append(Edit(EditKind.TRIM, s + len(kept), e, ""))
        if n in joins:
            edits.append(Edit(EditKind.JOIN, e, e + 1, joins[n]))
    for d in region.get("replacements", []):
        target = f"{d.get('after', '')}{d['text']}"
        at = raw.find(target, start, end)
        if not d["text"] or at < 0 or raw.find(target, at + 1, end) >= 0:
            r.fail("recipe-edit", entry, "replacement must match exactly once in the region", target, "one occurrence")
            continue
        rs = at + len(d.get("after", ""))
        edits.append(Edit(EditKind.REPLACE, rs, rs + len(d["text"]), d["with"]))
    return ptype, start, end, edits


def build_document(recipe_path: Path, raw_dir: Path, fold: int) -> Document:
    """One document from its recipe; raises ``IncidentError`` listing every problem."""
    r = _Recipe(recipe_path)
    recipe = read_yaml(recipe_path)
    required = {"doc_id", "source_file", "source_sha256", "provenance", "regions"}
    if not isinstance(recipe, dict) or not required <= recipe.keys():
        r.fail(
            "recipe-invalid",
            "top level",
            "missing keys",
            sorted(map(str, recipe)) if isinstance(recipe, dict) else type(recipe).__name__,
            sorted(required),
        )
        raise IncidentError(r.incidents)
    source = recipe["source_file"]
    if not isinstance(source, str) or Path(source).name != source or source in (".", ".."):
        r.fail("recipe-invalid", "source_file", "must be a file name inside dataset/raw", source, "a name like 000_....txt")
    if not isinstance(recipe["regions"], list) or not isinstance(recipe["provenance"], dict):
        r.fail("recipe-invalid", "top level", "regions must be a list and provenance a mapping")
    if r.incidents:
        raise IncidentError(r.incidents)
    raw_path = raw_dir / source
    try:
        raw_bytes = raw_path.read_bytes()
    except OSError:
        raise IncidentError([Incident("file-missing", file=str(raw_path), detail=f"named by {recipe_path}")]) from None
    sha = hashlib.sha256(raw_bytes).hexdigest()
    if sha != recipe["source_sha256"]:
        r.fail("recipe-raw-mismatch", "source_sha256", "raw file changed", sha, recipe["source_sha256"])
    try:
        raw = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw_bytes.count(b"\n", 0, exc.start) + 1
        bad_byte = Incident(
            "file-encoding", file=str(raw_path), line=line, detail=f"byte {exc.start}: {exc.reason}; named by {recipe_path}"
        )
        raise IncidentError([*r.incidents, bad_byte]) from None
    lines = _line_spans(raw)

    regions = recipe["regions"]
    sound = len(r.incidents)
    _check_provenance(r, recipe["provenance"])
    for i, region in enumerate(regions):
        for problem in _region_problems(region):
            r.fail("recipe-invalid", f"regions[{i}]", problem, region)
    if len(r.incidents) > sound:  # a region or provenance of the wrong shape: nothing below could read it
        raise IncidentError(r.incidents)
    _check_coverage(r, regions, lines, raw)
    if r.incidents:
        raise IncidentError(r.incidents)

    prov = dict(recipe["provenance"])
    passages: list[Passage] = []
    pos = 0
    for i, region in enumerate(regions):
        if "passage" not in region:
            continue
        built = _passage(r, i, region, raw, lines, prov)
        if built is None:
            continue
        ptype, raw_start, raw_end, edits = built
        edits = sorted(edits, key=lambda e: e.raw_start)
        draft = Passage(len(passages), ptype, 0, 0, raw_start, raw_end, tuple(edits))
        body = replay(raw, draft)
        if not body or body != body.strip() or "\u00a0" in body:
            r.fail(
                "recipe-passage-text",
                f"regions[{i}]",
                "passage empty, padded with whitespace or holding a no-break space",
                body[:40],
                "clean text",
            )
        if passages:
            pos += len(PASSAGE_SEPARATOR)
        passages.append(replace(draft, start=pos, end=pos + len(body)))
        pos += len(body)
    if not passages or passages[0].type is not PassageType.TITLE:
        r.fail("recipe-invalid", "regions", "the first passage must be the title")
    if r.incidents:
        raise IncidentError(r.incidents)

    text = PASSAGE_SEPARATOR.join(replay(raw, p) for p in passages)
    return Document(
        doc_id=recipe["doc_id"],
        fold=fold,
        title=text[passages[0].start : passages[0].end],
        text=text,
        passages=tuple(passages),
        source_file=recipe["source_file"],
        source_sha256=sha,
        provenance=from_dict(Provenance, prov),
    )


def _check_provenance(r: _Recipe, prov: dict) -> None:
    """Exactly the provenance fields of model.py, each text, null where allowed, keywords a list of text."""
    missing, unknown = sorted(set(PROVENANCE_FIELDS) - prov.keys()), sorted(map(str, prov.keys() - set(PROVENANCE_FIELDS)))
    if missing or unknown:
        detail = "; ".join(f"{what} keys {keys}" for what, keys in (("missing", missing), ("unknown", unknown)) if keys)
        r.fail("recipe-invalid", "provenance", detail, sorted(map(str, prov)), PROVENANCE_FIELDS)
    elif wrong := mistyped(Provenance, prov):
        r.fail("recipe-invalid", "provenance", "wrong type", {k: prov[k] for k in wrong}, wrong)


_REGION_KEYS = {"lines", "passage", "drop", "marker", "head", "joins", "replacements"}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _entries(value: Any, kinds: dict[str, Any], optional: frozenset[str] = frozenset()) -> bool:
    """A list of mappings holding every key of ``kinds`` but the optional ones, and no other, each value of its kind."""
    return isinstance(value, list) and all(
        isinstance(d, dict) and kinds.keys() - optional <= d.keys() <= kinds.keys() and all(kinds[k](v) for k, v in d.items())
        for d in value
    )


def _region_problems(region: Any) -> list[str]:
    """What is wrong with the shape of one region; empty when it can be built. Nothing is coerced."""
    if not isinstance(region, dict):
        return ["a region is a mapping with lines: [first, last] and one of passage or drop"]
    lines, head = region.get("lines"), region.get("head")
    checks = {
        "lines must be [first, last]": isinstance(lines, list) and len(lines) == 2 and all(_whole(n) for n in lines),
        "a region has exactly one of passage or drop": ("passage" in region) != ("drop" in region),
        "drop must be the reason as text, such as navigation": "drop" not in region
        or (_text(region["drop"]) and region["drop"].strip() != ""),
        f"unknown keys {sorted(map(str, region.keys() - _REGION_KEYS))}": region.keys() <= _REGION_KEYS,
        "marker must be text": _text(region.get("marker", "")),
        "head must be {separator: text, fields: [names]}": "head" not in region
        or (
            _entries([head], {"separator": _text, "fields": lambda f: isinstance(f, list) and all(map(_text, f))})
            and head["separator"] != ""
        ),
        "joins must be a list of {after_line: a line number, with: text}": _entries(
            region.get("joins", []), {"after_line": _whole, "with": _text}
        ),
        "replacements must be a list of {text, with, after (optional)}, each text": _entries(
            region.get("replacements", []), {"text": _text, "with": _text, "after": _text}, frozenset({"after"})
        ),
    }
    return [problem for problem, ok in checks.items() if not ok]


def build_documents(recipe_dir: Path, raw_dir: Path) -> list[Document]:
    """The documents declared in ``documents.yaml`` beside ``recipe_dir``, in declared order; folds number them 0..n-1."""
    declared = declared_documents(recipe_dir.parent)
    present = {p.stem for p in recipe_dir.glob("*.yaml") if p.is_file()} if recipe_dir.is_dir() else set()
    incidents = check_declared(declared, recipe_dir, present, "document-recipe-missing")
    docs: list[Document] = []
    for fold, doc_id in enumerate(declared):
        if doc_id not in present:
            continue
        try:
            doc = build_document(recipe_dir / f"{doc_id}.yaml", raw_dir, fold)
        except IncidentError as err:
            incidents.extend(err.incidents)
            continue
        if doc.doc_id != doc_id:
            incidents.append(Incident("recipe-invalid", file=str(recipe_dir / f"{doc_id}.yaml"), found=str(doc.doc_id), expected=doc_id))
        docs.append(doc)
    if incidents:
        raise IncidentError(incidents)
    return docs

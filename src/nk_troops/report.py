"""One renderer for what ``validate`` and ``evaluate`` report: text, json, github, sarif.

- ``text``: the incidents one per line, each code's hint once (``incidents.render_text``),
  or the evaluation tables.
- ``json``: one document of the shape ``schema/report.schema.json`` fixes (``REPORT_VERSION``):
  tool version, the release's version and content hash, every incident with the same keys
  (null where absent), its message and hint, the counts per code, and the evaluation results.
- ``github``: one workflow command ``::error file=…,line=…,title=CODE::message`` per incident,
  so a GitHub Actions run annotates the offending line, then the hints as plain log lines.
- ``sarif``: SARIF 2.1.0, one result per incident with ``ruleId`` = its code; the rules are
  the catalogue, each with its hint as help.

Only the standard library is imported here: the renderer costs a command nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from .incidents import CATALOGUE, Incident, _printable, capped, hint_lines, render_text
from .paths import release_info
from .version import __version__

FORMATS = ("text", "json", "github", "sarif")
REPORT_VERSION = 1  # bump when a key of report.schema.json changes meaning or goes; new keys bump it too
REPORT_SCHEMA = "report.schema.json"
FIELDS = tuple(f.name for f in fields(Incident))  # every key of an incident in the JSON report, then message and hint
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def render(
    incidents: Sequence[Incident],
    fmt: str,
    *,
    max_per_code: int | None = None,
    results: Any = None,
    release: Path | None = None,
) -> str:
    """The report in ``fmt``; ``results`` is an evaluation report, ``release`` the release folder the
    command read (default: the installed release). Empty text / github output means nothing to say."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    kept = capped(incidents, max_per_code)
    if fmt == "text":
        return "\n".join(x for x in (_results_text(results), render_text(list(incidents), max_per_code)) if x)
    if fmt == "github":
        lines = [_annotation(i) for i in kept]
        return _printable("\n".join(x for x in (_results_text(results), *lines, *hint_lines(incidents, max_per_code)) if x))
    if fmt == "json":
        doc = {
            "report_version": REPORT_VERSION,
            "tool": {"name": "nk-troops", "version": __version__},
            "release": release_info(release),
            "ok": not incidents,
            "total": len(incidents),
            "counts": dict(sorted(Counter(i.code for i in incidents).items())),
            "incidents": [i.to_json() for i in kept],
            "results": _results_dict(results),
        }
        return _printable(json.dumps(doc, ensure_ascii=False, indent=1))
    return _printable(json.dumps(_sarif(kept, results, release), ensure_ascii=False, indent=1))


# --- evaluation results --------------------------------------------------------------


def _results_dict(results: Any) -> dict[str, Any] | None:
    """An ``nk_troops.evaluate.Report`` as its ``to_dict()``."""
    if results is None:
        return None
    return results.to_dict()


def _results_text(results: Any) -> str:
    if results is None:
        return ""
    from .evaluate import render_text as render_results

    return render_results(results)


# --- github workflow commands --------------------------------------------------------


def _escape(value: str, *, prop: bool) -> str:
    """Workflow-command escaping: % and line breaks always, and , : inside a property."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def _annotation(inc: Incident) -> str:
    props = [f"file={_escape(inc.file, prop=True)}"] if inc.file else []
    if inc.file and inc.line is not None:
        props.append(f"line={inc.line}")
    props.append(f"title={_escape(inc.code, prop=True)}")
    return f"::error {','.join(props)}::{_escape(inc.message() + ' Hint: ' + CATALOGUE[inc.code].hint, prop=False)}"


# --- SARIF 2.1.0 -----------------------------------------------------------------------


def _uri(file: str) -> str:
    path = PurePath(file)
    return Path(path).as_uri() if path.is_absolute() else quote(path.as_posix())


def _sarif(incidents: list[Incident], results: Any, release: Path | None) -> dict[str, Any]:
    index = {code: i for i, code in enumerate(CATALOGUE)}
    rules = [
        {"id": code, "shortDescription": {"text": entry.summary}, "help": {"text": entry.hint}, "defaultConfiguration": {"level": "error"}}
        for code, entry in CATALOGUE.items()
    ]
    out = []
    for inc in incidents:
        result: dict[str, Any] = {
            "ruleId": inc.code,
            "ruleIndex": index[inc.code],
            "level": "error",
            "message": {"text": inc.message()},
        }
        if inc.file:
            location: dict[str, Any] = {"artifactLocation": {"uri": _uri(inc.file)}}
            if inc.line is not None:
                location["region"] = {"startLine": inc.line}
            result["locations"] = [{"physicalLocation": location}]
        properties = {k: v for k, v in inc.to_json().items() if k not in ("code", "file", "line", "message", "hint") and v is not None}
        if properties:
            result["properties"] = properties
        out.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "nk-troops", "version": __version__, "rules": rules}},
        "results": out,
        "properties": {"release": release_info(release), "evaluation": _results_dict(results)},
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}

"""Malformed hand-written input gets incidents, never a traceback or a silent coercion.

Each case alters one file of the small source checkout (tests/fixtures/source) and runs the
commands that read the project: `build`, `stats`, and `check-anchors` where the file is one it
reads. Each must exit 1 naming the code, the file and the entry (or line), and write nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from build_project import snapshot

from nk_troops.cli import main

SOURCE = Path(__file__).parent / "fixtures" / "source"
RECIPE, RAW, GOLD, ENTITIES, CLUSTERS = (
    "annotations/recipes/nk000.yaml",
    "dataset/raw/000_fixture.txt",
    "annotations/gold/nk000.yaml",
    "annotations/entities.yaml",
    "annotations/clusters.yaml",
)
CLU_00 = "- {id: more-troops-followed, statement: Another 300 troops followed by train., conflicts_with: []}\n"  # the first cluster
FIG_00 = 'kind: count, value: 300, normalized: "300", qualifier: exact, unit: troops}'  # the first figure's attributes

# id -> (file, the text replaced, its replacement, the (file, where, code) of every incident)
CASES: dict[str, tuple[str, str, str, list[tuple[str, str, str]]]] = {
    "provenance-without-origin": (RECIPE, "  origin: null\n", "", [(RECIPE, "provenance", "recipe-invalid")]),
    "provenance-key-misspelt": (RECIPE, "  origin: null\n", "  orign: null\n", [(RECIPE, "provenance", "recipe-invalid")]),
    "keywords-text": (RECIPE, "keywords: []", "keywords: troops", [(RECIPE, "provenance", "recipe-invalid")]),  # not [t, r, o, ...]
    "publisher-number": (RECIPE, "publisher: Fixture News", "publisher: 5", [(RECIPE, "provenance", "recipe-invalid")]),
    "join-not-mapping": (RECIPE, 'joins: [{after_line: 5, with: " "}]', "joins: [x]", [(RECIPE, "regions[2]", "recipe-invalid")]),
    "join-line-a-list": (RECIPE, "after_line: 5", "after_line: [5]", [(RECIPE, "regions[2]", "recipe-invalid")]),
    "marker-number": (RECIPE, 'marker: "• "', "marker: 5", [(RECIPE, "regions[3]", "recipe-invalid")]),
    "marker-misspelt": (RECIPE, 'marker: "• "', 'markr: "• "', [(RECIPE, "regions[3]", "recipe-invalid")]),  # not silently kept
    "replacement-after-number": (RECIPE, 'after: "The general"', "after: 5", [(RECIPE, "regions[3]", "recipe-invalid")]),
    "head-a-list": (RECIPE, "passage: title}", "passage: title, head: [a]}", [(RECIPE, "regions[1]", "recipe-invalid")]),
    "drop-number": (RECIPE, "drop: credit", "drop: 5", [(RECIPE, "regions[4]", "recipe-invalid")]),  # a reason is text
    "drop-empty": (RECIPE, "drop: credit", 'drop: ""', [(RECIPE, "regions[4]", "recipe-invalid")]),
    "raw-not-utf8": (RAW, "•", "\udcff", [(RAW, "8", "file-encoding"), (RECIPE, "source_sha256", "recipe-raw-mismatch")]),
    "prefix-number": (GOLD, 'prefix: "said "', "prefix: 5", [(GOLD, "figures[0]", "annotation-invalid")]),
    "prefix-list": (GOLD, 'prefix: "said "', 'prefix: ["said "]', [(GOLD, "figures[0]", "annotation-invalid")]),
    "mention-prefix-number": (
        GOLD,
        'speaker_mention: {text: "The general"}',
        'speaker_mention: {text: "The general", prefix: 5}',
        [(GOLD, "quotes[0].speaker_mention", "annotation-invalid")],
    ),
    "occurrence-boolean": (GOLD, 'prefix: "said "', "occurrence: true", [(GOLD, "figures[0]", "annotation-invalid")]),  # not 1
    "normalized-null": (GOLD, FIG_00, FIG_00.replace('"300"', "null"), [(GOLD, "figures[0]", "annotation-invalid")]),  # not "None"
    "normalized-number": (GOLD, FIG_00, FIG_00.replace('"300"', "300"), [(GOLD, "figures[0]", "annotation-invalid")]),
    "starts-number": (GOLD, 'starts: "Troops Move North"', "starts: 5", [(GOLD, "sentences[0]", "annotation-invalid")]),  # not unfound
    "starts-empty": (GOLD, 'starts: "Troops Move North"', 'starts: ""', [(GOLD, "sentences[0]", "annotation-invalid")]),
    "sentence-key-unknown": (
        GOLD,
        "reason: headline-fragment}",
        "reason: headline-fragment, note: x}",
        [(GOLD, "sentences[0]", "annotation-invalid")],
    ),
    "exclusion-key-misspelt": (
        GOLD,
        "doc_id: nk000\n",
        'doc_id: nk000\nnot_quotes: [{text: "“", reason: scare-quote-unattributed, occurence: 1}]\n',
        [(GOLD, "not_quotes[0]", "annotation-invalid")],
    ),  # not silently ignored
    "layer-mapping": (GOLD, "doc_id: nk000\n", "doc_id: nk000\nnot_figures: {}\n", [(GOLD, "not_figures", "annotation-invalid")]),
    "layer-null": (GOLD, "doc_id: nk000\n", "doc_id: nk000\nnot_quotes: null\n", [(GOLD, "not_quotes", "annotation-invalid")]),
    "hedged-text": (GOLD, "hedged: false\n", 'hedged: "false"\n', [(GOLD, "claims[0]", "annotation-invalid")]),  # not True
    "year-inferred-text": (GOLD, FIG_00, FIG_00[:-1] + ', year_inferred: "false"}', [(GOLD, "figures[0]", "annotation-invalid")]),
    "year-inferred-null": (GOLD, FIG_00, FIG_00[:-1] + ", year_inferred: null}", [(GOLD, "figures[0]", "annotation-invalid")]),
    "aliases-text": (
        ENTITIES,
        'aliases: ["Officials"]',
        "aliases: Officials",
        [(ENTITIES, "[0]", "annotation-invalid")],
    ),  # not O, f, f, ...
    "entity-id-number": (ENTITIES, "{id: officials,", "{id: 5,", [(ENTITIES, "[0]", "annotation-invalid")]),
    "entity-type-unknown": (ENTITIES, "type: group", "type: crowd", [(ENTITIES, "[0]", "annotation-invalid")]),
    "statement-number": (
        CLUSTERS,
        "statement: Another 300 troops followed by train.",
        "statement: 5",
        [(CLUSTERS, "[0]", "annotation-invalid")],
    ),
    "clusters-mapping": (CLUSTERS, CLU_00, "{}\n# ", [(CLUSTERS, "top level", "annotation-invalid")]),  # the other entry commented out
    "cluster-id-number": (CLUSTERS, "id: more-troops-followed", "id: 5", [(CLUSTERS, "[0]", "annotation-invalid")]),  # not "5"
    "conflicts-mapping": (CLUSTERS, "conflicts_with: []", "conflicts_with: {}", [(CLUSTERS, "[0]", "annotation-invalid")]),  # not none
    "conflict-not-mapping": (CLUSTERS, "conflicts_with: []", "conflicts_with: [x]", [(CLUSTERS, "[0]", "annotation-invalid")]),
    "conflict-cluster-number": (
        CLUSTERS,
        "conflicts_with: []",
        "conflicts_with: [{cluster: 5, note: same quantity}]",
        [(CLUSTERS, "[0]", "annotation-invalid")],
    ),
    "conflict-key-unknown": (
        CLUSTERS,
        "conflicts_with: []",
        "conflicts_with: [{cluster: troops-moved-north, note: same quantity, notes: x}]",
        [(CLUSTERS, "[0]", "annotation-invalid")],
    ),  # not silently dropped
}
COMMANDS = [
    (case, cmd)
    for case, (file, *_) in CASES.items()
    for cmd in ("build", "stats", "check-anchors")
    if cmd != "check-anchors" or file not in (ENTITIES, CLUSTERS)
]
INCIDENT = re.compile(r"^(?P<file>[^ :]+)(?::(?P<line>\d+))?[^:]*: (?P<code>[a-z0-9-]+): [^(]*(?:\((?P<where>[\w.\[\] ]+): )?")


def _incidents(err: str, root: Path) -> list[tuple[str, str, str]]:
    """(file, where, code) of every incident line of a text report: where is the line, else the entry the detail names."""
    found = []
    for line in err.splitlines():
        if line.startswith(("hint ", "nk-troops build: failed while assembling")):  # a code's hint; build's closing line
            continue
        m = INCIDENT.match(line)
        assert m, line
        found.append((Path(m["file"]).relative_to(root).as_posix(), m["line"] or m["where"], m["code"]))
    return sorted(found)


@pytest.mark.parametrize(("case", "command"), COMMANDS, ids=[f"{case}-{cmd}" for case, cmd in COMMANDS])
def test_malformed_input_is_an_incident_not_a_traceback(tmp_path, capsys, case, command):
    file, old, new, expected = CASES[case]
    root = tmp_path / "source"
    shutil.copytree(SOURCE, root)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogateescape"))  # \udcff: the lone byte 0xff
    before = snapshot(root)
    args = ["check-anchors", str(root / GOLD)] if command == "check-anchors" else [command]
    assert main(["--root", str(root), *args]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert _incidents(err, root) == sorted(expected)
    assert snapshot(root) == before


def test_incidents_hold_json_values_whatever_the_input_held():
    """A YAML date, a tuple, a set or a path in found / expected is reported as JSON, never as a Python repr."""
    import datetime
    import json
    from pathlib import Path

    from nk_troops.incidents import Incident

    expected = {"keys": ("id", "text"), 1: {"b", "a"}, "at": Path("x")}
    inc = Incident("annotation-invalid", found=datetime.date(2024, 10, 8), expected=expected)
    assert inc.found == "2024-10-08" and inc.expected == {"keys": ["id", "text"], "1": ["a", "b"], "at": "x"}
    assert json.loads(json.dumps(inc.to_json()))["expected"] == inc.expected

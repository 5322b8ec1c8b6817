"""What every export shares: the release as documents with their spans, mentions and links.

A *region* is a text-bound annotation: a claim, quote or figure span, or a
mention (the speaker or claimant mention, the cue) that a span points to. A
mention shared by several spans (one speaker mention attributing two quotes)
is one region with several links. Formats that have text-bound annotations and
relations (brat, BigBio, Label Studio) are all written from this one view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..incidents import Incident, IncidentError
from ..model import Layer
from ..paths import CONFIGS, read_release, release_dir

SPAN_LABELS = {Layer.CLAIM: "Claim", Layer.QUOTE: "Quote", Layer.FIGURE: "Figure"}
# mention field of a span -> (region label, link label, layer of the span it belongs to)
MENTIONS = {
    "speaker_span": ("Speaker", "SpeakerOf", Layer.QUOTE),
    "cue_span": ("Cue", "CueOf", Layer.QUOTE),
    "claimant_span": ("Claimant", "ClaimantOf", Layer.CLAIM),
}
# claim list field -> link label (claim -> member); derived by containment, exported for convenience
MEMBERS = {"figures": "HasFigure", "quotes": "HasQuote"}
LINK_ARGS = {
    **{link: (label, layer) for label, link, layer in MENTIONS.values()},
    "HasFigure": ("Claim", Layer.FIGURE),
    "HasQuote": ("Claim", Layer.QUOTE),
}
# each layer's own categorical and value fields (offsets, text and mention spans aside)
OWN_FIELDS = {
    "claim": ("claimant", "hedged", "cluster"),
    "quote": ("quote_type", "speaker"),
    "figure": ("kind", "value", "value_max", "normalized", "qualifier", "unit", "year_inferred"),
}


@dataclass
class Output:
    """What a format renders: file name -> bytes, and what it could not express (reported, never dropped)."""

    files: dict[str, bytes]
    incidents: list[Incident] = field(default_factory=list)


@dataclass(frozen=True)
class Region:
    id: str  # a span id, or <doc>-<label>-NN for a mention
    label: str
    start: int
    end: int
    text: str
    span: dict[str, Any] | None = None  # the span row, None for a mention


@dataclass
class DocView:
    doc: dict[str, Any]
    regions: list[Region] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (label, from region id, to region id)

    @property
    def doc_id(self) -> str:
        return self.doc["doc_id"]

    @property
    def text(self) -> str:
        return self.doc["text"]

    def spans(self, layer: Layer | None = None) -> list[dict[str, Any]]:
        return [r.span for r in self.regions if r.span is not None and (layer is None or r.span["layer"] == layer)]


def doc_views(rows: dict[str, list[dict[str, Any]]]) -> list[DocView]:
    """One view per document, regions in offset order (spans before mentions at equal offsets)."""
    views = {d["doc_id"]: DocView(d) for d in rows["documents"]}
    for doc_id, view in views.items():
        spans = sorted((s for s in rows["spans"] if s["doc_id"] == doc_id), key=lambda s: (s["start"], -s["end"], s["id"]))
        regions = [Region(s["id"], SPAN_LABELS[Layer(s["layer"])], s["start"], s["end"], s["text"], s) for s in spans]
        mentions: dict[tuple[str, int, int], str] = {}
        for s in spans:
            for key, (label, link, _layer) in MENTIONS.items():
                m = s.get(key)
                if m is None:
                    continue
                where = (label, m["start"], m["end"])
                if where not in mentions:
                    mentions[where] = f"{doc_id}-{label.lower()}-{sum(1 for w in mentions if w[0] == label) + 1:02d}"
                    regions.append(Region(mentions[where], label, m["start"], m["end"], view.text[m["start"] : m["end"]]))
                view.links.append((link, mentions[where], s["id"]))
            for key, link in MEMBERS.items():
                view.links.extend((link, s["id"], member) for member in s.get(key) or ())
        view.regions = sorted(regions, key=lambda r: (r.start, -r.end, r.span is None, r.id))
    return list(views.values())


def read_rows(release: Path | None, configs: tuple[str, ...] = CONFIGS) -> dict[str, list[dict[str, Any]]]:
    """``paths.read_release``, for a folder that should be a valid release: one that is not is an incident."""
    folder = release_dir() if release is None else release
    try:
        return read_release(folder, configs)
    except (OSError, ValueError) as err:
        found = f"{type(err).__name__}: {err}"
        raise IncidentError([Incident("export-release-invalid", file=str(folder), found=found, expected="a valid release")]) from None


def load_views(release: Path | None = None) -> tuple[list[DocView], dict[str, list[dict[str, Any]]]]:
    rows = read_rows(release)
    try:
        return doc_views(rows), rows
    except (KeyError, TypeError, ValueError) as err:  # a row without a field the release always has
        found = f"{type(err).__name__}: {err}"
        raise IncidentError([Incident("export-release-invalid", file=str(release), found=found, expected="a valid release")]) from None

"""The error catalogue: every problem the build or the validator reports.

An incident has a stable kebab-case ``code`` from ``CATALOGUE``, a location and
what was found against what was expected. Tests assert codes and locations, never
message text, so templates may be reworded freely; codes may not.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    summary: str  # one line, what went wrong
    hint: str  # how to fix it, shown once per code


CATALOGUE: dict[str, Entry] = {
    # reading files
    "file-missing": Entry("the file does not exist", "Check the path; a release folder holds documents.jsonl and spans.jsonl."),
    "file-empty": Entry("the file is empty", "A JSONL file needs one JSON object per line."),
    "file-encoding": Entry("the file is not valid UTF-8", "Re-save the file as UTF-8."),
    "file-bom": Entry("the file starts with a byte-order mark", "Save as UTF-8 without BOM."),
    "json-malformed": Entry("the line is not valid JSON", "Each line must be one complete JSON object."),
    "json-truncated": Entry("the last line is cut off", "The file ends inside a JSON value; rewrite it completely."),
    "json-not-object": Entry("the line is not a JSON object", "Each line must be a JSON object ({...})."),
    "json-duplicate-key": Entry(
        "a JSON object names the same key twice", "Keep one value per key; datasets.load_dataset cannot read the line otherwise."
    ),
    "json-too-deep": Entry("a JSON value nests too deeply to be a record", "Records nest a few levels deep; rewrite the line."),
    "json-number-too-long": Entry("a number has too many digits to be read", "Offsets and values are ordinary numbers; rewrite the line."),
    "file-not-regular": Entry(
        "the path is not a regular file (a folder, FIFO or device)", "Release files are plain files inside the release folder."
    ),
    "file-too-large": Entry("the file or one of its lines exceeds the size the validator reads", "Check that this is the intended file."),
    "path-unsafe": Entry(
        "a file name is absolute, not normalised, or leads out of the folder (also through a symlink)",
        "Name release files relative to the folder, without '..', and do not link outside it.",
    ),
    # recipes (raw article -> document)
    "recipe-invalid": Entry("the recipe does not have the expected shape", "See annotations/recipes/nk000.yaml for the format."),
    "recipe-raw-mismatch": Entry(
        "the raw file is not the one the recipe was written for", "Restore the raw file or update source_sha256 deliberately."
    ),
    "recipe-line-range": Entry("a region names lines outside the raw file", "Line numbers are 1-based and inclusive."),
    "recipe-overlap": Entry("two regions cover the same line or are out of order", "List regions in order, each line in one region."),
    "recipe-uncovered": Entry("a non-blank raw line is in no region", "Every non-blank line is either a passage or dropped chrome."),
    "recipe-join": Entry(
        "a join does not sit on a line break inside its passage", "One join per line break of a multi-line passage, none elsewhere."
    ),
    "recipe-passage-type": Entry("unknown passage type", "Use title, paragraph, list_item, caption or heading."),
    "recipe-edit": Entry(
        "a marker, head or replacement does not match the raw text", "Copy the marker or replaced text exactly from the raw file."
    ),
    "recipe-passage-text": Entry(
        "a passage is empty or keeps characters normalisation removes",
        "Passages may not be empty, start or end with whitespace, or hold a no-break space.",
    ),
    # annotation anchors (hand-written annotations -> offsets)
    "annotation-invalid": Entry("an annotation entry does not have the expected shape", "See annotations/FORMAT.md."),
    "anchor-not-found": Entry(
        "the anchor text does not occur in the document", "Copy the text exactly (curly quotes and apostrophes matter)."
    ),
    "anchor-ambiguous": Entry("the anchor text occurs more than once", "Add a prefix or an occurrence number."),
    "anchor-mismatch": Entry(
        "the anchor's prefix or occurrence selects no occurrence", "Fix the prefix or occurrence so it selects the intended text."
    ),
    # completeness (every number and quotation mark explained)
    "figure-unexplained": Entry(
        "a digit sequence or number word is in no figure span and not listed in not_figures",
        "Annotate the figure, or list it under not_figures with a reason (pronoun-one, name, idiom, vague).",
    ),
    "quote-mark-unexplained": Entry(
        "a quotation mark delimits no quote span and is not listed in not_quotes",
        "Annotate the quote, or list the mark under not_quotes with a reason (apostrophe, title, credit, scare-quote-unattributed).",
    ),
    # release (resolved spans -> tokens view, clusters)
    "span-token-misaligned": Entry(
        "a span cannot be BIO-tagged: an edge cuts a token or it crosses a sentence boundary",
        "Move the span edge to a word boundary, or report a sentence-splitter error (sentences.py).",
    ),
    "cluster-unknown": Entry(
        "a claim names a cluster that clusters.yaml does not define",
        "Add the cluster to annotations/clusters.yaml or fix the claim's cluster id.",
    ),
    # build (build/documents.py, release/publish.py, cli.py: the project, its declared documents, safe writing)
    "project-not-found": Entry(
        "the folder is not an nk-troops project: no annotations/documents.yaml declaring `dataset: nk-troops`",
        "Run in an nk-troops checkout, or pass --root with the folder that holds annotations/documents.yaml.",
    ),
    "documents-invalid": Entry(
        "annotations/documents.yaml does not list the documents as expected",
        "Write `documents: [nk000, nk001, ...]`: distinct ids nkNNN, in fold order.",
    ),
    "document-recipe-missing": Entry(
        "a declared document has no recipe", "Add annotations/recipes/<doc>.yaml, or remove the id from annotations/documents.yaml."
    ),
    "document-annotations-missing": Entry(
        "a declared document has no annotation file",
        "Add annotations/gold/<doc>.yaml (or the pass files), or remove the id from documents.yaml.",
    ),
    "document-undeclared": Entry(
        "a recipe or annotation file names a document that annotations/documents.yaml does not declare",
        "Add the id to annotations/documents.yaml, or remove the file.",
    ),
    "file-too-deep": Entry("the file nests lists or mappings too deeply to read", "Annotation and release files nest a few levels only."),
    "argument-invalid": Entry(
        "a command-line path cannot be used (missing, a folder for a file, outside the project)",
        "Check the path given on the command line.",
    ),
    "path-symlink": Entry(
        "a path the build writes is a symbolic link or lies under one",
        "Replace the link by a plain file or folder; the build never writes through links.",
    ),
    "build-write-failed": Entry(
        "writing the staged release failed; nothing was published", "Free disk space or fix permissions, then run nk-troops build again."
    ),
    # validator: shape (JSON Schema, schema/*.schema.json)
    "schema-type": Entry(
        "a field has the wrong JSON type",
        "Use the type the record's JSON Schema gives (an integer offset, not a string): schema/<record>.schema.json in a checkout, "
        "nk_troops/_schema/ in the installed package.",
    ),
    "schema-required": Entry(
        "a required field is missing", "Every field of the record is present; write null where a value does not apply."
    ),
    "schema-enum": Entry("a value is not in its label set", "Use one of the labels listed in the schema (model.py enums)."),
    "schema-unknown-key": Entry("the record has a field the schema does not define", "Remove the field or fix its spelling."),
    "schema-pattern": Entry(
        "a string does not match its pattern (ids, dates, checksums)", "Ids look like nk000-fig-01; dates like 2024-10-18."
    ),
    "schema-format": Entry(
        "a string is not in its declared format (date, uri)", "Dates are ISO 8601 (YYYY-MM-DD), addresses absolute URIs."
    ),
    "schema-range": Entry(
        "a number, string or list is outside its allowed size", "Offsets are >= 0, folds 0..4, texts and id lists non-empty where required."
    ),
    "schema-layer-field": Entry("a span carries an attribute of another layer", "In a flat span row, the other layers' columns are null."),
    "schema-not-finite": Entry("a number is NaN or infinite", "Write a finite number, or null where the schema allows it."),
    # validator: offsets and span edges
    "offset-out-of-range": Entry(
        "an offset range is not 0 <= start < end <= len(text)", "Offsets count code points of the document text, end exclusive."
    ),
    "offset-text-mismatch": Entry(
        "text[start:end] differs from the span's text", "Re-anchor the span; offsets are code points, not bytes or UTF-16 units."
    ),
    "span-context-mismatch": Entry(
        "prefix/suffix differ from the text around the span", "prefix is text[start-32:start], suffix text[end:end+32]."
    ),
    "span-whitespace-edge": Entry("a span starts or ends on whitespace", "Trim the span to its first and last visible character."),
    "span-crosses-passage": Entry(
        "a span crosses a passage boundary or lies outside every passage", "A span lies inside one title, paragraph, list item or caption."
    ),
    "span-in-heading": Entry("a span lies in a heading", "Headings carry no annotations (ANNOTATION_SPEC.md section 0)."),
    "quote-includes-marks": Entry(
        "a quote span includes its quotation marks or a trailing comma/full stop", "Keep only the content inside the marks (section 2)."
    ),
    "claim-final-stop": Entry("a claim span ends with the sentence-final full stop", "End the claim at its last word (section 3)."),
    "layer-overlap": Entry("two spans of the same layer overlap", "Spans of one layer never overlap (section 5); split or merge them."),
    # validator: references
    "duplicate-id": Entry("an id occurs more than once", "Ids are unique and never reused; give the new record a fresh number."),
    "document-unknown": Entry(
        "a record names a document that is not in documents.jsonl", "Use a doc_id of the documents file (nk000..nk004 in the release)."
    ),
    "fold-mismatch": Entry("a record's fold differs from its document's fold", "Copy the fold of the document."),
    "entity-unknown": Entry(
        "a speaker or claimant is not in the entity registry",
        "Add the entity to annotations/entities.yaml, or use author/unspecified for a claimant.",
    ),
    "mention-not-alias": Entry(
        "a speaker or claimant mention is neither an alias of its entity nor a pronoun",
        "Add the form to the entity's aliases or fix the mention span.",
    ),
    "span-unknown": Entry("a list names a span id that does not exist", "Use ids of spans in spans.jsonl of the same document."),
    "claim-member-outside": Entry(
        "a figure or quote listed on a claim does not lie inside it", "List only the figures/quotes whose offsets lie within the claim."
    ),
    "claim-members-mismatch": Entry(
        "a figure or quote inside a claim is missing from its list", "The claim's figures/quotes lists are exactly the spans inside it."
    ),
    "cluster-members-mismatch": Entry(
        "a claim and its cluster's claim list disagree", "A claim is listed by exactly the cluster its cluster field names."
    ),
    "sentence-decision": Entry(
        "a sentence needs exactly one of: claim ids, or a no-claim reason",
        "List the claims inside the sentence, or give a reason it holds none.",
    ),
    "row-document-mismatch": Entry(
        "a span or sentence row differs from the same record in its document row",
        "Rebuild the release; the configs hold the same spans and sentences.",
    ),
    # validator: figures
    "figure-value-mismatch": Entry(
        "a figure's value disagrees with its surface text",
        "12,000 -> 12000, six -> 6, fourth -> 4, 1.2 million -> 1200000; null for dates.",
    ),
    "value-range-inverted": Entry("value_max is below value", "value_max is the upper end of a range; it is >= value."),
    "date-not-iso": Entry(
        "a date figure's normalized is not ISO 8601", "Use 2024-10-03, an interval 2024-10-08/2024-10-13, or years 1950/1953."
    ),
    # validator: documents
    "passage-tiling": Entry(
        "passages do not tile the text in order, separated by a blank line",
        "Passage i+1 starts two characters after passage i ends; the title passage comes first.",
    ),
    "passage-text-mismatch": Entry(
        "replaying a passage's edits over the raw file does not give its text", "Rebuild the documents from the recipes (nk-troops build)."
    ),
    "manifest-mismatch": Entry(
        "a release file's SHA-256 or size differs from manifest.json", "Rebuild the release (nk-troops build) instead of editing its files."
    ),
    "raw-sha-mismatch": Entry(
        "the raw file's SHA-256 differs from source_sha256", "Restore the raw file byte for byte, or rebuild the document from its recipe."
    ),
    # export (export/: export, import label-studio, rehydrate)
    "export-out-symlink": Entry(
        "the output path or a folder on it is a symbolic link", "Give --out a real path; nothing is written through a link."
    ),
    "export-out-not-empty": Entry(
        "the output path is a file or a non-empty folder", "Give --out a new or empty folder; existing files are never overwritten."
    ),
    "export-out-parent-missing": Entry("the output folder's parent does not exist", "Create the parent folder first."),
    "export-release-invalid": Entry(
        "the release folder could not be read as a release", "Check it with nk-troops validate DIR; export reads valid releases."
    ),
    "export-dependency-missing": Entry(
        "the format needs a package that is not installed", "pip install 'nk-troops[formats]' (spaCy for --format spacy)."
    ),
    "export-span-misaligned": Entry(
        "a span's edges are not edges of the format's tokens, so it cannot be a token span there",
        "The span is kept in the export's side data (spaCy: doc.user_data); align the span or the tokenizer.",
    ),
    "ls-import-invalid": Entry(
        "the Label Studio export does not have the expected shape",
        "Export from Label Studio as JSON (a list of tasks), one task per document, one annotation per task.",
    ),
    "ls-document-unknown": Entry("a task names a document the release does not have", "Keep data.doc_id as nk-troops exported it."),
    "ls-text-changed": Entry(
        "a task's text differs from the release document's", "Correct spans in Label Studio, never the text; re-export the task."
    ),
    "ls-region-mismatch": Entry(
        "a region's text is not the document text at its offsets", "Recreate the region in Label Studio over the intended text."
    ),
    "ls-attribute-missing": Entry("a region lacks an attribute its layer requires", "Fill the attribute in the region's panel."),
    "ls-attribute-invalid": Entry("a region attribute has an unusable value", "Give one value: a number, true/false or a label."),
    "ls-span-id": Entry(
        "a span region has no valid id for its document and layer", "Type the id (<doc>-clm|quo|fig-NN, never reused) in span_id."
    ),
    "ls-relation-invalid": Entry(
        "a relation does not link one mention to a span of the right layer",
        "SpeakerOf and CueOf go from a Speaker / Cue to a Quote, ClaimantOf from a Claimant to a Claim; one of each per span.",
    ),
    "ls-sentence-unknown": Entry(
        "a NoClaimSentence region is not exactly one sentence, or has no reason", "Select the whole sentence and choose a reason."
    ),
    "ls-anchor-unresolvable": Entry(
        "no anchor of the authoring format selects this region",
        "Keep mentions inside their span's passage; report the text if it persists.",
    ),
    "standoff-invalid": Entry(
        "the folder is not a stand-off release", "Give --standoff a folder written by nk-troops export --format standoff."
    ),
    "rehydrate-page-missing": Entry(
        "no page in the pages folder has this file name or SHA-256", "Save the page listed in standoff.json under its file name."
    ),
    "rehydrate-page-mismatch": Entry(
        "the page's SHA-256 differs from the one the release was built from",
        "Offsets would be wrong; get the page byte for byte as released (the URL in standoff.json) and retry.",
    ),
    "rehydrate-output-mismatch": Entry(
        "a rebuilt data file differs from the release's",
        "The stand-off release and this nk-troops version disagree; use the version it names.",
    ),
    # view (view/publish.py): where the static site may be written
    "view-out-exists": Entry(
        "--out exists and is not an earlier nk-troops view output",
        "Give a new or empty folder; the viewer replaces only a folder it wrote (.nk-troops-view.json and the files it lists).",
    ),
    "view-out-symlink": Entry(
        "--out or a folder on its path is a symbolic link", "Give the real folder; the viewer never writes through a link."
    ),
    "view-out-parent": Entry(
        "the folder that would hold --out does not exist", "Create the parent folder; the viewer creates only --out itself."
    ),
    "view-out-write": Entry(
        "the site could not be written; nothing was published", "Check the permissions and free space of the parent folder."
    ),
    # evaluate/ (a14): scoring refused
    "gold-empty": Entry(
        "the gold holds no spans in the layers to score", "Point --gold at a release folder (spans.jsonl) or score a layer it holds."
    ),
    "gold-mismatch": Entry(
        "predictions name documents the gold does not hold",
        "Score against the release the predictions were made for, or drop the other documents' rows.",
    ),
    # validator: the Parquet copy of a config (validate/rules/release.py)
    "parquet-unreadable": Entry("a Parquet file is missing or cannot be read", "Rebuild the release (nk-troops build)."),
    "parquet-rows-mismatch": Entry(
        "a config's Parquet rows differ from its JSONL rows", "Rebuild the release (nk-troops build); the JSONL is the reviewable source."
    ),
    "nested-wrong-document": Entry(
        "a record nested in a document row names another document", "Rebuild the release; each row nests only its own records."
    ),
    # validator: the tokens view
    "tokens-row-mismatch": Entry(
        "the tokens view does not hold exactly one row per sentence", "Rebuild the release; tokens.jsonl has one row per sentence."
    ),
    "tokens-text-mismatch": Entry(
        "tokens or their offsets differ from tokenizing the sentence text", "Rebuild the release; tokens come from nk_troops.bio.tokenize."
    ),
    "tokens-tags-length": Entry("a tag list is not as long as the tokens", "Give one tag per token in every layer."),
    "tokens-bio-invalid": Entry("an I- tag follows no B- or I- tag of its layer", "Open every span with B-, continue it with I-."),
    "tokens-tags-mismatch": Entry(
        "decoding a layer's tags does not give the spans of spans.jsonl in that sentence", "Rebuild the release (nk-troops build)."
    ),
    # validator: release folder (manifest, card, Croissant)
    "manifest-unlisted": Entry(
        "a file of the release folder is not listed in manifest.json, or a listed file is absent",
        "Rebuild the release; manifest.json lists every file of the folder.",
    ),
    "version-mismatch": Entry(
        "the release's version or content hash disagrees between the manifest, the card, the data files and the package",
        "Rebuild the release with the installed nk-troops (nk-troops build).",
    ),
    "card-invalid": Entry(
        "the dataset card's YAML front matter is missing, does not parse, or lacks its configs",
        "Rebuild the release; the card starts with a '---' YAML block.",
    ),
    "card-features-mismatch": Entry(
        "a config of the card names a missing data file or features that differ from the model",
        "Rebuild the release; dataset_info comes from schemas.features_yaml.",
    ),
    "croissant-invalid": Entry("croissant.json does not parse or lacks its file list", "Rebuild the release (nk-troops build)."),
    "croissant-checksum-mismatch": Entry(
        "a file's SHA-256 differs from the one croissant.json records", "Rebuild the release instead of editing its files."
    ),
}


# The codes no validator rule raises, by the command that reports them itself (its tests assert each one);
# docs/VALIDATION.md lists them, and a test checks that every code has exactly one owner.
OTHER_COMMANDS = {
    "build": (
        "recipe-invalid", "recipe-raw-mismatch", "recipe-line-range", "recipe-overlap", "recipe-uncovered", "recipe-join",
        "recipe-passage-type", "recipe-edit", "recipe-passage-text", "annotation-invalid", "anchor-not-found",
        "anchor-ambiguous", "anchor-mismatch", "figure-unexplained", "quote-mark-unexplained", "span-token-misaligned",
        "project-not-found", "documents-invalid", "document-recipe-missing", "document-annotations-missing",
        "document-undeclared", "file-too-deep", "argument-invalid", "path-symlink", "build-write-failed",
    ),
    "evaluate": ("gold-empty", "gold-mismatch"),
    "export": tuple(c for c in CATALOGUE if c.startswith(("export-", "ls-", "standoff-", "rehydrate-"))),
    "view": tuple(c for c in CATALOGUE if c.startswith("view-")),
}  # fmt: skip


@dataclass(frozen=True)
class Incident:
    code: str
    file: str | None = None
    line: int | None = None
    doc_id: str | None = None
    span_id: str | None = None
    start: int | None = None
    end: int | None = None
    found: Any = None  # JSON values (str, number, bool, list, dict, None), never Python reprs
    expected: Any = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:  # a programming error, not an input error
            raise KeyError(f"incident code not in catalogue: {self.code}")
        object.__setattr__(self, "found", _jsonable(self.found))  # what a YAML or Python value holds that JSON cannot: its text
        object.__setattr__(self, "expected", _jsonable(self.expected))

    @property
    def location(self) -> str:
        parts = [self.file or "-"]
        if self.line is not None:
            parts[0] += f":{self.line}"
        if self.doc_id:
            parts.append(self.doc_id)
        if self.span_id:
            parts.append(self.span_id)
        if self.start is not None and self.end is not None:
            parts.append(f"[{self.start},{self.end})")
        return " ".join(parts)

    def message(self) -> str:
        msg = f"{self.location}: {self.code}: {CATALOGUE[self.code].summary}"
        if self.detail:
            msg += f" ({self.detail})"
        if self.found is not None or self.expected is not None:
            msg += f"; found {_show(self.found)}, expected {_show(self.expected)}"
        return msg

    @property
    def hint(self) -> str:
        return CATALOGUE[self.code].hint

    def to_json(self) -> dict[str, Any]:
        """Every field (null where absent), then the one-line message and the catalogue hint."""
        return asdict(self) | {"message": self.message(), "hint": self.hint}


def _jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON value: lists and mappings kept (a few levels deep), anything else JSON cannot hold (a date, a
    set, a path) as its text."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset) and depth < 8:
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_jsonable(v, depth + 1) for v in items]
    if isinstance(value, dict) and depth < 8:
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    return str(value)[:200]


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class IncidentError(Exception):
    """Raised by stages that cannot go on; carries every incident found so far."""

    def __init__(self, incidents: Iterable[Incident]):
        self.incidents = list(incidents)
        super().__init__("\n".join(i.message() for i in self.incidents))


def render_text(incidents: list[Incident], max_per_code: int | None = None) -> str:
    """Human report: every incident (capped per code), then each code's hint once."""
    return _printable("\n".join([i.message() for i in capped(incidents, max_per_code)] + hint_lines(incidents, max_per_code)))


def capped(incidents: Iterable[Incident], max_per_code: int | None = None) -> list[Incident]:
    """The incidents a report shows: the first ``max_per_code`` of each code (every one when None)."""
    seen: Counter[str] = Counter()
    kept = []
    for inc in incidents:
        seen[inc.code] += 1
        if max_per_code is None or seen[inc.code] <= max_per_code:
            kept.append(inc)
    return kept


def hint_lines(incidents: Iterable[Incident], max_per_code: int | None = None) -> list[str]:
    """One ``hint CODE xN: ...`` line per code, in code order, saying how many incidents the cap hides."""
    lines = []
    for code, n in sorted(Counter(i.code for i in incidents).items()):
        hidden = n - max_per_code if max_per_code is not None and n > max_per_code else 0
        more = f" ({hidden} more not shown)" if hidden else ""
        lines.append(f"hint {code} x{n}{more}: {CATALOGUE[code].hint}")
    return lines


def _printable(text: str) -> str:
    """A lone surrogate quoted from bad input (JSON allows ``\\ud800``) escaped, so a UTF-8 stream can print it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")

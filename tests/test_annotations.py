"""The gold annotations (issues 4 and 5): counts, completeness, references, hard cases.

Counts are pinned so that any change to the data is a deliberate one: edit the
annotations, rebuild, and update the numbers here in the same commit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from nk_troops.build.completeness import check as completeness
from nk_troops.model import AUTHOR, RESERVED_CLAIMANTS, NoClaimReason
from nk_troops.release.assemble import assemble

ROOT = Path(__file__).resolve().parents[1]
PRONOUNS = {"he", "she", "they", "it", "him", "her", "them", "his", "its", "their"}

# doc_id: (figures, quotes, claims, sentences, sentences without a claim)
PINNED = {
    "nk000": (2, 6, 14, 15, 4),
    "nk001": (3, 2, 12, 15, 4),
    "nk002": (19, 4, 45, 50, 14),
    "nk003": (5, 4, 16, 15, 3),
    "nk004": (9, 8, 15, 16, 4),
}
PINNED_CLUSTERS = (61, 16)  # clusters, of which span more than one document


@pytest.fixture(scope="module")
def release():
    return assemble(ROOT)


@pytest.fixture(scope="module")
def docs(release):
    return {d.doc_id: d for d in release.documents}


@pytest.fixture(scope="module")
def entities(release):
    return {e.id: e for e in release.entities}


def _all(release, layer):
    return [s for ann in release.annotations.values() for s in getattr(ann, layer)]


def test_pinned_counts_per_document(release):
    got = {
        doc_id: (len(a.figures), len(a.quotes), len(a.claims), len(a.sentences), sum(1 for s in a.sentences if s.no_claim_reason))
        for doc_id, a in release.annotations.items()
    }
    assert got == PINNED


def test_pinned_cluster_counts(release):
    multi = [c for c in release.clusters if len({cid.split("-")[0] for cid in c.claims}) > 1]
    assert (len(release.clusters), len(multi)) == PINNED_CLUSTERS


def test_span_ids_follow_document_layer_number(release):
    code = {"figures": "fig", "quotes": "quo", "claims": "clm"}
    for layer, tag in code.items():
        for span in _all(release, layer):
            assert span.id.startswith(f"{span.doc_id}-{tag}-"), span.id


def test_every_number_and_quotation_mark_is_explained(release, docs):
    incidents = [i for doc_id, ann in release.annotations.items() for i in completeness(docs[doc_id], ann, f"gold/{doc_id}.yaml")]
    assert incidents == []


def test_completeness_catches_a_dropped_figure_and_a_dropped_quote(release, docs):
    ann = release.annotations["nk004"]
    dropped = replace(ann, figures=[f for f in ann.figures if f.text != "six"], quotes=ann.quotes[1:])
    codes = Counter(i.code for i in completeness(docs["nk004"], dropped, "gold/nk004.yaml"))
    assert codes == {"figure-unexplained": 1, "quote-mark-unexplained": 2}


def test_speakers_and_claimants_are_registered(release, entities):
    for quote in _all(release, "quotes"):
        assert quote.speaker in entities, quote.id
    for claim in _all(release, "claims"):
        assert claim.claimant in entities or claim.claimant in RESERVED_CLAIMANTS, claim.id


def test_every_mention_is_an_alias_or_a_pronoun(release, docs, entities):
    mentions = [(q.id, q.speaker, q.speaker_span) for q in _all(release, "quotes")]
    mentions += [(c.id, c.claimant, c.claimant_span) for c in _all(release, "claims")]
    for span_id, entity, offsets in mentions:
        if offsets is None:
            continue
        text = docs[span_id[:5]].text[offsets.start : offsets.end]
        assert text in entities[entity].aliases or text.lower() in PRONOUNS, (span_id, text)


def test_reserved_claimants_have_no_mention(release):
    for claim in _all(release, "claims"):
        if claim.claimant in RESERVED_CLAIMANTS:
            assert claim.claimant_span is None, claim.id


def test_claim_inside_a_quote_belongs_to_its_speaker(release):
    for ann in release.annotations.values():
        for claim in ann.claims:
            for quote in ann.quotes:
                if quote.start <= claim.start and claim.end <= quote.end:
                    assert (claim.claimant, claim.claimant_span) == (quote.speaker, quote.speaker_span), claim.id


def test_figures_and_quotes_stored_on_a_claim_are_exactly_those_inside_it(release):
    for ann in release.annotations.values():
        for claim in ann.claims:
            inside = lambda spans, c=claim: {s.id for s in spans if c.start <= s.start and s.end <= c.end}  # noqa: E731
            assert set(claim.figures) == inside(ann.figures), claim.id
            assert set(claim.quotes) == inside(ann.quotes), claim.id


def test_every_sentence_has_exactly_one_decision(release):
    for ann in release.annotations.values():
        for sentence in ann.sentences:
            assert bool(sentence.claims) != (sentence.no_claim_reason is not None), sentence.id


def test_every_claim_lies_in_exactly_one_sentence(release):
    for ann in release.annotations.values():
        owners = Counter(cid for s in ann.sentences for cid in s.claims)
        for claim in ann.claims:
            assert owners[claim.id] == 1, claim.id
            (sentence,) = [s for s in ann.sentences if claim.id in s.claims]
            assert sentence.start <= claim.start and claim.end <= sentence.end


def test_headings_hold_no_claim_and_are_marked_as_headings(release, docs):
    for doc_id, ann in release.annotations.items():
        headings = [p for p in docs[doc_id].passages if p.type.value == "heading"]
        for sentence in ann.sentences:
            if any(p.start <= sentence.start < p.end for p in headings):
                assert sentence.no_claim_reason is NoClaimReason.HEADING


def test_clusters_have_statements_claims_and_known_conflicts(release):
    ids = {c.id for c in release.clusters}
    claims = {c.id for c in _all(release, "claims")}
    for cluster in release.clusters:
        assert cluster.statement.strip() and cluster.claims
        assert set(cluster.claims) <= claims
        for conflict in cluster.conflicts_with:
            assert conflict.cluster in ids and conflict.cluster != cluster.id and conflict.note.strip()
    assert sorted(cid for c in release.clusters for cid in c.claims) == sorted(claims)


def _one(release, layer, doc_id, text):
    (span,) = [s for s in getattr(release.annotations[doc_id], layer) if s.text == text]
    return span


@pytest.mark.parametrize(
    ("doc_id", "text", "kind", "value", "value_max", "normalized", "qualifier", "unit", "year_inferred"),
    [
        ("nk001", "3,000", "count", 3000.0, None, "3000", "upper_bound", "north koreans", False),
        ("nk002", "1.2 million", "count", 1200000.0, None, "1200000", "exact", "personnel", False),
        ("nk004", "1.2 million", "count", 1200000.0, None, "1200000", "approximate", "military personnel", False),
        ("nk004", "fourth", "ordinal", 4.0, None, "4", "exact", None, False),
        ("nk002", "April 15, 2012", "date", None, None, "2012-04-15", "exact", None, False),
        ("nk002", "October 8 and 13", "date", None, None, "2024-10-08/2024-10-13", "exact", None, True),
        ("nk004", "1950-53", "date", None, None, "1950/1953", "exact", None, False),
        ("nk004", "Oct. 3", "date", None, None, "2024-10-03", "exact", None, True),
        ("nk002", "100", "duration", 100.0, None, "100", "exact", "years", False),
        ("nk001", "two", "count", 2.0, None, "2", "exact", "nations", False),
    ],
)
def test_hard_figures(release, doc_id, text, kind, value, value_max, normalized, qualifier, unit, year_inferred):
    f = _one(release, "figures", doc_id, text)
    got = (f.kind.value, f.value, f.value_max, f.normalized, f.qualifier.value, f.unit, f.year_inferred)
    assert got == (kind, value, value_max, normalized, qualifier, unit, year_inferred)


def test_hard_figure_spans(release):
    spans = {(f.doc_id, f.text, f.qualifier.value, f.unit) for f in _all(release, "figures")}
    assert ("nk002", "1,500", "approximate", "special operations soldiers") in spans  # "approximately 1,500 North Korean …"
    assert ("nk003", "1,500", "approximate", "troops") in spans  # "about 1,500 have": unit from the antecedent
    not_figures = {(x.text, x.reason) for a in release.annotations.values() for x in a.not_figures}
    assert not_figures == {("first", "idiom"), ("once", "idiom"), ("one", "pronoun-one")}


@pytest.mark.parametrize(
    ("doc_id", "text", "quote_type", "speaker", "mention", "cue"),
    [
        ("nk004", "special military operation", "partial", "russia", "Russia", "calls"),
        (
            "nk001",
            "As there is a possibility of (North Korea) providing troops or civilian personnel, this is being closely monitored",
            "direct",
            "south-korea-defense-ministry-official",
            "the official",
            "stated",
        ),
        ("nk002", "another piece of fake news", "partial", "dmitry-peskov", "Kremlin spokesperson Dmitry Peskov", "labeled"),
        ("nk004", "world war", "partial", "volodymyr-zelenskyy", "He", "warned"),
        ("nk002", "fake news", "partial", "russia", "Russia", "dismissing"),
    ],
)
def test_hard_quotes(release, docs, doc_id, text, quote_type, speaker, mention, cue):
    q = _one(release, "quotes", doc_id, text)
    t = docs[doc_id].text
    assert t[q.start - 1] in '“"‘' and t[q.end] in '”"’,.'  # marks (and a closing comma or stop) stay outside
    got = (q.quote_type.value, q.speaker, t[q.speaker_span.start : q.speaker_span.end], t[q.cue_span.start : q.cue_span.end])
    assert got == (quote_type, speaker, mention, cue)


def test_split_quotation_has_one_speaker(release):
    zelenskyy = [q for q in release.annotations["nk002"].quotes if q.quote_type.value == "direct"]
    assert len(zelenskyy) == 2 and {q.speaker for q in zelenskyy} == {"volodymyr-zelenskyy"}


@pytest.mark.parametrize(
    ("doc_id", "text", "claimant", "hedged", "cluster"),
    [
        (
            "nk002",
            "Russia has categorically denied that North Korean soldiers are involved in the Ukraine war",
            AUTHOR,
            False,
            "russia-denies-nk-troops",
        ),
        (
            "nk002",
            "North Korean soldiers are reportedly receiving Russian military gear and fake IDs",
            AUTHOR,
            True,
            "nk-troops-issued-russian-gear-and-ids",
        ),
        ("nk002", "They are preparing 10,000 soldiers on their land", "volodymyr-zelenskyy", False, "nk-preparing-10000-troops"),
        ("nk002", "organized into four brigades", "south-korean-media", True, "nk-troops-four-brigades"),
        (
            "nk004",
            "North Korean special forces in Russia readying for combat in Ukraine war",
            "south-korea",
            False,
            "nk-special-forces-readying-for-combat",
        ),
        (
            "nk003",
            "North Korea’s Troop Deployment to Aid Russia’s War Efforts Remains Unconfirmed by Pyongyang",
            AUTHOR,
            False,
            "nk-has-not-confirmed-deployment",
        ),
        (
            "nk001",
            "six North Korean fatalities in a Ukrainian missile strike on Russian-occupied territory earlier this month",
            "unspecified",
            False,
            "nk-nationals-killed-oct3-strike",
        ),
    ],
)
def test_hard_claims(release, doc_id, text, claimant, hedged, cluster):
    c = _one(release, "claims", doc_id, text)
    assert (c.claimant, c.hedged, c.cluster) == (claimant, hedged, cluster)


def test_conflicting_numbers_are_linked_both_ways(release):
    clusters = {c.id: c for c in release.clusters}
    links = {(c.id, x.cluster) for c in clusters.values() for x in c.conflicts_with}
    assert ("nk-plans-12000-troops", "nk-preparing-10000-troops") in links
    assert ("nk-preparing-10000-troops", "nk-plans-12000-troops") in links

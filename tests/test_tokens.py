"""Tokenisation with offsets and lossless BIO encoding per layer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nk_troops.bio import decode_bio, encode_bio, tokenize
from nk_troops.incidents import IncidentError
from nk_troops.model import Figure, FigureKind, Layer, Qualifier, Sentence, bio_labels
from nk_troops.release.tokens import tokenize_sentences

TEXT = "Peskov called it “fake news.” About 12,000 troops left. Korea’s army stayed."


def _sentence(n: int, start: int, end: int) -> Sentence:
    return Sentence(f"nk000-s{n:02d}", "nk000", 0, 0, start, end, TEXT[start:end], (), None)


def _figure(start: int, end: int, sid: str = "nk000-fig-01") -> Figure:
    return Figure(sid, "nk000", 0, start, end, TEXT[start:end], "", "", FigureKind.COUNT, 1.0, None, "1", Qualifier.EXACT, "x", False)


SENTENCES = [_sentence(1, 0, 29), _sentence(2, 30, 55), _sentence(3, 56, len(TEXT))]


def test_tokens_are_words_or_single_marks_with_offsets():
    toks = tokenize(TEXT, 30, 55)
    assert [t[0] for t in toks] == ["About", "12", ",", "000", "troops", "left", "."]
    assert all(TEXT[s:e] == t for t, s, e in toks)


def test_a_figure_is_tagged_and_decoded_back():
    start = TEXT.index("12,000")
    (row,) = [r for r in tokenize_sentences(TEXT, SENTENCES, [_figure(start, start + 6)]) if r.id == "nk000-s02"]
    assert row.figure_tags == ("O", "B-figure", "I-figure", "I-figure", "O", "O", "O")
    assert set(row.claim_tags) == {"O"}
    assert decode_bio(row.token_starts, row.token_ends, row.figure_tags) == [(start, start + 6)]


def test_a_span_edge_inside_a_token_is_an_incident():
    start = TEXT.index("12,000")
    with pytest.raises(IncidentError) as err:
        tokenize_sentences(TEXT, SENTENCES, [_figure(start + 1, start + 6)])
    assert [(i.code, i.span_id, i.start) for i in err.value.incidents] == [("span-token-misaligned", "nk000-fig-01", start + 1)]


def test_a_span_across_a_sentence_boundary_is_an_incident():
    with pytest.raises(IncidentError) as err:
        tokenize_sentences(TEXT, SENTENCES, [_figure(TEXT.index("news"), TEXT.index("About") + 5)])
    assert [(i.code, i.span_id) for i in err.value.incidents] == [("span-token-misaligned", "nk000-fig-01")]


def test_adjacent_spans_stay_apart_and_a_stray_inside_tag_opens_a_span():
    starts, ends = [0, 3, 6], [2, 5, 8]
    tags = encode_bio(starts, ends, [(0, 2), (3, 8)], Layer.QUOTE)
    assert tags == ["B-quote", "B-quote", "I-quote"]
    assert decode_bio(starts, ends, tags) == [(0, 2), (3, 8)]
    assert decode_bio(starts, ends, ["O", "I-quote", "O"]) == [(3, 5)]


@given(st.lists(st.sampled_from(["word", "12", ",", "“", "’", "x"]), min_size=1, max_size=30), st.data())
def test_encoding_then_decoding_is_the_identity(words, data):
    text = " ".join(words)
    toks = tokenize(text)
    starts, ends = [t[1] for t in toks], [t[2] for t in toks]
    cuts = sorted(data.draw(st.sets(st.integers(0, len(toks)), max_size=len(toks) + 1)))
    # consecutive cut points delimit non-overlapping token ranges; keep every other one as a span
    spans = [(starts[a], ends[b - 1]) for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)) if i % 2 == 0 and b > a]
    tags = encode_bio(starts, ends, spans, Layer.CLAIM)
    assert set(tags) <= set(bio_labels(Layer.CLAIM))
    assert decode_bio(starts, ends, tags) == spans

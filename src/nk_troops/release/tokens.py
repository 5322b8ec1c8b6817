"""The ``tokens`` view: sentences as tokens with character offsets and BIO tags per layer.

Tokens are maximal runs of word characters or single other non-space characters,
so every gold span (which never starts or ends on whitespace) can be expressed
as a token range as long as its edges fall between tokens. A span whose edge
cuts a token, or which crosses a sentence boundary, cannot be tagged losslessly:
it is an incident, never silently rounded.
"""

from __future__ import annotations

from ..bio import encode_bio, tokenize
from ..incidents import Incident, IncidentError
from ..model import Layer, Sentence, Span, TokenizedSentence, bio_labels


def tokenize_sentences(text: str, sentences: list[Sentence], spans: list[Span]) -> list[TokenizedSentence]:
    """One ``TokenizedSentence`` per sentence; raises ``IncidentError`` for spans that cannot be tagged."""
    incidents: list[Incident] = []
    placed: set[str] = set()
    rows = []
    for sent in sentences:
        toks = tokenize(text, sent.start, sent.end)
        starts, ends = [t[1] for t in toks], [t[2] for t in toks]
        tags: dict[Layer, list[str]] = {}
        for layer in Layer:
            inside = [sp for sp in spans if sp.layer is layer and sent.start <= sp.start and sp.end <= sent.end]
            placed.update(sp.id for sp in inside)
            encoded = encode_bio(starts, ends, [(sp.start, sp.end) for sp in inside], layer)
            if encoded is None:
                incidents.extend(_misaligned(sent, inside, set(starts), set(ends)))
                encoded = [bio_labels(layer)[0]] * len(toks)
            tags[layer] = encoded
        rows.append(
            TokenizedSentence(
                sent.id, sent.doc_id, sent.fold, tuple(t[0] for t in toks), tuple(starts), tuple(ends),
                tuple(tags[Layer.CLAIM]), tuple(tags[Layer.QUOTE]), tuple(tags[Layer.FIGURE]),
            )
        )  # fmt: skip
    for sp in spans:
        if sp.id not in placed:
            incidents.append(
                _incident(sp, "the span crosses a sentence boundary, so no sentence row can tag it", "a span inside one sentence")
            )
    if incidents:
        raise IncidentError(incidents)
    return rows


def _misaligned(sent: Sentence, spans: list[Span], starts: set[int], ends: set[int]) -> list[Incident]:
    return [
        _incident(
            sp, f"span edge cuts a token of sentence {sent.id}", "span edges on token edges (tokens: \\w+ or one other non-space character)"
        )
        for sp in spans
        if sp.start not in starts or sp.end not in ends
    ]


def _incident(span: Span, detail: str, expected: str) -> Incident:
    return Incident(
        "span-token-misaligned",
        doc_id=span.doc_id,
        span_id=span.id,
        start=span.start,
        end=span.end,
        found=span.text,
        expected=expected,
        detail=detail,
    )

"""Tokens and BIO tags: the one definition of how a span becomes a tag sequence and back.

Tokens are maximal runs of word characters or single other non-space characters.
The release's ``tokens`` view, the validator's check of that view and the public
``encode_bio`` / ``decode_bio`` all use these functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .model import Layer, bio_labels

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_BY_ID = ("O", "B-", "I-")  # ClassLabel ids of every layer's tags, in bio_labels order


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """(token, start, end) of every token of ``text[start:end]``, in ``text`` offsets."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text, start, len(text) if end is None else end)]


def encode_bio(starts: Sequence[int], ends: Sequence[int], spans: Iterable[tuple[int, int]], layer: Layer) -> list[str] | None:
    """BIO tags of one layer over tokens; None when a span edge is not a token edge."""
    outside, begin, inside = bio_labels(layer)
    tags = [outside] * len(starts)
    first = {s: i for i, s in enumerate(starts)}
    last = {e: i for i, e in enumerate(ends)}
    for s, e in spans:
        if s not in first or e not in last:
            return None
        tags[first[s]] = begin
        for i in range(first[s] + 1, last[e] + 1):
            tags[i] = inside
    return tags


def decode_bio(starts: Sequence[int], ends: Sequence[int], tags: Sequence[str | int]) -> list[tuple[int, int]]:
    """Character spans of a BIO sequence, tags as names or as ClassLabel ids (0 O, 1 B-, 2 I-, as the ``tokens``
    config stores them); a stray I- continues or opens a span (lenient for predictions)."""
    spans: list[tuple[int, int]] = []
    open_start: int | None = None
    for i, tag in enumerate(tags):
        if not isinstance(tag, str):
            tag = _BY_ID[int(tag)]
        if tag.startswith("B-") or (tag.startswith("I-") and open_start is None):
            if open_start is not None:
                spans.append((open_start, ends[i - 1]))
            open_start = starts[i]
        elif tag == "O" and open_start is not None:
            spans.append((open_start, ends[i - 1]))
            open_start = None
    if open_start is not None:
        spans.append((open_start, ends[-1]))
    return spans

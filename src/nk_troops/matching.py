"""One-to-one matching of predicted spans to gold spans of one layer, and B-cubed
agreement of two clusterings over the matched spans.

Among all one-to-one matchings of overlapping spans the scorer takes the one with
the most exact matches, then the most pairs, then the most overlapping characters.
This is a maximum-weight assignment, solved exactly and in time near-linear in the
number of predictions, also when they overlap each other:

1. exact pairs first: an exact match outweighs everything else, and spans with the
   same offsets are interchangeable, so pairing them greedily loses nothing;
2. the other predictions are linked to the gold spans they overlap (a bisection
   per prediction), which splits the gold spans into groups that share none;
3. in a group of n gold spans, some best matching pairs each gold span with one of
   its n best-overlapping predictions (were it paired elsewhere, one of those n is
   free and at least as good), so only those candidates enter the exact solver
   (``scipy.optimize.linear_sum_assignment``).

Predictions overlapping one another never enlarge a group: only gold spans do.
Callers sort both lists canonically; every tie is then broken the same way, so the
result does not depend on the order of the input.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

Interval = tuple[int, int]


def overlap(a: Interval, b: Interval) -> int:
    """Characters shared by two half-open ranges."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _exact_pairs(gold: Sequence[Interval], pred: Sequence[Interval]) -> list[tuple[int, int]]:
    """Gold and predicted spans with the same offsets, paired in index order."""
    waiting: dict[Interval, list[int]] = defaultdict(list)
    for j in range(len(pred) - 1, -1, -1):  # reversed, so pop() hands out the lowest index first
        waiting[pred[j]].append(j)
    return [(i, waiting[g].pop()) for i, g in enumerate(gold) if waiting.get(g)]


class _Overlaps:
    """The gold spans (sorted by start) each prediction overlaps, found by bisection."""

    def __init__(self, gold: Sequence[Interval], free: list[int]):
        self.order = sorted(free, key=lambda i: gold[i])
        self.starts = [gold[i][0] for i in self.order]
        self.ends = [gold[i][1] for i in self.order]
        self.reach = list(accumulate(self.ends, max))  # gold spans before the first reach > s all end by s

    def of(self, span: Interval) -> Iterator[tuple[int, int]]:
        """(position in ``order``, characters shared) of each gold span ``span`` overlaps."""
        s, e = span
        for k in range(bisect_right(self.reach, s), bisect_left(self.starts, e)):
            shared = min(e, self.ends[k]) - max(s, self.starts[k])
            if shared > 0:
                yield k, shared


def _groups(n: int, links: Iterator[list[int]]) -> list[int]:
    """Group root of each of n gold spans, joining the spans each link names (union-find)."""
    root = list(range(n))

    def find(k: int) -> int:
        while root[k] != k:
            root[k] = root[root[k]]
            k = root[k]
        return k

    for ks in links:
        if not ks:
            continue
        first = find(ks[0])
        for k in ks[1:]:
            root[find(k)] = first
    return [find(k) for k in range(n)]


def assign(gold: Sequence[Interval], pred: Sequence[Interval]) -> list[tuple[int, int]]:
    """(gold index, predicted index) pairs of the best one-to-one matching of overlapping spans."""
    from numpy import array
    from scipy.optimize import linear_sum_assignment

    pairs = _exact_pairs(gold, pred)
    used_gold, used_pred = {i for i, _ in pairs}, {j for _, j in pairs}
    free_gold = [i for i in range(len(gold)) if i not in used_gold]
    free_pred = [j for j in range(len(pred)) if j not in used_pred]
    if not free_gold or not free_pred:
        return sorted(pairs)
    index = _Overlaps(gold, free_gold)
    root = _groups(len(free_gold), ([k for k, _ in index.of(pred[j])] for j in free_pred))
    size: dict[int, int] = defaultdict(int)
    for r in root:
        size[r] += 1
    best: list[list[tuple[int, int]]] = [[] for _ in free_gold]  # per gold span: a min-heap of (shared, -j)
    for j in free_pred:
        for k, shared in index.of(pred[j]):
            heap = best[k]
            heapq.heappush(heap, (shared, -j))
            if len(heap) > size[root[k]]:
                heapq.heappop(heap)  # the least overlap goes; among equals the later prediction
    members: dict[int, list[int]] = defaultdict(list)
    for k, r in enumerate(root):
        if best[k]:
            members[r].append(k)
    for ks in members.values():
        cols = sorted({-neg for k in ks for _, neg in best[k]})
        col = {j: c for c, j in enumerate(cols)}
        per_pair = sum(index.ends[k] - index.starts[k] for k in ks) + 1  # one more pair outweighs any extra overlap
        weight = [[0] * len(cols) for _ in ks]
        for r, k in enumerate(ks):
            for shared, neg in best[k]:
                weight[r][col[-neg]] = per_pair + shared
        rows, picked = linear_sum_assignment(array(weight), maximize=True)
        for r, c in zip(rows.tolist(), picked.tolist(), strict=True):
            if weight[r][c]:
                pairs.append((index.order[ks[r]], cols[c]))
    return sorted(pairs)


@dataclass
class BCubed:
    precision: float
    recall: float
    f1: float
    claims: int  # matched claims the clusters were compared over


def bcubed(gold_labels: Sequence[str], pred_labels: Sequence[str]) -> BCubed | None:
    """B-cubed precision/recall/F1 of one clustering against another over the same items."""
    if not gold_labels:
        return None
    by_gold, by_pred = defaultdict(set), defaultdict(set)
    for i, (g, p) in enumerate(zip(gold_labels, pred_labels, strict=True)):
        by_gold[g].add(i)
        by_pred[p].add(i)
    precision = recall = 0.0
    for g, p in zip(gold_labels, pred_labels, strict=True):
        both = len(by_gold[g] & by_pred[p])
        precision += both / len(by_pred[p])
        recall += both / len(by_gold[g])
    n = len(gold_labels)
    precision, recall = precision / n, recall / n
    return BCubed(precision, recall, 2 * precision * recall / (precision + recall), n)

"""One-to-one matching of predicted spans to gold spans of one layer, and B-cubed
agreement of two clusterings over the matched spans.

Among all one-to-one matchings of overlapping spans the scorer takes the one with
the most exact matches, then the most pairs, then the most overlapping characters.
This is a maximum-weight assignment, solved exactly and in time near-linear in the
number of predictions, also when they overlap each other:

1. exact pairs first: an exact match outweighs everything else, and spans with the
   same offsets are interchangeable, so pairing them greedily loses nothing;
2. the other predictions are compared with each gold span at once (numpy, one
   pass per gold span of the document and layer), which splits the gold spans
   into groups that share no prediction;
3. in a group of n gold spans, some best matching pairs each gold span with one of
   its n best-overlapping predictions (were it paired elsewhere, one of those n is
   free and at least as good), so only those candidates enter the exact solver
   (``scipy.optimize.linear_sum_assignment``).

Predictions overlapping one another never enlarge a group: only gold spans do.
Callers sort both lists canonically; every tie is then broken the same way, so the
result does not depend on the order of the input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

Interval = tuple[int, int]


def overlap(a: Interval, b: Interval) -> int:
    """Characters shared by two half-open ranges."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _exact_pairs(gold: Sequence[Interval], pred: Sequence[Interval]) -> list[tuple[int, int]]:
    """Gold and predicted spans with the same offsets, paired in index order."""
    wanted = set(gold)
    waiting: dict[Interval, list[int]] = defaultdict(list)
    for j in range(len(pred) - 1, -1, -1):  # reversed, so pop() hands out the lowest index first
        if pred[j] in wanted:
            waiting[pred[j]].append(j)
    return [(i, waiting[g].pop()) for i, g in enumerate(gold) if waiting.get(g)]


def _groups(shared: Callable[[int], Any], n: int) -> list[int]:
    """Group root of each of n gold spans: two spans are in one group when a prediction overlaps both."""
    import numpy as np

    root = list(range(n))

    def find(k: int) -> int:
        while root[k] != k:
            root[k] = root[root[k]]
            k = root[k]
        return k

    first = None  # per prediction: the first gold span it overlaps, -1 for none yet
    for k in range(n):
        sh = shared(k)
        hit = np.flatnonzero(sh > 0)
        if first is None:
            first = np.full(len(sh), -1)
        for other in np.unique(first[hit]).tolist():
            if other >= 0:
                root[find(other)] = find(k)
        first[hit[first[hit] < 0]] = k
    return [find(k) for k in range(n)]


def assign(gold: Sequence[Interval], pred: Sequence[Interval]) -> list[tuple[int, int]]:
    """(gold index, predicted index) pairs of the best one-to-one matching of overlapping spans."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    pairs = _exact_pairs(gold, pred)
    used_gold, used_pred = {i for i, _ in pairs}, {j for _, j in pairs}
    free_gold = [i for i in range(len(gold)) if i not in used_gold]
    free_pred = np.array([j for j in range(len(pred)) if j not in used_pred], dtype=np.int64)
    if not free_gold or not len(free_pred):
        return sorted(pairs)
    starts = np.array([pred[j][0] for j in free_pred.tolist()])
    ends = np.array([pred[j][1] for j in free_pred.tolist()])

    def shared(k: int) -> Any:  # characters gold span k shares with each free prediction (<= 0: none)
        s, e = gold[free_gold[k]]
        return np.minimum(ends, e) - np.maximum(starts, s)

    root = _groups(shared, len(free_gold))
    size: dict[int, int] = defaultdict(int)
    for r in root:
        size[r] += 1
    best: dict[int, tuple[Any, Any]] = {}  # gold span -> (predictions, shared) of its size-of-group best overlaps
    for k in range(len(free_gold)):
        sh = shared(k)
        hit = np.flatnonzero(sh > 0)
        top = hit[np.lexsort((hit, -sh[hit]))[: size[root[k]]]]  # most overlap first, then the earlier prediction
        if len(top):
            best[k] = (top, sh[top])
    members: dict[int, list[int]] = defaultdict(list)
    for k in best:
        members[root[k]].append(k)
    for ks in members.values():
        cols = np.unique(np.concatenate([best[k][0] for k in ks]))
        per_pair = sum(gold[free_gold[k]][1] - gold[free_gold[k]][0] for k in ks) + 1  # one more pair outweighs any extra overlap
        weight = np.zeros((len(ks), len(cols)), dtype=np.int64)
        for r, k in enumerate(ks):
            weight[r, np.searchsorted(cols, best[k][0])] = per_pair + best[k][1]
        rows, picked = linear_sum_assignment(weight, maximize=True)
        for r, c in zip(rows.tolist(), picked.tolist(), strict=True):
            if weight[r, c]:
                pairs.append((free_gold[ks[r]], int(free_pred[cols[c]])))
    return sorted(pairs)


@dataclass
class BCubed:
    precision: float
    recall: float
    f1: float
    claims: int  # matched claims the clusters were compared over


def item_bcubed(gold_labels: Sequence[Hashable], pred_labels: Sequence[Hashable]) -> list[tuple[float, float]]:
    """(precision, recall) of each item: its predicted cluster's share of its gold cluster, and the reverse."""
    by_gold, by_pred = defaultdict(set), defaultdict(set)
    for i, (g, p) in enumerate(zip(gold_labels, pred_labels, strict=True)):
        by_gold[g].add(i)
        by_pred[p].add(i)
    return [
        (len(by_gold[g] & by_pred[p]) / len(by_pred[p]), len(by_gold[g] & by_pred[p]) / len(by_gold[g]))
        for g, p in zip(gold_labels, pred_labels, strict=True)
    ]


def bcubed(gold_labels: Sequence[Hashable], pred_labels: Sequence[Hashable]) -> BCubed | None:
    """B-cubed precision/recall/F1 of one clustering against another over the same items (None for no items)."""
    items = item_bcubed(gold_labels, pred_labels)
    if not items:
        return None
    n = len(items)
    precision, recall = sum(p for p, _ in items) / n, sum(r for _, r in items) / n
    return BCubed(precision, recall, 2 * precision * recall / (precision + recall), n)

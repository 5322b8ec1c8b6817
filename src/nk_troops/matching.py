"""One-to-one matching of predicted spans to gold spans of one layer, and B-cubed
agreement of two clusterings over the matched spans.

Among all one-to-one matchings of overlapping spans the scorer takes the one with
the most exact matches, then the most pairs, then the most overlapping characters.
This is a maximum-weight assignment, solved exactly (Hungarian method) on each
connected group of overlapping spans, so a prediction is never paired twice and
the result does not depend on the order of the input: callers sort both lists
canonically and every tie is then broken the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

Interval = tuple[int, int]


def overlap(a: Interval, b: Interval) -> int:
    """Characters shared by two half-open ranges."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _hungarian(cost: list[list[int]]) -> dict[int, int]:
    """Row -> column of a minimum-cost assignment; needs rows <= columns."""
    n, m = len(cost), len(cost[0])
    u, v, p, way = [0] * (n + 1), [0] * (m + 1), [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
        minv, used = [float("inf")] * (m + 1), [False] * (m + 1)
        while p[j0]:
            used[j0], i0, delta, j1 = True, p[j0], float("inf"), 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    return {p[j] - 1: j - 1 for j in range(1, m + 1) if p[j]}


def _components(gold: Sequence[Interval], pred: Sequence[Interval]) -> list[tuple[list[int], list[int]]]:
    """Groups of gold and predicted indices connected by overlaps (sweep over sorted starts)."""
    events = sorted([(s, e, 0, i) for i, (s, e) in enumerate(gold)] + [(s, e, 1, j) for j, (s, e) in enumerate(pred)])
    groups: list[tuple[list[int], list[int]]] = []
    reach = -1
    for s, e, side, idx in events:
        if s >= reach:  # nothing open reaches here: a new group starts
            groups.append(([], []))
        groups[-1][side].append(idx)
        reach = max(reach, e)
    return groups


def assign(gold: Sequence[Interval], pred: Sequence[Interval]) -> list[tuple[int, int]]:
    """(gold index, predicted index) pairs of the best one-to-one matching of overlapping spans."""
    pairs = []
    for gs, ps in _components(gold, pred):
        if not gs or not ps:
            continue
        total = sum(gold[i][1] - gold[i][0] for i in gs) + 1
        per_pair = total  # one more pair outweighs any amount of extra overlap
        per_exact = per_pair * (len(gs) + len(ps) + 1)  # one more exact match outweighs any number of pairs

        weights = {}
        for i in gs:
            for j in ps:
                shared = overlap(gold[i], pred[j])
                weights[i, j] = per_exact * (gold[i] == pred[j]) + per_pair + shared if shared else 0
        flip = len(gs) > len(ps)  # the solver needs no more rows than columns
        rows, cols = (ps, gs) if flip else (gs, ps)
        cost = [[-(weights[c, r] if flip else weights[r, c]) for c in cols] for r in rows]
        for r, c in _hungarian(cost).items():
            i, j = (cols[c], rows[r]) if flip else (rows[r], cols[c])
            if overlap(gold[i], pred[j]):
                pairs.append((i, j))
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

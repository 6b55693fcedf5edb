"""Agreement statistics between judge scores and human grades, and the 3-way mapping used on
SemEval-2013 (correct / contradictory / incorrect). Pure functions, tested with literal numbers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

_NEGATION = re.compile(r"\b(not|no|never|none|cannot|can't|isn't|aren't|doesn't|don't|didn't|won't|wasn't|weren't|nothing|neither|nor|without)\b|n't\b", re.I)


def ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (1-based), ties share the mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / (sxx * syy) ** 0.5 if sxx and syy else 0.0


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    return pearson(ranks(x), ranks(y))


def mae(x: Sequence[float], y: Sequence[float]) -> float:
    return sum(abs(a - b) for a, b in zip(x, y, strict=True)) / len(x)


def pairwise_accuracy(scores: Sequence[float], grades: Sequence[float]) -> float:
    """Share of pairs with different grades that the scores order the same way (ties count half)."""
    right = total = 0.0
    for i, j in itertools.combinations(range(len(grades)), 2):
        if grades[i] == grades[j]:
            continue
        total += 1
        d = (scores[i] - scores[j]) * (grades[i] - grades[j])
        right += 1.0 if d > 0 else 0.5 if d == 0 else 0.0
    return right / total if total else 0.0


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    f1s = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(f1s) / len(f1s)


def negation_mismatch(answer: str, reference: str) -> bool:
    """One says "not" where the other does not: the cheap cue for a contradiction."""
    return bool(_NEGATION.search(answer)) != bool(_NEGATION.search(reference))


def three_way(similarity: float, mismatch: bool, correct_at: float, contradict_at: float) -> str:
    if similarity >= correct_at and not mismatch:
        return "correct"
    if similarity >= contradict_at and mismatch:
        return "contradictory"
    if similarity >= correct_at:
        return "correct"
    return "incorrect"


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile, as every benchmark reports it; None when there is nothing to rank."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

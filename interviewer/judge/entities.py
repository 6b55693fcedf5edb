"""Pairs of contrasting terms that interviews test on: a sentence about the other side of a pair
cannot state a key point about this side.

The trained pair classifier reads meaning well but, like most small cross-encoders, barely
notices which of two near-identical terms a sentence names: "L2 drives weights to exactly zero"
and "L1 drives weights to exactly zero" read alike to it. When a key point names one side of a
pair and a sentence names only the other, what the classifier took for "states" is the swapped,
wrong claim, and what it took for "contradicts" says nothing about this point.
"""

from __future__ import annotations

import re
from functools import cache

# Each entry: the terms of one side, the terms of the other (synonyms together).
CONTRASTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("L1", "lasso"), ("L2", "ridge")),
    (("precision",), ("recall",)),
    (("type I", "false positive", "false positives"), ("type II", "false negative", "false negatives")),
    (("bias",), ("variance",)),
    (("bagging",), ("boosting",)),
    (("overfitting", "overfit", "overfits"), ("underfitting", "underfit", "underfits")),
    (("batch norm", "batchnorm", "batch normalisation", "batch normalization"),
     ("layer norm", "layernorm", "layer normalisation", "layer normalization")),
    (("encoder",), ("decoder",)),
    (("sensitivity",), ("specificity",)),
    (("numerator",), ("denominator",)),
)


@cache
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE)


def names_other_side(point: str, sentence: str) -> bool:
    """True when the point names exactly one side of a contrasting pair and the sentence names
    only the other side."""
    for left, right in CONTRASTS:
        in_point = (bool(_pattern(left).search(point)), bool(_pattern(right).search(point)))
        in_sentence = (bool(_pattern(left).search(sentence)), bool(_pattern(right).search(sentence)))
        if in_point[0] != in_point[1] and in_sentence[0] != in_sentence[1] and in_point != in_sentence:
            return True
    return False

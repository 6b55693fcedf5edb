"""Which sentences of an answer the pair classifier reads for each rubric item.

The bi-encoder's cosine alone put the sentence that states a key point first in 81% of the
held-out labelled answers (corpus/contrast/answers, the questions evals/judge_data.py holds
out). Two cheap corrections, chosen on the training questions' answers, put it first in 90%
and among the first three in 99% (cosine alone: 97%):
- a sentence close to every item is about the topic, not about this item: its mean cosine to
  the other items is subtracted ("Both slices have their own dashboards" was the closest
  sentence to three different points of one answer);
- rubric items are long and specific, and a sentence that uses their words usually states or
  denies them: the share of the item's content words (stemmed) found in the sentence is added.
Only the ranking changes; the cosine still feeds the score's similarity and focus measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from interviewer.retrieval.lexical import tokenize

OTHERS_WEIGHT = 0.7
OVERLAP_WEIGHT = 0.7


@lru_cache(maxsize=20_000)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def overlap(item: str, sentence: str) -> float:
    """Share of the item's content words (stemmed, stopwords dropped) that the sentence uses."""
    wanted = _tokens(item)
    return len(wanted & _tokens(sentence)) / len(wanted) if wanted else 0.0


def ranking_scores(sims: np.ndarray, items: Sequence[str], sentences: Sequence[str]) -> np.ndarray:
    """items x sentences: higher means read first. `sims` is the items x sentences cosine."""
    n = sims.shape[0]
    if n == 0 or sims.shape[1] == 0:
        return sims
    others = (sims.sum(axis=0, keepdims=True) - sims) / (n - 1) if n > 1 else np.zeros_like(sims)
    lexical = np.array([[overlap(item, s) for s in sentences] for item in items])
    return sims - OTHERS_WEIGHT * others + OVERLAP_WEIGHT * lexical


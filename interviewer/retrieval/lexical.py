"""Lexical retrieval (BM25) and score fusion with dense retrieval."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
# British and American spellings meet: "regularisation" and "regularization" share a stem.
_ISE = re.compile(r"(?<=[a-z]{3})is(ation|ations|ing|ed|e|es|er|ers)$")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more most my
    no nor not now of off on once only or other our ours out over own same she should so some such
    than that the their theirs them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours""".split()
)


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    words = [_ISE.sub(r"iz\1", w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return _stemmer().stemWords(words) if words else []


class BM25Index:
    """BM25 over a fixed list of documents; scores every document for a query."""

    def __init__(self, texts: Sequence[str]):
        import bm25s

        self.size = len(texts)
        self._bm25 = bm25s.BM25()
        tokens = [tokenize(t) or ["_empty_"] for t in texts]
        self._bm25.index(tokens, show_progress=False)
        self._vocab = {tok for doc in tokens for tok in doc}

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)


# Chosen by evals/bench_retrieval.py over the labelled query set (stable on both halves of it).
DENSE_WEIGHT = 0.6


def weighted_fuse(
    dense: dict[str, float], lexical: dict[str, float], dense_weight: float = DENSE_WEIGHT
) -> list[tuple[str, float]]:
    """Convex combination of min-max normalised scores (a missing score counts as 0).

    Beat reciprocal rank fusion on the benchmark: RRF throws away how far apart scores are,
    and BM25 is much weaker than dense here, so its ranks should not count as much.
    """

    def normalise(scores: dict[str, float]) -> dict[str, float]:
        if not scores:
            return {}
        low, high = min(scores.values()), max(scores.values())
        span = high - low
        return {k: ((v - low) / span if span > 0 else 1.0) for k, v in scores.items()}

    d, l = normalise(dense), normalise(lexical)
    fused = {i: dense_weight * d.get(i, 0.0) + (1 - dense_weight) * l.get(i, 0.0) for i in d.keys() | l.keys()}
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))

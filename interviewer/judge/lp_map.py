"""Which Leadership Principle a story's sentences speak to: a small trained classifier.

Multinomial logistic regression over sentence embeddings, fitted by evals/train_lp_map.py on
the LP contrast sentences of corpus/contrast/lps (the sentences that show each signal, and the
signals themselves). A story's profile is the mean of its sentences' probabilities: on the
story bank's dev stories this put the LP a story was written for first in 13 of 18 (the pair
classifier's signal reading: 5 of 18).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from interviewer.judge.pairs import WEIGHTS_DIR

LP_MAP_FILE = "lp_classifier.npz"


class LpClassifier:
    def __init__(self, encode: Callable[[list[str]], np.ndarray], path: Path = WEIGHTS_DIR / LP_MAP_FILE) -> None:
        self.encode = encode
        self.path = path
        self._weights: tuple[np.ndarray, np.ndarray, list[str]] | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        with self._lock:
            if self._weights is None:
                if not self.path.exists():
                    raise FileNotFoundError(f"{self.path} is missing: run `python -m evals.train_lp_map`")
                with np.load(self.path, allow_pickle=False) as data:
                    self._weights = (data["coef"], data["intercept"], [str(x) for x in data["classes"]])
        return self._weights

    def profile(self, texts: list[str]) -> dict[str, float]:
        """LP name -> the mean probability over the sentences (sums to 1)."""
        coef, intercept, classes = self._load()
        if not texts:
            return {c: 1.0 / len(classes) for c in classes}
        logits = self.encode(texts) @ coef.T + intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        return dict(zip(classes, p.mean(axis=0).tolist(), strict=True))

"""Which STAR part each sentence of a story is: a small trained classifier.

Multinomial logistic regression over the sentence's embedding and the cue-phrase features of
judge/text.py, fitted by evals/train_judge.py on corpus/contrast/star.yaml. A sentence that
labels itself ("Task: ...") is taken at its word.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from interviewer.judge.pairs import WEIGHTS_DIR
from interviewer.judge.text import STAR_PARTS, Span, star_cues

STAR_FILE = "star_classifier.npz"
MIN_PROBABILITY = 0.45  # below this, a sentence is not counted as showing any part
_LABELLED = re.compile(r"^\s*\**\s*(situation|task|action|actions|result|results|outcome|learning|lesson|learnings)\s*\**\s*[:\-–]", re.I)
_ALIASES = {"actions": "action", "results": "result", "outcome": "result", "lesson": "learning", "learnings": "learning"}


def features(embeddings: np.ndarray, texts: list[str]) -> np.ndarray:
    """Embedding plus one indicator per STAR cue, so the model sees what the phrases say."""
    cues = np.array([[1.0 if part in star_cues(t) else 0.0 for part in STAR_PARTS] for t in texts], dtype=np.float32)
    return np.hstack([embeddings, cues.reshape(len(texts), len(STAR_PARTS))])


def labelled_part(text: str) -> str | None:
    m = _LABELLED.match(text)
    if not m:
        return None
    word = m.group(1).lower()
    return _ALIASES.get(word, word)


class StarClassifier:
    def __init__(self, encode: Callable[[list[str]], np.ndarray], path: Path = WEIGHTS_DIR / STAR_FILE) -> None:
        self.encode = encode  # sentence embeddings (the judge passes its cached encoder)
        self.path = path
        self._weights: tuple[np.ndarray, np.ndarray, list[str]] | None = None
        self._lock = threading.Lock()

    def available(self) -> bool:
        return self.path.exists()

    def _load(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        with self._lock:
            if self._weights is None:
                with np.load(self.path, allow_pickle=False) as data:
                    self._weights = (data["coef"], data["intercept"], [str(x) for x in data["classes"]])
        return self._weights

    def probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        coef, intercept, classes = self._load()
        x = features(self.encode(texts), texts)
        logits = x @ coef.T + intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        return [dict(zip(classes, row.tolist(), strict=True)) for row in p]

    def parts(self, spans: list[Span], probs: list[dict[str, float]] | None = None) -> dict[str, Span | None]:
        """For each STAR part, the sentence that shows it most clearly (None when none does)."""
        found: dict[str, tuple[float, Span] | None] = {p: None for p in STAR_PARTS}
        probs = probs if probs is not None else self.probabilities([s.text for s in spans])
        for span, p in zip(spans, probs, strict=True):
            named = labelled_part(span.text)
            if named is not None:
                found[named] = (2.0, span)
                continue
            part = max(p, key=p.get)
            if p[part] >= MIN_PROBABILITY and (found[part] is None or p[part] > found[part][0]):
                found[part] = (p[part], span)
        return {part: (v[1] if v else None) for part, v in found.items()}

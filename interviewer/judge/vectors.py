"""Embeddings of rubric texts and answer sentences for the offline judge, each computed once.

Rubric texts (key points, LP signals, questions) are embedded ahead of the interview and kept,
with a file under the data directory that the next start reuses when nothing changed; answer
sentences are cached in a bounded dictionary, because a follow-up re-scores the whole answer so
far and only its new sentences need the model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from interviewer.embeddings import model_id

log = logging.getLogger(__name__)

_WARM_LOCK = threading.Lock()
WARM_CHUNK = 128
CACHE_SIZE = 20_000


class TextVectors:
    def __init__(self, embedder) -> None:  # noqa: ANN001
        self.embedder = embedder
        self._cache: dict[str, np.ndarray] = {}  # answer sentences, bounded
        self._rubric: dict[str, np.ndarray] = {}  # rubric texts: key points, mistakes, LP signals

    def cached_vector(self, text: str) -> list[float] | None:
        """The embedding of a rubric or question text when it is already known."""
        vec = self._rubric.get(text)
        return None if vec is None else vec.tolist()

    def clear_cache(self) -> None:
        """Forget answer sentences (rubric embeddings stay: they are part of being warm)."""
        self._cache.clear()

    def warm_rubrics(self, texts: Sequence[str], cache_file: Path | None = None, stop: threading.Event | None = None) -> int:
        """Embed every rubric text once, reusing a file under the data directory when it matches.

        Returns how many texts had to be embedded now.
        """
        with _WARM_LOCK:  # one warm-up at a time per process; the next one reads the file
            return self._warm_rubrics(list(dict.fromkeys(texts)), cache_file, stop)

    def _warm_rubrics(self, wanted: list[str], cache_file: Path | None, stop: threading.Event | None = None) -> int:
        if all(t in self._rubric for t in wanted):
            return 0
        cached = self._read_cache(cache_file)
        self._rubric.update((t, v) for t, v in cached.items() if t in set(wanted))
        todo = [t for t in wanted if t not in self._rubric]
        # In chunks, so a program that is exiting can stop the warm-up between two of them; what
        # was embedded by then is kept, and the next start embeds only the rest.
        done = 0
        for i in range(0, len(todo), WARM_CHUNK):
            if stop is not None and stop.is_set():
                break
            chunk = todo[i:i + WARM_CHUNK]
            self._rubric.update(zip(chunk, self.embedder.encode(chunk), strict=True))
            done += len(chunk)
        if cache_file is not None and done:
            self._write_cache(cache_file, {t: self._rubric[t] for t in wanted if t in self._rubric})
        return done

    @staticmethod
    def _read_cache(cache_file: Path | None) -> dict[str, np.ndarray]:
        """Rubric texts and their vectors from the data directory (made by this model only)."""
        if cache_file is None or not cache_file.exists():
            return {}
        try:
            with np.load(cache_file, allow_pickle=False) as data:
                if str(data["model"]) != model_id():
                    return {}
                return dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable rubric cache %s: %s", cache_file, exc)
            return {}

    @staticmethod
    def _write_cache(cache_file: Path, vectors: dict[str, np.ndarray]) -> None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp.npz")
        np.savez(tmp, model=np.array(model_id()), texts=np.array(list(vectors)),
                 vectors=np.vstack(list(vectors.values())) if vectors else np.zeros((0, 384), dtype=np.float32))
        tmp.replace(cache_file)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Rubric texts and answer sentences are embedded once: a follow-up re-scores the whole
        answer so far, and only its new sentences need the model."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache and t not in self._rubric]
        if missing:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            for text, vec in zip(missing, self.embedder.encode(missing), strict=True):
                self._cache[text] = vec
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack([self._rubric[t] if t in self._rubric else self._cache[t] for t in texts])


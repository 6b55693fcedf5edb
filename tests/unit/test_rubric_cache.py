"""The rubric embeddings the judge keeps under the data directory: a warm-up stopped early (a
quick /end) keeps what it embedded, and the next start embeds only the rest."""

from __future__ import annotations

import threading

import numpy as np

from interviewer.judge import vectors
from interviewer.judge.vectors import TextVectors


class CountingEmbedder:
    def __init__(self, stop_after: int | None = None, stop: threading.Event | None = None):
        self.encoded: list[str] = []
        self.stop_after, self.stop = stop_after, stop

    def encode(self, texts):  # noqa: ANN001, ANN201
        self.encoded += list(texts)
        if self.stop is not None and self.stop_after is not None and len(self.encoded) >= self.stop_after:
            self.stop.set()  # the program starts exiting while this chunk is embedded
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)


def test_a_stopped_warm_up_keeps_its_work_and_the_next_one_finishes(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "WARM_CHUNK", 2)
    texts = [f"rubric text {i}" for i in range(7)]
    cache = tmp_path / "cache" / "rubric.npz"
    stop = threading.Event()
    first = CountingEmbedder(stop_after=4, stop=stop)
    assert TextVectors(first).warm_rubrics(texts, cache, stop) == 4  # two chunks, then the stop
    assert cache.exists()
    second = CountingEmbedder()
    warm = TextVectors(second)
    assert warm.warm_rubrics(texts, cache) == 3 and second.encoded == texts[4:]
    assert warm.cached_vector("rubric text 0") == [13.0, 1.0]  # len("rubric text 0"), from the cache
    third = CountingEmbedder()
    assert TextVectors(third).warm_rubrics(texts, cache) == 0 and third.encoded == []


def test_a_cache_from_another_model_is_not_used(tmp_path, monkeypatch):
    cache = tmp_path / "rubric.npz"
    TextVectors(CountingEmbedder()).warm_rubrics(["a key point"], cache)
    monkeypatch.setattr(vectors, "model_id", lambda: "another-model==2")
    again = CountingEmbedder()
    assert TextVectors(again).warm_rubrics(["a key point"], cache) == 1 and again.encoded == ["a key point"]


def test_an_unreadable_cache_is_ignored(tmp_path):
    cache = tmp_path / "rubric.npz"
    cache.write_bytes(b"not a numpy file")
    assert TextVectors(CountingEmbedder()).warm_rubrics(["a key point"], cache) == 1

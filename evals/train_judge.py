"""Train the offline judge's models from the repository's data (`make train-judge`).

1. The pair classifier: a cross-encoder fine-tuned from the bundled all-MiniLM-L6-v2 on
   (rubric item, sentence) pairs labelled states / contradicts / silent: the contrast data of
   corpus/contrast/ (minus the graded dev and test questions), the sentences of its labelled
   whole answers (minus a held-out share of their questions, measured on), and SemEval-2013's
   train split.
   The epoch kept is the best on the dev pairs; the weights ship float16, without the frozen
   word-embedding table.
2. The STAR classifier: multinomial logistic regression on sentence embeddings.
3. The cheaper alternative it is measured against: logistic regression on frozen-embedding pair
   features (u, v, |u - v|, u * v), trained on the same pairs.

Fixed seed; writes interviewer/judge/weights/ and the card with every figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from evals.judge_data import (
    SEMEVAL_TESTS,
    Pair,
    answer_held_out,
    answer_pairs,
    contrast_pairs,
    held_out_targets,
    load_graded,
    semeval_pairs,
    semeval_rows,
    split_semeval_train,
)
from evals.statistics import macro_f1
from interviewer.config import Settings
from interviewer.corpus.contrast import load_contrast
from interviewer.corpus.loading import load_with_extras
from interviewer.embeddings import get_embedder, model_id
from interviewer.judge.pairs import (
    CARD_FILE,
    FROZEN,
    LABELS,
    MAX_LENGTH,
    WEIGHTS_DIR,
    WEIGHTS_FILE,
    PairClassifier,
    build_model,
)
from interviewer.judge.star import STAR_FILE
from interviewer.judge.star import features as star_features

log = logging.getLogger("train_judge")
SEED = 13


def f1(gold: list[int], pred: list[int]) -> float:
    return macro_f1([LABELS[g] for g in gold], [LABELS[p] for p in pred], LABELS)


def predict(model, tokenizer, pairs: list[Pair], batch_size: int = 64) -> np.ndarray:  # noqa: ANN001
    import torch

    model.eval()
    out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].item) + len(pairs[i].sentence))
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            enc = tokenizer([pairs[i].item for i in idx], [pairs[i].sentence for i in idx], padding=True,
                            truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
            out[idx] = torch.softmax(model(**enc).logits, dim=-1).numpy()
    return out


def length_batches(pairs: list[Pair], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of pairs of similar length, in random order: far less padding than random batches,
    and the order of batches still changes every epoch."""
    noisy = sorted(range(len(pairs)), key=lambda i: len(pairs[i].item) + len(pairs[i].sentence) + rng.uniform(0, 40))
    batches = [noisy[s : s + batch_size] for s in range(0, len(noisy), batch_size)]
    rng.shuffle(batches)
    return batches


def train_cross_encoder(train: list[Pair], dev: list[Pair], epochs: int, lr: float, batch_size: int) -> tuple:
    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    from interviewer.judge.pairs import base_model_path

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    model = build_model()
    model.bert.embeddings.word_embeddings.weight.requires_grad = False
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = epochs * ((len(train) + batch_size - 1) // batch_size)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * steps), steps)
    rng = random.Random(SEED)
    best, best_state, history = -1.0, None, []
    for epoch in range(1, epochs + 1):
        model.train()
        t0, seen, loss_sum = time.time(), 0, 0.0
        for step, idx in enumerate(length_batches(train, batch_size, rng)):
            batch = [train[i] for i in idx]
            enc = tokenizer([p.item for p in batch], [p.sentence for p in batch], padding=True, truncation=True,
                            max_length=MAX_LENGTH, return_tensors="pt")
            out = model(**enc, labels=torch.tensor([p.label for p in batch]))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            seen += len(batch)
            loss_sum += float(out.loss.detach()) * len(batch)
            if step % 100 == 0:
                log.info("epoch %d: %d/%d pairs, loss %.3f, %.0f pairs/s", epoch, seen, len(train), loss_sum / seen,
                         seen / (time.time() - t0))
        dev_pred = predict(model, tokenizer, dev).argmax(axis=1).tolist()
        score = f1([p.label for p in dev], dev_pred)
        history.append({"epoch": epoch, "train_loss": loss_sum / max(1, seen), "dev_macro_f1": score,
                        "seconds": round(time.time() - t0)})
        log.info("epoch %d done: dev macro-F1 %.3f", epoch, score)
        if score > best:
            best = score
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    return model, tokenizer, history


def similarity(points: list[str], texts: list[str]) -> np.ndarray:
    emb = get_embedder()
    return emb.encode(points) @ emb.encode(texts).T


def contradiction_figures(pairs: list[Pair], probs: np.ndarray) -> dict[str, float]:
    """On sentences of whole answers: how often a right or silent sentence is read as
    contradicting (a wrong challenge in the interview), and how many wrong ones are caught."""
    pred = probs.argmax(axis=1)
    gold = np.array([p.label for p in pairs])
    not_wrong = gold != LABELS.index("contradicts")
    return {"false_contradiction_rate": float((pred[not_wrong] == 1).mean()) if not_wrong.any() else float("nan"),
            "contradiction_recall": float((pred[~not_wrong] == 1).mean()) if (~not_wrong).any() else float("nan")}


def evaluate(probabilities: Callable[[list[Pair]], np.ndarray], evals: dict[str, list[Pair]]) -> dict:
    figures: dict = {}
    for name, pairs in evals.items():
        if pairs:
            probs = probabilities(pairs)
            figures[name] = f1([p.label for p in pairs], probs.argmax(axis=1).tolist())
            log.info("%s macro-F1 %.3f (%d pairs)", name, figures[name], len(pairs))
            if name == "answers_test":
                figures["answers_test_contradictions"] = contradiction_figures(pairs, probs)
    return figures


def shipped_figures(weights_dir: Path, evals: dict[str, list[Pair]]) -> dict:
    """The exported weights as the judge loads them (interviewer/judge/pairs.py)."""
    classifier = PairClassifier(weights_dir)

    def probabilities(pairs: list[Pair]) -> np.ndarray:
        verdicts = classifier.predict([(p.item, p.sentence) for p in pairs])
        return np.array([[v.states, v.contradicts, v.silent] for v in verdicts], dtype=np.float32)

    return evaluate(probabilities, evals)


def export(model, out_dir: Path) -> int:  # noqa: ANN001
    from safetensors.torch import save_file

    state = {k: v.detach().to(dtype=__import__("torch").float16).contiguous()
             for k, v in model.state_dict().items() if k != FROZEN and not k.endswith("position_ids")}
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out_dir / WEIGHTS_FILE))
    return (out_dir / WEIGHTS_FILE).stat().st_size


def baseline(train: list[Pair], evals: dict[str, list[Pair]]) -> dict[str, float]:
    """The cheaper alternative: frozen-embedding pair features and a fitted classifier."""
    from sklearn.linear_model import LogisticRegression

    emb = get_embedder()

    def features(pairs: list[Pair]) -> np.ndarray:
        u = emb.encode([p.item for p in pairs])
        v = emb.encode([p.sentence for p in pairs])
        return np.hstack([u, v, np.abs(u - v), u * v])

    clf = LogisticRegression(max_iter=2000, C=1.0, random_state=SEED)
    clf.fit(features(train), [p.label for p in train])
    return {name: f1([p.label for p in pairs], clf.predict(features(pairs)).tolist()) for name, pairs in evals.items() if pairs}


def fit_star(sentences, path: Path, seed: int) -> dict:  # noqa: ANN001
    """STAR part classifier, fitted on four fifths of the sentences; the other fifth (by a hash
    of the text) is never fitted on, so the benchmark can measure on it."""
    import hashlib

    from sklearn.linear_model import LogisticRegression

    if not sentences:
        return {"skipped": "no STAR sentences"}
    texts = [s.text for s in sentences]
    labels = [s.part for s in sentences]
    x = star_features(get_embedder().encode(texts), texts)
    held = np.array([int(hashlib.sha256(t.encode()).hexdigest(), 16) % 5 == 0 for t in texts])
    y = np.array(labels)
    clf = LogisticRegression(max_iter=3000, C=2.0, random_state=seed)
    clf.fit(x[~held], y[~held])
    accuracy = float((clf.predict(x[held]) == y[held]).mean()) if held.any() else float("nan")
    from interviewer.judge.text import STAR_PARTS, star_cues

    cue_right = [next((p for p in STAR_PARTS if p in star_cues(t)), None) == lab
                 for t, lab, h in zip(texts, labels, held, strict=True) if h]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, coef=clf.coef_.astype(np.float32), intercept=clf.intercept_.astype(np.float32),
             classes=np.array(clf.classes_))
    return {"sentences": len(texts), "held_out": int(held.sum()), "held_out_accuracy": accuracy,
            "cue_phrases_alone_accuracy": float(np.mean(cue_right)) if cue_right else None}


def previous_baseline(card: Path) -> tuple[dict, str | None]:
    """With --skip-baseline (the baseline step alone takes longer than an epoch), the figures of
    the last run that measured it, said as such."""
    if not card.exists():
        return {}, None
    old = json.loads(card.read_text(encoding="utf-8"))
    base = old.get("baseline_frozen_embeddings_macro_f1") or {}
    note = old.get("baseline_note") or f"carried over from the run of {old.get('train_seconds', '?')} s before this one"
    return base, (note if base else None)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--limit", type=int, default=0, help="train on this many pairs only (a smoke run)")
    ap.add_argument("--allow-incomplete", action="store_true", help="train while the contrast data is being written")
    ap.add_argument("--out", type=Path, default=WEIGHTS_DIR)
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-eval", action="store_true", help="no figures on the held-out and SemEval test pairs")
    ap.add_argument("--eval-only", action="store_true", help="measure the weights in --out again, train nothing")
    args = ap.parse_args(argv)
    if args.eval_only and not ((args.out / CARD_FILE).exists() and (args.out / WEIGHTS_FILE).exists()):
        ap.error(f"--eval-only: {args.out} has no {WEIGHTS_FILE} and {CARD_FILE} to measure (train first)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    random.seed(SEED)
    np.random.seed(SEED)
    started = time.time()

    settings = Settings.from_env()
    corpus = load_with_extras(settings.corpus_dir, [])
    contrast = load_contrast(settings.corpus_dir, corpus, complete=not args.allow_incomplete)
    graded = load_graded()
    held_out = held_out_targets(graded)
    dev_targets = {a["target"] for a in graded if a["split"] == "dev"}
    answer_test_questions = {a.question for a in contrast.answers if answer_held_out(a.question)}
    train_pairs = contrast_pairs(contrast, corpus, exclude=held_out)
    train_answers = answer_pairs(contrast, corpus, exclude=held_out | answer_test_questions, similarity=similarity)
    test_answers = answer_pairs(contrast, corpus, exclude={a.question for a in contrast.answers} - answer_test_questions,
                                similarity=similarity)
    all_pairs = contrast_pairs(contrast, corpus, exclude=set())
    dev_contrast = [p for p in all_pairs if p.group in dev_targets]
    test_all = [p for p in all_pairs if p.group in held_out and p.group not in dev_targets]
    # Written sentences, comparable with earlier runs; two-claim sentences reported apart.
    test_contrast = [p for p in test_all if p.source != "compound"]
    test_compound = [p for p in test_all if p.source == "compound"]
    sem_fit, sem_dev = split_semeval_train(semeval_rows("train"))
    train = train_pairs + train_answers + semeval_pairs(sem_fit)
    dev = dev_contrast + semeval_pairs(sem_dev)
    random.Random(SEED).shuffle(train)
    if args.limit:  # a smoke run: a few pairs to fit, a few to choose on
        train, dev = train[: args.limit], dev[: args.limit]
    log.info("training pairs: %d (contrast %d, answers %d, SemEval %d); dev pairs %d; held-out targets %d",
             len(train), len(train_pairs), len(train_answers), len(sem_fit), len(dev), len(held_out))

    evals = {"contrast_dev": dev_contrast, "contrast_test": test_contrast, "contrast_test_compound": test_compound,
             "answers_test": test_answers, "semeval_dev": semeval_pairs(sem_dev)}
    evals |= {f"semeval_{name}": semeval_pairs(semeval_rows(name)) for name in SEMEVAL_TESTS}
    if args.skip_eval:
        evals = {}
    card_file = args.out / CARD_FILE
    if args.eval_only:
        # The shipped weights measured again, the rest of the card kept.
        card = json.loads(card_file.read_text(encoding="utf-8"))
        card["macro_f1"] = shipped_figures(args.out, evals)
        card_file.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(card["macro_f1"], indent=2))
        return

    model, _, history = train_cross_encoder(train, dev, args.epochs, args.lr, args.batch_size)
    size = export(model, args.out)
    # Measured as the judge loads them: from the exported (float16) file.
    figures = shipped_figures(args.out, evals)

    star = fit_star(contrast.star, args.out / STAR_FILE, seed=SEED)
    base, base_note = (baseline(train, evals), None) if not args.skip_baseline else previous_baseline(args.out / CARD_FILE)
    card = {
        "model": "cross-encoder fine-tuned from all-MiniLM-L6-v2, 3 labels " + "/".join(LABELS),
        "base": model_id(), "max_length": MAX_LENGTH, "seed": SEED,
        "recipe": {"epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size, "frozen": FROZEN,
                   "limit": args.limit or None},
        "data": {"train_pairs": len(train), "contrast_train_pairs": len(train_pairs), "answer_train_pairs": len(train_answers),
                 "answer_test_pairs": len(test_answers), "answer_test_questions": sorted(answer_test_questions),
                 "semeval_fit_rows": len(sem_fit),
                 "dev_pairs": len(dev), "held_out_targets": sorted(held_out),
                 "contrast_complete": not args.allow_incomplete},
        "history": history, "macro_f1": figures, "baseline_frozen_embeddings_macro_f1": base, "baseline_note": base_note,
        "star_classifier": star, "weights_bytes": size, "train_seconds": round(time.time() - started),
    }
    (args.out / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: card[k] for k in ("macro_f1", "baseline_frozen_embeddings_macro_f1", "star_classifier",
                                            "weights_bytes", "train_seconds")}, indent=2))


if __name__ == "__main__":
    main()

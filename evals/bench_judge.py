"""Judge benchmark: the old judge, the shipped judge and an answer-length baseline, side by side.

All figures on the TEST questions of evals/graded/ (split by question, evals/judge_data.py):
their contrast sentences never reached training and the score map was not fitted on them.
- Spearman of score against the team's 1-4 grade.
- Length-matched Spearman: answers sorted by length and cut into bins of 8 of similar length;
  the Spearman within each bin, averaged with bin sizes as weights. A judge that only follows
  length scores near 0 here.
- Right beats wrong: share of right/wrong twins (similar length, one confidently wrong) where
  the right one scores higher (a tie counts as a loss).
- Also, as a second unseen set: the persona bank (evals/calibration/answers.yaml), which no
  part of the shipped judge was fitted on.
- STAR part accuracy on the held-out fifth of corpus/contrast/star.yaml (cue phrases for the
  old judge, the trained classifier for the shipped one).
- SemEval-2013 3-way macro-F1 on its three test splits (old: thresholds tuned on train; shipped:
  the pair classifier's label for (reference, answer), nothing tuned on the test splits).
- Warm scoring latency per answer (p50/p95, caches cleared per answer) and model load time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from evals.fit_scores import rubric_of
from evals.judge_data import SEMEVAL_LABELS, SEMEVAL_TESTS, load_graded, semeval_rows
from evals.metrics import length_matched_spearman, right_beats_wrong
from evals.old_judge import CosineJudge
from evals.statistics import (
    macro_f1,
    negation_mismatch,
    percentile,
    spearman,
    three_way,
)
from interviewer.config import Settings
from interviewer.corpus.contrast import load_contrast
from interviewer.corpus.loading import Corpus, load_with_extras
from interviewer.embeddings import get_embedder
from interviewer.judge.offline import OfflineJudge
from interviewer.judge.pairs import PairClassifier
from interviewer.judge.rubric import rubric_for_reference, rubric_texts
from interviewer.judge.star import StarClassifier
from interviewer.judge.text import STAR_PARTS, star_cues, words

HERE = Path(__file__).resolve().parent
def figures(scores: list[float], rows: list[dict]) -> dict:
    rbw, pairs = right_beats_wrong(scores, rows)
    return {"n": len(rows), "spearman": spearman(scores, [r["grade"] for r in rows]),
            "length_matched_spearman": length_matched_spearman(scores, rows), "right_beats_wrong": rbw, "pairs": pairs}


def timed_scores(score: Callable[[dict], float], rows: list[dict], clear: Callable[[], None]) -> tuple[list[float], list[float]]:
    out, ms = [], []
    for r in rows:
        clear()
        t = time.perf_counter()
        out.append(score(r))
        ms.append((time.perf_counter() - t) * 1000)
    return out, ms


def star_accuracy(corpus_dir: Path, corpus: Corpus, star: StarClassifier) -> dict:
    data = load_contrast(corpus_dir, corpus, complete=False)
    held = [s for s in data.star if int(hashlib.sha256(s.text.encode()).hexdigest(), 16) % 5 == 0]
    if not held:
        return {}
    # The old judge's reading: the first part, in STAR order, whose cue phrases the sentence has.
    old = sum(1 for s in held if next((p for p in STAR_PARTS if p in star_cues(s.text)), None) == s.part)
    probs = star.probabilities([s.text for s in held])
    new = sum(1 for s, p in zip(held, probs, strict=True) if max(p, key=p.get) == s.part)
    return {"n": len(held), "old": old / len(held), "shipped": new / len(held)}


def semeval(old: CosineJudge, pairs: PairClassifier, limit: int | None, old_limit: int) -> dict:
    """The shipped judge on every row of each test split; the old one (slow: a whole rubric score
    per row) on the first old_limit rows of its train split to tune on and of each test split."""
    rows = semeval_rows()
    if not rows:
        return {"skipped": "shared/eval-data not found"}
    out: dict = {}
    train = [r for r in rows if r["split"] == "train"][: old_limit]
    feats = [(old.score(rubric_for_reference(r["question"], r["reference_answer"]), r["student_answer"]).overall,
              negation_mismatch(r["student_answer"], r["reference_answer"]), r["label_3way"]) for r in train]
    grid = [1.0 + 0.1 * i for i in range(31)]
    best = max(((macro_f1([g for *_, g in feats], [three_way(s, m, c, x) for s, m, _ in feats], list(SEMEVAL_LABELS)), c, x)
                for c in grid for x in grid if x <= c), key=lambda b: b[0])
    for split in SEMEVAL_TESTS:
        test = [r for r in rows if r["split"] == split][: limit or None]
        old_test = test[:old_limit]
        old_pred = [three_way(old.score(rubric_for_reference(r["question"], r["reference_answer"]), r["student_answer"]).overall,
                              negation_mismatch(r["student_answer"], r["reference_answer"]), best[1], best[2]) for r in old_test]
        verdicts = pairs.predict([(r["reference_answer"], r["student_answer"]) for r in test])
        names = {0: "correct", 1: "contradictory", 2: "incorrect"}
        new_pred = [names[max(range(3), key=lambda k, v=v: (v.states, v.contradicts, v.silent)[k])] for v in verdicts]
        out[split] = {"n": len(test), "old_n": len(old_test),
                      "old": macro_f1([r["label_3way"] for r in old_test], old_pred, list(SEMEVAL_LABELS)),
                      "shipped": macro_f1([r["label_3way"] for r in test], new_pred, list(SEMEVAL_LABELS))}
    return out


def first_use_seconds() -> float:
    """`interviewer score` in a fresh process, model loads included."""
    t = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "interviewer"), "score", "--question", "What does a p-value mean?",
                    "--reference", "The probability of data at least as extreme as observed if the null hypothesis is true.",
                    "--answer", "It is the chance of seeing data this extreme or more when the null hypothesis holds."],
                   check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--semeval-limit", type=int, default=None, help="rows per split (default: all)")
    ap.add_argument("--skip-semeval", action="store_true")
    ap.add_argument("--old-semeval-limit", type=int, default=400,
                    help="rows the old judge scores per SemEval split (it scores about 10 a second)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "judge.json")
    args = ap.parse_args()

    settings = Settings.from_env()
    corpus = load_with_extras(settings.corpus_dir, [])
    embedder = get_embedder()
    embedder.encode(["warm up"])
    t = time.perf_counter()
    pairs = PairClassifier()
    pairs.load()
    load_seconds = time.perf_counter() - t
    shipped = OfflineJudge(embedder, pairs=pairs)
    old = CosineJudge(embedder)
    shipped.warm_models()

    sets = {"graded test": [a for a in load_graded() if a["split"] == "test"],
            "persona bank": yaml.safe_load((HERE / "calibration" / "answers.yaml").read_text())["answers"]}
    # Warm as the app is: it embeds every rubric text at start-up, so the latency measured is
    # the answer's own.
    warm = [*rubric_texts(corpus), *(r["question"] for rows in sets.values() for r in rows)]
    for judge in (shipped, old):
        judge.warm_rubrics(warm)
    report: dict = {"load_seconds": load_seconds, "sets": {}, "latency_ms": {}}
    for name, rows in sets.items():
        def clear() -> None:
            shipped.clear_cache()
            pairs.clear_cache()
        new_scores, new_ms = timed_scores(lambda r: shipped.score(rubric_of(r, corpus), r["answer"]).overall, rows, clear)
        old_scores, old_ms = timed_scores(lambda r: old.score(rubric_of(r, corpus), r["answer"]).overall, rows, old.clear_cache)
        lengths = [float(len(words(r["answer"]))) for r in rows]
        report["sets"][name] = {"old": figures(old_scores, rows), "shipped": figures(new_scores, rows),
                                "length": figures(lengths, rows)}
        if name == "graded test":
            report["latency_ms"] = {"shipped": {"p50": percentile(new_ms, 50), "p95": percentile(new_ms, 95)},
                                    "old": {"p50": percentile(old_ms, 50), "p95": percentile(old_ms, 95)}}
    report["star_part_accuracy"] = star_accuracy(settings.corpus_dir, corpus, shipped.star)
    if not args.skip_semeval:
        report["semeval"] = semeval(old, pairs, args.semeval_limit, args.old_semeval_limit)
    report["first_use_seconds"] = first_use_seconds()
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {args.out}")


def print_table(report: dict) -> None:
    print("| set | metric | old judge | shipped judge | answer length |\n|---|---|---|---|---|")
    for name, by_judge in report["sets"].items():
        n = by_judge["shipped"]["n"]
        for metric in ("spearman", "length_matched_spearman", "right_beats_wrong"):
            label = f"{metric.replace('_', ' ')}" + (f" ({by_judge['shipped']['pairs']} pairs)" if metric == "right_beats_wrong" else "")
            print(f"| {name} (n={n}) | {label} | " + " | ".join(f"{by_judge[j][metric]:.3f}" for j in ("old", "shipped", "length")) + " |")
    star = report.get("star_part_accuracy") or {}
    if star:
        print(f"| STAR sentences (n={star['n']}) | part accuracy | {star['old']:.3f} | {star['shipped']:.3f} | - |")
    for split, v in (report.get("semeval") or {}).items():
        if isinstance(v, dict):
            print(f"| SemEval-2013 {split} (n={v['n']}; old judge: first {v['old_n']}) | 3-way macro-F1 | "
                  f"{v['old']:.3f} | {v['shipped']:.3f} | - |")
    lat = report["latency_ms"]
    print(f"| graded test | scoring p50 / p95 ms per answer (warm) | {lat['old']['p50']:.0f} / {lat['old']['p95']:.0f} | "
          f"{lat['shipped']['p50']:.0f} / {lat['shipped']['p95']:.0f} | - |")
    print(f"| - | pair classifier load s / `interviewer score` first use s | - | {report['load_seconds']:.1f} / "
          f"{report['first_use_seconds']:.1f} | - |")


if __name__ == "__main__":
    main()

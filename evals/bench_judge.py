"""Judge benchmark: agreement with the team's graded answers, and 3-way macro-F1 on SemEval-2013.

Calibration set: evals/calibration/answers.yaml (graded 1-4 by the team). Prints Spearman, MAE
and pairwise ordering accuracy, overall and by kind. SemEval-2013 Task 7 (from
shared/eval-data): reference mode; the two thresholds of the 3-way mapping are tuned on the
train split only, then macro-F1 is reported on each test split.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import defaultdict
from pathlib import Path

import yaml

from interviewer.config import Settings
from interviewer.corpus import load_with_extras
from interviewer.embeddings import get_embedder
from interviewer.judge.calibration import (
    macro_f1,
    mae,
    negation_mismatch,
    pairwise_accuracy,
    spearman,
    three_way,
)
from interviewer.judge.offline import OfflineJudge
from interviewer.judge.rubric import (
    rubric_for_lp,
    rubric_for_question,
    rubric_for_reference,
)

HERE = Path(__file__).resolve().parent
SEMEVAL = HERE.parent.parent / "shared" / "eval-data" / "semeval2013-task7" / "semeval2013_3way_flat.csv"
LABELS = ("correct", "contradictory", "incorrect")


def load_calibration() -> list[dict]:
    return yaml.safe_load((HERE / "calibration" / "answers.yaml").read_text())["answers"]


def score_calibration(judge: OfflineJudge, corpus) -> list[dict]:  # noqa: ANN001
    lps = {lp.id: lp for lp in corpus.lps}
    rows = []
    for a in load_calibration():
        if a["kind"] == "technical":
            rubric = rubric_for_question(corpus.question(a["target"]))
        else:
            rubric = rubric_for_lp(lps[a["target"]], a["question"])
        s = judge.score(rubric, a["answer"])
        rows.append({**a, "score": s.overall, "flags": s.flags})
    return rows


def agreement(rows: list[dict]) -> dict[str, float]:
    scores = [r["score"] for r in rows]
    grades = [r["grade"] for r in rows]
    return {"n": len(rows), "spearman": spearman(scores, grades), "mae": mae(scores, grades),
            "pairwise": pairwise_accuracy(scores, grades)}


def semeval(judge: OfflineJudge, limit: int | None) -> dict:
    if not SEMEVAL.exists():
        return {"skipped": f"{SEMEVAL} not found"}
    by_split: dict[str, list[dict]] = defaultdict(list)
    with SEMEVAL.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_split[row["split"]].append(row)
    features: dict[str, list[tuple[float, bool, str]]] = {}
    for split, rows in by_split.items():
        rows = rows[:limit] if limit else rows
        out = []
        for r in rows:
            s = judge.score(rubric_for_reference(r["question"], r["reference_answer"]), r["student_answer"])
            out.append((s.overall, negation_mismatch(r["student_answer"], r["reference_answer"]), r["label_3way"]))
        features[split] = out
    # Tune on train only.
    best = (0.0, 2.5, 2.0)
    grid = [1.0 + 0.1 * i for i in range(31)]
    train = features["train"]
    for c in grid:
        for x in grid:
            if x > c:
                continue
            f1 = macro_f1([g for _, _, g in train], [three_way(s, m, c, x) for s, m, _ in train], LABELS)
            if f1 > best[0]:
                best = (f1, c, x)
    _, correct_at, contradict_at = best
    result = {"tuned_on": "train", "correct_at": correct_at, "contradict_at": contradict_at, "train_macro_f1": best[0]}
    for split, rows in sorted(features.items()):
        if split == "train":
            continue
        result[split] = {"n": len(rows), "macro_f1": macro_f1([g for _, _, g in rows], [three_way(s, m, correct_at, contradict_at) for s, m, _ in rows], LABELS)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--semeval-limit", type=int, default=None, help="rows per split (default: all)")
    parser.add_argument("--skip-semeval", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "judge.json")
    args = parser.parse_args()

    settings = Settings.from_env()
    corpus = load_with_extras(settings.corpus_dir, [])
    judge = OfflineJudge(get_embedder())
    judge.embedder.encode(["warm up"])
    t0 = time.perf_counter()
    rows = score_calibration(judge, corpus)
    calib_seconds = time.perf_counter() - t0
    report: dict = {"calibration": {"all": agreement(rows)}, "calibration_seconds": calib_seconds}
    for kind in ("technical", "behavioral"):
        report["calibration"][kind] = agreement([r for r in rows if r["kind"] == kind])
    by_style = defaultdict(list)
    for r in rows:
        by_style[r["style"]].append(r["score"])
    report["mean_score_by_style"] = {k: round(sum(v) / len(v), 2) for k, v in sorted(by_style.items())}

    print(f"Judge calibration on {len(rows)} graded answers ({calib_seconds:.1f} s):\n")
    print("| set | n | Spearman | MAE | pairwise ordering |\n|---|---|---|---|---|")
    for name, a in report["calibration"].items():
        print(f"| {name} | {a['n']} | {a['spearman']:.3f} | {a['mae']:.3f} | {a['pairwise']:.3f} |")
    print("\nMean offline score by answer style: " + ", ".join(f"{k} {v}" for k, v in report["mean_score_by_style"].items()))
    if not args.skip_semeval:
        t1 = time.perf_counter()
        report["semeval"] = semeval(judge, args.semeval_limit)
        report["semeval_seconds"] = time.perf_counter() - t1
        sem = report["semeval"]
        if "skipped" in sem:
            print(f"\nSemEval: skipped ({sem['skipped']})")
        else:
            print(f"\nSemEval-2013 3-way, reference mode (thresholds tuned on train: correct >= {sem['correct_at']:.1f}, "
                  f"contradictory >= {sem['contradict_at']:.1f} with a negation mismatch; train macro-F1 {sem['train_macro_f1']:.3f}):\n")
            print("| split | n | macro-F1 |\n|---|---|---|")
            for split, v in sem.items():
                if isinstance(v, dict):
                    print(f"| {split} | {v['n']} | {v['macro_f1']:.3f} |")
            print(f"\n({report['semeval_seconds']:.0f} s for {sum(v['n'] for v in sem.values() if isinstance(v, dict))} test answers plus train)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"JSON: {args.out}")


if __name__ == "__main__":
    main()

"""Fit the score map (interviewer/judge/mapping.py) on the team's graded answers.

Split by question (evals/judge_data.split_of): the curves and weights are fitted on the train
questions, the ridge strength and feature set are chosen on the dev questions, and the test
questions are left for `make bench` to report once. Writes score_map.json next to the model.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from evals.judge_data import load_graded
from interviewer.config import Settings
from interviewer.corpus import Corpus, load_with_extras
from interviewer.embeddings import get_embedder
from interviewer.judge.calibration import spearman
from interviewer.judge.mapping import SCORE_MAP_FILE, UNFITTED, Combination, Curve, ScoreMap
from interviewer.judge.offline import OfflineJudge, Thresholds
from interviewer.judge.pairs import WEIGHTS_DIR, PairClassifier
from interviewer.judge.rubric import Rubric, rubric_for_lp, rubric_for_question

log = logging.getLogger("fit_scores")

FEATURE_SETS = {
    "technical": [
        ["coverage", "accuracy", "depth", "structure"],
        ["coverage", "accuracy", "contradictions", "depth", "structure"],
        ["coverage", "covered_share", "accuracy", "contradictions", "depth", "structure", "length"],
        ["coverage", "accuracy", "contradictions", "contradiction_soft", "depth", "structure"],
        ["coverage", "covered_share", "accuracy", "contradictions", "contradiction_soft", "depth", "structure", "length"],
    ],
    "behavioral": [
        ["star_structure", "specificity", "ownership", "lp_alignment"],
        ["star_structure", "specificity", "ownership", "lp_alignment", "red_flags", "generic"],
        ["star_structure", "specificity", "ownership", "lp_alignment", "red_flags", "generic", "length"],
    ],
}
ALPHAS = (0.1, 1.0, 10.0)
CRITERIA = {"technical": ("coverage", "accuracy", "depth", "structure"),
            "behavioral": ("star_structure", "specificity", "ownership", "lp_alignment")}


def rubric_of(answer: dict, corpus: Corpus) -> Rubric:
    if answer["kind"] == "technical":
        return rubric_for_question(corpus.question(answer["target"]))
    lp = next(lp for lp in corpus.lps if lp.id == answer["target"])
    return rubric_for_lp(lp, answer["question"])


def measured(judge: OfflineJudge, corpus: Corpus) -> list[dict]:
    """Every graded answer with the judge's raw measurements (None: too little to judge)."""
    rows = []
    for a in load_graded():
        rows.append({**a, "measures": judge.measure(rubric_of(a, corpus), a["answer"])})
    return rows


def isotonic(x: list[float], y: list[float], knots: int = 24) -> Curve:
    """A monotone curve through the isotonic fit, thinned to a few knots."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=1.0, y_max=4.0, increasing=True, out_of_bounds="clip").fit(x, y)
    xs = np.quantile(np.asarray(x, dtype=float), np.linspace(0, 1, knots))
    xs = np.unique(xs)
    ys = np.maximum.accumulate(iso.predict(xs))
    return Curve(xs=[round(float(v), 5) for v in xs], ys=[round(float(v), 4) for v in ys])


def fit_combination(rows: list[dict], features: list[str], alpha: float) -> Combination:
    from sklearn.linear_model import Ridge

    x = np.array([[r["measures"][f] for f in features] for r in rows])
    y = np.array([r["grade"] for r in rows], dtype=float)
    ridge = Ridge(alpha=alpha).fit(x, y)
    raw = (x @ ridge.coef_ + ridge.intercept_).tolist()
    return Combination(features=features, weights=[round(float(w), 5) for w in ridge.coef_],
                       bias=round(float(ridge.intercept_), 5), curve=isotonic(raw, y.tolist()))


def evaluate(combo: Combination, rows: list[dict]) -> float:
    scores = [combo(r["measures"]) if r["measures"] else 1.0 for r in rows]
    return spearman(scores, [r["grade"] for r in rows]) if len(rows) > 2 else float("nan")


THRESHOLDS = [{"states": st, "contradicts": ct} for st in (0.5, 0.7) for ct in (0.6, 0.75, 0.9)]


def fit(rows: list[dict]) -> ScoreMap:
    chosen: dict[str, Combination] = {}
    fitted: dict = {"train_answers": 0, "dev_answers": 0, "choices": {}}
    criteria: dict[str, Curve] = {}
    for kind in ("technical", "behavioral"):
        train = [r for r in rows if r["kind"] == kind and r["split"] == "train" and r["measures"]]
        dev = [r for r in rows if r["kind"] == kind and r["split"] == "dev"]
        fitted["train_answers"] += len(train)
        fitted["dev_answers"] += len(dev)
        if len(train) < 8:
            log.warning("%s: only %d graded train answers; keeping the unfitted map", kind, len(train))
            chosen[kind] = getattr(UNFITTED, kind)
            continue
        best = None
        for features in FEATURE_SETS[kind]:
            for alpha in ALPHAS:
                combo = fit_combination(train, features, alpha)
                score = evaluate(combo, dev) if dev else evaluate(combo, train)
                log.info("%s %s alpha=%s: dev Spearman %.3f", kind, features, alpha, score)
                if best is None or score > best[0]:
                    best = (score, combo, features, alpha)
        chosen[kind] = best[1]
        fitted["choices"][kind] = {"features": best[2], "alpha": best[3], "dev_spearman": round(best[0], 4)}
        for name in CRITERIA[kind]:
            criteria[name] = isotonic([r["measures"][name] for r in train], [r["grade"] for r in train])
    return ScoreMap(technical=chosen["technical"], behavioral=chosen["behavioral"], criteria=criteria, fitted=fitted)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=WEIGHTS_DIR / SCORE_MAP_FILE)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = Settings.from_env()
    corpus = load_with_extras(settings.corpus_dir, [])
    pairs = PairClassifier()  # shared, so its cache makes each threshold setting cheap
    best = None
    for chosen in THRESHOLDS:
        judge = OfflineJudge(get_embedder(), thresholds=Thresholds(**chosen), pairs=pairs, score_map=UNFITTED)
        candidate = fit(measured(judge, corpus))
        dev = candidate.fitted["choices"].get("technical", {}).get("dev_spearman", 0.0)
        log.info("thresholds %s: technical dev Spearman %.3f", chosen, dev)
        if best is None or dev > best[0]:
            best = (dev, candidate.model_copy(update={"thresholds": chosen}))
    score_map = best[1]
    args.out.write_text(json.dumps(score_map.model_dump(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"thresholds": score_map.thresholds, **score_map.fitted}, indent=2))


if __name__ == "__main__":
    main()

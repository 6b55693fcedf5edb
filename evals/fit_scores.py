"""Fit the score map (interviewer/judge/mapping.py) on the team's graded answers.

Split by question (evals/judge_data.split_of). The judge's settings, the feature set, the ridge
strength and the curve are chosen by leave-one-question-out cross-validation over the train and
dev questions, and the map is refitted on all of them; the test questions are left for
`make bench` to report once. Writes score_map.json next to the model.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from pathlib import Path

import numpy as np

from evals.judge_data import load_graded
from evals.metrics import length_matched_spearman, right_beats_wrong
from evals.statistics import spearman
from interviewer.config import Settings
from interviewer.corpus.loading import Corpus, load_with_extras
from interviewer.embeddings import get_embedder
from interviewer.judge.mapping import (
    SCORE_MAP_FILE,
    UNFITTED,
    Combination,
    Curve,
    ScoreMap,
)
from interviewer.judge.offline import OfflineJudge, Thresholds
from interviewer.judge.pairs import WEIGHTS_DIR, WEIGHTS_FILE, PairClassifier
from interviewer.judge.rubric import Rubric, rubric_for_lp, rubric_for_question

log = logging.getLogger("fit_scores")

FEATURE_SETS = {
    "technical": [
        ["coverage", "accuracy", "depth", "structure"],
        ["coverage", "contradictions", "depth", "structure"],
        ["coverage", "accuracy", "contradictions", "depth", "structure"],
        ["coverage", "similarity", "accuracy", "contradictions", "depth", "structure"],
        ["coverage", "similarity", "accuracy", "contradictions", "contradiction_soft", "depth", "structure"],
        ["coverage", "covered_share", "similarity", "accuracy", "contradictions", "contradiction_soft", "depth",
         "structure"],
    ],
    "behavioral": [
        ["star_structure", "specificity", "ownership", "lp_alignment"],
        ["star_structure", "specificity", "ownership", "lp_alignment", "generic"],
    ],
}
# Measures where more is worse. The fit may only give them a weight of that sign (and every other
# measure a positive one): with about 150 graded answers an unconstrained fit gave wrong
# statements a positive weight, which no interviewer would sign.
WORSE = {"contradictions", "contradiction_soft", "generic"}
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


def spread(curve: Curve) -> Curve:
    """A criterion's curve over the whole 1-4 scale. Fitted against the answers' overall grades,
    a measure that predicts them weakly (structure, ownership) gets a flat curve near the mean
    grade, and every answer, the best organised or the most owned, read 2 on it. A criterion
    says where the answer stands on that criterion: the best level graded answers reached is 4."""
    low, high = min(curve.ys), max(curve.ys)
    if high - low < 1e-9:
        return curve
    return Curve(xs=curve.xs, ys=[round(1.0 + 3.0 * (y - low) / (high - low), 4) for y in curve.ys])


CURVES = ("isotonic", "stretched")


def stretched(raw: list[float], grades: list[float]) -> Curve:
    """A straight line that gives the ridge's predictions the spread of the grades: ridge pulls
    predictions toward the mean, and a judge whose strong answers all land near 2.8 cannot tell
    a hire from a no-hire. Unlike the isotonic steps it keeps every difference (no ties)."""
    r_mean, r_std = float(np.mean(raw)), float(np.std(raw)) or 1.0
    g_mean, g_std = float(np.mean(grades)), float(np.std(grades)) or 1.0
    xs = [r_mean + (g - g_mean) * r_std / g_std for g in (1.0, 4.0)]
    return Curve(xs=[round(x, 5) for x in xs], ys=[1.0, 4.0])


def fit_combination(rows: list[dict], features: list[str], alpha: float, curve: str = "isotonic") -> Combination:
    from sklearn.linear_model import Ridge

    sign = np.array([-1.0 if f in WORSE else 1.0 for f in features])
    x = np.array([[r["measures"][f] for f in features] for r in rows])
    y = np.array([r["grade"] for r in rows], dtype=float)
    ridge = Ridge(alpha=alpha, positive=True).fit(x * sign, y)
    weights = ridge.coef_ * sign
    raw = (x @ weights + ridge.intercept_).tolist()
    return Combination(features=features, weights=[round(float(w), 5) for w in weights],
                       bias=round(float(ridge.intercept_), 5),
                       curve=isotonic(raw, y.tolist()) if curve == "isotonic" else stretched(raw, y.tolist()))


def grouped_cv(rows: list[dict], features: list[str], alpha: float, curve: str = "isotonic") -> float:
    """Spearman of out-of-question predictions: each question's answers scored by a map fitted
    on the other questions."""
    predicted, graded = cv_predictions(rows, features, alpha, curve)
    return spearman(predicted, [r["grade"] for r in graded])


def cv_predictions(rows: list[dict], features: list[str], alpha: float, curve: str) -> tuple[list[float], list[dict]]:
    predicted: list[float] = []
    graded: list[dict] = []
    for target in sorted({r["target"] for r in rows}):
        rest = [r for r in rows if r["target"] != target]
        combo = fit_combination(rest, features, alpha, curve)
        for r in rows:
            if r["target"] == target:
                predicted.append(combo(r["measures"]))
                graded.append(r)
    return predicted, graded


# Judge settings chosen with the map: the pair classifier's thresholds, and how many of an
# answer's closest sentences it reads per key point (fewer is faster, and reads less noise).
THRESHOLDS = [{"states": st, "contradicts": ct, "shortlist": k}
              for st in (0.5, 0.7) for ct in (0.75, 0.9) for k in (1, 2, 3)]


def _figure(v: float) -> float | None:
    return None if math.isnan(v) else round(v, 4)  # None, not NaN: the map is JSON


def pool_of(rows: list[dict], kind: str) -> list[dict]:
    """The answers a map is chosen and fitted on: train and dev questions, never test."""
    return [r for r in rows if r["kind"] == kind and r["split"] in ("train", "dev") and r["measures"]]


def cv_figures(pool: list[dict], features: list[str], alpha: float, curve: str) -> dict:
    """The figures the issue sets targets for, on out-of-question predictions: Spearman, Spearman
    among answers of similar length, and how often a right answer beats its confidently wrong
    twin. The choice maximises their mean: Spearman alone chose a map that ignored wrong
    statements."""
    predicted, graded = cv_predictions(pool, features, alpha, curve)
    sp = spearman(predicted, [r["grade"] for r in graded])
    lm = length_matched_spearman(predicted, graded)
    rbw, pairs = right_beats_wrong(predicted, graded)
    counted = [v for v in (sp, lm, rbw) if not math.isnan(v)]
    return {"spearman": _figure(sp), "length_matched_spearman": _figure(lm), "right_beats_wrong": _figure(rbw),
            "twin_pairs": pairs, "criterion": round(sum(counted) / len(counted), 4) if counted else float("-inf")}


def choose(rows: list[dict], kind: str) -> tuple[float, Combination, dict] | None:
    """The feature set, ridge strength and curve with the best cross-validated figures (see
    cv_figures; leave one question out over the train and dev questions, about 200 answers: far
    steadier than the 41 dev answers alone), refitted on all of them. Test questions are never
    read here."""
    pool = pool_of(rows, kind)
    if len(pool) < 8:
        log.warning("%s: only %d graded answers; keeping the unfitted map", kind, len(pool))
        return None
    best = None
    for features in FEATURE_SETS[kind]:
        for alpha in ALPHAS:
            for curve in CURVES:
                figures = cv_figures(pool, features, alpha, curve)
                log.debug("%s %s alpha=%s %s: %s", kind, features, alpha, curve, figures)
                if best is None or figures["criterion"] > best[0]["criterion"]:
                    best = (figures, features, alpha, curve)
    figures, features, alpha, curve = best
    return figures["criterion"], fit_combination(pool, features, alpha, curve), {
        "features": features, "alpha": alpha, "curve": curve, "cv": figures,
        "answers": len(pool), "questions": len({r["target"] for r in pool}),
        "chosen_on": "train+dev, leave one question (or LP) out"}


def fit(rows: list[dict]) -> ScoreMap:
    chosen: dict[str, Combination] = {}
    fitted: dict = {"choices": {}}
    criteria: dict[str, Curve] = {}
    for kind in ("technical", "behavioral"):
        picked = choose(rows, kind)
        if picked is None:
            chosen[kind] = getattr(UNFITTED, kind)
            continue
        _, chosen[kind], fitted["choices"][kind] = picked
        pool = pool_of(rows, kind)
        for name in CRITERIA[kind]:
            criteria[name] = spread(isotonic([r["measures"][name] for r in pool], [r["grade"] for r in pool]))
    return ScoreMap(technical=chosen["technical"], behavioral=chosen["behavioral"], criteria=criteria, fitted=fitted)


SIGNAL_SETTINGS = [{"signal_shortlist": k} for k in (1, 2, 3)]


def best_setting(judge: OfflineJudge, corpus: Corpus, kind: str, grid: list[dict], base: dict) -> ScoreMap:
    """The map fitted under each judge setting of the grid (on top of `base`), the best by the
    cross-validated criterion of this kind of answer; its thresholds say the setting."""
    best = None
    for setting in grid:
        chosen = {**base, **setting}
        judge.t = Thresholds(**chosen)
        candidate = fit(measured(judge, corpus))
        figures = candidate.fitted["choices"].get(kind, {}).get("cv", {})
        log.info("settings %s: %s %s", chosen, kind, figures)
        if best is None or figures.get("criterion", float("-inf")) > best[0]:
            best = (figures.get("criterion", float("-inf")), candidate.model_copy(update={"thresholds": chosen}))
    return best[1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=WEIGHTS_DIR / SCORE_MAP_FILE)
    ap.add_argument("--weights", type=Path, default=WEIGHTS_DIR, help="the pair classifier to fit for")
    args = ap.parse_args(argv)
    if not (args.weights / WEIGHTS_FILE).exists():
        ap.error(f"--weights {args.weights}: no {WEIGHTS_FILE} there (run `make train-judge`, or point at its --out)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = Settings.from_env()
    corpus = load_with_extras(settings.corpus_dir, [])
    # One judge for every setting: its sentence and pair caches make each setting after the first cheap.
    judge = OfflineJudge(get_embedder(), pairs=PairClassifier(args.weights), score_map=UNFITTED)
    technical = best_setting(judge, corpus, "technical", THRESHOLDS, {})
    behavioral = best_setting(judge, corpus, "behavioral", SIGNAL_SETTINGS, technical.thresholds)
    names = CRITERIA["behavioral"]
    score_map = technical.model_copy(update={
        "behavioral": behavioral.behavioral, "thresholds": behavioral.thresholds,
        "criteria": {k: (behavioral.criteria[k] if k in names else v) for k, v in technical.criteria.items()},
        "fitted": {"choices": {**technical.fitted["choices"], "behavioral": behavioral.fitted["choices"].get("behavioral")}},
    })
    args.out.write_text(json.dumps(score_map.model_dump(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"thresholds": score_map.thresholds, **score_map.fitted}, indent=2))


if __name__ == "__main__":
    main()

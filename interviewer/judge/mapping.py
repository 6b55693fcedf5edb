"""From the judge's measurements to scores on the 1-4 scale: a mapping fitted on graded answers.

Each criterion has a monotone curve (isotonic regression of the graded answers' grades on the
criterion's raw measurement); the overall score is a linear combination of the measurements
passed through its own monotone curve. evals/fit_scores.py fits them on the train questions of
evals/graded/, chooses the regularisation on the dev questions, and writes score_map.json next
to the trained model. Pure functions over plain numbers, so they are tested with literals.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, model_validator

from interviewer.judge.pairs import WEIGHTS_DIR

SCORE_MAP_FILE = "score_map.json"


class Curve(BaseModel):
    """A non-decreasing piecewise-linear curve through (x, y) knots, flat beyond the ends."""

    xs: list[float] = Field(min_length=1)
    ys: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _monotone(self) -> Curve:
        if len(self.xs) != len(self.ys):
            raise ValueError("xs and ys differ in length")
        if any(b < a for a, b in zip(self.xs, self.xs[1:])) or any(b < a for a, b in zip(self.ys, self.ys[1:])):
            raise ValueError("a score curve must be non-decreasing")
        return self

    def __call__(self, x: float) -> float:
        return float(np.clip(np.interp(x, self.xs, self.ys), 1.0, 4.0))


class Combination(BaseModel):
    """Overall score: curve(bias + sum of weight * feature)."""

    features: list[str]
    weights: list[float]
    bias: float
    curve: Curve

    def raw(self, values: dict[str, float]) -> float:
        return self.bias + sum(w * values[f] for f, w in zip(self.features, self.weights, strict=True))

    def __call__(self, values: dict[str, float]) -> float:
        return self.curve(self.raw(values))


class ScoreMap(BaseModel):
    technical: Combination
    behavioral: Combination
    criteria: dict[str, Curve]  # criterion name -> curve over its raw measurement
    thresholds: dict[str, int | float] = Field(default_factory=dict)  # judge settings chosen with the map
    fitted: dict = Field(default_factory=dict)  # what it was fitted on, and its dev and test figures

    def criterion(self, name: str, raw: float) -> int:
        curve = self.criteria.get(name)
        value = curve(raw) if curve is not None else 1.0 + 3.0 * float(np.clip(raw, 0.0, 1.0))
        return int(min(4, max(1, round(value))))


def _linear(features: list[str], weights: list[float]) -> Combination:
    return Combination(features=features, weights=weights, bias=0.0, curve=Curve(xs=[0.0, 1.0], ys=[1.0, 4.0]))


# Used only until evals/fit_scores.py has written a fitted map (and by tests that fit their own).
UNFITTED = ScoreMap(
    technical=_linear(["coverage", "accuracy", "depth", "structure"], [0.6, 0.15, 0.15, 0.1]),
    behavioral=_linear(["star_structure", "specificity", "ownership", "lp_alignment"], [0.35, 0.2, 0.2, 0.25]),
    criteria={},
    fitted={"note": "unfitted defaults"},
)


def load_score_map(path: Path = WEIGHTS_DIR / SCORE_MAP_FILE) -> ScoreMap:
    if not path.exists():
        return UNFITTED
    try:
        return ScoreMap.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, OSError) as exc:
        raise ValueError(f"{path}: not a valid score map: {exc}") from exc


INTEGRITY_PENALTY = 1.0


def integrity(overall: float, flags: list[str]) -> float:
    """Instructions to the grader are ignored when scoring, and the attempt itself costs a point:
    a Bar Raiser would see it as a red flag."""
    return max(1.0, overall - INTEGRITY_PENALTY) if "injection_attempt" in flags else overall

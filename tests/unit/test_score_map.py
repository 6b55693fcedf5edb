"""The fitted score map and the bench's agreement figures, on literal numbers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from evals.metrics import length_matched_spearman, right_beats_wrong
from interviewer.judge.mapping import (
    UNFITTED,
    Combination,
    Curve,
    ScoreMap,
    load_score_map,
)
from interviewer.judge.star import labelled_part


def test_curve_interpolates_and_stays_on_the_scale():
    c = Curve(xs=[0.0, 0.5, 1.0], ys=[1.0, 2.0, 3.8])
    assert c(0.25) == pytest.approx(1.5)
    assert c(-3) == 1.0 and c(9) == 3.8
    assert Curve(xs=[0.0, 1.0], ys=[0.0, 9.0])(1.0) == 4.0  # clipped to 1-4


def test_curve_must_not_fall():
    with pytest.raises(ValidationError, match="non-decreasing"):
        Curve(xs=[0.0, 1.0], ys=[3.0, 2.0])
    with pytest.raises(ValidationError, match="differ in length"):
        Curve(xs=[0.0, 1.0], ys=[1.0])


def test_combination_and_criterion_levels():
    combo = Combination(features=["a", "b"], weights=[2.0, -1.0], bias=0.5, curve=Curve(xs=[0, 3], ys=[1, 4]))
    assert combo.raw({"a": 1.0, "b": 0.5}) == pytest.approx(2.0)
    assert combo({"a": 1.0, "b": 0.5}) == pytest.approx(3.0)
    smap = ScoreMap(technical=combo, behavioral=combo, criteria={"coverage": Curve(xs=[0, 1], ys=[1, 4])})
    assert smap.criterion("coverage", 0.5) == 2  # 2.5 rounds to even
    assert smap.criterion("coverage", 0.9) == 4
    assert smap.criterion("depth", 0.0) == 1  # no curve: the straight line


def test_bad_score_map_file_names_the_file(tmp_path):
    path = tmp_path / "score_map.json"
    path.write_text('{"technical": 3}')
    with pytest.raises(ValueError, match="score_map.json: not a valid score map"):
        load_score_map(path)
    assert load_score_map(tmp_path / "absent.json") is UNFITTED


@pytest.mark.parametrize("text, part", [
    ("Task: ship the forecast by March.", "task"),
    ("**Result** - churn fell 2 points.", "result"),
    ("Learnings: write the rollback plan first.", "learning"),
    ("The task was hard.", None),
])
def test_a_sentence_that_names_its_star_part(text, part):
    assert labelled_part(text) == part


def test_right_beats_wrong_counts_each_pair_once_and_ties_lose():
    rows = [{"id": "a", "grade": 4, "pair": "b"}, {"id": "b", "grade": 1, "pair": "a"},
            {"id": "c", "grade": 3, "pair": "d"}, {"id": "d", "grade": 2, "pair": "c"}, {"id": "e", "grade": 2}]
    assert right_beats_wrong([3.5, 2.0, 2.0, 2.0, 1.0], rows) == (0.5, 2)


def test_length_matched_spearman_ignores_length():
    # Within each bin of similar length, the score orders the grades perfectly; across bins the
    # long answers are worse, which a length-follower would get backwards.
    rows = [{"answer": "w " * (10 + i), "grade": g} for i, g in enumerate([1, 2, 3, 4, 1, 2, 3, 4])]
    rows += [{"answer": "w " * (100 + i), "grade": g} for i, g in enumerate([1, 2, 3, 4, 1, 2, 3, 4])]
    scores = [float(r["grade"]) for r in rows]
    assert length_matched_spearman(scores, rows) == pytest.approx(1.0)
    lengths = [float(len(r["answer"])) for r in rows]
    assert length_matched_spearman(lengths, rows) < 0.5


@pytest.mark.parametrize("point, sentence, expected", [
    ("L1 pushes weights to exactly zero.", "With L1 many weights are exactly zero, unlike L2.",
     "With L2 many weights are exactly zero, unlike L1."),
    ("Bagging mainly reduces variance.", "Bagging is mostly about cutting the variance.", "Bagging is mostly about cutting the bias."),
    ("Precision is what share of flagged items are right.", "You trade precision and recall with the threshold.", None),  # symmetric
    ("Precision is what share of flagged items are right.", "It depends on the threshold.", None),  # nothing shared
])
def test_swap_augmentation(point, sentence, expected):
    from evals.judge_data import swapped

    assert swapped(point, sentence) == expected


@pytest.mark.parametrize("point, sentence, other", [
    ("L1 pushes weights to exactly zero.", "L2 drives many weights to exactly zero.", True),
    ("L1 pushes weights to exactly zero.", "With lasso many weights end up at zero.", False),
    ("L1 pushes weights to exactly zero.", "Ridge zeroes out the useless features.", True),
    ("L1 pushes weights to exactly zero.", "L1 zeroes weights, unlike L2.", False),  # both sides: no call
    ("Precision is the share of flagged items that are right.", "Recall is the share of flagged items that are right.", True),
    ("Bias and variance trade off.", "Variance falls with more data.", False),  # the point names both sides
    ("A p-value assumes the null is true.", "It is the chance the null is true.", False),
])
def test_a_sentence_about_the_other_side_of_a_pair(point, sentence, other):
    from interviewer.judge.entities import names_other_side

    assert names_other_side(point, sentence) is other


def test_fitted_weights_keep_the_sign_an_interviewer_would_sign():
    from evals.fit_scores import fit_combination, grouped_cv

    # In this tiny sample wrong statements happen to come with better grades; the fit must not
    # learn to reward them.
    rows = [{"target": f"q{i % 4}", "grade": g, "measures": {"coverage": c, "contradictions": k}}
            for i, (g, c, k) in enumerate([(1, 0.1, 0), (2, 0.3, 1), (3, 0.6, 1), (4, 0.9, 2),
                                           (1, 0.2, 0), (2, 0.4, 0), (3, 0.5, 2), (4, 0.8, 2)])]
    combo = fit_combination(rows, ["coverage", "contradictions"], alpha=0.1)
    assert combo.weights[0] > 0 and combo.weights[1] <= 0
    assert combo({"coverage": 0.9, "contradictions": 0}) >= combo({"coverage": 0.9, "contradictions": 2})
    assert grouped_cv(rows, ["coverage"], alpha=0.1) > 0.5


def test_choice_of_map_never_reads_the_test_questions():
    from evals.fit_scores import choose

    def rows(split: str, sign: float, prefix: str) -> list[dict]:
        return [{"id": f"{prefix}{i}", "target": f"{prefix}{i % 5}", "split": split, "kind": "technical", "grade": g,
                 "answer": "word " * (20 + i),
                 "measures": {f: (0.5 + sign * (g - 2.5) / 4) for f in
                              ("coverage", "covered_share", "similarity", "accuracy", "depth", "structure")}
                 | {"contradictions": 0.0, "contradiction_soft": 0.0}}
                for i, g in enumerate([1, 2, 3, 4] * 5)]

    fitted = rows("train", 1, "a") + rows("dev", 1, "b")
    score, combo, info = choose(fitted, "technical")
    # Test answers that run the other way change nothing: not the choice, not the fit.
    score2, combo2, info2 = choose(fitted + rows("test", -1, "c"), "technical")
    assert (score, info) == (score2, info2) and combo == combo2
    assert info["answers"] == 40 and info["questions"] == 10 and info["cv"]["spearman"] > 0.9


def test_a_criterion_curve_spans_the_whole_scale():
    from evals.fit_scores import spread
    from interviewer.judge.mapping import Curve

    flat = Curve(xs=[0.0, 0.5, 1.0], ys=[1.9, 2.3, 2.7])  # a weak predictor of the overall grade
    wide = spread(flat)
    assert wide.ys == [1.0, 2.5, 4.0] and wide.xs == flat.xs
    assert spread(Curve(xs=[0.0, 1.0], ys=[2.0, 2.0])).ys == [2.0, 2.0]  # nothing to spread

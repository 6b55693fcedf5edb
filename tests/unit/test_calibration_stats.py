import pytest

from evals.statistics import (
    macro_f1,
    mae,
    negation_mismatch,
    pairwise_accuracy,
    ranks,
    spearman,
    three_way,
)


def test_ranks_share_ties():
    assert ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]


def test_spearman_literal():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)


def test_mae_and_pairwise():
    assert mae([1, 2, 4], [2, 2, 3]) == pytest.approx(2 / 3)
    assert pairwise_accuracy([1.0, 2.0, 3.0], [1, 2, 3]) == 1.0
    assert pairwise_accuracy([3.0, 2.0, 1.0], [1, 2, 3]) == 0.0
    assert pairwise_accuracy([1.0, 1.0], [1, 2]) == 0.5


def test_macro_f1_literal():
    gold = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", "c"]
    # a: p=1 r=.5 f=.667; b: p=.5 r=1 f=.667; c: 1
    assert macro_f1(gold, pred, ["a", "b", "c"]) == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)


def test_three_way_and_negation():
    assert negation_mismatch("the bulb is not in a closed path", "the bulb is in a closed path")
    assert not negation_mismatch("it is in a closed path", "the bulb is in a closed path")
    assert three_way(0.9, False, 0.7, 0.5) == "correct"
    assert three_way(0.6, True, 0.7, 0.5) == "contradictory"
    assert three_way(0.3, True, 0.7, 0.5) == "incorrect"

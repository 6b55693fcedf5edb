"""Which sentences the pair classifier reads: judge/shortlist.py, with literal examples."""

from __future__ import annotations

import numpy as np

from interviewer.judge.shortlist import overlap, ranking_scores

POINTS = [
    "Did error analysis by slicing errors by segment (class, region, input length) rather than reporting only the overall metric.",
    "Describes how the cause was checked, for example by relabelling a sample, a targeted experiment or a feature ablation.",
]
SENTENCES = [
    "Both slices have their own error dashboards with alerts.",
    "Overall MAE was about 3.8 hours, but I sliced the errors by region, carrier and distance.",
    "I checked the cause with a feature ablation: without the backlog feature the error doubled.",
]


def test_overlap_is_the_share_of_the_items_content_words_the_sentence_uses():
    assert overlap("Regularisation shrinks the weights.", "regularization shrinks weights") == 1.0
    assert overlap("Regularisation shrinks the weights.", "It shrinks them") == 1 / 3
    assert overlap("The of and", "anything") == 0.0  # no content words: nothing to share


def test_a_sentence_close_to_every_item_loses_to_the_one_that_states_this_item():
    # Cosine alone prefers the generic first sentence for both points (as MiniLM did on a real answer).
    sims = np.array([[0.62, 0.55, 0.30],
                     [0.60, 0.35, 0.52]])
    ranks = ranking_scores(sims, POINTS, SENTENCES)
    assert sims[0].argmax() == 0 and sims[1].argmax() == 0
    assert ranks[0].argmax() == 1  # the slicing sentence
    assert ranks[1].argmax() == 2  # the ablation sentence


def test_one_item_is_ranked_by_cosine_and_words_only():
    sims = np.array([[0.5, 0.4, 0.3]])
    ranks = ranking_scores(sims, POINTS[:1], SENTENCES)
    expected = sims[0] + 0.7 * np.array([overlap(POINTS[0], s) for s in SENTENCES])
    assert np.allclose(ranks[0], expected)


def test_nothing_to_rank_is_returned_as_is():
    empty = np.zeros((2, 0))
    assert ranking_scores(empty, POINTS, []).shape == (2, 0)

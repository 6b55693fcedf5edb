"""The simulated debrief with literal rounds: votes from round scores, the Bar Raiser's veto,
screens that advance or not, and drills without a debrief."""

from __future__ import annotations

from interviewer.report.debrief import debrief, vote
from interviewer.report.model import Rated, RoundFeedback


def rounds(*scores: float | None) -> tuple[list[Rated], list[RoundFeedback]]:
    rated = [Rated(id=str(i), name=f"Round {i + 1}", score=s, items=1) for i, s in enumerate(scores)]
    return rated, [RoundFeedback(title=r.name, score=r.score, went_well=[], to_fix=[]) for r in rated]


def test_votes_follow_the_round_score():
    assert [vote(s) for s in (3.6, 3.0, 2.2, 1.5, None)] == ["Strong Hire", "Inclined", "Not Inclined", "Strong No Hire", None]


def test_a_loop_hires_when_most_vote_for_and_the_bar_raiser_agrees():
    d = debrief("loop", *rounds(3.2, 3.6, 2.4, 3.0), [])
    assert d.positive and d.decision == "Hire" and d.assessments[-1].interviewer == "Bar Raiser"


def test_the_bar_raiser_alone_stops_a_hire():
    d = debrief("loop", *rounds(3.6, 3.6, 3.6, 2.5), [])
    assert not d.positive and d.decision == "No hire"
    assert any("Bar Raiser votes Not Inclined" in r for r in d.reasons)


def test_one_strong_no_hire_stops_it_and_says_who():
    d = debrief("loop", *rounds(3.6, 1.5, 3.6, 3.6), [])
    assert not d.positive and any("Interviewer 2 (Round 2) votes Strong No Hire" in r for r in d.reasons)


def test_a_screen_advances_or_not_and_a_drill_has_no_debrief():
    assert debrief("phone-screen", *rounds(3.0, 2.8, 3.1), []).decision == "Advance to the loop"
    assert debrief("phone-screen", *rounds(2.1, 2.2, 3.1), []).decision == "Do not advance"
    assert debrief("ml-breadth", *rounds(3.0), []) is None
    assert debrief("loop", *rounds(None, None), []).decision == "No decision"


def test_the_bar_raiser_is_the_plans_last_round_not_the_last_one_reached():
    rated, feedback = rounds(1.5)  # the loop ended after its first round
    d = debrief("loop", rated, feedback, [], planned_rounds=6)
    assert [a.interviewer for a in d.assessments] == ["Interviewer 1"] and d.decision == "No decision"
    assert any("Bar Raiser's round was not reached" in r for r in d.reasons)

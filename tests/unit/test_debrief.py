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
    assert d.positive and d.decision == "Hire" and d.assessments[-1].bar_raiser
    assert d.assessments[-1].interviewer == "Interviewer 4 (Bar Raiser)"


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


def test_each_interviewer_writes_up_their_round_in_their_own_voice():
    from interviewer.report.model import ItemResult, Point, RoundPeople

    rated, _ = rounds(3.0, 2.2)
    feedback = [
        RoundFeedback(title="Round 1", score=3.0, went_well=[Point(text="Covered the key points on \"L1 vs L2\".",
                                                                  quote="L1 zeroes weights.")], to_fix=[]),
        RoundFeedback(title="Round 2", score=2.2, went_well=[], to_fix=[Point(text="The story has no measurable result.")]),
    ]
    items = [ItemResult(item_id="a", kind="technical", round_index=0, round_title="Round 1", question="q", status="answered"),
             ItemResult(item_id="b", kind="pivot", round_index=1, round_title="Round 2", question="p", lp="Ownership",
                        status="answered")]
    people = {0: RoundPeople(name="Priya", title="Senior Applied Scientist, search ranking", minutes=24, planned_minutes=25,
                             invited_questions=True, candidate_questions=["How do you pick projects?"]),
              1: RoundPeople(name="Wei", title="Economist, ads", bar_raiser=True, minutes=23, planned_minutes=25,
                             invited_questions=True)}
    d = debrief("loop", rated, feedback, items, planned_rounds=2, people=people)
    first, br = d.assessments
    assert first.interviewer == "Priya" and br.interviewer == "Wei (Bar Raiser)" and br.bar_raiser
    assert first.written == ('I ran Round 1, 24 of 25 minutes: 1 question. Best evidence: covered the key points on '
                             '"L1 vs L2": "L1 zeroes weights". They asked me "How do you pick projects?", which I read '
                             'as real curiosity about the work. My vote: Inclined.')
    assert "with stories on Ownership" in br.written and "My main concern: the story" in br.written and "My main concern: the story has no measurable result." in br.written
    assert "They had no questions for me" in br.written and br.written.endswith("My vote: Not Inclined.")


def test_the_verdict_is_the_debriefs_and_the_score_summary_explains_itself():
    from interviewer.report.build import recommendation_why
    from interviewer.report.model import Debrief, Report

    lps = [Rated(id="lbc", name="Learn and Be Curious", score=1.0, items=1), Rated(id="o", name="Ownership", score=3.4, items=1)]
    comps = [Rated(id="c", name="Coding", score=3.3, items=2)]
    why = recommendation_why(comps, lps, "Not Inclined")
    assert why == "Learn and Be Curious scored 1.00, and the rule allows no Leadership Principle below 2.0 at the next level"
    assert recommendation_why(comps, lps, "Strong Hire") == ""
    report = Report(session_id="s", plan_title="Virtual loop (DS)", role="DS", finished=True, judges=["offline"],
                    offline_judge_note=None, rounds=[], competencies=comps, lps=lps, overall=3.26,
                    recommendation="Not Inclined", recommendation_why=why, rule="r", strengths=[], development=[],
                    items=[], lps_to_prepare=[], next_questions=[], flags=[],
                    debrief=Debrief(assessments=[], decision="Hire", positive=True, reasons=["5 of 6"]))
    assert report.verdict == "Hire"
    assert report.verdict_note == ("The debrief decides; the score summary over all answers is Not Inclined (overall "
                                   f"3.26 / 4). It is Not Inclined because {why}.")
    drill = report.model_copy(update={"debrief": None})
    assert drill.verdict == "Not Inclined" and drill.verdict_note == ""


def test_the_question_is_taken_from_what_the_candidate_said():
    from interviewer.report.debrief import question_asked

    assert question_asked("Yes, one. On the devices team, how do you pick a compression method?") == \
        "On the devices team, how do you pick a compression method?"
    assert question_asked("I was wondering how the team picks projects") == "I was wondering how the team picks projects"

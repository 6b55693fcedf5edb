"""The quality eval's count per interviewer bug class, on literal transcripts."""

from __future__ import annotations

from evals import metrics as m
from interviewer.report.model import ItemResult
from interviewer.schemas import Action, Criterion, Decision, Score, Turn


def turn(i: int, speaker: str, text: str = "x", decision: Decision | None = None, classification: str | None = None,
         score: Score | None = None, item: str | None = "q1") -> Turn:
    return Turn(index=i, speaker=speaker, text=text, round_index=0, item_id=item, classification=classification,
                decision=decision, score=score, created_at=float(i))


def decision(action: Action, **kw) -> Decision:
    return Decision(action=action, reason="t", round_index=0, **kw)


def test_an_lp_probed_twice_counts_once_per_extra_probe():
    turns = [turn(0, "interviewer", decision=decision(Action.ASK, lp="Ownership", item_id="a")),
             turn(1, "interviewer", decision=decision(Action.PIVOT, lp="Dive Deep", item_id="b")),
             turn(2, "interviewer", decision=decision(Action.PIVOT, lp="Ownership", item_id="c")),
             turn(3, "interviewer", decision=decision(Action.FOLLOW_UP, lp="Ownership", item_id="c"))]
    assert m.duplicate_lps(turns) == 1


def test_a_follow_up_after_a_non_answer_is_counted():
    follow = decision(Action.FOLLOW_UP, item_id="q1", gap="result")
    assert m.wrong_class_follow_ups([turn(1, "candidate", "I don't have one", follow, "no_example")]) == 1
    assert m.wrong_class_follow_ups([turn(1, "candidate", "A story...", follow, "answer")]) == 0


def test_lines_that_claim_what_the_candidate_said():
    assert m.presupposing_lines([turn(0, "interviewer", "You said the evaluation was rigorous. Why?"),
                                 turn(1, "interviewer", "How did you evaluate it?"),
                                 turn(2, "interviewer", 'You said "L2 gives zeros". Walk me through why.',
                                      decision(Action.FOLLOW_UP, gap="contradiction"))]) == 1


def test_an_unanswered_item_that_still_carries_a_score_is_counted():
    score = Score(overall=1.0, kind="technical", judge="offline", criteria=[Criterion(name="coverage", score=1, rationale="x")])
    items = [ItemResult(item_id="a", kind="technical", round_index=0, round_title="R", question="Q", status="not_assessed",
                        score=score),
             ItemResult(item_id="b", kind="technical", round_index=0, round_title="R", question="Q", status="not_assessed")]
    assert m.unassessed_scored(items) == 1

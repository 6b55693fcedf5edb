"""Amazon's debrief, simulated: each round's interviewer writes a short assessment and a vote,
then the Bar Raiser leads a debrief that ends in a decision, with the rule shown. A phone or
recruiter screen has one interviewer, whose single vote decides whether the candidate goes on.

Pure functions over the report's rounds and feedback, tested with literal examples. A single-round
drill has no debrief: one interviewer's practice round is not a hiring decision.
"""

from __future__ import annotations

from interviewer.report.model import (
    HIRE_VOTES,
    Assessment,
    Debrief,
    ItemResult,
    Rated,
    RoundFeedback,
    Vote,
)


def vote(score: float | None) -> Vote | None:
    if score is None:
        return None
    return "Strong Hire" if score >= 3.5 else "Inclined" if score >= 2.75 else "Not Inclined" if score >= 2.0 \
        else "Strong No Hire"


def bar_raiser_round(plan_id: str, rounds: int) -> int | None:
    """Which round the Bar Raiser ran: the Bar Raiser format's first round, a loop's last; screens have none."""
    if plan_id == "bar-raiser":
        return 0
    if plan_id == "loop":
        return rounds - 1
    return None


def debrief(plan_id: str, rounds: list[Rated], feedback: list[RoundFeedback], items: list[ItemResult],
            planned_rounds: int | None = None) -> Debrief | None:
    """`rounds` are the rounds that were assessed (by index in their ids); `planned_rounds` how many
    the plan has, so the Bar Raiser's round is the plan's, not the last one reached."""
    if plan_id not in ("loop", "bar-raiser", "phone-screen", "recruiter-screen"):
        return None  # a drill
    if plan_id in ("phone-screen", "recruiter-screen"):
        return _screen(rounds, feedback, items)
    br = bar_raiser_round(plan_id, planned_rounds or len(rounds))
    assessments = []
    for rated, fb in zip(rounds, feedback, strict=True):
        index = int(rated.id)
        lps = sorted({i.lp for i in items if i.round_index == index and i.lp and i.status != "not_assessed"})
        assessments.append(Assessment(
            round_title=rated.name, interviewer="Bar Raiser" if index == br else f"Interviewer {index + 1}",
            vote=vote(rated.score), score=rated.score, lps_assessed=lps, strengths=fb.went_well, concerns=fb.to_fix,
        ))
    votes = [a.vote for a in assessments if a.vote is not None]
    reasons = []
    if not votes:
        return Debrief(assessments=assessments, decision="No decision", positive=False,
                       reasons=["Nothing was assessed: the interview ended before any answer."])
    blockers = [a for a in assessments if a.vote == "Strong No Hire"]
    for a in blockers:
        reasons.append(f"{a.interviewer} ({a.round_title}) votes Strong No Hire.")
    inclined = sum(v in HIRE_VOTES for v in votes)
    if inclined * 2 < len(votes):
        reasons.append(f"Only {inclined} of {len(votes)} votes are Inclined or Strong Hire.")
    raiser = next((a for a in assessments if a.interviewer == "Bar Raiser"), None)
    if raiser is not None and raiser.vote is not None and raiser.vote not in HIRE_VOTES:
        reasons.append(f"The Bar Raiser votes {raiser.vote} and does not support a hire.")
    if br is not None and raiser is None:
        reasons.append("The Bar Raiser's round was not reached: a loop is not decided without the Bar Raiser.")
        return Debrief(assessments=assessments, decision="No decision", positive=False, reasons=reasons)
    positive = not reasons
    if positive:
        reasons.append(f"{inclined} of {len(votes)} votes are Inclined or Strong Hire, none Strong No Hire"
                       + (", and the Bar Raiser supports the hire." if raiser is not None else "."))
    return Debrief(assessments=assessments, decision="Hire" if positive else "No hire", positive=positive,
                   reasons=reasons)


def _screen(rounds: list[Rated], feedback: list[RoundFeedback], items: list[ItemResult]) -> Debrief:
    """A screen has one interviewer: one vote over all its parts decides whether the candidate goes on."""
    scores = [r.score for r in rounds if r.score is not None]
    score = round(sum(scores) / len(scores), 2) if scores else None
    one = Assessment(
        round_title="the whole screen", interviewer="Screener", vote=vote(score), score=score,
        lps_assessed=sorted({i.lp for i in items if i.lp and i.status != "not_assessed"}),
        strengths=[p for f in feedback for p in f.went_well][:3], concerns=[p for f in feedback for p in f.to_fix][:3],
    )
    if one.vote is None:
        return Debrief(assessments=[one], decision="No decision", positive=False,
                       reasons=["Nothing was assessed: the interview ended before any answer."])
    positive = one.vote in HIRE_VOTES
    return Debrief(assessments=[one], decision="Advance to the loop" if positive else "Do not advance",
                   positive=positive, reasons=[f"The screener votes {one.vote} (mean over the screen's parts {score:.2f})."])

"""Amazon's debrief, simulated: each round's interviewer writes a short assessment and a vote,
then the Bar Raiser leads a debrief that ends in a decision, with the rule shown. A phone or
recruiter screen has one interviewer, whose single vote decides whether the candidate goes on.

Pure functions over the report's rounds and feedback, tested with literal examples. A single-round
drill has no debrief: one interviewer's practice round is not a hiring decision.
"""

from __future__ import annotations

import re

from interviewer.interview.plans import bar_raiser_round
from interviewer.report.feedback import short
from interviewer.report.model import (
    HIRE_VOTES,
    Assessment,
    Debrief,
    ItemResult,
    Point,
    Rated,
    RoundFeedback,
    RoundPeople,
    Vote,
)


def vote(score: float | None) -> Vote | None:
    if score is None:
        return None
    return "Strong Hire" if score >= 3.5 else "Inclined" if score >= 2.75 else "Not Inclined" if score >= 2.0 \
        else "Strong No Hire"


def _sentence(point: Point) -> str:
    """A fix or strength as the middle of a sentence: "a wrong statement on ...: "quote"". """
    text = point.text.rstrip(".")
    first = text.split(" ", 1)[0]
    if first != "I" and not (len(first) > 1 and first.isupper()):
        text = text[0].lower() + text[1:]
    quote = short(point.quote, 140).rstrip(".!?") if point.quote else ""
    return text + (f': "{quote}"' if quote else "")


def question_asked(text: str) -> str:
    """The question in what the candidate said: "Yes, one. On the devices team, how do you...?"
    -> "On the devices team, how do you...?" (the first sentence that asks something)."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]
    asking = [s for s in sentences if s.endswith("?")]
    return asking[0] if asking else (sentences[-1] if sentences else text)


def written(round_title: str, people: RoundPeople, v: Vote | None, lps: list[str], asked: int,
            strengths: list[Point], concerns: list[Point]) -> str:
    """The interviewer's write-up of their round, in their own voice, as each interviewer writes
    one before the debrief: what they covered, the best evidence, the main concern, the
    candidate's questions, and the vote."""
    time = f", {people.minutes} of {people.planned_minutes} minutes" if people.minutes is not None and people.planned_minutes else ""
    covered = f"I ran {round_title}{time}: {asked} question{'s' if asked != 1 else ''}"
    covered += f", with stories on {', '.join(lps)}." if lps else "."
    parts = [covered]
    if strengths:
        parts.append(f"Best evidence: {_sentence(strengths[0])}.")
    if concerns:
        parts.append(f"My main concern: {_sentence(concerns[0])}.")
    if people.candidate_questions:
        asked_about = "; ".join(f'"{short(question_asked(q), 110)}"' for q in people.candidate_questions[:2])
        parts.append(f"They asked me {asked_about}, which I read as real curiosity about the work.")
    elif people.invited_questions:
        parts.append("They had no questions for me; I noted it.")
    parts.append(f"My vote: {v}." if v else "I could not assess anything, so I do not vote.")
    return " ".join(parts)


def debrief(plan_id: str, rounds: list[Rated], feedback: list[RoundFeedback], items: list[ItemResult],
            planned_rounds: int | None = None, people: dict[int, RoundPeople] | None = None) -> Debrief | None:
    """`rounds` are the rounds that were assessed (by index in their ids); `planned_rounds` how many
    the plan has, so the Bar Raiser's round is the plan's, not the last one reached; `people` who
    ran each round (from their introductions) and the candidate's questions to them."""
    if plan_id not in ("loop", "bar-raiser", "phone-screen", "recruiter-screen"):
        return None  # a drill
    people = people or {}
    if plan_id in ("phone-screen", "recruiter-screen"):
        return _screen(rounds, feedback, items, people)
    br = bar_raiser_round(plan_id, planned_rounds or len(rounds))
    assessments = []
    for rated, fb in zip(rounds, feedback, strict=True):
        index = int(rated.id)
        who = people.get(index) or people.get(0 if plan_id == "bar-raiser" else index) or RoundPeople()
        here = [i for i in items if i.round_index == index and i.status != "not_assessed"]
        lps = sorted({i.lp for i in here if i.lp})
        is_br = index == br
        name = who.name or f"Interviewer {index + 1}"
        v = vote(rated.score)
        assessments.append(Assessment(
            round_title=rated.name, interviewer=f"{name} (Bar Raiser)" if is_br else name, bar_raiser=is_br,
            interviewer_title=who.title, vote=v, score=rated.score, lps_assessed=lps, strengths=fb.went_well,
            concerns=fb.to_fix,
            written=written(rated.name, who, v, lps, sum(1 for i in here if i.kind != "pivot"), fb.went_well, fb.to_fix),
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
    raiser = next((a for a in assessments if a.bar_raiser), None)
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


def _screen(rounds: list[Rated], feedback: list[RoundFeedback], items: list[ItemResult],
            people: dict[int, RoundPeople]) -> Debrief:
    """A screen has one interviewer: one vote over all its parts decides whether the candidate goes on."""
    scores = [r.score for r in rounds if r.score is not None]
    score = round(sum(scores) / len(scores), 2) if scores else None
    who = people.get(0) or RoundPeople()
    last = people.get(max(people)) if people else None  # the questions come at the end of the screen
    who = who.model_copy(update={
        "minutes": sum(p.minutes or 0 for p in people.values()) or None,
        "planned_minutes": sum(p.planned_minutes or 0 for p in people.values()) or None,
        "invited_questions": bool(last and last.invited_questions),
        "candidate_questions": last.candidate_questions if last else [],
    })
    here = [i for i in items if i.status != "not_assessed"]
    lps = sorted({i.lp for i in here if i.lp})
    strengths = [p for f in feedback for p in f.went_well][:3]
    concerns = [p for f in feedback for p in f.to_fix][:3]
    v = vote(score)
    one = Assessment(
        round_title="the whole screen", interviewer=who.name or "Screener", interviewer_title=who.title, vote=v,
        score=score, lps_assessed=lps, strengths=strengths, concerns=concerns,
        written=written("the screen", who, v, lps, sum(1 for i in here if i.kind != "pivot"), strengths, concerns),
    )
    if one.vote is None:
        return Debrief(assessments=[one], decision="No decision", positive=False,
                       reasons=["Nothing was assessed: the interview ended before any answer."])
    positive = one.vote in HIRE_VOTES
    return Debrief(assessments=[one], decision="Advance to the loop" if positive else "Do not advance",
                   positive=positive, reasons=[f"{one.interviewer} votes {one.vote} (mean over the screen's parts {score:.2f})."])

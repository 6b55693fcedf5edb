"""The report's content as data: what build.py computes and render.py writes out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from interviewer.schemas import Score


class ItemResult(BaseModel):
    item_id: str
    kind: Literal["technical", "lp_probe", "pivot"]
    round_index: int
    round_title: str
    question: str
    lp: str | None = None
    # answered: scored; skipped and no_answer (only non-answers before the interviewer moved on)
    # count as 1; not_assessed: asked but never answered because the interview ended first.
    status: Literal["answered", "skipped", "no_answer", "not_assessed"]
    score: Score | None = None
    missed_key_points: list[str] = []
    reference_query: str | None = None  # a SQL question's reference, once the question is over


class Rated(BaseModel):
    id: str
    name: str
    score: float | None
    items: int
    anchor: str = ""


class Point(BaseModel):
    text: str
    quote: str | None = None  # the candidate's words (for a practice question: its corpus id)
    better: str | None = None  # what a strong answer says there
    better_label: str = "Better"  # how the report introduces it: "What is right", "A strong answer covers"


class RoundFeedback(BaseModel):
    title: str
    score: float | None
    went_well: list[Point]
    to_fix: list[Point]
    minutes: int | None = None  # interview time the round took
    planned_minutes: int | None = None
    invited_questions: bool = False  # the interviewer asked "what questions do you have for me?"
    candidate_questions: list[str] = []  # what the candidate asked then


class RoundPeople(BaseModel):
    """Who ran a round and what happened around the questions, read from the transcript."""

    name: str | None = None  # the interviewer's first name, from their introduction
    title: str = ""  # "Senior Applied Scientist, search ranking"
    bar_raiser: bool = False
    minutes: int | None = None
    planned_minutes: int | None = None
    invited_questions: bool = False
    candidate_questions: list[str] = []


Vote = Literal["Strong Hire", "Inclined", "Not Inclined", "Strong No Hire"]
HIRE_VOTES = ("Strong Hire", "Inclined")
DEBRIEF_RULE = (
    "Each interviewer votes from their round's score (3.5 or more Strong Hire, 2.75 Inclined, 2.0 Not Inclined, "
    "below that Strong No Hire). The decision is positive only if nobody votes Strong No Hire, at least half the "
    "votes are Inclined or Strong Hire, and the Bar Raiser votes Inclined or Strong Hire: the Bar Raiser can stop "
    "a hire alone."
)


class Assessment(BaseModel):
    round_title: str
    interviewer: str  # "Priya (Bar Raiser)", "Wei", or "Interviewer 2" when nobody introduced themselves
    vote: Vote | None  # None: nothing in the round could be assessed
    score: float | None
    lps_assessed: list[str]
    strengths: list[Point]
    concerns: list[Point]
    bar_raiser: bool = False
    interviewer_title: str = ""
    written: str = ""  # the interviewer's short write-up, in their own voice


class Debrief(BaseModel):
    assessments: list[Assessment]
    decision: str  # "Hire" / "No hire", or for a screen "Advance to the loop" / "Do not advance"
    positive: bool
    reasons: list[str]
    rule: str = DEBRIEF_RULE


class Report(BaseModel):
    session_id: str
    plan_title: str
    role: str
    finished: bool
    judges: list[str]
    offline_judge_note: str | None
    rounds: list[Rated]
    competencies: list[Rated]
    lps: list[Rated]
    overall: float | None
    recommendation: str  # the score summary: the rule over competency and LP scores
    recommendation_why: str = ""  # the score that held it below the next level, if one did
    rule: str
    strengths: list[Point]
    development: list[Point]
    top_fixes: list[Point] = []  # the three most valuable things to practise
    round_feedback: list[RoundFeedback] = []
    debrief: Debrief | None = None  # a loop's or a screen's; drills have none
    items: list[ItemResult]
    lps_to_prepare: list[str]
    next_questions: list[Point]
    flags: list[str]
    mode: str = "offline"
    tokens: dict[str, int] | None = None
    cost_usd: float | None = None
    summary: str | None = None  # the model's spoken-style feedback, in model mode
    model_notes: list[str] = []  # in model mode: who phrased and scored what, and why not the model

    @property
    def verdict(self) -> str:
        """What the candidate is told first: the debrief's decision where there is one (a loop, a
        screen), else the score summary (a drill)."""
        if self.debrief is not None and self.debrief.decision != "No decision":
            return self.debrief.decision
        return self.recommendation

    @property
    def verdict_note(self) -> str:
        """How the score summary relates to the verdict, when the verdict is the debrief's."""
        if self.verdict == self.recommendation:
            return ""
        why = f" It is {self.recommendation} because {self.recommendation_why}." if self.recommendation_why else ""
        return (f"The debrief decides; the score summary over all answers is {self.recommendation} "
                f"(overall {self.overall:.2f} / 4).{why}" if self.overall is not None else "")

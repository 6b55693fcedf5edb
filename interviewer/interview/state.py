"""The interview's state: the plan, the round and the item on the table, what was asked and
probed. Saved with every turn (store.py), so an interview resumes exactly where it stopped."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from interviewer.interview.plans import Plan, RoundPlan
from interviewer.schemas import RunRecord, Score


class ItemState(BaseModel):
    """The question or probe on the table."""

    item_id: str
    kind: Literal["technical", "lp_probe", "pivot", "questions"]  # "questions": the candidate's, at a round's end
    question: str
    lp: str | None = None
    parent_id: str | None = None  # the technical question a pivot came from
    follow_ups: list[int] = Field(default_factory=list)
    clarifications: int = 0
    hints: int = 0
    reprompts: int = 0
    alternate_offered: bool = False
    answers: list[str] = Field(default_factory=list)
    run: RunRecord | None = None  # the best run of the candidate's code or query on this question
    discussion: Score | None = None  # the judge's score of what was said, before code results are added
    complexity_asked: bool = False
    code_asked: bool = False  # a code round asked for the code to be run
    rerun_asked: bool = False  # after a failing run, asked once to fix it and run it again
    challenged: list[str] = Field(default_factory=list, description="quotes already challenged as wrong")


class StoryBrief(BaseModel):
    """A bank story the candidate chose to defend (the story drill)."""

    id: str
    title: str
    lp: str


class RoundState(BaseModel):
    index: int = 0
    started_at: float | None = None
    turns: int = 0
    main_items: int = 0
    pivots: int = 0
    unanswered_in_a_row: int = 0  # main questions left without any answer, consecutively
    interviewer_id: str | None = None  # the panel member running this round
    questions_invited: bool = False  # "what questions do you have for me?" was asked
    candidate_questions: int = 0  # questions the candidate asked then


class InterviewState(BaseModel):
    plan: Plan
    seed: int = 0
    difficulty: int | None = None
    lp_focus: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list, description="items this user saw in recent sessions")
    round: RoundState = Field(default_factory=RoundState)
    item: ItemState | None = None
    asked: list[str] = Field(default_factory=list)
    topics_seen: dict[str, int] = Field(default_factory=dict, description="stems of the topics asked so far")
    lps_probed: list[str] = Field(default_factory=list)
    used_prompts: list[str] = Field(default_factory=list, description="LP follow-ups and alternative scenarios already said; never said twice")
    resume_projects: list[str] = Field(default_factory=list, description="projects from the uploaded resume, for the deep dive")
    story: StoryBrief | None = Field(None, description="the story drill's bank story, asked for first")
    interviewers: list[str] = Field(default_factory=list, description="panel members met so far, by id")
    round_seconds: list[float] = Field(default_factory=list, description="interview time used per round (interview/clock.py)")
    finished: bool = False

    @property
    def round_plan(self) -> RoundPlan:
        return self.plan.rounds[self.round.index]

    @property
    def round_elapsed_s(self) -> float:
        """Interview time used in the current round: what closes it."""
        i = self.round.index
        return self.round_seconds[i] if i < len(self.round_seconds) else 0.0

    @property
    def elapsed_s(self) -> float:
        return sum(self.round_seconds)

    def charge(self, seconds: float) -> None:
        """Add interview time to the current round."""
        i = self.round.index
        self.round_seconds.extend([0.0] * (i + 1 - len(self.round_seconds)))
        self.round_seconds[i] += seconds


class TurnState(BaseModel):
    """Where the interview stands after a turn, computed by the engine, so a screen needs nothing
    else: the round, question n of m, time and turns against their budgets, the item on the table."""

    session_id: str
    finished: bool
    plan_title: str
    bar_raiser: bool
    round_number: int  # 1-based
    rounds: int
    round_title: str
    round_kind: str
    question_number: int
    questions: int
    round_minutes: int  # used in this round
    round_budget_minutes: int
    round_turns: int
    round_max_turns: int
    minutes: int  # used in the whole interview
    budget_minutes: int
    item_id: str | None
    item_kind: str | None
    flags: list[str] = Field(default_factory=list, description="the flags of the last scored answer")

    @property
    def over_round_budget(self) -> bool:
        return self.round_minutes > self.round_budget_minutes


def minutes(seconds: float) -> int:
    return max(0, int(seconds // 60))


def turn_state(session_id: str, state: InterviewState, flags: list[str] | None = None) -> TurnState:
    """Minutes are interview time (interview/clock.py), the clock the rounds close on."""
    plan, r, rp, item = state.plan, state.round, state.round_plan, state.item
    return TurnState(
        session_id=session_id, finished=state.finished, plan_title=plan.title, bar_raiser=plan.bar_raiser,
        round_number=r.index + 1, rounds=len(plan.rounds), round_title=rp.title, round_kind=rp.kind.value,
        question_number=max(1, r.main_items), questions=rp.questions,
        round_minutes=minutes(state.round_elapsed_s), round_budget_minutes=rp.minutes,
        round_turns=r.turns, round_max_turns=rp.max_turns,
        minutes=minutes(state.elapsed_s), budget_minutes=plan.minutes,
        item_id=item.item_id if item else None, item_kind=item.kind if item else None, flags=flags or [],
    )

"""Pydantic types shared across modules.

Corpus types validate the YAML/Markdown files in corpus/; error messages from these validators
are shown to users by `interviewer corpus validate`, so they say what was wrong in plain words.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

# The 16 Leadership Principles, by their exact names.
LEADERSHIP_PRINCIPLES: tuple[str, ...] = (
    "Customer Obsession",
    "Ownership",
    "Invent and Simplify",
    "Are Right, A Lot",
    "Learn and Be Curious",
    "Hire and Develop the Best",
    "Insist on the Highest Standards",
    "Think Big",
    "Bias for Action",
    "Frugality",
    "Earn Trust",
    "Dive Deep",
    "Have Backbone; Disagree and Commit",
    "Deliver Results",
    "Strive to be Earth's Best Employer",
    "Success and Scale Bring Broad Responsibility",
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Role(str, Enum):
    RS = "RS"
    DS = "DS"


class Round(str, Enum):
    """Kinds of interview round; every technical question belongs to exactly one."""

    ML_BREADTH = "ml_breadth"
    ML_DEPTH = "ml_depth"
    STATS = "stats"
    CAUSAL = "causal"
    SCIENCE_APPLICATION = "science_application"
    SYSTEM_DESIGN = "system_design"
    CODING = "coding"
    SQL = "sql"
    PYTHON_DATA = "python_data"
    PROJECT_DEEP_DIVE = "project_deep_dive"
    BEHAVIORAL = "behavioral"


# Id prefixes keep ids readable and stable: the prefix names the round.
ROUND_ID_PREFIX: dict[Round, str] = {
    Round.ML_BREADTH: "mlb",
    Round.ML_DEPTH: "mld",
    Round.STATS: "sta",
    Round.CAUSAL: "cau",
    Round.SCIENCE_APPLICATION: "sci",
    Round.SYSTEM_DESIGN: "sys",
    Round.CODING: "cod",
    Round.SQL: "sql",
    Round.PYTHON_DATA: "pyd",
    Round.PROJECT_DEEP_DIVE: "prj",
}

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SEED_TAG_PATTERN = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)+$")


def _check_lp_name(name: str) -> str:
    if name not in LEADERSHIP_PRINCIPLES:
        raise ValueError(f"unknown Leadership Principle {name!r}")
    return name


def _check_seed_tags(tags: list[str]) -> list[str]:
    for tag in tags:
        if not SEED_TAG_PATTERN.match(tag):
            raise ValueError(f"seed tag {tag!r} is not of the form section.name")
    return tags


LPName = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_lp_name)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FollowUp(_Strict):
    """A follow-up question, tagged with the gap in an answer that it probes."""

    gap: Text = Field(description="short label of what the answer left out")
    key_point: int | None = Field(
        default=None, ge=1, description="1-based index of the rubric key point this probes"
    )
    text: Text


class Pivot(_Strict):
    """A bridge from a technical topic into a Leadership Principle story."""

    lps: list[LPName] = Field(min_length=1)
    question: Text


class Clarification(_Strict):
    """What the interviewer may reveal when the candidate asks about `about`."""

    about: Text
    answer: Text


class Question(_Strict):
    id: Text
    round: Round
    topics: list[Text] = Field(min_length=1)
    seed_tags: list[str] = Field(default_factory=list)
    difficulty: int = Field(ge=1, le=3)
    roles: list[Role] = Field(min_length=1)
    question: Text
    key_points: list[Text] = Field(min_length=3, max_length=8)
    common_mistakes: list[Text] = Field(min_length=1)
    follow_ups: list[FollowUp] = Field(min_length=2)
    pivot: Pivot
    clarifications: list[Clarification] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError(f"id {value!r} must be lowercase words joined by hyphens")
        return value

    @field_validator("seed_tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _check_seed_tags(value)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.round is Round.BEHAVIORAL:
            raise ValueError("behavioural probes belong in corpus/lps, not in question files")
        prefix = ROUND_ID_PREFIX[self.round]
        if not self.id.startswith(prefix + "-"):
            raise ValueError(f"id {self.id!r} of a {self.round.value} question must start with {prefix!r}-")
        for i, follow_up in enumerate(self.follow_ups, start=1):
            if follow_up.key_point is not None and follow_up.key_point > len(self.key_points):
                raise ValueError(
                    f"follow_ups.{i}.key_point is {follow_up.key_point} but there are only "
                    f"{len(self.key_points)} key points"
                )
        return self


StarGap = Literal["situation", "task", "action", "result", "learning", "ownership", "specificity"]


class LPProbe(_Strict):
    text: Text
    research: bool = Field(default=False, description="phrased for a scientist's research work")
    seed_tags: list[str] = Field(default_factory=list)

    @field_validator("seed_tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _check_seed_tags(value)


class StarFollowUp(_Strict):
    gap: StarGap
    text: Text


class LeadershipPrinciple(_Strict):
    id: Text
    name: LPName
    description: Text
    probes: list[LPProbe] = Field(min_length=5)
    signals: list[Text] = Field(min_length=4)
    red_flags: list[Text] = Field(min_length=4)
    follow_ups: list[StarFollowUp] = Field(min_length=5)
    alternate_scenarios: list[Text] = Field(
        min_length=2, description="other situations to offer when the candidate has no example"
    )
    seed_tags: list[str] = Field(default_factory=list)

    @field_validator("seed_tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _check_seed_tags(value)

    @model_validator(mode="after")
    def _covers_star(self) -> LeadershipPrinciple:
        missing = {"situation", "action", "result", "learning"} - {f.gap for f in self.follow_ups}
        if missing:
            raise ValueError(f"follow_ups must cover the STAR gaps; missing {sorted(missing)}")
        if not any(p.research for p in self.probes):
            raise ValueError("probes need at least one research-flavoured probe (research: true)")
        return self


class Competency(_Strict):
    id: Text
    name: Text
    kind: Literal["core", "lp"]
    lp: LPName | None = None
    description: Text
    levels: dict[int, Text]

    @field_validator("levels")
    @classmethod
    def _four_levels(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != [1, 2, 3, 4]:
            raise ValueError(f"levels must be anchored at exactly 1, 2, 3 and 4; got {sorted(value)}")
        return value

    @model_validator(mode="after")
    def _lp_link(self) -> Competency:
        if self.kind == "lp" and self.lp is None:
            raise ValueError("an LP competency must name its lp")
        if self.kind == "core" and self.lp is not None:
            raise ValueError("only LP competencies name an lp")
        return self


class ReportStage(_Strict):
    name: Text
    format: Text
    notes: Text


class ReportAsked(_Strict):
    round: Round
    topics: list[Text] = Field(min_length=1)
    summary: Text


class CandidateReport(_Strict):
    id: Text
    role: Role
    title: Text
    team: Text | None = None
    stages: list[ReportStage] = Field(min_length=1)
    asked: list[ReportAsked] = Field(min_length=1)
    outcome: Literal["offer", "rejected", "pending", "withdrew", "unknown"]
    takeaways: list[Text] = Field(min_length=1)
    seed_tags: list[str] = Field(default_factory=list)
    body: Text = Field(description="the narrative, from the Markdown body")

    @field_validator("seed_tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _check_seed_tags(value)


# ---- scoring ------------------------------------------------------------------------------


class Interviewer(_Strict):
    """One member of the simulated panel: who introduces a round and answers the candidate's questions."""

    id: Text
    name: Text
    title: Text
    roles: list[Role] = Field(min_length=1)
    team: Text = Field(description="the team, as said after 'on the ... team'")
    works_on: Text = Field(description="what the team builds, as said after 'we work on'")
    rounds: list[Round] = Field(default_factory=list, description="round kinds this person runs; empty: any")
    bar_raiser: bool = False


class PanelAnswer(_Strict):
    """A short answer to a question candidates ask at the end of a round ("what questions do you
    have for me?"), in the interviewer's voice; `{team}` and `{works_on}` name the speaker's team."""

    id: Text
    asks: list[Text] = Field(min_length=2, description="ways candidates phrase the question")
    answer: Text

    @field_validator("answer")
    @classmethod
    def _slots(cls, value: str) -> str:
        unknown = set(re.findall(r"{(\w*)}", value)) - {"team", "works_on"}
        if unknown:
            raise ValueError(f"unknown slot(s) {', '.join(sorted(unknown))}; only {{team}} and {{works_on}} are filled")
        return value


class Criterion(BaseModel):
    """One scored aspect of an answer. `score` is None when there was too little to judge."""

    name: str
    score: int | None = Field(default=None, ge=1, le=4)
    rationale: str
    evidence: list[str] = Field(default_factory=list, description="verbatim quotes from the candidate's answer")


class Contradiction(BaseModel):
    """A sentence of the answer that contradicts a key point, next to the correct statement."""

    key_point: int = Field(ge=1, description="1-based index of the contradicted key point")
    quote: str = Field(description="the candidate's sentence, verbatim")
    statement: str = Field(description="the key point it contradicts")


class Score(BaseModel):
    overall: float = Field(ge=1.0, le=4.0)
    criteria: list[Criterion]
    flags: list[str] = Field(default_factory=list)
    judge: str = Field(description="which judge produced the score: 'offline' or 'model:<name>'")
    kind: Literal["technical", "behavioral"]
    matched_question_id: str | None = None
    lp: str | None = None
    key_points_covered: list[int] = Field(default_factory=list, description="1-based indexes")
    key_points_missed: list[int] = Field(default_factory=list, description="1-based indexes, biggest gap first")
    star_missing: list[str] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)
    relevance: float = 0.0

    @property
    def insufficient(self) -> bool:
        return "insufficient_evidence" in self.flags


# ---- the interview ------------------------------------------------------------------------


class Action(str, Enum):
    ASK = "ask"  # a new main question (technical) or LP probe (behavioural round)
    FOLLOW_UP = "follow_up"
    PIVOT = "pivot"
    CLARIFY = "clarify"
    HINT = "hint"
    ALTERNATE = "alternate"  # another scenario for the same LP after "no example"
    REPROMPT = "reprompt"
    CODE_RESULT = "code_result"  # the candidate ran code or a query: report the run, ask for the complexity
    INVITE_QUESTIONS = "invite_questions"  # the round is at time: "what questions do you have for me?"
    ANSWER_QUESTION = "answer_question"  # a brief answer to the candidate's question, from the panel's answers
    END = "end"


class Introduction(BaseModel):
    """Who runs the round that starts, and what it covers: said before its first question."""

    name: str
    title: str
    team: str
    works_on: str
    round_title: str
    covers: str
    minutes: int
    bar_raiser: bool = False
    whole_interview: bool = False  # one interviewer runs every round (a screen, a drill)


class Decision(BaseModel):
    """What the policy decided after a candidate message, and why. Stored with every turn."""

    action: Action
    reason: str
    round_index: int
    new_round: bool = False
    item_id: str | None = None  # the question id or LP probe id being asked
    item_kind: Literal["technical", "lp_probe", "pivot"] | None = None
    lp: str | None = None
    text: str = ""  # corpus text the speaker phrases (question, follow-up, clarification, ...)
    gap: str | None = None
    follow_up_index: int | None = None
    variant: str | None = None  # which phrasing, e.g. "echo" for a re-prompt, "exhausted" for a hint
    closed_item: bool = False  # the previous item is finished
    project: str | None = None  # a project from the candidate's resume that the deep-dive question is about
    introduction: Introduction | None = None  # a new interviewer introduces themselves and the round


class Turn(BaseModel):
    """One exchange unit in the transcript."""

    index: int
    speaker: Literal["interviewer", "candidate"]
    text: str
    round_index: int
    item_id: str | None = None
    classification: str | None = None
    decision: Decision | None = None
    score: Score | None = None
    created_at: float


class RunRecord(BaseModel):
    """The best run of the candidate's code or query on the open question."""

    language: str  # "python" or "sql"
    status: str
    passed: int
    total: int
    runs: int = 1
    source: str = ""
    isolation: list[str] = []  # the sandbox layers the run had (bwrap, uid_drop, rlimits, ...)

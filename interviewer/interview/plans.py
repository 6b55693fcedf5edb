"""Interview formats: rounds, budgets and role mixes, mirroring the real process.

A plan is data: which rounds, how many LP probes are woven in, and the time and turn budget of
every round. A round asks questions until its time is used (interview time, interview/clock.py),
keeping a few minutes for the candidate's own questions; `questions` is what the time usually
holds, for the progress panel. The policy walks through it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from interviewer.schemas import Role, Round


class RoundPlan(BaseModel):
    kind: Round
    title: str
    questions: int = Field(ge=1, description="main questions (technical) or LP probes (behavioural) the time usually holds")
    max_turns: int = Field(ge=1, description="candidate turns before the round closes, whatever the time")
    minutes: int = Field(ge=1)
    pivots: int = Field(default=1, ge=0, description="LP probes woven into a technical round")
    tags: list[str] = Field(default_factory=list, description="prefer items with these seed tags")


def bar_raiser_round(plan_id: str, rounds: int) -> int | None:
    """Which round the Bar Raiser runs: the Bar Raiser format's first round (they run all of it),
    a loop's last round; screens and drills have none."""
    if plan_id == "bar-raiser":
        return 0
    if plan_id == "loop":
        return rounds - 1
    return None


class Plan(BaseModel):
    id: str
    title: str
    role: Role
    rounds: list[RoundPlan]
    bar_raiser: bool = False
    follow_up_cap: int = 2
    one_interviewer: bool = True  # a screen or a drill; a loop has an interviewer per round

    @property
    def bar_raiser_round(self) -> int | None:
        return bar_raiser_round(self.id, len(self.rounds))

    def introduces(self, round_index: int) -> bool:
        """Whether a new interviewer introduces themselves when this round starts."""
        return round_index == 0 or not self.one_interviewer

    def invites_questions(self, round_index: int) -> bool:
        """Whether this round ends with "what questions do you have for me?"."""
        return round_index == len(self.rounds) - 1 or not self.one_interviewer

    @property
    def minutes(self) -> int:
        return sum(r.minutes for r in self.rounds)


def _tech(kind: Round, title: str, questions: int = 2, minutes: int = 15, pivots: int = 1, tags: list[str] | None = None) -> RoundPlan:
    # The turn cap is a safety net: interview time closes a round long before two turns a minute.
    return RoundPlan(kind=kind, title=title, questions=questions, max_turns=minutes * 2,
                     minutes=minutes, pivots=pivots, tags=tags or [])


def _lp(questions: int, minutes: int, tags: list[str] | None = None, title: str = "Leadership Principles") -> RoundPlan:
    return RoundPlan(kind=Round.BEHAVIORAL, title=title, questions=questions, max_turns=minutes * 2,
                     minutes=minutes, pivots=0, tags=tags or [])


def _recruiter(role: Role, seed: int = 0) -> list[RoundPlan]:
    return [
        _tech(Round.PROJECT_DEEP_DIVE, "Background and resume walk-through", 1, 10, 0, ["process.recruiter_screen"]),
        _lp(2, 10),
    ]


def _phone(role: Role, seed: int = 0) -> list[RoundPlan]:
    if role is Role.DS:
        return [
            _tech(Round.PROJECT_DEEP_DIVE, "Project deep dive", 1, 12),
            _tech(Round.SQL, "SQL", 1, 12),
            _tech(Round.PYTHON_DATA, "Python data stack", 1, 10, 0),
            _tech(Round.ML_BREADTH, "ML breadth check", 1, 8, 0),
            _lp(2, 10),
        ]
    return [
        _tech(Round.PROJECT_DEEP_DIVE, "Research deep dive", 1, 15),
        _tech(Round.ML_BREADTH, "ML breadth check", 2, 15),
        _tech(Round.CODING, "Coding", 1, 15, 0),
        _lp(1, 8),
    ]


def _loop(role: Role, seed: int = 0) -> list[RoundPlan]:
    if role is Role.DS:
        return [
            _tech(Round.SQL, "SQL and data manipulation", 2, 25, 2),
            _tech(Round.PYTHON_DATA, "Python data stack and coding", 1, 20, 2),
            _tech(Round.ML_BREADTH, "ML breadth", 4, 25, 2),
            _tech(Round.STATS, "Statistics and experimentation", 3, 25, 2),
            _tech(Round.PROJECT_DEEP_DIVE, "Project deep dive", 2, 25, 2),
            _tech(Round.SCIENCE_APPLICATION, "Science application", 2, 25, 2),
        ]
    return [
        _tech(Round.CODING, "Coding", 2, 25, 2),
        _tech(Round.ML_BREADTH, "ML breadth", 4, 25, 2),
        _tech(Round.ML_DEPTH, "ML depth", 3, 25, 2),
        _tech(Round.PROJECT_DEEP_DIVE, "Research deep dive", 2, 25, 2),
        _tech(Round.SCIENCE_APPLICATION, "Science application", 2, 25, 2),
        # The last loop round is system design or causal inference, as in real loops.
        _tech(Round.SYSTEM_DESIGN, "ML system design", 2, 25, 2) if seed % 2 == 0
        else _tech(Round.CAUSAL, "Causal inference", 2, 25, 2),
    ]


def _bar_raiser(role: Role, seed: int = 0) -> list[RoundPlan]:
    return [
        _lp(3, 25, ["process.bar_raiser.hard_lp"], "Bar Raiser: Leadership Principles"),
        _tech(Round.CODING, "Code review", 1, 10, 0, ["process.bar_raiser.code_review"]),
        _tech(Round.PYTHON_DATA if role is Role.DS else Round.CODING, "Python on the fly", 1, 10, 0,
              ["process.bar_raiser.python_on_the_fly"]),
        _tech(Round.SQL, "SQL aggregation", 1, 10, 1, ["process.bar_raiser.sql_aggregation"]),
    ]


# What a round covers, as its interviewer says when introducing it.
COVERS: dict[Round, str] = {
    Round.ML_BREADTH: "a spread of machine-learning fundamentals, a few minutes on each",
    Round.ML_DEPTH: "one or two areas of machine learning in depth, down to the maths and the trade-offs",
    Round.STATS: "statistics and experiment design: tests, power, pitfalls in real data",
    Round.CAUSAL: "causal inference: estimating effects when you can't simply randomise",
    Round.SCIENCE_APPLICATION: "an open business problem, taken from framing to a model and a metric",
    Round.SYSTEM_DESIGN: "designing a machine-learning system end to end, data to serving and monitoring",
    Round.CODING: "a coding problem you'll write, run against tests and analyse",
    Round.SQL: "SQL you'll write and run against tables, then talk through",
    Round.PYTHON_DATA: "Python and the data stack: pandas, NumPy and the code around a model",
    Round.PROJECT_DEEP_DIVE: "one of your own projects, in depth: the choices, the results, what you'd change",
    Round.BEHAVIORAL: "the Leadership Principles, through specific stories from your work",
}

DRILLS: dict[str, tuple[Round, str]] = {
    "ml-breadth": (Round.ML_BREADTH, "ML breadth drill"),
    "ml-depth": (Round.ML_DEPTH, "ML depth drill"),
    "stats": (Round.STATS, "Statistics and experimentation drill"),
    "coding": (Round.CODING, "Coding drill"),
    "sql": (Round.SQL, "SQL drill"),
    "science-application": (Round.SCIENCE_APPLICATION, "Science application drill"),
    "system-design": (Round.SYSTEM_DESIGN, "ML system design drill"),
    "causal": (Round.CAUSAL, "Causal inference drill"),
    "project-deep-dive": (Round.PROJECT_DEEP_DIVE, "Project deep dive drill"),
}

FORMATS = {
    "recruiter-screen": ("Recruiter screen", _recruiter),
    "phone-screen": ("Phone screen", _phone),
    "loop": ("Virtual loop", _loop),
    "bar-raiser": ("Bar Raiser round", _bar_raiser),
}

PLAN_IDS: tuple[str, ...] = (*FORMATS, *DRILLS, "behavioral")
# Started from a bank story (`interviewer stories drill ID`, the Story bank tab), not chosen alone.
STORY_DRILL = "story-drill"


def build_plan(plan_id: str, role: Role | str = Role.RS, bar_raiser: bool | None = None, seed: int = 0) -> Plan:
    """The plan for a format or drill. Bar Raiser mode follows up deeper (a higher cap)."""
    role = Role(role.upper() if isinstance(role, str) else role)
    if plan_id in FORMATS:
        title, make = FORMATS[plan_id]
        rounds = make(role, seed)
    elif plan_id in DRILLS:
        kind, title = DRILLS[plan_id]
        rounds = [_tech(kind, title, 3, 30, 1)]
    elif plan_id == "behavioral":
        title, rounds = "Behavioural drill", [_lp(4, 30)]
    elif plan_id == STORY_DRILL:
        title, rounds = "Story drill", [_lp(2, 15, title="Bar Raiser: defend your story")]
    else:
        raise ValueError(f"unknown plan {plan_id!r}; choose one of {', '.join(PLAN_IDS)}")
    br = plan_id in ("bar-raiser", STORY_DRILL) if bar_raiser is None else bar_raiser
    return Plan(id=plan_id, title=f"{title} ({role.value})", role=role, rounds=rounds, bar_raiser=br,
                follow_up_cap=3 if br else 2, one_interviewer=plan_id != "loop")

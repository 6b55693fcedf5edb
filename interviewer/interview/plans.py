"""Interview formats: rounds, budgets and role mixes, mirroring the real process.

A plan is data: which rounds, how many questions each, how many LP probes are woven in, and
the turn and time budget of every round. The policy walks through it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from interviewer.schemas import Role, Round


class RoundPlan(BaseModel):
    kind: Round
    title: str
    questions: int = Field(ge=1, description="main questions (technical) or LP probes (behavioural)")
    max_turns: int = Field(ge=1, description="candidate turns before the round closes")
    minutes: int = Field(ge=1)
    pivots: int = Field(default=1, ge=0, description="LP probes woven into a technical round")
    tags: list[str] = Field(default_factory=list, description="prefer items with these seed tags")


class Plan(BaseModel):
    id: str
    title: str
    role: Role
    rounds: list[RoundPlan]
    bar_raiser: bool = False
    follow_up_cap: int = 2

    @property
    def minutes(self) -> int:
        return sum(r.minutes for r in self.rounds)


def _tech(kind: Round, title: str, questions: int = 2, minutes: int = 15, pivots: int = 1, tags: list[str] | None = None) -> RoundPlan:
    # Each question may take the answer, up to the follow-up cap, a pivot and its follow-up.
    return RoundPlan(kind=kind, title=title, questions=questions, max_turns=questions * 4 + pivots * 2,
                     minutes=minutes, pivots=pivots, tags=tags or [])


def _lp(questions: int, minutes: int, tags: list[str] | None = None, title: str = "Leadership Principles") -> RoundPlan:
    return RoundPlan(kind=Round.BEHAVIORAL, title=title, questions=questions, max_turns=questions * 3,
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
            _tech(Round.SQL, "SQL and data manipulation", 2, 25),
            _tech(Round.PYTHON_DATA, "Python data stack and coding", 1, 20),
            _tech(Round.ML_BREADTH, "ML breadth", 3, 25),
            _tech(Round.STATS, "Statistics and experimentation", 2, 25),
            _tech(Round.PROJECT_DEEP_DIVE, "Project deep dive", 1, 25),
            _tech(Round.SCIENCE_APPLICATION, "Science application", 1, 25),
        ]
    return [
        _tech(Round.CODING, "Coding", 1, 25),
        _tech(Round.ML_BREADTH, "ML breadth", 3, 25),
        _tech(Round.ML_DEPTH, "ML depth", 2, 25),
        _tech(Round.PROJECT_DEEP_DIVE, "Research deep dive", 1, 25),
        _tech(Round.SCIENCE_APPLICATION, "Science application", 1, 25),
        # The last loop round is system design or causal inference, as in real loops.
        _tech(Round.SYSTEM_DESIGN, "ML system design", 1, 25) if seed % 2 == 0
        else _tech(Round.CAUSAL, "Causal inference", 1, 25),
    ]


def _bar_raiser(role: Role, seed: int = 0) -> list[RoundPlan]:
    return [
        _lp(3, 25, ["process.bar_raiser.hard_lp"], "Bar Raiser: Leadership Principles"),
        _tech(Round.CODING, "Code review", 1, 10, 0, ["process.bar_raiser.code_review"]),
        _tech(Round.PYTHON_DATA if role is Role.DS else Round.CODING, "Python on the fly", 1, 10, 0,
              ["process.bar_raiser.python_on_the_fly"]),
        _tech(Round.SQL, "SQL aggregation", 1, 10, 1, ["process.bar_raiser.sql_aggregation"]),
    ]


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
    else:
        raise ValueError(f"unknown plan {plan_id!r}; choose one of {', '.join(PLAN_IDS)}")
    br = plan_id == "bar-raiser" if bar_raiser is None else bar_raiser
    return Plan(id=plan_id, title=f"{title} ({role.value})", role=role, rounds=rounds, bar_raiser=br,
                follow_up_cap=3 if br else 2)

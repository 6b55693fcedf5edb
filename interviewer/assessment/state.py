"""The assessment's state and its rules: which items each timed section holds, what happens when
an answer comes in (graded, or refused because the section's time is up), and the scores.
Pure functions over the state and a clock reading, so the timing rules are tested with numbers."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, Field

from interviewer.assessment.content import AssessmentContent

ONLINE_ASSESSMENT = "online-assessment"
SectionKey = Literal["sql_mcq", "python", "algorithms", "work_style"]
Status = Literal["answered", "skipped", "unanswered"]


class SectionSpec(BaseModel):
    key: SectionKey
    title: str
    items: int
    minutes: int


# Close to the real take-home: many quick SQL questions, two data-stack problems, one algorithm,
# then the work-style survey, each section on its own clock.
SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(key="sql_mcq", title="SQL multiple choice", items=12, minutes=18),
    SectionSpec(key="python", title="Python data stack (pandas, NumPy)", items=2, minutes=30),
    SectionSpec(key="algorithms", title="Algorithms", items=1, minutes=25),
    SectionSpec(key="work_style", title="Work style", items=12, minutes=10),
)


class ItemResult(BaseModel):
    section: SectionKey
    item_id: str
    status: Status
    response: str = ""
    points: float = 0.0
    max_points: float = 1.0
    seconds: float = 0.0
    detail: str = ""  # what the grading found: the option's reason, the tests passed, the keyed statements


class SectionState(BaseModel):
    key: SectionKey
    title: str
    minutes: int
    items: list[str]
    started_at: float | None = None
    ended_at: float | None = None
    timed_out: bool = False


class AssessmentState(BaseModel):
    kind: Literal["online-assessment"] = ONLINE_ASSESSMENT
    seed: int
    role: str = "DS"
    sections: list[SectionState]
    section: int = 0
    item: int = 0
    shown_at: float | None = None
    results: list[ItemResult] = Field(default_factory=list)
    finished: bool = False

    @property
    def current_section(self) -> SectionState | None:
        return None if self.finished else self.sections[self.section]

    @property
    def current_item(self) -> str | None:
        s = self.current_section
        return s.items[self.item] if s is not None and self.item < len(s.items) else None


def _spread(items: list, key, n: int, rng: random.Random, avoid: frozenset[str] = frozenset()) -> list:  # noqa: ANN001
    """n items, one per group in turn (topics, LPs), so a section is not five questions on one idea;
    items in `avoid` (seen in recent attempts) only when the others run out."""
    fresh = [it for it in items if it.id not in avoid]
    picked = _spread_from(fresh, key, n, rng)
    return picked + _spread_from([it for it in items if it.id in avoid], key, n - len(picked), rng)


def _spread_from(items: list, key, n: int, rng: random.Random) -> list:  # noqa: ANN001
    groups: dict[str, list] = {}
    for it in sorted(items, key=lambda x: x.id):
        groups.setdefault(key(it), []).append(it)
    for g in groups.values():
        rng.shuffle(g)
    order = sorted(groups)
    rng.shuffle(order)
    picked: list = []
    while len(picked) < n and any(groups.values()):
        for g in order:
            if groups[g] and len(picked) < n:
                picked.append(groups[g].pop())
    return picked


def new_state(content: AssessmentContent, python_ids: list[str], algorithm_ids: list[str], seed: int,
              role: str = "DS", specs: tuple[SectionSpec, ...] = SECTIONS, avoid: frozenset[str] = frozenset()) -> AssessmentState:
    """`avoid`: items of the candidate's recent attempts, used only when nothing fresh is left."""
    rng = random.Random(f"oa:{seed}")

    def problems(ids: list[str], n: int) -> list[str]:
        fresh = sorted(i for i in ids if i not in avoid)
        chosen = rng.sample(fresh, min(len(fresh), n))
        seen = sorted(i for i in ids if i in avoid)
        return sorted(chosen + rng.sample(seen, min(len(seen), n - len(chosen))))

    pools = {
        "sql_mcq": [m.id for m in _spread(content.mcq, lambda m: m.topic, _spec(specs, "sql_mcq").items, rng, avoid)],
        "python": problems(python_ids, _spec(specs, "python").items),
        "algorithms": problems(algorithm_ids, _spec(specs, "algorithms").items),
        "work_style": [w.id for w in _spread(content.work_style, lambda w: w.lp, _spec(specs, "work_style").items, rng,
                                             avoid)],
    }
    sections = [SectionState(key=s.key, title=s.title, minutes=s.minutes, items=pools[s.key]) for s in specs if pools[s.key]]
    return AssessmentState(seed=seed, role=role, sections=sections)


def _spec(specs: tuple[SectionSpec, ...], key: str) -> SectionSpec:
    return next(s for s in specs if s.key == key)


def seconds_left(state: AssessmentState, now: float) -> float | None:
    s = state.current_section
    if s is None or s.started_at is None:
        return None
    return max(0.0, s.started_at + s.minutes * 60 - now)


def show(state: AssessmentState, now: float) -> None:
    """The current item is on screen: its section's clock starts with its first item."""
    s = state.current_section
    if s is not None and s.started_at is None:
        s.started_at = now
    if state.shown_at is None:
        state.shown_at = now


def _advance(state: AssessmentState, now: float) -> None:
    s = state.sections[state.section]
    state.item += 1
    state.shown_at = None
    if state.item >= len(s.items):
        s.ended_at = now
        state.section += 1
        state.item = 0
        if state.section >= len(state.sections):
            state.finished = True


def close_if_timed_out(state: AssessmentState, now: float) -> bool:
    """When the section's time is up, its unanswered items count as unanswered and the next
    section starts. True when it closed."""
    s = state.current_section
    left = seconds_left(state, now)
    if s is None or left is None or left > 0:
        return False
    s.timed_out = True
    for item_id in s.items[state.item:]:
        state.results.append(ItemResult(section=s.key, item_id=item_id, status="unanswered",
                                        max_points=max_points(s.key), detail="the section's time ran out"))
    state.item = len(s.items) - 1
    _advance(state, s.started_at + s.minutes * 60 if s.started_at is not None else now)
    return True


def max_points(key: SectionKey) -> float:
    return 2.0 if key == "work_style" else 1.0


def record(state: AssessmentState, result: ItemResult, now: float) -> None:
    """The current item's result; the next item comes up."""
    result.seconds = round(max(0.0, now - (state.shown_at or now)), 1)
    state.results.append(result)
    _advance(state, now)


def section_scores(state: AssessmentState) -> list[tuple[SectionState, float, float]]:
    return [(s, sum(r.points for r in state.results if r.section == s.key),
             sum(r.max_points for r in state.results if r.section == s.key) or len(s.items) * max_points(s.key))
            for s in state.sections]


def overall_percent(state: AssessmentState) -> float:
    """The mean of the sections' percentages: each section weighs the same, so twelve quick
    work-style items cannot outweigh the coding problems that take most of the time."""
    shares = [got / total for _, got, total in section_scores(state) if total]
    return round(100 * sum(shares) / len(shares), 1) if shares else 0.0

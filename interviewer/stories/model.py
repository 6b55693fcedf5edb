"""The story bank's types: a story, what the judge found in it, and the bank's coverage."""

from __future__ import annotations

import difflib
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from interviewer.schemas import LEADERSHIP_PRINCIPLES, Criterion

GapCode = Literal[
    "too_short", "situation", "task", "action", "ownership", "result", "measurable_result", "learning",
    "specificity", "generic", "rambling", "relevance",
]
MAX_TITLE = 120
MAX_STORY_CHARS = 6000


class StoryGap(BaseModel):
    """One thing the story lacks, in the words a coach would use, and how to mend it."""

    code: GapCode
    message: str
    fix: str
    quote: str | None = None  # the candidate's own sentence the gap is about, when there is one


class LpMatch(BaseModel):
    """How well a story evidences one LP: the judge's reading of the LP's signals."""

    lp: str
    strength: float = Field(ge=0.0, le=1.0)  # the LP classifier's mean probability over the story's sentences
    signals: list[str] = Field(default_factory=list)  # the LP's signals the story shows (read for the best few)
    quotes: list[str] = Field(default_factory=list)  # the sentences that show them


class StoryAssessment(BaseModel):
    judge: str  # who scored it
    lp: str  # the LP it was scored against
    overall: float
    criteria: list[Criterion]
    star_present: list[str]
    gaps: list[StoryGap]
    matches: list[LpMatch]  # every LP, strongest first
    flags: list[str] = Field(default_factory=list)
    # The lp_alignment criterion (1-4) against each LP the story counts for: a story is strong for
    # an LP only when it is strong and fits that LP (3 or more).
    fit: dict[str, int] = Field(default_factory=dict)

    @property
    def strong(self) -> bool:
        return self.overall >= STRONG_SCORE


STRONG_SCORE = 3.0  # a story the judge scores 3 or more counts as strong in the grid
FITS = 3  # ... for an LP whose signals it shows well enough (lp_alignment 3 or more)


def canonical_lp(name: str) -> str:
    """The LP's exact name, whatever the case and spacing; a clear error, with the closest name,
    for anything else."""
    key = " ".join(name.split()).lower()
    for lp in LEADERSHIP_PRINCIPLES:
        if lp.lower() == key:
            return lp
    close = difflib.get_close_matches(key, [lp.lower() for lp in LEADERSHIP_PRINCIPLES], n=1, cutoff=0.5)
    hint = f"; did you mean {LEADERSHIP_PRINCIPLES[[lp.lower() for lp in LEADERSHIP_PRINCIPLES].index(close[0])]!r}?" \
        if close else "; the 16 are listed by `interviewer stories add --help`"
    raise ValueError(f"{name!r} is not a Leadership Principle{hint}")


def _known_lps(names: list[str]) -> list[str]:
    return list(dict.fromkeys(canonical_lp(n) for n in names))


class StoryDraft(BaseModel):
    """What the candidate writes: checked before anything is stored."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    text: str = Field(min_length=1, max_length=MAX_STORY_CHARS)
    lps: list[str] = Field(default_factory=list, description="the LPs the candidate says it evidences")

    @field_validator("title", "text", mode="before")
    @classmethod
    def _stripped(cls, v: object) -> object:
        return v.strip() if isinstance(v, str) else v

    @field_validator("lps")
    @classmethod
    def _lps(cls, v: list[str]) -> list[str]:
        return _known_lps(v)


class BankStory(StoryDraft):
    id: str
    user: str
    created_at: float
    updated_at: float
    assessment: StoryAssessment | None = None

    @property
    def suggested(self) -> list[str]:
        """The LPs the judge suggests: the best match, and the next ones close to it."""
        if self.assessment is None:
            return []
        return suggested_lps(self.assessment.matches)

    @property
    def counted_for(self) -> list[str]:
        """The LPs the grid counts it for: the candidate's confirmed choice, else the suggestion."""
        return self.lps or self.suggested

    @property
    def strong(self) -> bool:
        return self.assessment is not None and self.assessment.strong

    def strong_for(self, lp: str) -> bool:
        return self.strong and self.fit(lp) >= FITS

    def fit(self, lp: str) -> int:
        """How well it fits the LP (the lp_alignment criterion); 0 when not measured, so a fit
        nobody measured never makes a story strong."""
        return self.assessment.fit.get(lp, 0) if self.assessment is not None else 0


SECOND_SHARE = 0.6  # a second LP is suggested when its strength is at least this share of the best's


def suggested_lps(matches: list[LpMatch]) -> list[str]:
    """The LP the story speaks to most, and the next one when it is nearly as strong. (Putting
    first the LPs whose signals the story visibly shows, or those it fits best, did worse on the
    dev stories of evals/stories.py: 9 of 18 against 10.)"""
    ranked = sorted(matches, key=lambda m: -m.strength)
    if not ranked:
        return []
    return [m.lp for m in ranked[:2] if m.strength >= SECOND_SHARE * ranked[0].strength]


def barely_shown(matches: list[LpMatch], lp: str) -> bool:
    """The story ranks this LP low and well below its best (stories/assess.py's relevance rule)."""
    ranked = sorted(matches, key=lambda m: -m.strength)
    rank = next((i for i, m in enumerate(ranked, 1) if m.lp == lp), None)
    if rank is None or not ranked:
        return False
    return rank > OFF_LP_RANK and ranked[rank - 1].strength < OFF_LP_SHARE * ranked[0].strength


# A story filed under an LP that ranks below this in its profile, at under this share of the
# best LP's strength, "shows little of" it (chosen on the dev LPs of evals/stories.py).
OFF_LP_RANK = 3
OFF_LP_SHARE = 0.5


class GridRow(BaseModel):
    lp: str
    strong: list[str] = Field(default_factory=list)  # story ids
    weaker: list[str] = Field(default_factory=list)

    @property
    def filled(self) -> int:
        return min(2, len(self.strong))


class Stretched(BaseModel):
    story_id: str
    lps: list[str]  # the LPs it is counted for
    weak: list[str] = Field(default_factory=list)  # of those, the ones it shows little of


class NearDuplicate(BaseModel):
    first: str  # story ids
    second: str
    similarity: float
    shared_words: float


class InterviewLink(BaseModel):
    """A bank story told in an interview."""

    story_id: str
    session_id: str
    lp: str
    item_id: str
    similarity: float


class Coverage(BaseModel):
    rows: list[GridRow]
    stretched: list[Stretched]
    duplicates: list[NearDuplicate]
    links: list[InterviewLink] = Field(default_factory=list)

    @property
    def weakest(self) -> list[str]:
        """LPs ordered by how far they are from two strong stories, the emptiest first."""
        order = {lp: i for i, lp in enumerate(LEADERSHIP_PRINCIPLES)}
        return [r.lp for r in sorted(self.rows, key=lambda r: (r.filled, len(r.weaker), order.get(r.lp, 99)))]

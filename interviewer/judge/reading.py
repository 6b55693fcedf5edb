"""What the offline judge read in one answer, before any score: which sentence states or
contradicts each rubric item, the STAR parts, and the raw measurements the score map combines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.judge.text import Span

REASONING = re.compile(
    r"\b(because|since|so that|which means|that means|therefore|hence|trade-?off|however|whereas|"
    r"unless|assuming|for example|for instance|e\.g\.|in practice|the reason|otherwise|instead|"
    r"compared (to|with)|on the other hand|depends on|if .{1,40} then)\b",
    re.I,
)
TECHNICAL_DETAIL = re.compile(r"[=^√∑]|\bO\([^)]*\)|\b\d+(\.\d+)?\b|\b(log|sqrt|exp|derivative|gradient|variance|expectation)\b", re.I)
SIGNPOST = re.compile(r"\b(first(ly)?|second(ly)?|third|then|next|finally|overall|in short|to summari[sz]e|two things|three things|one|another)\b", re.I)


@dataclass
class Prepared:
    """An answer made ready to read."""

    kept: list[Span]  # sentences that count as content (instructions removed)
    units: list[Span]  # real sentences (fragments removed) used for coverage
    flags: list[str]
    word_count: int


@dataclass
class ItemReading:
    """One rubric item (key point or LP signal) against the answer."""

    index: int  # 1-based
    states: float = 0.0  # highest probability that a sentence states it
    contradicts: float = 0.0  # highest probability that a sentence contradicts it
    states_unit: Span | None = None
    contradicts_unit: Span | None = None


@dataclass
class TechnicalReading:
    prep: Prepared
    readings: list[ItemReading]
    covered: list[ItemReading]
    contradicted: list[ItemReading]
    reasoning: list[Span]
    detail: list[Span]  # sentences with formulas, numbers or complexity
    on_topic: list[Span]
    focus: float
    signposts: int
    measures: dict[str, float] = field(default_factory=dict)


@dataclass
class BehavioralReading:
    prep: Prepared
    parts: dict[str, Span | None]
    generic: bool
    rambling: bool
    n_specific: int
    carriers: list[Span]
    i_count: int
    we_count: int
    n_actions: int
    we_actions: int
    shown: list[ItemReading]
    measures: dict[str, float] = field(default_factory=dict)
    # The sentence that shows whose work it was: an action said with "I", or, when every action
    # is the team's, the first "we" action (the gap the report points at).
    ownership_quote: Span | None = None

"""Scoring a bank story: the interview's behavioural criteria (the offline judge's trained
models), the exact gaps with a fix for each, and the LPs the story can evidence.

The gaps are read from what the judge read (judge/reading.py's BehavioralReading), through
small pure functions, so each rule is tested with literal facts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from interviewer.corpus.loading import Corpus
from interviewer.judge.lp_map import LpClassifier
from interviewer.judge.reading import BehavioralReading
from interviewer.judge.rubric import Rubric, rubric_for_lp
from interviewer.judge.text import STAR_PARTS, normalise, sentences, star_parts
from interviewer.schemas import LeadershipPrinciple
from interviewer.stories.model import (
    OFF_LP_RANK,
    OFF_LP_SHARE,
    LpMatch,
    StoryAssessment,
    StoryGap,
    suggested_lps,
)

log = logging.getLogger(__name__)

# A result said in words is measured too ("halved the queue", "from the high eighties to eighty").
NUMBER_WORDS = re.compile(r"\b(half|halved|doubled|tripled|twice|thrice|a third|a quarter|dozens?|(?:ten|twenty|thirty|"
                          r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)s?|percent)\b", re.I)
SIGNALS_READ_FOR = 4  # the best-matching LPs whose signals are read in the story



@dataclass(frozen=True)
class StoryFacts:
    """What the judge read in a story, reduced to what the gap rules need."""

    words: int
    missing: tuple[str, ...] = ()  # STAR parts with no sentence
    result: str | None = None  # the sentence that gives the result
    result_measured: bool = False  # a number or time frame in the result or after it
    numbers: int = 0  # concrete numbers, metrics or time frames in the whole story
    i_count: int = 0
    we_count: int = 0
    actions: int = 0  # action sentences
    we_actions: int = 0  # action sentences that say only what the team did
    we_quote: str | None = None
    generic: bool = False
    rambling: bool = False
    lp_rank: int = 1  # where that LP ranks in the story's LP profile (1 = the best match)
    lp_share: float = 1.0  # its profile strength over the best LP's
    too_short: bool = False


def facts_of(reading: BehavioralReading | None, words: int, cued: set[str] = frozenset(), lp_rank: int = 1,
             lp_share: float = 1.0) -> StoryFacts:
    """`cued`: STAR parts the story's own words announce ("as a result", "my job was"): a part
    the cue phrases give is never called missing, whatever the classifier read."""
    if reading is None:
        return StoryFacts(words=words, too_short=True)
    result = reading.parts.get("result")
    measured = (any(c.end > result.start for c in reading.carriers) or bool(NUMBER_WORDS.search(result.text))
                if result is not None else bool("result" in cued and reading.carriers))
    we_quote = None
    if reading.ownership_quote is not None and reading.we_actions and not _says_i(reading.ownership_quote.text):
        we_quote = reading.ownership_quote.text
    return StoryFacts(
        words=reading.prep.word_count,
        missing=tuple(p for p in STAR_PARTS if reading.parts.get(p) is None and p not in cued),
        result=result.text if result is not None else None, result_measured=measured,
        numbers=reading.n_specific, i_count=reading.i_count, we_count=reading.we_count,
        actions=reading.n_actions, we_actions=reading.we_actions, we_quote=we_quote,
        generic=reading.generic, rambling=reading.rambling,
        lp_rank=lp_rank, lp_share=lp_share,
    )


def _says_i(text: str) -> bool:
    return any(w in (" " + text + " ") for w in (" I ", " I'", " my ", " me "))


def gaps_of(f: StoryFacts, lp: str, best_other: LpMatch | None = None) -> list[StoryGap]:
    """The story's gaps, the biggest hole first (the order an interviewer probes them in)."""
    if f.too_short:
        return [StoryGap(code="too_short", message=f"too short to judge ({f.words} words of substance)",
                         fix="Tell the whole story: where and when, what was yours to do, what you did step by step, "
                             "how it ended (with a number) and what you learned. Two minutes spoken is about 250 words.")]
    gaps: list[StoryGap] = []
    if f.generic:
        gaps.append(StoryGap(code="generic", message='told as a habit ("I always..."), not as one occasion',
                             fix="Pick one specific time and tell what happened then: a date, a project, a person."))
    if "action" in f.missing:
        gaps.append(StoryGap(code="action", message="no action: what you did is missing",
                             fix="Walk through the two or three things you did yourself, in order, and why you chose them."))
    team_only = (f.i_count == 0 and f.we_count > 0) or (f.actions > 0 and f.we_actions * 2 > f.actions)
    if team_only:
        gaps.append(StoryGap(code="ownership", message="the action is the team's, not yours", quote=f.we_quote,
                             fix='Say what you did with "I": what you decided, built, measured or said. '
                                 "Give the team its credit in one separate sentence."))
    if "result" in f.missing:
        gaps.append(StoryGap(code="result", message="no result: the story stops before the outcome",
                             fix="Say how it ended: what changed, for whom, and whether it lasted."))
    elif not f.result_measured:
        gaps.append(StoryGap(code="measurable_result", message="no measurable result", quote=f.result,
                             fix="Give the outcome as a number with a time frame: before and after, the metric, "
                                 'the size (e.g. "false alarms fell from 12% to 7% within six weeks").'))
    if f.numbers == 0:
        gaps.append(StoryGap(code="specificity", message="vague: no concrete numbers, sizes or time frames",
                             fix="Add the facts that make it checkable: how much data, how many users, how long, how much money."))
    if "learning" in f.missing:
        gaps.append(StoryGap(code="learning", message="no learning: what you took away is not said",
                             fix="Close with what you would do differently, or the mechanism you put in place so it does not recur."))
    if f.rambling:
        gaps.append(StoryGap(code="rambling", message="rambles: filler and asides hide the story",
                             fix="Cut it to about two minutes: one sentence of context, then the actions, the result, the lesson."))
    if f.lp_rank > OFF_LP_RANK and f.lp_share < OFF_LP_SHARE:
        better = (f" It reads more like {best_other.lp}; map it there, or" if best_other is not None
                  and best_other.lp != lp else "")
        gaps.append(StoryGap(code="relevance", message=f"shows little of {lp}",
                             fix=f"{better} Make the {lp} part explicit: the moment you chose, and what it cost or risked.".strip()))
    return gaps


def lp_rubric(lp: LeadershipPrinciple) -> Rubric:
    # A bank story answers no particular probe: the LP's first probe stands for the question.
    return rubric_for_lp(lp, question=lp.probes[0].text, question_id=f"{lp.id}.story")


class StoryAssessor:
    """Scores stories with the offline judge (its STAR, pair and score-map models)."""

    def __init__(self, judge, corpus: Corpus) -> None:  # noqa: ANN001 - an OfflineJudge
        self.judge = judge
        self.lps = list(corpus.lps)
        self.lp_map = LpClassifier(judge.vectors.embed)

    def matches(self, text: str, read_signals: tuple[str, ...] = ()) -> list[LpMatch]:
        """Every LP, strongest first: the trained LP classifier's profile of the story's
        sentences; the signals the story shows are read (pair classifier) for the best few and
        for `read_signals`."""
        spans = [s.text for s in sentences(normalise(text))]
        profile = self.lp_map.profile(spans)
        ranked = sorted(self.lps, key=lambda lp: -profile[lp.name])
        wanted = [lp for lp in ranked[:SIGNALS_READ_FOR] if lp.name not in read_signals] + \
            [lp for lp in self.lps if lp.name in read_signals]
        readings = dict(zip((lp.name for lp in wanted),
                            self.judge.signal_strengths([lp_rubric(lp) for lp in wanted], text), strict=True))
        out = []
        for lp in ranked:
            _, shown = readings.get(lp.name, (0.0, []))
            out.append(LpMatch(lp=lp.name, strength=round(profile[lp.name], 4),
                               signals=[lp.signals[r.index - 1] for r in shown],
                               quotes=[r.states_unit.text for r in shown if r.states_unit is not None][:3]))
        return out

    def assess(self, text: str, lps: list[str] | None = None) -> StoryAssessment:
        """Scored against the candidate's first chosen LP, or else the LP it evidences best."""
        matches = self.matches(text, tuple(lps or ()))
        target = (lps or [matches[0].lp])[0]
        lp = next(p for p in self.lps if p.name == target)
        rubric = lp_rubric(lp)
        score = self.judge.score(rubric, text)
        reading = self.judge.read_story(rubric, text)
        rank = next(i for i, m in enumerate(matches, 1) if m.lp == target)
        cued = {p for p, span in star_parts(normalise(text)).items() if span is not None}
        facts = facts_of(reading, len(text.split()), cued, rank, matches[rank - 1].strength / max(1e-9, matches[0].strength))
        best_other = next((m for m in matches if m.lp != target), None)
        fit = {target: _alignment(score)}
        for name in (lps or suggested_lps(matches)):
            if name not in fit:
                fit[name] = _alignment(self.judge.score(lp_rubric(next(p for p in self.lps if p.name == name)), text))
        return StoryAssessment(
            judge=self.judge.name, lp=target, overall=score.overall, criteria=score.criteria,
            star_present=[p for p in STAR_PARTS if p not in facts.missing] if not facts.too_short else [],
            gaps=gaps_of(facts, target, best_other), matches=matches, flags=list(score.flags),
            fit={k: v for k, v in fit.items() if v is not None},
        )


def _alignment(score) -> int | None:  # noqa: ANN001 - a Score
    return next((c.score for c in score.criteria if c.name == "lp_alignment"), None)

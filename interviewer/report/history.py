"""A candidate's practice history: past sessions, score trends, and the stories told per LP.

Trends are read from the reports written when each interview ended (no re-scoring), so the
history page costs one small JSON read per finished session.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel

from interviewer.assessment.state import (
    ONLINE_ASSESSMENT,
    AssessmentState,
    overall_percent,
)
from interviewer.corpus.loading import Corpus
from interviewer.report.build import report_of
from interviewer.retrieval.lexical import tokenize
from interviewer.schemas import Turn
from interviewer.store import Store

log = logging.getLogger(__name__)

# Two answers sharing at least this share of their distinct content words tell the same story.
REUSE_THRESHOLD = 0.5
MIN_STORY_WORDS = 25


class SessionSummary(BaseModel):
    id: str
    plan_id: str
    role: str
    status: str
    created_at: float
    turns: int
    recommendation: str | None = None
    overall: float | None = None


class TrendPoint(BaseModel):
    session: int  # 1 for the user's first finished session, and so on
    session_id: str
    kind: str  # "competency" or "LP"
    name: str
    score: float


class Story(BaseModel):
    session_id: str
    lp: str
    item_id: str
    text: str


class Reuse(BaseModel):
    lp: str
    first: str  # session ids
    second: str
    overlap: float


class History(BaseModel):
    sessions: list[SessionSummary]
    trend: list[TrendPoint]
    stories: dict[str, int]  # LP name -> number of stories told
    reused: list[Reuse]


def overlap(a: str, b: str) -> float:
    """Jaccard overlap of distinct stemmed content words."""
    sa, sb = set(tokenize(a)), set(tokenize(b))
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def reused_stories(stories: list[Story], threshold: float = REUSE_THRESHOLD) -> list[Reuse]:
    """Pairs of stories from different sessions that are essentially the same story."""
    found: list[Reuse] = []
    for i, a in enumerate(stories):
        for b in stories[i + 1:]:
            if a.session_id == b.session_id:
                continue
            o = overlap(a.text, b.text)
            if o >= threshold:
                found.append(Reuse(lp=a.lp if a.lp == b.lp else f"{a.lp} / {b.lp}", first=a.session_id,
                                   second=b.session_id, overlap=round(o, 2)))
    return found


def stories_of(turns: list[Turn], session_id: str) -> list[Story]:
    """The candidate's answers to LP probes and pivots, one story per item."""
    lp_of: dict[str, str] = {}
    for t in turns:
        d = t.decision
        if t.speaker == "interviewer" and d is not None and d.item_id and d.item_kind in ("lp_probe", "pivot") and d.lp:
            lp_of[d.item_id] = d.lp
    texts: dict[str, list[str]] = {}
    for t in turns:
        if t.speaker == "candidate" and t.item_id in lp_of and t.classification == "answer":
            texts.setdefault(t.item_id, []).append(t.text)
    return [Story(session_id=session_id, lp=lp_of[i], item_id=i, text=" ".join(parts))
            for i, parts in texts.items() if len(" ".join(parts).split()) >= MIN_STORY_WORDS]


def history(corpus: Corpus, store: Store, user: str, limit: int = 50) -> History:
    """The user's sessions, newest first, with exactly the figures their reports show: each
    finished session's report is rebuilt from its transcript, as the Report tab does."""
    rows = store.sessions(user, limit=limit)
    summaries: list[SessionSummary] = []
    trend: list[TrendPoint] = []
    stories: list[Story] = []
    finished = 0
    for row in sorted(rows, key=lambda r: r.created_at):
        turns = store.turns(row.id)
        if row.plan_id == ONLINE_ASSESSMENT:
            # Graded by answer keys and tests, not the interview rubric: its share of points is its result.
            done = AssessmentState.model_validate_json(row.state_json)
            summaries.append(SessionSummary(
                id=row.id, plan_id=row.plan_id, role=row.role, status=row.status, created_at=row.created_at,
                turns=len(turns), recommendation=f"{overall_percent(done):.0f}% of points" if done.finished else None))
            continue
        report = report_of(corpus, row, turns) if row.status == "finished" else None
        summaries.append(SessionSummary(
            id=row.id, plan_id=row.plan_id, role=row.role, status=row.status, created_at=row.created_at,
            turns=len(turns), recommendation=report.verdict if report else None,
            overall=report.overall if report else None,
        ))
        if report:
            finished += 1
            for kind, rated_list in (("competency", report.competencies), ("LP", report.lps)):
                for rated in rated_list:
                    if rated.score is not None:
                        trend.append(TrendPoint(session=finished, session_id=row.id, kind=kind, name=rated.name,
                                                score=rated.score))
        stories.extend(stories_of(turns, row.id))
    counts: dict[str, int] = {}
    for s in stories:
        counts[s.lp] = counts.get(s.lp, 0) + 1
    return History(sessions=list(reversed(summaries)), trend=trend, stories=dict(sorted(counts.items())),
                   reused=reused_stories(stories))

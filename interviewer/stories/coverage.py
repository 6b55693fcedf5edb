"""The bank's coverage: the 16 x 2 grid, stories stretched over too many LPs, near-duplicates,
and bank stories told in interviews. Pure functions over stories and their vectors."""

from __future__ import annotations

import numpy as np

from interviewer.report.history import Story as InterviewStory
from interviewer.report.history import overlap
from interviewer.schemas import LEADERSHIP_PRINCIPLES
from interviewer.stories.model import (
    FITS,
    BankStory,
    GridRow,
    InterviewLink,
    NearDuplicate,
    Stretched,
    barely_shown,
)

MAX_LPS_PER_STORY = 2  # counted for more is stretching one story: a Bar Raiser hears it twice
# Two stories are the same episode when their meaning (mean sentence vectors) is this close, or
# they share half their distinct content words (report/history.py's reuse rule).
DUPLICATE_COSINE = 0.8
DUPLICATE_WORDS = 0.5
LINK_COSINE = 0.75  # an interview answer tells a bank story


def grid(stories: list[BankStory]) -> list[GridRow]:
    rows = {lp: GridRow(lp=lp) for lp in LEADERSHIP_PRINCIPLES}
    for s in stories:
        for lp in s.counted_for:
            if lp in rows:
                (rows[lp].strong if s.strong_for(lp) else rows[lp].weaker).append(s.id)
    return list(rows.values())


def stretched(stories: list[BankStory]) -> list[Stretched]:
    """Stories counted for more than two LPs, or for an LP they show little of."""
    out = []
    for s in stories:
        weak = [lp for lp in s.counted_for if s.assessment and (barely_shown(s.assessment.matches, lp) or s.fit(lp) < FITS)]
        if len(s.counted_for) > MAX_LPS_PER_STORY or weak:
            out.append(Stretched(story_id=s.id, lps=s.counted_for, weak=weak))
    return out


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b / (na * nb)) if na and nb else 0.0


def near_duplicates(stories: list[BankStory], vectors: dict[str, np.ndarray],
                    min_cosine: float = DUPLICATE_COSINE, min_words: float = DUPLICATE_WORDS) -> list[NearDuplicate]:
    found = []
    for i, a in enumerate(stories):
        for b in stories[i + 1:]:
            sim, words = cosine(vectors[a.id], vectors[b.id]), overlap(a.text, b.text)
            if sim >= min_cosine or words >= min_words:
                found.append(NearDuplicate(first=a.id, second=b.id, similarity=round(sim, 3), shared_words=round(words, 3)))
    return sorted(found, key=lambda d: -d.similarity)


def interview_links(stories: list[BankStory], vectors: dict[str, np.ndarray], told: list[InterviewStory],
                    told_vectors: list[np.ndarray], min_cosine: float = LINK_COSINE) -> list[InterviewLink]:
    """Each interview answer linked to the bank story it tells (the closest, when close enough)."""
    links = []
    for t, tv in zip(told, told_vectors, strict=True):
        best = max(((cosine(vectors[s.id], tv), s) for s in stories), key=lambda x: x[0], default=None)
        if best is not None and (best[0] >= min_cosine or overlap(best[1].text, t.text) >= DUPLICATE_WORDS):
            links.append(InterviewLink(story_id=best[1].id, session_id=t.session_id, lp=t.lp, item_id=t.item_id,
                                       similarity=round(best[0], 3)))
    return links


def link_lines(stories: list[BankStory], links: list[InterviewLink]) -> list[str]:
    """"You told the forecasting story for Dive Deep and for Ownership": one line per bank story
    told in interviews, saying when it was told for more than one LP."""
    titles = {s.id: s.title for s in stories}
    lines = []
    for sid in dict.fromkeys(link.story_id for link in links):
        mine = [link for link in links if link.story_id == sid]
        lps = list(dict.fromkeys(link.lp for link in mine))
        sessions = len({link.session_id for link in mine})
        line = f'You told "{titles[sid]}" for {" and for ".join(lps)}' + (f" in {sessions} sessions" if sessions > 1 else "")
        lines.append(line + (": an interviewer who hears it twice will ask for another story." if len(lps) > 1 else "."))
    return lines

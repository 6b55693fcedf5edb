"""What a judge needs to score one answer, built from a question, an LP probe or a reference."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from interviewer.corpus.loading import Corpus
from interviewer.judge.text import sentences
from interviewer.schemas import LeadershipPrinciple, Question


class Rubric(BaseModel):
    kind: Literal["technical", "behavioral"]
    question: str
    question_id: str | None = None
    key_points: list[str] = []
    common_mistakes: list[str] = []
    lp: str | None = None
    signals: list[str] = []
    red_flags: list[str] = []
    min_words: int | None = None  # below this many words of substance: insufficient evidence


def rubric_for_question(q: Question) -> Rubric:
    return Rubric(
        kind="technical", question=q.question, question_id=q.id,
        key_points=list(q.key_points), common_mistakes=list(q.common_mistakes),
    )


def rubric_for_lp(lp: LeadershipPrinciple, question: str, question_id: str | None = None) -> Rubric:
    return Rubric(
        kind="behavioral", question=question, question_id=question_id or lp.id, lp=lp.name,
        signals=list(lp.signals), red_flags=list(lp.red_flags),
    )


def rubric_for_reference(question: str, reference: str) -> Rubric:
    """Reference mode: each sentence of the reference answer becomes a key point."""
    points = [s.text for s in sentences(reference)] or [reference.strip()]
    # Reference answers are often a single short sentence, and so are good answers to them.
    return Rubric(kind="technical", question=question, key_points=points, min_words=3)


def rubric_texts(corpus: Corpus) -> list[str]:
    """Every text the judge compares answers with, to embed ahead of the interview."""
    texts: list[str] = []
    for q in corpus.questions:
        texts += [*q.key_points, *q.common_mistakes, q.question, q.pivot.question]
    for lp in corpus.lps:
        texts += [*lp.signals, *lp.red_flags, *(p.text for p in lp.probes)]
    return texts

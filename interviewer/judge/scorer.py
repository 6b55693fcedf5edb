"""Score a free-standing answer (the `score` command): find the rubric, run the offline judge."""

from __future__ import annotations

from typing import Any

from interviewer.corpus.loading import Corpus
from interviewer.embeddings import get_embedder
from interviewer.judge.offline import OfflineJudge
from interviewer.judge.rubric import (
    Rubric,
    rubric_for_lp,
    rubric_for_question,
    rubric_for_reference,
)


class AnswerScorer:
    def __init__(self, corpus: Corpus, retriever: Any | None, judge: OfflineJudge | None = None):
        self.corpus = corpus
        self.retriever = retriever
        self.judge = judge or OfflineJudge(get_embedder())
        self._lps = {lp.id: lp for lp in corpus.lps}

    def rubric(self, question: str, reference: str | None) -> Rubric:
        if reference is not None and reference.strip():
            return rubric_for_reference(question, reference)
        if self.retriever is None:
            raise ValueError("without --reference the closest corpus question needs the retrieval index")
        best_q = self.retriever.search(question, "questions", k=1, ranker="dense")
        best_lp = self.retriever.search(question, "lps", k=1, ranker="dense")
        if best_lp and (not best_q or best_lp[0].score > best_q[0].score):
            hit = best_lp[0]
            lp = self._lps[hit.id.split(".")[0]]
            return rubric_for_lp(lp, question, hit.id)
        return rubric_for_question(self.corpus.question(best_q[0].id))

    def score(self, question: str, answer: str, reference: str | None = None) -> dict[str, Any]:
        rubric = self.rubric(question, reference)
        s = self.judge.score(rubric, answer)
        return {
            "overall": s.overall,
            "criteria": [c.model_dump() for c in s.criteria],
            "matched_question_id": s.matched_question_id,
            "key_points_covered": s.key_points_covered,
            "key_points_missed": s.key_points_missed,
            "contradictions": [c.model_dump() for c in s.contradictions],
            "flags": s.flags,
            "kind": s.kind,
            "judge": s.judge,
        }

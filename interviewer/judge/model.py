"""The model judge: a language model scores against the rubric through structured output.

Guards in code, whatever the model says: the answer is normalised (judge/guard.py) and
instructions written inside it are removed before the model sees it (and flagged, and cost a
point, as offline); what is left goes between tags with a random name made for the call
(prompts.fence), so it cannot close its block and speak as the prompt; evidence quotes must be
verbatim substrings of the answer or they are dropped and flagged; output that does not parse
after one repair attempt, or any model failure, means the offline judge scores that answer and
the score says so.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from interviewer.judge.evidence import verify_quotes
from interviewer.judge.guard import strip_foreign, strip_instructions
from interviewer.judge.mapping import integrity
from interviewer.judge.offline import WEIGHTS, OfflineJudge
from interviewer.judge.rubric import Rubric
from interviewer.judge.text import (
    is_instruction,
    normalise,
    sentences,
    substantive,
    words,
)
from interviewer.llm import ModelClient, ModelError, Usage
from interviewer.prompts import fence, load_prompt
from interviewer.schemas import Criterion, Score

log = logging.getLogger(__name__)


class JudgedCriterion(BaseModel):
    name: str
    score: int = Field(ge=1, le=4)
    rationale: str
    evidence: list[str] = Field(default_factory=list)


class Judgement(BaseModel):
    criteria: list[JudgedCriterion]
    key_points_covered: list[int] = Field(default_factory=list)
    star_missing: list[str] = Field(default_factory=list)
    injection_detected: bool = False
    on_topic: bool = True


class ModelJudge:
    def __init__(self, client: ModelClient, prompts_dir: Path, fallback: OfflineJudge):
        self.client = client
        self.fallback = fallback
        self.name = f"model:{client.model_name}"
        self._technical = load_prompt(prompts_dir / "technical_judge.md")
        self._behavioral = load_prompt(prompts_dir / "behavioral_judge.md")

    def clear_cache(self) -> None:
        self.fallback.clear_cache()

    @property
    def ready(self) -> bool:
        return self.fallback.ready

    def warm_up(self, rubric_texts: Sequence[str], cache_file: Path | None = None,
                stop: threading.Event | None = None) -> int:
        return self.fallback.warm_up(rubric_texts, cache_file, stop)

    def for_session(self) -> ModelJudge:
        judge = copy.copy(self)
        judge.client = self.client.fork()
        return judge

    def usage(self) -> Usage:
        return self.client.usage

    def cached_vector(self, text: str) -> list[float] | None:
        return self.fallback.cached_vector(text)

    def _offline(self, rubric: Rubric, answer: str, why: str) -> Score:
        score = self.fallback.score(rubric, answer)
        return score.model_copy(update={"flags": [*score.flags, why]})

    def score(self, rubric: Rubric, answer: str) -> Score:
        text = normalise(answer)
        stripped, removed = strip_instructions(text)
        spans = sentences(strip_foreign(stripped)[0])  # another language is not scored offline either
        kept = [s for s in spans if not is_instruction(s.text)]
        # The model reads only the answer without its instructions (so its score is that answer's),
        # each sentence once and without padding, as the offline judge counts them.
        flags = ["injection_attempt"] if removed or len(kept) < len(spans) else []
        clean = " ".join(s.text for s in substantive(kept))
        min_words = rubric.min_words or (12 if rubric.kind == "technical" else 25)
        if len(words(clean)) < min_words:
            return self.fallback.score(rubric, answer)  # too short: insufficient evidence, no model needed
        fenced = fence(clean, "answer")
        if rubric.kind == "technical":
            messages = self._technical.render(
                question=rubric.question, answer=fenced.body, answer_tag=fenced.tag,
                key_points="\n".join(f"{i}. {k}" for i, k in enumerate(rubric.key_points, start=1)),
                common_mistakes="\n".join(f"- {m}" for m in rubric.common_mistakes) or "- none listed",
            )
        else:
            messages = self._behavioral.render(
                question=rubric.question, lp=rubric.lp or "", answer=fenced.body, answer_tag=fenced.tag,
                signals="\n".join(f"- {s}" for s in rubric.signals), red_flags="\n".join(f"- {r}" for r in rubric.red_flags),
            )
        try:
            judgement = self.client.structured(messages, Judgement)
        except ModelError as exc:
            log.warning("model judge unavailable, offline judge scores this answer: %s", exc)
            return self._offline(rubric, answer, "model_judge_failed")

        weights = WEIGHTS[rubric.kind]
        by_name = {c.name.strip().lower(): c for c in judgement.criteria}
        if not set(weights) <= set(by_name):
            return self._offline(rubric, answer, "model_judge_incomplete")
        criteria: list[Criterion] = []
        for name in weights:
            c = by_name[name]
            kept, dropped = verify_quotes(c.evidence, text)
            if dropped and "unverified_quote_dropped" not in flags:
                flags.append("unverified_quote_dropped")
            criteria.append(Criterion(name=name, score=c.score, rationale=c.rationale, evidence=kept))
        if judgement.injection_detected and "injection_attempt" not in flags:
            # Only what the code detects costs a point; the model's suspicion is reported.
            flags.append("injection_suspected")
        overall = integrity(sum(weights[c.name] * c.score for c in criteria), flags)
        n = len(rubric.key_points)
        covered = sorted({i for i in judgement.key_points_covered if 1 <= i <= n})
        return Score(
            overall=round(max(1.0, min(4.0, overall)), 2), criteria=criteria, flags=flags, judge=self.name,
            kind=rubric.kind, matched_question_id=rubric.question_id, lp=rubric.lp,
            key_points_covered=covered, key_points_missed=[i for i in range(1, n + 1) if i not in covered],
            star_missing=[p for p in judgement.star_missing if p in ("situation", "task", "action", "result", "learning")],
            # The model says whether the answer addresses the question; no embedding needed here.
            relevance=1.0 if judgement.on_topic else 0.0,
        )

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
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, create_model

from interviewer.judge.evidence import verify_quotes
from interviewer.judge.guard import strip_foreign, strip_instructions
from interviewer.judge.mapping import integrity
from interviewer.judge.offline import WEIGHTS, OfflineJudge
from interviewer.judge.qualify import Qualification
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


STAR_PARTS = ("situation", "task", "action", "result", "learning")
RATIONALE_CHARS = 200
QUOTE_CHARS = 200
QUOTES_PER_CRITERION = 2


class JudgedCriterion(BaseModel):
    score: int = Field(ge=1, le=4)
    rationale: str = Field(max_length=RATIONALE_CHARS)
    evidence: list[Annotated[str, StringConstraints(max_length=QUOTE_CHARS)]] = Field(
        default_factory=list, max_length=QUOTES_PER_CRITERION)


@lru_cache(maxsize=64)
def judgement_schema(kind: str, key_points: int) -> type[BaseModel]:
    """The judgement a model must return for one rubric: one required property per criterion of
    that kind (the names cannot be wrong), key point numbers 1..n at most n of them, STAR parts
    from a fixed list, every string and list bounded, so a weak model under constrained decoding
    can finish the object within its completion cap."""
    numbers = Annotated[int, Field(ge=1, le=max(1, key_points))]
    criteria = create_model(f"{kind.title()}Criteria", **{name: (JudgedCriterion, ...) for name in WEIGHTS[kind]})
    fields: dict[str, Any] = {
        "on_topic": (bool, ...),
        "criteria": (criteria, ...),
        "key_points_covered": (list[numbers], Field(default_factory=list, max_length=key_points)),
        "star_missing": (list[Literal[STAR_PARTS]], Field(default_factory=list, max_length=len(STAR_PARTS))),
        "injection_detected": (bool, False),
    }
    return create_model("Judgement", __doc__="Scores of one answer against its rubric.", **fields)


def contradictions(kind: str, judgement: BaseModel, key_points: int) -> list[str]:
    """Ways a judgement disagrees with itself; any one rejects it (the offline judge scores)."""
    scores = {name: getattr(judgement.criteria, name).score for name in WEIGHTS[kind]}
    found = []
    if not judgement.on_topic and max(scores.values()) >= 3:
        found.append("off topic yet scored 3 or more")
    if kind == "technical" and key_points:
        covered = len(set(judgement.key_points_covered))
        if covered == 0 and scores["coverage"] >= 3:
            found.append("coverage scored 3 or more with no key point covered")
        if covered == key_points and scores["coverage"] <= 1:
            found.append("every key point covered yet coverage scored 1")
    if kind == "behavioral":
        missing = set(judgement.star_missing)
        if {"action", "result"} & missing and scores["star_structure"] == 4:
            found.append("STAR structure scored 4 with its action or result missing")
        if len(missing) >= 4 and scores["star_structure"] >= 3:
            found.append("STAR structure scored 3 or more with four parts missing")
    return found


class JudgeGate:
    """Whether the model judge's scores may be used: `force`, `auto` (once it has qualified,
    judge/qualify.py) or `off`."""

    def __init__(self, mode: str, result: Qualification | None = None):
        self.mode = mode
        self.result = result
        self.running = False

    def why_not(self) -> str | None:
        if self.mode == "force":
            return None
        if self.mode == "off":
            return "the model judge is off (INTERVIEWER_MODEL_JUDGE=off)"
        if self.result is None:
            return ("its qualification on graded answers is still running" if self.running
                    else "it has not been checked on graded answers yet (run interviewer doctor)")
        return None if self.result.qualified else self.result.reason


class ModelJudge:
    def __init__(self, client: ModelClient, prompts_dir: Path, fallback: OfflineJudge, gate: JudgeGate | None = None):
        self.client = client
        self.fallback = fallback
        self.name = f"model:{client.model_name}"
        self.gate = gate or JudgeGate("force")  # shared by every session's copy of this judge
        self.last_problem = ""  # why model_score returned no model score, for the qualification
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
        """The model's score once it has qualified (or is forced); the offline judge's before, and
        the score says why."""
        why_not = self.gate.why_not()
        if why_not:
            return self._offline(rubric, answer, f"model_judge_not_qualified: {why_not}")
        return self.model_score(rubric, answer)

    def model_score(self, rubric: Rubric, answer: str, offline: bool = True) -> Score | None:
        """The model's score, or the offline judge's when the model fails or its reply is rejected
        (None instead with `offline=False`: the qualification counts only the model's own scores)."""
        text = normalise(answer)
        stripped, removed = strip_instructions(text)
        spans = sentences(strip_foreign(stripped)[0])  # another language is not scored offline either
        kept = [s for s in spans if not is_instruction(s.text)]
        # The model reads only the answer without its instructions (so its score is that answer's),
        # each sentence once and without padding, as the offline judge counts them.
        flags = ["injection_attempt"] if removed or len(kept) < len(spans) else []
        clean = " ".join(s.text for s in substantive(kept))
        min_words = rubric.min_words or (12 if rubric.kind == "technical" else 25)
        self.last_problem = ""
        if len(words(clean)) < min_words:
            self.last_problem = "too short to score"
            return self.fallback.score(rubric, answer) if offline else None  # too short: insufficient evidence, no model needed
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
        n = len(rubric.key_points)
        try:
            judgement = self.client.structured(messages, judgement_schema(rubric.kind, n), purpose="judge")
        except ModelError as exc:
            log.warning("model judge unavailable, offline judge scores this answer: %s", exc)
            self.last_problem = "failed (" + ("no reply in time" if "deadline" in str(exc) or "time-out" in str(exc)
                                              else "no usable reply") + ")"
            return self._offline(rubric, answer, "model_judge_failed") if offline else None
        weights = WEIGHTS[rubric.kind]
        problems = contradictions(rubric.kind, judgement, n)
        criteria: list[Criterion] = []
        verified = unverified = 0
        for name in weights:
            c = getattr(judgement.criteria, name)
            kept, dropped = verify_quotes(c.evidence, text)
            verified, unverified = verified + len(kept), unverified + dropped
            criteria.append(Criterion(name=name, score=c.score, rationale=c.rationale, evidence=kept))
        if unverified > verified:
            problems.append(f"{unverified} of {verified + unverified} quotes are not the candidate's words")
        if problems:
            log.warning("model judgement rejected, the offline judge scores this answer: %s", "; ".join(problems))
            why = "model_judge_rejected: " + "; ".join(problems)
            self.last_problem = "rejected (" + problems[0] + ")"
            return self._offline(rubric, answer, why) if offline else None
        if unverified:
            flags.append("unverified_quote_dropped")
        if judgement.injection_detected and "injection_attempt" not in flags:
            # Only what the code detects costs a point; the model's suspicion is reported.
            flags.append("injection_suspected")
        overall = integrity(sum(weights[c.name] * c.score for c in criteria), flags)
        covered = sorted({i for i in judgement.key_points_covered if 1 <= i <= n})
        return Score(
            overall=round(max(1.0, min(4.0, overall)), 2), criteria=criteria, flags=flags, judge=self.name,
            kind=rubric.kind, matched_question_id=rubric.question_id, lp=rubric.lp,
            key_points_covered=covered, key_points_missed=[i for i in range(1, n + 1) if i not in covered],
            star_missing=[p for p in judgement.star_missing if p in ("situation", "task", "action", "result", "learning")],
            # The model says whether the answer addresses the question; no embedding needed here.
            relevance=1.0 if judgement.on_topic else 0.0,
        )

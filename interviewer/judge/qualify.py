"""A model judge must qualify before its scores reach a report.

It scores a small graded set (check_set.yaml: strong and confidently wrong answers to questions
no part of the offline judge was fitted or chosen on); so does the offline judge. The share of
(strong, wrong) pairs each puts in the right order is compared: a model that orders them worse
than the offline judge, or no better than chance, is not used for scores, unless the user forces
it (INTERVIEWER_MODEL_JUDGE=force). The result is cached per model, endpoint, method and prompt,
so it runs once: in `interviewer doctor`, or in the background at the first model-mode start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel

from interviewer.corpus.loading import Corpus
from interviewer.judge.rubric import Rubric, rubric_for_lp, rubric_for_question
from interviewer.schemas import Score

log = logging.getLogger(__name__)

CHECK_SET = Path(__file__).with_name("check_set.yaml")


class Qualification(BaseModel):
    """What the check found; `reason` is said wherever the model judge is not used."""

    key: str
    judge: str
    qualified: bool
    model_order: float | None  # share of pairs in the right order (ties count half)
    offline_order: float
    scored: int  # answers the model judge scored itself (not through its offline fallback)
    total: int
    seconds: float
    reason: str
    complete: bool = True  # False: stopped by its time budget (not cached: a later start tries again)


def check_set() -> list[dict]:
    return yaml.safe_load(CHECK_SET.read_text(encoding="utf-8"))["answers"]


def pair_order(scores: list[float | None], grades: list[int]) -> float | None:
    """Share of pairs with different grades that the scores order the same way; ties count half.
    None when an answer has no score."""
    if any(s is None for s in scores):
        return None
    right = total = 0.0
    for i in range(len(grades)):
        for j in range(i + 1, len(grades)):
            if grades[i] == grades[j]:
                continue
            total += 1
            hi, lo = (i, j) if grades[i] > grades[j] else (j, i)
            right += 1.0 if scores[hi] > scores[lo] else 0.5 if scores[hi] == scores[lo] else 0.0
    return right / total if total else None


def rubric_of(corpus: Corpus, item: dict) -> Rubric:
    if item["kind"] == "technical":
        question = next(q for q in corpus.questions if q.id == item["target"])
        return rubric_for_question(question)
    lp = next(lp for lp in corpus.lps if lp.id == item["target"])
    return rubric_for_lp(lp, item["question"], item["target"])


def cache_key(judge_name: str, endpoint: str, method: str, prompts_dir: Path) -> str:
    digest = hashlib.sha256()
    for part in (judge_name, endpoint, method, CHECK_SET.read_text(encoding="utf-8")):
        digest.update(part.encode())
    for name in ("technical_judge.md", "behavioral_judge.md"):
        digest.update((prompts_dir / name).read_bytes())
    return digest.hexdigest()[:20]


def qualify(key: str, judge_name: str, model_score: Callable[[Rubric, str], Score | None], corpus: Corpus,
            budget_seconds: float, why_none: Callable[[], str] = lambda: "") -> Qualification:
    """Score the check set with the model judge and compare with the offline judge's scores of it
    (stored in the file, and checked against the offline judge by a test, so no model has to load
    here); `model_score` returns None when the model did not score (it failed, or its reply was
    rejected). Stops at the budget: a judge too slow for eight answers then does not qualify."""
    start = time.monotonic()
    items = check_set()
    grades = [int(i["grade"]) for i in items]
    offline = [float(i["offline_score"]) for i in items]
    model: list[float | None] = []
    problems: list[str] = []
    for item in items:
        if time.monotonic() - start > budget_seconds:
            break
        score = model_score(rubric_of(corpus, item), item["answer"])
        model.append(score.overall if score is not None else None)
        if score is None:
            problems.append(why_none() or "failed")
    model += [None] * (len(items) - len(model))
    scored = sum(s is not None for s in model)
    model_order, offline_order = pair_order(model, grades), pair_order(offline, grades) or 0.0
    seconds = round(time.monotonic() - start, 1)
    timed_out = len([s for s in model if s is not None]) < len(items) and time.monotonic() - start > budget_seconds
    if scored < len(items):
        counted = [f"{n} {why}" for why, n in Counter(problems).most_common()]
        if len(items) - scored > len(problems):
            counted.append(f"{len(items) - scored - len(problems)} not reached in the time")
        reason = (f"it scored {scored} of {len(items)} graded answers itself within {budget_seconds:.0f} s "
                  f"({', '.join(counted)})")
        qualified = False
    elif model_order is not None and (model_order < offline_order or model_order <= 0.5):
        reason = (f"it ordered {model_order:.0%} of strong/wrong answer pairs correctly, against {offline_order:.0%} "
                  f"for the offline judge")
        qualified = False
    else:
        reason = (f"it ordered {model_order:.0%} of strong/wrong answer pairs correctly, against {offline_order:.0%} "
                  f"for the offline judge")
        qualified = True
    log.info("model judge %s %s: %s", judge_name, "qualified" if qualified else "not qualified", reason)
    return Qualification(key=key, judge=judge_name, qualified=qualified, model_order=model_order,
                         offline_order=round(offline_order, 3), scored=scored, total=len(items), seconds=seconds,
                         reason=reason, complete=not timed_out)


def load_cached(path: Path, key: str) -> Qualification | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Qualification.model_validate(data[key]) if key in data else None
    except (OSError, ValueError):
        return None


def save(path: Path, result: Qualification) -> None:
    from interviewer.datadir import private_dir, write_private

    if not result.complete:
        return

    private_dir(path.parent)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data[result.key] = result.model_dump()
    write_private(path, json.dumps(data, indent=1))

"""Fakes for the Judge and Speaker contracts (interviewer/judge/base.py, speaker/base.py): an
interview runs on them with no model, no embedding and no server, in milliseconds.

The fake judge is plain and predictable, not clever: a key point counts as covered when the
answer uses most of its content words, and the score grows with what was covered, so a test can
write a good and a bad answer by hand and know which scores higher.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from interviewer.judge.base import Judge
from interviewer.judge.rubric import Rubric
from interviewer.retrieval.lexical import tokenize
from interviewer.schemas import Criterion, Decision, Score
from interviewer.speaker.base import SpeakContext, Speaker

FAKE_JUDGE = "fake-judge"


def covers(point: str, answer: str, share: float = 0.6) -> bool:
    wanted = set(tokenize(point))
    return bool(wanted) and len(wanted & set(tokenize(answer))) >= share * len(wanted)


class FakeJudge:
    name = FAKE_JUDGE

    def __init__(self) -> None:
        self.scored: list[tuple[str, str]] = []  # (rubric question, answer), in order

    def score(self, rubric: Rubric, answer: str) -> Score:
        self.scored.append((rubric.question, answer))
        items = rubric.key_points if rubric.kind == "technical" else rubric.signals
        hit = [i for i, p in enumerate(items, start=1) if covers(p, answer)]
        share = len(hit) / max(1, len(items))
        overall = round(1.0 + 3.0 * share, 2)
        on_topic = bool(set(tokenize(rubric.question)) & set(tokenize(answer)))
        return Score(
            overall=overall, kind=rubric.kind, judge=self.name, matched_question_id=rubric.question_id, lp=rubric.lp,
            criteria=[Criterion(name="coverage", score=max(1, min(4, round(overall))), rationale=f"{len(hit)} covered")],
            key_points_covered=hit if rubric.kind == "technical" else [],
            key_points_missed=[i for i in range(1, len(items) + 1) if i not in hit] if rubric.kind == "technical" else [],
            relevance=1.0 if on_topic else 0.0,
        )

    ready = True  # a test sets it False to see the app while the judge warms up

    def warm_up(self, rubric_texts: Sequence[str], cache_file: Path | None = None,
                stop: threading.Event | None = None) -> int:
        return 0

    def for_session(self) -> FakeJudge:
        return self

    def usage(self) -> None:
        return None

    def cached_vector(self, text: str) -> None:
        return None


class FakeSpeaker:
    """Says what was decided, tagged with the action, so a test reads the policy's choices."""

    name = "fake-speaker"

    def opening(self, plan_title: str, minutes: int) -> str:
        return f"[open] {plan_title} ({minutes} min)"

    def say(self, decision: Decision, turn: int, round_title: str, after: str | None = None) -> str:
        return f"[{decision.action.value}] {decision.text}"

    def stream(self, decision: Decision, turn: int, round_title: str, context: Callable[[], SpeakContext],
               after: str | None = None) -> Iterator[str]:
        yield self.say(decision, turn, round_title, after)


assert isinstance(FakeJudge(), Judge) and isinstance(FakeSpeaker(), Speaker)

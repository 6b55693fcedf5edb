"""The Speaker contract: who phrases what the policy decided.

The template speaker (speaker/template.py) is the offline default; the model speaker
(speaker/model.py) streams a language model's phrasing and falls back to the templates. Tests use
tests/fakes.py. The engine knows speakers only through this contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from interviewer.schemas import Decision, Turn


@dataclass
class SpeakContext:
    """What the engine knows that a model's prompt needs; `snippets` is fetched only if used."""

    plan_title: str
    round_title: str
    bar_raiser: bool
    turns: list[Turn]
    round_index: int
    question: str
    hidden_rubric: str
    lp_signals: str
    last_answer: str
    snippets: Callable[[], str]


@runtime_checkable
class Speaker(Protocol):
    name: str  # "offline" for the templates, "model:<name>" otherwise

    def opening(self, plan_title: str, minutes: int) -> str:
        """The interviewer's first words."""
        ...

    def say(self, decision: Decision, turn: int, round_title: str, after: str | None = None) -> str:
        """Say the decision in one piece."""
        ...

    def stream(self, decision: Decision, turn: int, round_title: str, context: Callable[[], SpeakContext],
               after: str | None = None) -> Iterator[str]:
        """Say the decision, in pieces as they come; `after` is the candidate's last message
        (for a brief acknowledgement); `context` is built only by a speaker that needs it."""
        ...

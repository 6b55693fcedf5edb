"""The Judge contract: what an interview asks of whoever scores answers.

Two judges implement it: the offline judge (judge/offline.py, the default) and the model judge
(judge/model.py), which falls back to the offline one. Tests use tests/fakes.py, which needs no
model at all. The engine knows judges only through this contract.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from interviewer.judge.rubric import Rubric
from interviewer.schemas import Score

if TYPE_CHECKING:
    from interviewer.llm import Usage


@runtime_checkable
class Judge(Protocol):
    name: str  # written into every Score and the report: which judge scored what

    def score(self, rubric: Rubric, answer: str) -> Score:
        """Score one answer against its rubric; never raises for a bad answer or a model outage."""
        ...

    @property
    def ready(self) -> bool:
        """False while the judge's own models are still loading (the first answer waits)."""
        ...

    def warm_up(self, rubric_texts: Sequence[str], cache_file: Path | None = None,
                stop: threading.Event | None = None) -> int:
        """Load models and embed the rubric texts ahead of the first answer; returns how many
        texts were embedded now (0 when the cache file was current)."""
        ...

    def for_session(self) -> Judge:
        """The judge one interview uses: with its own model client, so usage counts apart."""
        ...

    def usage(self) -> Usage | None:
        """Model calls and tokens so far (None: no model involved)."""
        ...

    def cached_vector(self, text: str) -> list[float] | None:
        """The embedding of a rubric or question text when the judge already holds it (lets
        retrieval skip embedding the same text again)."""
        ...

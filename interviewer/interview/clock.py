"""Interview time: how long a turn would take in a spoken interview.

A typed practice interview runs at the candidate's typing speed, which says nothing about a real
round's pace: pasting an answer in five seconds must not make a 25-minute round last forty
questions, and a slow typist must not get a round of two. So each turn is charged the time it
would take aloud (the question read out, a pause to think, the answer at about 150 words a minute,
code at the pace of writing and testing it) or the real time it took, whichever is longer, up to
a cap: a long gap is a break, not interview time. Rounds close on this clock.
"""

from __future__ import annotations

SPEAK_S_PER_WORD = 0.4  # about 150 words a minute
THINK_S = 20.0  # a pause before answering
CODE_S_PER_LINE = 30.0  # writing, running and fixing code takes far longer than saying it
CODE_MIN_S = 180.0
MAX_IDLE_S = 600.0  # real time beyond this in one turn is a break


def speaking_seconds(text: str) -> float:
    return SPEAK_S_PER_WORD * len(text.split())


def code_seconds(source: str) -> float:
    lines = [line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    return max(CODE_MIN_S, CODE_S_PER_LINE * len(lines))


def turn_seconds(asked: str, answer: str, wall_gap: float | None = None, code: bool = False) -> float:
    """Interview time of one exchange: `asked` read out, then `answer` given (as code when `code`).
    `wall_gap` is the real time between the question appearing and the answer arriving."""
    estimate = speaking_seconds(asked) + (code_seconds(answer) if code else THINK_S + speaking_seconds(answer))
    if wall_gap is None:
        return estimate
    return max(estimate, min(max(wall_gap, 0.0), MAX_IDLE_S))

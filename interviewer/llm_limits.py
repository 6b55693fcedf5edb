"""What bounds a model call, apart from the protocol: usage counted per call, the client-side cut
of a runaway reply, a circuit breaker per server, and the number of requests at once per server.

No openai here (llm.py is the only module that knows it): these are plain parts, tested alone.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Characters a reply may reach per token of its cap before the client cuts it: English runs about
# four characters a token; a server that ignores the cap is stopped here all the same.
CHARS_PER_TOKEN = 6


@dataclass
class CallRecord:
    """One request to the server: what it was for and what it cost."""

    purpose: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    ok: bool
    from_server: bool  # token counts the server reported; False: estimated here
    cut: str = ""  # why the reply stopped early: "length", "repetition", "deadline", or "closed" by the caller


@dataclass
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failures: int = 0
    seconds: float = 0.0  # wall time inside model calls, so engine overhead can be measured apart
    estimated: int = 0  # calls whose tokens the server did not report (counted here instead)
    records: list[CallRecord] = field(default_factory=list)

    def add(self, record: CallRecord) -> None:
        self.calls += 1
        self.prompt_tokens += record.prompt_tokens
        self.completion_tokens += record.completion_tokens
        self.failures += 0 if record.ok else 1
        self.seconds += record.seconds
        self.estimated += 0 if record.from_server else 1
        self.records.append(record)

    @property
    def prompt_sizes(self) -> list[int]:
        return [r.prompt_tokens for r in self.records]

    def by_purpose(self) -> dict[str, dict[str, float]]:
        """Per purpose: calls, failures, mean prompt and completion tokens, mean and max seconds."""
        out: dict[str, dict[str, float]] = {}
        for purpose in sorted({r.purpose for r in self.records}):
            rs = [r for r in self.records if r.purpose == purpose]
            out[purpose] = {
                "calls": len(rs), "failures": sum(not r.ok for r in rs),
                "prompt_tokens_mean": round(sum(r.prompt_tokens for r in rs) / len(rs), 1),
                "completion_tokens_mean": round(sum(r.completion_tokens for r in rs) / len(rs), 1),
                "completion_tokens_max": max(r.completion_tokens for r in rs),
                "seconds_mean": round(sum(r.seconds for r in rs) / len(rs), 2),
                "seconds_max": round(max(r.seconds for r in rs), 2),
                "cut": sum(bool(r.cut) for r in rs),
            }
        return out


def runaway(text: str) -> bool:
    """True when the end of a reply repeats itself: the same piece three times in a row (a phrase
    looping, a template token over and over), the last 40 words drawn from five or fewer, or 64
    characters of nothing but whitespace."""
    tail = text[-600:]
    if len(tail) >= 64 and not tail[-64:].strip():
        return True  # padding: a small model under a JSON grammar fills the cap with tabs and newlines
    for size in range(4, 201):
        if len(tail) < 3 * size:
            break
        piece = tail[-size:]
        if piece.strip() and tail[-2 * size:-size] == piece and tail[-3 * size:-2 * size] == piece:
            # Short pieces (a repeated "ha ") only count when they go on for a while.
            if size >= 12 or tail.endswith(piece * max(3, 48 // size)):
                return True
    words = re.findall(r"\S+", tail)
    return len(words) >= 40 and len(set(w.lower() for w in words[-40:])) <= 5


def char_limit(cap_tokens: int) -> int:
    return cap_tokens * CHARS_PER_TOKEN


class Breaker:
    """Stops calling a server that does not answer: after `threshold` calls in a row fail to reach
    it, every call fails at once for `seconds`; then one call is let through to try again.
    Shared by all clients of one server in the process, so one dead port costs seconds, not minutes."""

    def __init__(self, seconds: float, threshold: int = 2, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.threshold = threshold
        self.clock = clock
        self._failures = 0
        self._open_until = 0.0
        self._lock = threading.Lock()

    def check(self) -> float:
        """Seconds until calls may go again (0: go ahead)."""
        with self._lock:
            return max(0.0, self._open_until - self.clock())

    def success(self) -> None:
        with self._lock:
            self._failures, self._open_until = 0, 0.0

    def failure(self) -> bool:
        """Count an unreachable server; True when this failure opened the breaker (say it once)."""
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold and self._open_until <= self.clock():
                self._open_until = self.clock() + self.seconds
                return True
            return False


@dataclass
class Server:
    """What every client of one server in this process shares: its request slots (interactive
    calls go first: a background call waits while one is waiting) and its breaker."""

    slots: threading.BoundedSemaphore
    breaker: Breaker
    waiting: int = 0  # interactive calls waiting for a slot
    changed: threading.Condition = field(default_factory=threading.Condition)

    def acquire(self, timeout: float, background: bool = False) -> bool:
        deadline = Deadline(timeout)
        if background:
            # Never queue on the slot itself (the queue is first come, first served): take it only
            # when no interview's call is waiting, and give it back if one arrived meanwhile.
            while not deadline.passed:
                with self.changed:
                    while self.waiting and not deadline.passed:
                        self.changed.wait(deadline.left())
                if self.slots.acquire(timeout=min(0.05, deadline.left())):
                    if not self.waiting:
                        return True
                    self.slots.release()
            return False
        with self.changed:
            self.waiting += 1
        try:
            return self.slots.acquire(timeout=deadline.left())
        finally:
            with self.changed:
                self.waiting -= 1
                self.changed.notify_all()

    def release(self) -> None:
        self.slots.release()


_servers: dict[tuple[str, int, float], Server] = {}
_servers_lock = threading.Lock()


def server_for(address: str, concurrency: int, breaker_seconds: float) -> Server:
    key = (address, concurrency, breaker_seconds)
    with _servers_lock:
        if key not in _servers:
            _servers[key] = Server(threading.BoundedSemaphore(max(1, concurrency)), Breaker(breaker_seconds))
        return _servers[key]


class Deadline:
    """The whole call's time: waiting for a slot, retries, every chunk of the reply."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.end = clock() + seconds

    def left(self) -> float:
        return max(0.0, self.end - self.clock())

    @property
    def passed(self) -> bool:
        return self.left() <= 0

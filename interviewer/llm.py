"""The model boundary: the only module that imports openai.

Every call is bounded: a completion cap sized for its purpose (config.COMPLETION_CAPS) sent with
the request, a client-side cut at a length limit and on runaway repetition, an overall deadline
(waiting for a slot, retries and the whole reply), a bounded number of requests at once per
server, and a circuit breaker that stops calling a server that does not answer. Every call is
streamed, structured ones too, so stopping early closes the connection and the server stops
generating. Retries (with backoff, honouring Retry-After) only for refused connections, 429 and
5xx; a time-out is not retried, since the same request would take as long again. Usage is read
from the server's reply when it gives one, and every request is counted, failed ones included.
The server's own error text reaches the user; the API key never does.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from interviewer.config import Settings
from interviewer.llm_limits import (
    CallRecord,
    Deadline,
    Usage,
    char_limit,
    runaway,
    server_for,
)
from interviewer.tokens import count, count_messages

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
MAX_RETRY_AFTER = 10.0
RUNAWAY_EVERY = 48  # characters between repetition checks of a growing reply

__all__ = ["ModelClient", "ModelError", "Usage", "estimated_cost", "redact"]


class ModelError(Exception):
    """A model call failed for good (after retries); the message is safe to show and log."""


class _Cut(Exception):
    """The client stopped a reply early; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def redact(text: str, settings: Settings) -> str:
    """The text without the API key or the credentials in OPENAI_BASE_URL (see Settings.redact)."""
    return settings.redact(text)


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("retry-after") if hasattr(headers, "get") else None
    try:
        return min(MAX_RETRY_AFTER, float(value)) if value is not None else None
    except ValueError:
        return None


def server_text(exc: Exception) -> str:
    """What the server itself said about a failed request ("Context size has been exceeded"), or
    the kind of failure when it said nothing."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "no reply before the time-out"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect"
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            status = getattr(exc, "status_code", None)
            return f"{'HTTP ' + str(status) + ': ' if status else ''}{message}"
    return f"{type(exc).__name__}: {exc}"


def _retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return False  # the same request would take as long again; the deadline decides
    if isinstance(exc, (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def _unreachable(exc: Exception) -> bool:
    """The server did not answer at all: what the circuit breaker counts."""
    import openai

    return isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError))  # APITimeoutError is one


def parse_json_object(text: str) -> Any:
    """The JSON object in a reply: code fences and text around the outermost braces are ignored."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("the reply holds no JSON object")
    return json.loads(text[start:end + 1])


class ModelClient:
    def __init__(self, settings: Settings, model: str | None = None, temperature: float = 0.3):
        import openai

        self.settings = settings
        self.model_name = model or settings.model
        self.temperature = temperature
        self.usage = Usage()
        self.last: CallRecord | None = None  # the most recent request, for callers that report it
        self.background = False  # True: waits while an interview's call waits for the server
        self._totals: list[Usage] = []  # the parents' counters, for a forked client
        self._server = server_for(settings.base_url or "openai", settings.concurrency, settings.breaker_seconds)
        self._openai = openai.OpenAI(
            api_key=settings.api_key.get_secret_value() if settings.api_key else "not-needed",
            base_url=settings.base_url, timeout=settings.timeout_seconds,
            max_retries=0,  # retries are ours: bounded, with backoff, and visible in the logs
        )

    def fork(self) -> ModelClient:
        """The same connection with usage counted apart (one per interview), and also here."""
        child = copy.copy(self)
        child.usage, child._totals, child.last = Usage(), [*self._totals, self.usage], None
        return child

    def cap(self, purpose: str) -> int:
        return self.settings.completion_caps[purpose]

    def _record(self, record: CallRecord) -> None:
        self.last = record
        for usage in (self.usage, *self._totals):
            usage.add(record)

    def _prompt(self, name: str):  # noqa: ANN202
        from interviewer.prompts import load_prompt

        return load_prompt(self.settings.prompts_dir / f"{name}.md")

    @staticmethod
    def _messages(messages: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"role": "system" if r == "system" else "user" if r in ("user", "human") else "assistant", "content": t}
                for r, t in messages]

    # -- one request, streamed, bounded

    def _open(self, messages: list[tuple[str, str]], purpose: str, extra: dict[str, Any], deadline: Deadline) -> Any:
        """The server's stream, after retries; raises ModelError when there is none."""
        wait = self._server.breaker.check()
        if wait:
            raise ModelError(f"the model server at {self.settings.shown_base_url} is not answering; "
                             f"model calls are off for {wait:.0f} s more")
        attempts = self.settings.max_retries + 1
        request = {
            "model": self.model_name, "messages": self._messages(messages), "stream": True,
            "stream_options": {"include_usage": True}, "temperature": self.temperature,
            self.settings.cap_field: self.cap(purpose), **extra,
        }
        for attempt in range(1, attempts + 1):
            start = time.perf_counter()
            try:
                stream = self._openai.chat.completions.create(**request, timeout=max(0.1, min(self.settings.timeout_seconds, deadline.left())))
                self._server.breaker.success()
                return stream
            except Exception as exc:  # noqa: BLE001 - classified below
                said = redact(server_text(exc), self.settings)[:400]
                self._record(CallRecord(purpose, count_messages(messages, self.model_name), 0,
                                        time.perf_counter() - start, ok=False, from_server=False))
                if _unreachable(exc) and self._server.breaker.failure():
                    log.warning("the model server at %s is not answering (%s); model calls are off for %.0f s",
                                self.settings.shown_base_url, said, self._server.breaker.seconds)
                pause = _retry_after(exc) or 0.25 * 2 ** (attempt - 1)
                if attempt < attempts and _retryable(exc) and deadline.left() > pause and not self._server.breaker.check():
                    log.warning("%s request failed (%s); retry %d of %d in %.2f s", purpose, said, attempt, attempts - 1, pause)
                    time.sleep(pause)
                    continue
                raise ModelError(f"{purpose} request failed: {said}") from None
        raise ModelError(f"{purpose} request failed")  # pragma: no cover

    def _generate(self, messages: list[tuple[str, str]], purpose: str, extra: dict[str, Any] | None = None,
                  tool: bool = False) -> Iterator[str]:
        """Pieces of the reply (text, or a tool call's arguments) as they arrive, within the call's
        deadline, cap and repetition limit; stopping early closes the request on the server."""
        deadline = Deadline(self.settings.deadline_seconds)
        if not self._server.acquire(deadline.left(), self.background):
            raise ModelError(f"{purpose}: no free slot on the model server within {self.settings.deadline_seconds:.0f} s "
                             f"({self.settings.concurrency} request(s) at once; INTERVIEWER_MODEL_CONCURRENCY)")
        start = time.perf_counter()
        pieces: list[str] = []
        usage = None
        finish: str | None = None
        cut = ""
        ok = False
        stream = None
        limit, checked = char_limit(self.cap(purpose)), 0
        try:
            stream = self._open(messages, purpose, extra or {}, deadline)
            for chunk in stream:
                usage = getattr(chunk, "usage", None) or usage
                for choice in chunk.choices or []:
                    finish = choice.finish_reason or finish
                    delta = choice.delta
                    text = ""
                    if tool and delta.tool_calls:
                        text = "".join((c.function.arguments or "") for c in delta.tool_calls if c.function)
                    elif not tool:
                        text = delta.content or ""
                    if text:
                        pieces.append(text)
                        yield text
                size = sum(map(len, pieces))
                if size > limit:
                    raise _Cut("length")
                if size - checked >= RUNAWAY_EVERY:
                    checked = size
                    if runaway("".join(pieces)):
                        raise _Cut("repetition")
                if deadline.passed:
                    raise _Cut("deadline")
            if finish is None:
                # The connection closed before the server said the reply was complete.
                raise ModelError(f"{purpose}: the stream broke off midway (no finish reason)")
            if finish == "length":
                cut = "length"
            ok = True
        except _Cut as stop:
            cut = stop.reason
            ok = stop.reason != "deadline"
            log.warning("%s reply cut by the client (%s) after %d characters", purpose, stop.reason, sum(map(len, pieces)))
            if stop.reason == "deadline":
                raise ModelError(f"{purpose}: no complete reply within the {self.settings.deadline_seconds:.0f} s deadline") from None
        except GeneratorExit:
            # The caller stopped reading (its guard rejected the reply): the call itself worked.
            cut, ok = "closed", True
            raise
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - a cut stream cannot be retried without repeating words
            said = redact(server_text(exc), self.settings)[:300]
            raise ModelError(f"{purpose}: the stream broke off{' midway' if pieces else ''}: {said}") from None
        finally:
            if stream is not None:
                stream.close()  # closes the connection: the server stops generating
                self._record(CallRecord(
                    purpose,
                    getattr(usage, "prompt_tokens", None) or count_messages(messages, self.model_name),
                    getattr(usage, "completion_tokens", None) or count("".join(pieces), self.model_name),
                    time.perf_counter() - start, ok=ok, from_server=usage is not None, cut=cut))
            self._server.release()

    # -- what callers use

    def stream(self, messages: list[tuple[str, str]], purpose: str = "speaker") -> Iterator[str]:
        """Stream a reply. Retries only before the first token; a stream cut midway raises."""
        got = False
        for piece in self._generate(messages, purpose):
            got = True
            yield piece
        if not got:
            raise ModelError(f"{purpose}: the model returned no text")

    def text(self, messages: list[tuple[str, str]], purpose: str) -> str:
        return "".join(self.stream(messages, purpose)).strip()

    def _structured_request(self, schema: type[BaseModel], method: str) -> tuple[dict[str, Any], bool]:
        json_schema = schema.model_json_schema()
        if method == "function_calling":
            tool = {"type": "function", "function": {"name": schema.__name__, "description": (schema.__doc__ or "").strip()[:200],
                                                     "parameters": json_schema}}
            return {"tools": [tool], "tool_choice": {"type": "function", "function": {"name": schema.__name__}}}, True
        if method == "json_mode":
            return {"response_format": {"type": "json_object"}}, False
        # Not strict: OpenAI's strict mode refuses some bounds (maxLength...) that other servers use
        # to constrain decoding; the reply is validated here either way.
        return {"response_format": {"type": "json_schema", "json_schema": {"name": schema.__name__, "schema": json_schema,
                                                                           "strict": False}}}, False

    def structured(self, messages: list[tuple[str, str]], schema: type[T], purpose: str = "judge",
                   method: str | None = None) -> T:
        """A pydantic object from the model; one repair attempt when the output does not parse.
        A reply cut short (cap, repetition, deadline) or a failed request is not repaired."""
        method = method or self.settings.structured_output
        extra, tool = self._structured_request(schema, method)
        msgs = list(messages)
        if method == "json_mode":
            msgs += self._prompt("json_mode").render(schema=json.dumps(schema.model_json_schema()))
        for attempt in (1, 2):
            raw = "".join(self._generate(msgs, purpose, extra, tool))
            if tool and not raw:
                raise ModelError(f"{purpose}: the reply held no tool call (the server may ignore tools; try another "
                                 "INTERVIEWER_STRUCTURED_OUTPUT)")
            if self.last is not None and self.last.cut:
                raise ModelError(f"{purpose}: the structured reply was cut ({self.last.cut}) before it was complete")
            try:
                return schema.model_validate(parse_json_object(raw))
            except (ValidationError, ValueError) as exc:
                error = redact(str(exc), self.settings)[:500]
                log.warning("structured output did not parse (attempt %d): %s", attempt, error)
                if self.last is not None and self.last.ok:
                    self.last.ok = False  # a reply that does not parse is a failed call
                    for usage in (self.usage, *self._totals):
                        usage.failures += 1
                msgs = [*msgs, ("assistant", raw[:2000]), *self._prompt("structured_repair").render(error=error)]
        raise ModelError(f"{purpose}: the model's structured output was invalid twice")


# Published prices in US dollars per million tokens (input, output), for the cost estimate.
# A model not listed is reported with its token counts and an unknown cost.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
}


def estimated_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    price = PRICES.get(model)
    if price is None:
        return None
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000, 6)

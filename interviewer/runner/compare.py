"""The parent's side of a coding run's verdict: outputs compared with expected values the
sandboxed child never had. Both sides pass through the same JSON encoding, so a dict with
integer keys or a tuple compares the same whichever side it came from."""

from __future__ import annotations

import json
import math
import re
from typing import Any

# The child's own encoder (harness.py is stdlib only, so both sides can import it): what the app
# sends and what the child returns are encoded alike.
from interviewer.runner.harness import encode

REPR_CAP = 300


def decode(obj: dict[str, Any]) -> Any:
    """Undo `encode` (a json object_hook): {"__pairs__": [[k, v], ...]} is a dict with non-text keys.
    Unlike the child's, it survives malformed pairs: what the child sends is not trusted."""
    if len(obj) == 1 and "__pairs__" in obj and isinstance(obj["__pairs__"], list):
        try:
            return {tuple(k) if isinstance(k, list) else k: v for k, v in obj["__pairs__"]}
        except (TypeError, ValueError):
            return obj
    return obj


def normal(value: Any) -> Any:
    """An expected value as it would come back from the child: tuples as lists, keys kept."""
    return json.loads(json.dumps(encode(value)), object_hook=decode)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _close(a: Any, e: Any) -> bool:
    if isinstance(a, bool) or isinstance(e, bool):
        return a == e
    if isinstance(a, (int, float)) and isinstance(e, (int, float)):
        return math.isclose(a, e, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, list) and isinstance(e, list):
        return len(a) == len(e) and all(_close(x, y) for x, y in zip(a, e))
    return a == e


def matches(actual: Any, expected: Any, mode: str) -> bool:
    if mode == "float":
        return _close(actual, expected)
    if mode == "unordered":
        return isinstance(actual, list) and isinstance(expected, list) and sorted(actual, key=_key) == sorted(expected, key=_key)
    if mode == "unordered_nested":
        if not (isinstance(actual, list) and isinstance(expected, list)):
            return False

        def norm(xs: list[Any]) -> list[Any]:
            return sorted((sorted(x, key=_key) if isinstance(x, list) else x for x in xs), key=_key)

        return norm(actual) == norm(expected)
    if mode == "any_of":
        return isinstance(expected, list) and any(actual == option for option in expected)
    return actual == expected


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= REPR_CAP else text[:REPR_CAP] + "..."


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """The candidate's text as shown: no terminal escapes or other control characters."""
    return _CONTROL.sub("", text)

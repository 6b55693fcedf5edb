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
        try:
            return math.isclose(a, e, rel_tol=1e-9, abs_tol=1e-6)
        except OverflowError:  # an integer too large for a float: the child's output is not trusted
            return a == e
    if isinstance(a, list) and isinstance(e, list):
        return len(a) == len(e) and all(_close(x, y) for x, y in zip(a, e))
    if isinstance(a, dict) and isinstance(e, dict):
        return a.keys() == e.keys() and all(_close(a[k], e[k]) for k in e)
    return a == e


def _rounded(value: Any) -> Any:
    """A sort key's view of a value: numbers as floats to 6 places (so 3 and 3.0000000001 sort alike)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        try:
            return round(float(value), 6) + 0.0 if math.isfinite(value) else repr(float(value))
        except OverflowError:
            return repr(value)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _loose_key(value: Any) -> str:
    return json.dumps(_rounded(value), sort_keys=True, default=repr)


def _rows_sorted(value: Any) -> Any:
    """A frame's rows, a Series's (index, value) pairs or a list's items in a canonical order."""
    if isinstance(value, dict) and set(value) == {"columns", "rows"} and isinstance(value["rows"], list):
        return {"columns": value["columns"], "rows": sorted(value["rows"], key=_loose_key)}
    if (isinstance(value, dict) and set(value) == {"index", "values"} and isinstance(value["index"], list)
            and isinstance(value["values"], list) and len(value["index"]) == len(value["values"])):
        return {"pairs": sorted(([i, v] for i, v in zip(value["index"], value["values"])), key=_loose_key)}
    if isinstance(value, list):
        return sorted(value, key=_loose_key)
    return value


def matches(actual: Any, expected: Any, mode: str) -> bool:
    if mode in ("float", "frame"):
        return _close(actual, expected)
    if mode == "frame_unordered":
        return _close(_rows_sorted(actual), _rows_sorted(expected))
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

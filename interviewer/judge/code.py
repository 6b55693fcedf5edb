"""Scoring a coding or SQL answer that was run: tests passed, the stated complexity against the
expected one, and code quality; then combined with the judge's score of the discussion.

All pure functions over text and numbers, so they are tested with literal examples. Evidence is
quoted verbatim from the candidate's own words or code, like every other criterion.
"""

from __future__ import annotations

import ast
import re

from interviewer.judge.text import is_instruction, normalise, sentences
from interviewer.schemas import Criterion, RunRecord, Score

# How an answer that was run combines; the discussion is the judge's score of what was said.
CODE_WEIGHTS = {"tests": 0.45, "complexity": 0.2, "code_quality": 0.1, "discussion": 0.25}
_BIG_O = re.compile(r"\b[OΘθ]\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_SHORT_NAMES_OK = set("ijknmxyabcdlrpqstuvwe_")


# ---- complexity --------------------------------------------------------------------------------


def normalise_big_o(expr: str) -> str:
    """'O(n log n)' -> 'nlogn', 'O(N^2)' -> 'n^2', 'O(m * n)' -> 'mn' (factors sorted)."""
    e = expr.lower().strip()
    e = e.replace("²", "^2").replace("**", "^").replace("·", "*").replace("×", "*")
    e = re.sub(r"\blog\s*\(\s*(\w+)\s*\)", r"log\1", e)
    e = re.sub(r"\blog_?\d*\s*", "log", e)
    e = re.sub(r"\s+", " ", e).strip()
    terms = []
    for term in e.split("+"):
        factors = [f for f in re.split(r"[\s*]+", term.strip()) if f]
        terms.append("".join(sorted(factors)))
    return "+".join(sorted(terms))


def stated_complexities(text: str) -> dict[str, tuple[str, str]]:
    """{'time'|'space': (normalised, the sentence that said it)} from the candidate's words."""
    found: dict[str, tuple[str, str]] = {}
    # The judge's own sentence split; a sentence addressed to the grader states nothing.
    for sentence in (s.text for s in sentences(normalise(text)) if not is_instruction(s.text)):
        matches = list(_BIG_O.finditer(sentence))
        if not matches:
            continue
        lower = sentence.lower()
        for m in matches:
            # "O(1) space" labels from just after; "space is O(1)" from the nearest label before;
            # an unlabelled expression is the time complexity.
            after, before = lower[m.end():m.end() + 16], lower[:m.start()]
            if re.match(r"[\s-]*(extra |auxiliary |additional )?(space|memory)", after):
                label = "space"
            elif re.match(r"[\s-]*(time|runtime)", after):
                label = "time"
            else:
                t, s = before.rfind("time"), max(before.rfind("space"), before.rfind("memory"))
                label = "space" if s > t else "time"
            if "space" not in found and label == "space" or "time" not in found and label == "time":
                found.setdefault(label, (normalise_big_o(m.group(1)), sentence))
    return found


def complexity_criterion(answers: str, expected_time: str | None, expected_space: str | None) -> Criterion | None:
    """None when the problem states no expected complexity."""
    if not expected_time:
        return None
    stated = stated_complexities(answers)
    if not stated:
        return Criterion(name="complexity", score=1, rationale=f"No time or space complexity stated; expected {expected_time}"
                         + (f" time and {expected_space} space." if expected_space else " time."))
    want_t = normalise_big_o(_BIG_O.search(expected_time).group(1)) if _BIG_O.search(expected_time) else normalise_big_o(expected_time)
    time_ok = "time" in stated and stated["time"][0] == want_t
    space_ok = None
    if expected_space and "space" in stated:
        m = _BIG_O.search(expected_space)
        space_ok = stated["space"][0] == normalise_big_o(m.group(1) if m else expected_space)
    score = 4 if time_ok and space_ok is not False and "space" in stated else 3 if time_ok else 2
    parts = [f"time {'matches' if time_ok else 'differs from'} the expected {expected_time}" if "time" in stated
             else f"no time complexity stated (expected {expected_time})"]
    if expected_space:
        parts.append(f"space {'matches' if space_ok else 'differs from'} the expected {expected_space}" if space_ok is not None
                     else f"no space complexity stated (expected {expected_space})")
    evidence = list(dict.fromkeys(sentence for _, sentence in stated.values()))
    return Criterion(name="complexity", score=score, rationale="Stated complexity: " + "; ".join(parts) + ".", evidence=evidence)


# ---- tests and quality ------------------------------------------------------------------------


def passed_tests_criterion(run: RunRecord) -> Criterion:
    share = run.passed / run.total if run.total else 0.0
    score = 4 if share == 1.0 else 3 if share >= 0.75 else 2 if share >= 0.4 else 1
    what = "tests" if run.language == "python" else "result checks"
    note = f" after {run.runs} runs" if run.runs > 1 else ""
    return Criterion(name="tests", score=score, rationale=f"{run.passed} of {run.total} hidden {what} passed{note} ({run.status}).")


def quality_criterion(source: str) -> Criterion | None:
    """Readable-code heuristics on Python: names, length, nesting, error handling, defaults."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    lines = source.splitlines()
    issues: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > 40:
                issues.append((f"function {node.name} is {length} lines long", node.lineno))
            for default in node.args.defaults:
                if isinstance(default, ast.List | ast.Dict | ast.Set):
                    issues.append((f"mutable default argument in {node.name}", node.lineno))
        elif isinstance(node, ast.ExceptHandler) and (node.type is None or
                                                      (len(node.body) == 1 and isinstance(node.body[0], ast.Pass))):
            issues.append(("an except clause that hides errors", node.lineno))
        elif isinstance(node, ast.Global):
            issues.append(("a global statement", node.lineno))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and len(node.id) == 1 \
                and node.id.lower() not in _SHORT_NAMES_OK:
            issues.append((f"a one-letter name '{node.id}'", node.lineno))
    depth = _max_depth(tree)
    if depth > 4:
        issues.append((f"nesting {depth} levels deep", 1))
    unique = list(dict.fromkeys(issues))
    score = max(1, 4 - len(unique))
    evidence = list(dict.fromkeys(lines[n - 1].strip() for _, n in unique if 0 < n <= len(lines) and lines[n - 1].strip()))[:2]
    rationale = "Readable: clear names, short functions, no hidden errors." if not unique else \
        "Could be cleaner: " + "; ".join(i for i, _ in unique[:3]) + "."
    return Criterion(name="code_quality", score=score, rationale=rationale, evidence=evidence)


def _max_depth(node: ast.AST, depth: int = 0) -> int:
    blocks = (ast.For, ast.While, ast.If, ast.With, ast.Try)
    deepest = depth
    for child in ast.iter_child_nodes(node):
        deepest = max(deepest, _max_depth(child, depth + 1 if isinstance(child, blocks) else depth))
    return deepest


# ---- combining ----------------------------------------------------------------------------------


def combine(discussion: Score | None, criteria: list[Criterion], kind_judge: str = "offline") -> Score:
    """The item's score once code has run: weighted tests, complexity, quality and discussion."""
    parts: list[tuple[float, float]] = []
    by_name = {c.name: c for c in criteria}
    for name in ("tests", "complexity", "code_quality"):
        c = by_name.get(name)
        if c is not None and c.score is not None:
            parts.append((CODE_WEIGHTS[name], float(c.score)))
    if discussion is not None and not discussion.insufficient:
        parts.append((CODE_WEIGHTS["discussion"], discussion.overall))
    total = sum(w for w, _ in parts)
    overall = sum(w * v for w, v in parts) / total if total else 1.0
    if discussion is None:
        return Score(overall=round(overall, 2), criteria=criteria, flags=["code_run"], judge=kind_judge, kind="technical")
    flags = [f for f in discussion.flags if f != "insufficient_evidence"] + ["code_run"]
    if "injection_attempt" in flags:
        overall = min(overall, discussion.overall)  # an attempt to instruct the grader is never rewarded
    kept = [c for c in discussion.criteria if c.name not in by_name]
    return discussion.model_copy(update={"overall": round(min(4.0, max(1.0, overall)), 2), "criteria": kept + criteria,
                                         "flags": list(dict.fromkeys(flags))})

"""Runnable problems: corpus/problems/coding/*.yaml and corpus/problems/sql/*.yaml (+ schemas).

The file formats are described in corpus/problems/README.md. Loading collects every problem
with its file, line, id and field (the corpus loader's style) and raises ProblemError listing
them all; nothing is returned while any exists.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewer.corpus.loading import (
    CorpusProblem,
    line_at,
    read_yaml,
    validate_located,
)

log = logging.getLogger(__name__)

ArgConverter = Literal["plain", "linked_list", "linked_list_cycle", "tree", "tree_ref", "ndarray", "dataframe", "series"]
ReturnConverter = Literal["plain", "linked_list", "tree", "node_val", "frame"]
Compare = Literal["exact", "unordered", "unordered_nested", "float", "any_of", "frame", "frame_unordered"]
FRAME_KEYS = ("__index__", "__dates__", "__dtypes__")
Helper = Literal["ListNode", "TreeNode"]
MIN_HIDDEN_TESTS = 8


class CodingTest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    args: list[Any] | None = None
    args_py: str | None = Field(None, description="a Python expression giving the argument list (large inputs)")
    expected: Any = Field(description="the expected return value, after the return converter; may be null")
    note: str | None = None

    def as_job(self, visible: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"expected": self.expected, "visible": visible}
        if self.args_py is not None:
            data["args_py"] = self.args_py
        else:
            data["args"] = self.args
        return data


class ScaleCheck(BaseModel):
    """Enforces a stated complexity: the candidate's function runs on a small and a large input
    built by `args_py` (a Python expression over `n`, the size, and `k`, the call: each call
    gets new values), and its CPU time may grow at most `max_growth` times while the input grows
    `sizes[1] / sizes[0]` times. Growth, not seconds, is measured, so a slow or busy machine does
    not fail a correct solution: O(log n) barely grows, O(n) grows with the size, O(n^2) with its
    square. A call on the large input must also stay under `max_large_ms`, so slowing the small
    call on purpose does not help. Every call's result must equal `expected_py` (over `n`, `k`)."""

    model_config = ConfigDict(extra="forbid")

    args_py: str = Field(min_length=1, description="a Python expression in n and k giving the argument list")
    expected_py: str = Field(min_length=1, description="a Python expression in n and k giving the expected result")
    sizes: tuple[int, int] = Field(description="the small and the large n")
    max_growth: float = Field(gt=1.0)
    max_large_ms: float = Field(gt=0, description="CPU ms one call on the large input may take at most: a generous "
                                "bound for the required complexity on a slow machine (wall time gets 20 times it)")
    requirement: str = Field(min_length=1, description="what the question asks, e.g. O(log n)")

    def expected_for(self, n: int, k: int) -> Any:
        # Corpus data, not the candidate's: evaluated here, in the app, with nothing else in scope.
        return eval(self.expected_py, {"__builtins__": {}, "n": n, "k": k})  # noqa: S307


class CodingProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    function: str = Field(min_length=1)
    signature: str = Field(min_length=1)
    helpers: list[Helper] = Field(default_factory=list)
    args: list[ArgConverter] = Field(min_length=1)
    returns: ReturnConverter = "plain"
    compare: Compare = "exact"
    time_complexity: str | None = None
    space_complexity: str | None = None
    examples: list[CodingTest] = Field(min_length=1)
    tests: list[CodingTest] = Field(min_length=MIN_HIDDEN_TESTS)
    reference: str = Field(min_length=1)
    wrong: str | None = None
    scale: ScaleCheck | None = None

    @property
    def total(self) -> int:
        """Examples, hidden tests and the scale check, if any."""
        return len(self.examples) + len(self.tests) + (1 if self.scale else 0)

    @property
    def all_tests(self) -> list[tuple[CodingTest, bool]]:
        """Examples first (visible), then the hidden tests."""
        return [(t, True) for t in self.examples] + [(t, False) for t in self.tests]


class SqlProblem(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(min_length=1)
    schema_name: str = Field(alias="schema", min_length=1)
    ordered: bool = False
    reference: str = Field(min_length=1)
    wrong: str | None = None


@dataclass
class ProblemSet:
    coding: dict[str, CodingProblem] = field(default_factory=dict)
    sql: dict[str, SqlProblem] = field(default_factory=dict)
    schemas_dir: Path | None = None

    def schema_sql(self, problem: SqlProblem) -> str:
        assert self.schemas_dir is not None
        return (self.schemas_dir / f"{problem.schema_name}.sql").read_text(encoding="utf-8")


class ProblemError(Exception):
    """Every problem found in the problem files; `messages` holds one line each."""

    def __init__(self, problems: list[CorpusProblem]):
        self.problems = problems
        self.messages = [str(p) for p in problems]
        super().__init__(f"{len(problems)} problem(s) in the problem files:\n" + "\n".join(self.messages))


# ---- semantic checks beyond the field types -------------------------------------------------


def _defines(source: str, name: str) -> str | None:
    """None when `source` parses and defines `name` at top level; else what is wrong."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return f"syntax error on line {exc.lineno}: {exc.msg}"
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name for n in tree.body):
        return f"does not define a top-level function {name!r}"
    return None


def _check_test(p: CodingProblem, test: CodingTest, loc: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    found: list[tuple[tuple[Any, ...], str]] = []
    if (test.args is None) == (test.args_py is None):
        found.append((loc, "give exactly one of args and args_py"))
    elif test.args is not None and len(test.args) != len(p.args):
        found.append(((*loc, "args"), f"has {len(test.args)} arguments; the problem's args list has {len(p.args)} converters"))
    elif test.args_py is not None:
        try:
            compile(test.args_py, "<args_py>", "eval")
        except SyntaxError as exc:
            found.append(((*loc, "args_py"), f"not a Python expression: {exc.msg}"))
    if test.args is not None and len(test.args) == len(p.args):
        for i, (value, kind) in enumerate(zip(test.args, p.args)):
            if kind in ("linked_list", "tree") and not isinstance(value, list):
                found.append(((*loc, "args", i), f"a {kind} argument must be a list"))
            if kind == "linked_list_cycle" and not (isinstance(value, dict) and isinstance(value.get("values"), list)):
                found.append(((*loc, "args", i), "a linked_list_cycle argument must be {values: [...], pos: k}"))
            if kind == "dataframe":
                found.extend(((*loc, "args", i), why) for why in _frame_arg_problems(value))
            if kind == "series" and not (isinstance(value, list) or (isinstance(value, dict) and isinstance(value.get("values"), list))):
                found.append(((*loc, "args", i), "a series argument must be a list or {values: [...], index: [...]}"))
    if p.compare == "any_of" and not isinstance(test.expected, list):
        found.append(((*loc, "expected"), "with compare: any_of, expected must be a list of acceptable answers"))
    if p.compare in ("unordered", "unordered_nested") and not isinstance(test.expected, list):
        found.append(((*loc, "expected"), f"with compare: {p.compare}, expected must be a list"))
    if p.compare == "frame_unordered" and not (isinstance(test.expected, list) or (
            isinstance(test.expected, dict) and set(test.expected) in ({"columns", "rows"}, {"index", "values"}))):
        found.append(((*loc, "expected"), "with compare: frame_unordered, expected must be {columns, rows}, {index, values} or a list"))
    return found


def _frame_arg_problems(value: Any) -> list[str]:
    """What is wrong with a literal `dataframe` argument: {col: [values...]} plus optional special keys."""
    if not isinstance(value, dict):
        return ["a dataframe argument must be an object of columns: {col: [values...], ...}"]
    columns = {k: v for k, v in value.items() if k not in FRAME_KEYS}
    found = [f"column {k!r} must be a list of values" for k, v in columns.items() if not isinstance(v, list)]
    lengths = {len(v) for v in columns.values() if isinstance(v, list)}
    index = value.get("__index__")
    if index is not None:
        if not isinstance(index, list):
            found.append("__index__ must be a list of index values")
        else:
            lengths.add(len(index))
    if len(lengths) > 1:
        found.append(f"columns (and __index__) have different lengths: {sorted(lengths)}")
    dates = value.get("__dates__", [])
    if not isinstance(dates, list) or any(d not in columns for d in dates):
        found.append("__dates__ must list columns of the frame")
    dtypes = value.get("__dtypes__", {})
    if not isinstance(dtypes, dict) or any(d not in columns for d in dtypes):
        found.append("__dtypes__ must map columns of the frame to dtype names")
        dtypes = {}
    typed = set(dtypes) | set(dates if isinstance(dates, list) else [])
    found.extend(f"column {k!r} holds only nulls, which pandas makes an object column: give its dtype in __dtypes__"
                 for k, v in columns.items() if isinstance(v, list) and v and all(x is None for x in v) and k not in typed)
    return found


def _check_coding(p: CodingProblem, stem: str) -> list[tuple[tuple[Any, ...], str]]:
    found: list[tuple[tuple[Any, ...], str]] = []
    if p.id != stem:
        found.append((("id",), f"must match the file name: {stem!r}"))
    if not p.function.isidentifier():
        found.append((("function",), f"{p.function!r} is not a Python function name"))
    if "tree_ref" in p.args and "tree" not in p.args:
        found.append((("args",), "tree_ref needs a tree argument to look the node up in"))
    lists = any(a in ("linked_list", "linked_list_cycle") for a in p.args) or p.returns == "linked_list"
    if lists and "ListNode" not in p.helpers:
        found.append((("helpers",), "linked-list converters need ListNode in helpers"))
    trees = any(a in ("tree", "tree_ref") for a in p.args) or p.returns == "tree"
    if trees and "TreeNode" not in p.helpers:
        found.append((("helpers",), "tree converters need TreeNode in helpers"))
    for name in ("examples", "tests"):
        for i, test in enumerate(getattr(p, name)):
            found.extend(_check_test(p, test, (name, i)))
    for name in ("reference", "wrong"):
        source = getattr(p, name)
        if source is not None and (why := _defines(source, p.function)) is not None:
            found.append(((name,), why))
    return found


def _check_sql(p: SqlProblem, stem: str, schemas_dir: Path) -> list[tuple[tuple[Any, ...], str]]:
    found: list[tuple[tuple[Any, ...], str]] = []
    if p.id != stem:
        found.append((("id",), f"must match the file name: {stem!r}"))
    if not (schemas_dir / f"{p.schema_name}.sql").is_file():
        found.append((("schema",), f"no schema file {schemas_dir.name}/{p.schema_name}.sql"))
    return found


# ---- loading --------------------------------------------------------------------------------


def _load_file(file: Path, model: type[BaseModel], check, problems: list[CorpusProblem]) -> Any | None:
    parsed = read_yaml(file, problems)
    if parsed is None:
        return None
    data, node = parsed
    before = len(problems)
    item = validate_located(model, data, file, node, problems)
    if item is None:
        return None
    for loc, message in check(item, file.stem):
        problems.append(CorpusProblem(file, line_at(node, loc), item.id, _field(loc), message))
    return item if len(problems) == before else None


def _files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]) if directory.is_dir() else []


def _field(loc: tuple[Any, ...]) -> str:
    # Items are numbered from 1, as corpus errors are.
    return ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in loc) or "(item)"


def _base(corpus_dir: Path) -> Path:
    return corpus_dir / "problems" if (corpus_dir / "problems").is_dir() else corpus_dir


def problem_files(corpus_dir: Path) -> tuple[list[Path], list[Path]]:
    """(coding files, SQL files) under `corpus_dir`/problems."""
    base = _base(corpus_dir)
    return _files(base / "coding"), _files(base / "sql")


def load_problem_file(file: Path) -> CodingProblem | SqlProblem:
    """One problem file (coding/ or sql/ decides the kind); raises ProblemError."""
    problems: list[CorpusProblem] = []
    if file.parent.name == "sql":
        item = _load_file(file, SqlProblem, lambda p, stem: _check_sql(p, stem, file.parent / "schemas"), problems)
    else:
        item = _load_file(file, CodingProblem, _check_coding, problems)
    if problems or item is None:
        raise ProblemError(problems)
    return item


def load_problems(corpus_dir: Path) -> ProblemSet:
    """Load `corpus_dir`/problems (or `corpus_dir` itself when it holds coding/ and sql/)."""
    base = _base(corpus_dir)
    schemas_dir = base / "sql" / "schemas"
    problems: list[CorpusProblem] = []
    found = ProblemSet(schemas_dir=schemas_dir)
    coding_files, sql_files = problem_files(corpus_dir)
    for file in coding_files:
        item = _load_file(file, CodingProblem, _check_coding, problems)
        if item is not None:
            found.coding[item.id] = item
    for file in sql_files:
        item = _load_file(file, SqlProblem, lambda p, stem: _check_sql(p, stem, schemas_dir), problems)
        if item is not None:
            found.sql[item.id] = item
    if problems:
        raise ProblemError(problems)
    log.info("problems loaded: %d coding, %d sql from %s", len(found.coding), len(found.sql), base)
    return found

"""Run a candidate's Python against a coding problem's examples and hidden tests, sandboxed."""

from __future__ import annotations

import ast
import functools
import json
import logging
import secrets
import sysconfig
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from interviewer.runner.problems import CodingProblem
from interviewer.runner.sandbox import Limits, SandboxOutcome, run_python

log = logging.getLogger(__name__)

STDOUT_CAP = 64 * 1024
# Imported before the guard when the candidate imports them: they may load ctypes or
# subprocess internally, which the guard refuses to candidate code.
TRUSTED_PACKAGES = {"numpy", "scipy", "pandas", "sklearn"}
CodeStatus = Literal["passed", "failed", "error", "timeout", "memory", "crashed", "output_limit", "refused"]
CRASH_HINTS = {
    "SIGSEGV": "very deep recursion or a fault in native code",
    "SIGABRT": "an abort in native code",
    "SIGBUS": "a fault in native code",
    "SIGFPE": "an arithmetic fault in native code",
}


class SourceError(ValueError):
    """The candidate's code cannot run at all: a syntax error or no such function."""


class TestOutcome(BaseModel):
    index: int
    visible: bool
    passed: bool
    ms: float | None = None
    error: str | None = Field(None, description="exception type, for hidden tests the only detail")
    input: str | None = None
    expected: str | None = None
    actual: str | None = None
    message: str | None = None
    growth: float | None = Field(None, description="the scale check: how many times the time grew")

    @property
    def label(self) -> str:
        return "example" if self.visible else "scale check" if self.growth is not None or self.error == "NotRun" \
            else "hidden test"


class CodeRunResult(BaseModel):
    problem_id: str
    status: CodeStatus
    message: str
    passed: int = 0
    total: int = 0
    tests: list[TestOutcome] = Field(default_factory=list)
    compute_ms: float = 0.0
    overhead_ms: float = 0.0
    wall_ms: float = 0.0
    trace: str | None = None
    stdout: str = ""
    refused: list[str] = Field(default_factory=list)
    isolation: list[str] = Field(default_factory=list)


# ---- before running -----------------------------------------------------------------------


def _top_level_names(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def check_source(source: str, problem: CodingProblem) -> None:
    """Raise SourceError with a clear message when `source` cannot possibly run the problem."""
    try:
        tree = ast.parse(source, filename="solution.py")
    except SyntaxError as exc:
        raise SourceError(_syntax_message(exc.lineno, exc.offset, exc.text, exc.msg)) from None
    names = _top_level_names(tree)
    if problem.function not in names:
        functions = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        found = f" It defines: {', '.join(functions)}." if functions else ""
        raise SourceError(f"Your code does not define {problem.function}() — expected: {problem.signature}.{found}")


def _syntax_message(line: int | None, offset: int | None, text: str | None, msg: str) -> str:
    where = f" on line {line}" if line else ""
    shown = ""
    if text and text.strip():
        stripped = text.rstrip("\n")
        indent = len(stripped) - len(stripped.lstrip())
        caret = " " * max(0, (offset or 1) - 1 - indent) + "^"
        shown = f"\n    {stripped.strip()}\n    {caret}"
    return f"Syntax error{where}: {msg}{shown}"


# ---- running --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _harness_source() -> str:
    return (Path(__file__).resolve().parent / "harness.py").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _site_paths() -> list[str]:
    # The child runs with -S (no .pth processing: faster, and our own package stays out of
    # its sys.path); the harness appends the site-packages directories itself.
    paths = sysconfig.get_paths()
    return list(dict.fromkeys(p for p in (paths.get("purelib"), paths.get("platlib")) if p))


def _preimports(source: str) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        modules.extend(n for n in names if n.split(".")[0] in TRUSTED_PACKAGES)
    return list(dict.fromkeys(modules))


def encode(value: Any) -> Any:
    """JSON-ready, keeping dicts with non-text keys (YAML's {0: [1]}) as tagged pair lists."""
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and "__pairs__" not in value:
            return {k: encode(v) for k, v in value.items()}
        return {"__pairs__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def _job(problem: CodingProblem, source: str, nonce: str) -> dict[str, Any]:
    return {
        "nonce": nonce,
        "function": problem.function,
        "helpers": problem.helpers,
        "args": problem.args,
        "returns": problem.returns,
        "compare": problem.compare,
        "tests": encode([t.as_job(visible) for t, visible in problem.all_tests]),
        "sys_path": _site_paths(),
        "preimport": _preimports(source),
        "stdout_cap": STDOUT_CAP,
        "scale": problem.scale.model_dump() if problem.scale else None,
    }


def _parse(stdout: str, nonce: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None, list[dict[str, Any]]]:
    tests, done, refusals = [], None, []
    prefix = nonce + " "
    for line in stdout.splitlines():
        if not line.startswith(prefix):
            continue
        try:
            data = json.loads(line[len(prefix):])
        except json.JSONDecodeError:
            continue
        kind = data.pop("kind", None)
        if kind == "test":
            tests.append(data)
        elif kind == "refused":
            refusals.append(data)
        elif kind == "done":
            done = data
    return tests, done, refusals


def _test_name(index: int, n_examples: int) -> str:
    return f"example {index + 1}" if index < n_examples else f"hidden test {index - n_examples + 1}"


def _limit_message(status: str, outcome: SandboxOutcome, limits: Limits, running: str | None) -> str:
    during = f" (during {running})" if running else ""
    if status == "cpu_limit":
        return f"Time limit: your code ran past {limits.cpu_s} s of CPU time{during} — is there an infinite loop?"
    if status == "timeout":
        return f"Time limit: your code ran past {limits.wall_s:g} s of wall time{during} — is it sleeping or waiting for input?"
    if status == "memory":
        return f"Memory limit: your code tried to use more than {limits.memory_bytes / 2**30:g} GiB{during}."
    if status == "output_limit":
        return f"Output limit: your code printed more than {limits.output_bytes // 1024} KB{during}."
    if status == "crashed":
        hint = CRASH_HINTS.get(outcome.signal or "", "a fault in native code")
        return f"Crashed: Python died with {outcome.signal}{during} — {hint}."
    return f"The run failed unexpectedly (exit code {outcome.exit_code}); see the trace."


def _summary(passed: int, total: int, outcomes: list[TestOutcome], n_examples: int, compute_ms: float,
             problem: CodingProblem | None = None) -> tuple[CodeStatus, str]:
    if passed == total:
        return "passed", f"All {total} tests passed ({n_examples} examples, {total - n_examples} hidden) in {compute_ms:.0f} ms of compute."
    first = next(t for t in outcomes if not t.passed)
    scale = problem.scale if problem else None
    if scale is not None and first.growth is not None:
        small, large = scale.sizes
        return "failed", (f"Every correctness test passes, but the scale check fails: when n grew from {small:,} to "
                          f"{large:,}, your running time grew {first.growth:.0f} times. The question asks for "
                          f"{scale.requirement}.")
    why = f"raised {first.error}" if first.error else "wrong answer"
    name = "the scale check" if scale is not None and first.index == total - 1 else _test_name(first.index, n_examples)
    return "failed", f"{passed}/{total} tests passed; first failure: {name} ({why})."


def run_code(problem: CodingProblem, source: str, limits: Limits | None = None) -> CodeRunResult:
    """Run `source` against every example and hidden test of `problem` in the sandbox."""
    limits = limits or Limits()
    examples = len(problem.examples)
    total = problem.total
    base = {"problem_id": problem.id, "total": total}
    try:
        check_source(source, problem)
    except SourceError as exc:
        return CodeRunResult(**base, status="error", message=str(exc))
    nonce = secrets.token_hex(16)
    outcome = run_python(
        {"harness.py": _harness_source(), "solution.py": source}, "harness.py", limits,
        stdin=json.dumps(_job(problem, source, nonce)).encode(), flags=("-I", "-S", "-B"),
    )
    records, done, refusals = _parse(outcome.stdout, nonce)
    outcomes = [TestOutcome(**{k: v for k, v in r.items() if k in TestOutcome.model_fields}) for r in records]
    for t in outcomes:
        if not t.visible:  # belt and braces: hidden inputs and answers never leave this module
            t.input = t.expected = t.actual = t.message = None
    passed = sum(t.passed for t in outcomes)
    compute_ms = float(done.get("compute_ms", 0.0)) if done else sum(t.ms or 0.0 for t in outcomes)
    isolation = outcome.isolation.model_copy(update={"audit_hook": True})
    trace = next((r.get("trace") for r in records if r.get("trace")), None)
    result = CodeRunResult(
        **base, status="error", message="", passed=passed, tests=outcomes, compute_ms=compute_ms,
        overhead_ms=max(0.0, outcome.wall_ms - compute_ms), wall_ms=outcome.wall_ms, trace=trace,
        stdout=(done or {}).get("stdout", ""), isolation=isolation.features(),
        refused=[f"{r['event']}: {r['what']}" for r in refusals],
    )
    hstatus = done.get("status") if done else None
    running = None
    if len(records) < total and hstatus is None:
        running = "the scale check" if len(records) >= examples + len(problem.tests) else _test_name(len(records), examples)

    if refusals and hstatus != "passed":
        first = refusals[0]
        result.status = "refused"
        result.message = f"Refused: your code tried {first['event']} — {first['what']} is not allowed in the sandbox."
    elif hstatus in ("passed", "failed"):
        result.status, result.message = _summary(passed, total, outcomes, examples, compute_ms, problem)
    elif hstatus == "syntax":
        result.message = _syntax_message(done.get("line"), done.get("offset"), done.get("text"), done.get("message", ""))
    elif hstatus == "missing":
        found = f" It defines: {', '.join(done.get('defined') or [])}." if done.get("defined") else ""
        result.message = f"Your code does not define {problem.function}() — expected: {problem.signature}.{found}"
    elif hstatus == "load_error":
        result.trace = done.get("trace")
        result.message = f"Your code raised {done.get('error')} while loading, before any test ran."
    elif hstatus in ("memory", "output_limit"):
        result.status = hstatus
        limit = STDOUT_CAP // 1024 if hstatus == "output_limit" else None
        result.message = (f"Output limit: your code printed more than {limit} KB." if limit
                          else _limit_message("memory", outcome, limits, None))
    elif hstatus == "harness_error":
        log.error("problem %s: %s", problem.id, done.get("message"))
        result.message = f"This problem's test data is broken: {done.get('message')}"
    elif outcome.status != "ok":
        result.status = {"cpu_limit": "timeout", "timeout": "timeout"}.get(outcome.status, outcome.status)  # type: ignore[assignment]
        if result.status == "error":
            result.trace = outcome.stderr[-2000:] or None
        result.message = _limit_message(outcome.status, outcome, limits, running)
    else:
        result.trace = outcome.stderr[-2000:] or None
        result.message = (f"Your code ended the Python process{' during ' + running if running else ''} "
                          "(os._exit or closing the output?) before the tests finished.")
    log.info("run_code %s: %s %d/%d, compute %.0f ms, overhead %.0f ms", problem.id, result.status,
             passed, total, compute_ms, result.overhead_ms)
    return result

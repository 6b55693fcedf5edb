"""Run a candidate's Python against a coding problem's examples and hidden tests, sandboxed."""

from __future__ import annotations

import ast
import functools
import json
import logging
import secrets
import statistics
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from interviewer.runner.compare import (
    clean,
    decode,
    encode,
    matches,
    normal,
    short,
)
from interviewer.runner.jail import site_paths
from interviewer.runner.problems import CodingProblem, CodingTest
from interviewer.runner.sandbox import (
    Limits,
    SandboxOutcome,
    SandboxUnavailable,
    Session,
    sandbox_problem,
)

log = logging.getLogger(__name__)

STDOUT_CAP = 64 * 1024
STDOUT_SHOWN = 4000
HIDDEN_ERROR = "an exception"
WALL_FACTOR = 20  # a large call's wall time may be this many times its CPU bound (a busy machine waits)
SCALE_REPEATS = 5
SCALE_SLOW_S = 0.3
SCALE_FLOOR_S = 2e-4  # a few times one request's own CPU: below it the clock says nothing
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
    error: str | None = Field(None, description="an example's exception type; a hidden test's is never named")
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


def _preimports(source: str) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        modules.extend(n for n in names if n.split(".")[0] in TRUSTED_PACKAGES)
    return list(dict.fromkeys(modules))


def _header(problem: CodingProblem, source: str) -> dict[str, Any]:
    # No test in here, let alone an expected value: arguments go out one test at a time.
    return {
        "function": problem.function,
        "helpers": problem.helpers,
        "args": problem.args,
        "returns": problem.returns,
        "sys_path": list(site_paths()),
        # numpy (and pandas) too when the harness builds arrays or frames or converts a returned frame:
        # they must load before the guard (numpy uses ctypes).
        "preimport": _preimports(source) + (["numpy"] if "ndarray" in problem.args else [])
        + (["numpy", "pandas"] if {"dataframe", "series"} & set(problem.args) or problem.returns == "frame" else []),
        "stdout_cap": STDOUT_CAP,
        "scale": {"args_py": problem.scale.args_py} if problem.scale else None,
    }


def _test_name(index: int, n_examples: int) -> str:
    # Hidden tests run in a new order each time and are never named one by one: which of them
    # failed, run after run, would tell the hidden answers apart.
    return f"example {index + 1}" if index < n_examples else "the hidden tests"


def _limit_message(status: str, outcome: SandboxOutcome, limits: Limits, running: str | None) -> str:
    during = f" (during {running})" if running else ""
    if status == "cpu_limit":
        return (f"Time limit: your code ran past {limits.cpu_s} s of CPU time{during} — an infinite loop, or an "
                "approach too slow for the size of the input?")
    if status == "timeout":
        return f"Time limit: your code ran past {limits.wall_s:g} s of wall time{during} — is it sleeping or waiting for input?"
    if status == "memory":
        return f"Memory limit: your code tried to use more than {limits.memory_bytes / 2**30:g} GiB{during}."
    if status == "output_limit":
        return f"Output limit: your code printed or returned more than {limits.output_bytes // 1024} KB{during}."
    if status == "crashed":
        hint = CRASH_HINTS.get(outcome.signal or "", "a fault in native code")
        return f"Crashed: Python died with {outcome.signal}{during} — {hint}."
    return (f"Your code ended the Python process{' during ' + running if running else ''} (os._exit, or closing "
            "its input or output?) before the tests finished.")


def _summary(passed: int, total: int, outcomes: list[TestOutcome], n_examples: int, compute_ms: float,
             problem: CodingProblem | None = None) -> tuple[CodeStatus, str]:
    if passed == total:
        return "passed", f"All {total} tests passed ({n_examples} examples, {total - n_examples} hidden); the examples ran in {compute_ms:.0f} ms."
    first = next(t for t in outcomes if not t.passed)
    scale = problem.scale if problem else None
    if scale is not None and first.growth is not None:
        small, large = scale.sizes
        if first.message:
            return "failed", f"Every correctness test passes, but the scale check fails: {first.message}."
        return "failed", (f"Every correctness test passes, but the scale check fails: when n grew from {small:,} to "
                          f"{large:,}, your running time grew {first.growth:.0f} times. The question asks for "
                          f"{scale.requirement}.")
    why = f"raised {first.error}" if first.error else "wrong answer"
    if scale is not None and first.index == total - 1:
        return "failed", f"{passed}/{total} tests passed; the scale check failed ({why})."
    if first.visible:
        return "failed", f"{passed}/{total} tests passed; first failure: {_test_name(first.index, n_examples)} ({why})."
    failed = sum(not t.passed and not t.visible for t in outcomes)
    return "failed", f"{passed}/{total} tests passed; {failed} hidden test(s) failed."


class _Run:
    """One run's conversation with the sandboxed harness, and the verdicts, made here."""

    def __init__(self, problem: CodingProblem, session: Session) -> None:
        self.problem, self.session = problem, session
        self.outcomes: list[TestOutcome] = []
        self.refusals: list[dict[str, Any]] = []
        self.fatal: str | None = None  # the harness's own stop: output_limit, memory, refused
        self.compute_s = 0.0
        self.trace: str | None = None
        self.last: dict[str, Any] = {}
        self.last_kind: Any = None
        self.visible_done: float | None = None
        self.hidden = False  # once a hidden input has gone in, nothing the child says is shown

    def ask(self, message: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
        """Send `message` (if any) and return the reply of `kind`; None when none can come.
        Refusals the guard reports on the way are recorded, in full only before any hidden input."""
        if message is not None:
            self.session.write(json.dumps(message).encode() + b"\n")
        while (line := self.session.read_line()) is not None:
            try:
                reply = json.loads(line, object_hook=decode)
            except (ValueError, RecursionError):  # a 5,000-deep list, a 6,000-digit number, junk
                reply = {"kind": kind, "error": "UnreadableOutput"}  # that test fails; the run goes on
            if not isinstance(reply, dict):
                reply = {"kind": kind, "error": "UnreadableOutput"}
            if reply.get("kind") != "refused":
                self.last, self.last_kind = reply, reply.get("kind")
                return reply if self.last_kind == kind else None
            if len(self.refusals) < 5:
                self.refusals.append({"event": str(reply.get("event"))[:80], "what": str(reply.get("what"))[:200]}
                                     if not self.hidden else {"event": "an operation the sandbox refuses",
                                                              "what": "what your code tried during the hidden tests"})
        return None

    def test(self, index: int, test: CodingTest, visible: bool) -> bool:
        """Run one test; False when the run cannot go on."""
        self.hidden = self.hidden or not visible
        message: dict[str, Any] = {"op": "call"}
        message.update({"args_py": test.args_py} if test.args_py is not None else {"args": encode(test.args)})
        t0 = time.perf_counter()
        reply = self.ask(message, "result")
        elapsed = time.perf_counter() - t0
        if reply is None:
            return False
        if visible:
            # Hidden tests' time is never told, not even in a total: a sleep as long as the input.
            self.compute_s += elapsed
        outcome = TestOutcome(index=index, visible=visible, passed=False, ms=elapsed * 1000)
        error = reply.get("error")
        if error is None and "output" in reply:
            outcome.passed = matches(reply["output"], normal(test.expected), self.problem.compare)
        if visible:
            outcome.input = test.args_py or ", ".join(short(a) for a in test.args or [])
            outcome.expected = short(test.expected)
            outcome.actual = clean(short(reply["output"])) if "output" in reply else None
            # A class name is the candidate's text: it reaches the interviewer's words only as a name.
            outcome.error = (error if isinstance(error, str) and error.isidentifier() and len(error) <= 60
                             else HIDDEN_ERROR) if error else None
            outcome.message = clean(str(reply.get("message") or "")[:300]) or None if error else None
            self.trace = self.trace or (clean(str(reply["trace"])[:4000]) if reply.get("trace") else None)
        else:
            # Everything past this point was produced with a hidden input in hand: only a
            # pass, a time and a built-in exception's name come back out.
            outcome.error = HIDDEN_ERROR if error else None
            outcome.ms = None  # a time per hidden test is a channel too (a sleep as long as the input)
        self.outcomes.append(outcome)
        fatal = reply.get("fatal")
        if fatal in ("output_limit", "memory", "refused"):
            self.fatal = fatal
            return False
        return True

    def anonymise_hidden(self, examples: int) -> None:
        """Hidden outcomes renumbered, passes first: only how many passed is told, not which."""
        hidden = sorted((t for t in self.outcomes if not t.visible), key=lambda t: (not t.passed, t.error or ""))
        for i, t in enumerate(hidden):
            t.index = examples + i
        self.outcomes = [t for t in self.outcomes if t.visible] + hidden

    def scale(self, index: int) -> TestOutcome | None:
        """Time the function on the small and the large input, from out here.

        Each call gets new values (k = 0, 1, ...: nothing can be remembered from one call to the
        next) and its result is checked, so spotting the large input and answering blind fails.
        The time is the CPU the whole sandbox used during the call (every process and thread,
        read from /proc), so sleeping to look constant or working in another thread does not
        help; the median of the calls is compared."""
        scale = self.problem.scale
        assert scale is not None
        medians: list[float] = []
        walls: list[float] = []
        for n in scale.sizes:
            times: list[float] = []
            clock: list[float] = []
            for k in range(SCALE_REPEATS):
                if self.ask({"op": "build", "n": n, "k": k}, "built") is None:
                    return None
                before, t0 = self.session.cpu_seconds(), time.perf_counter()
                reply = self.ask({"op": "time"}, "timed")
                after, wall = self.session.cpu_seconds(), time.perf_counter() - t0
                # The finer reading, unless the coarse one (threads that ended, children reaped) says more.
                used = max(after[0] - before[0], after[1] - before[1])
                if reply is None:
                    return None
                expected = scale.expected_for(n, k)
                if reply.get("error") or not matches(reply.get("output"), normal(expected), self.problem.compare):
                    return TestOutcome(index=index, visible=False, passed=False,
                                       error=HIDDEN_ERROR if reply.get("error") else None,
                                       message=f"wrong answer on the scale check's input of size {n:,}")
                times.append(used)
                clock.append(wall)
                if used > SCALE_SLOW_S:
                    break  # a call this slow is timed once: repeating it only burns the CPU limit
            medians.append(statistics.median(times))
            walls.append(statistics.median(clock))
        self.compute_s += sum(medians)
        # Below a request's own cost the clock says nothing about the function: floor the small time.
        growth = medians[1] / max(medians[0], SCALE_FLOOR_S)
        outcome = TestOutcome(index=index, visible=False, passed=growth <= scale.max_growth, growth=round(growth, 1),
                              ms=sum(medians) * 1000)
        large_ms, wall_ms = medians[1] * 1000, walls[1] * 1000
        # The growth compares two of the candidate's own times; these bounds stop a small call
        # made slow on purpose, and work hidden in a process that is gone before it is counted.
        if outcome.passed and (large_ms > scale.max_large_ms or wall_ms > WALL_FACTOR * scale.max_large_ms):
            outcome.passed = False
            outcome.message = (f"one call on the input of size {scale.sizes[1]:,} took {max(large_ms, wall_ms / WALL_FACTOR):.1f} ms; "
                               f"{scale.requirement} takes well under {scale.max_large_ms:g} ms there")
        log.debug("scale check %s: growth %.1f, large %.2f ms cpu, %.2f ms wall", self.problem.id, growth,
                  large_ms, wall_ms)
        return outcome


def _load_failure(done: dict[str, Any], problem: CodingProblem, base: dict[str, Any]) -> CodeRunResult | None:
    status = done.get("status")
    if status == "syntax":
        message = _syntax_message(done.get("line"), done.get("offset"), done.get("text"), str(done.get("message", "")))
        return CodeRunResult(**base, status="error", message=message)
    if status == "missing":
        defined = [str(d) for d in done.get("defined") or []][:20]
        found = f" It defines: {', '.join(defined)}." if defined else ""
        return CodeRunResult(**base, status="error", message=f"Your code does not define {problem.function}() — expected: {problem.signature}.{found}")
    if status == "load_error":
        refused = [r for r in done.get("refused") or [] if isinstance(r, dict)]
        if refused:
            first = refused[0]
            return CodeRunResult(**base, status="refused", refused=[f"{r.get('event')}: {r.get('what')}" for r in refused],
                                 message=f"Refused: your code tried {first.get('event')} — {first.get('what')} is not allowed in the sandbox.",
                                 trace=str(done.get("trace") or "")[:4000] or None)
        return CodeRunResult(**base, status="error", trace=str(done.get("trace") or "")[:4000] or None,
                             stdout=str(done.get("stdout") or "")[:STDOUT_SHOWN],
                             message=f"Your code raised {str(done.get('error'))[:100]} while loading, before any test ran.")
    if status == "output_limit":
        return CodeRunResult(**base, status="output_limit", message=f"Output limit: your code printed more than {STDOUT_CAP // 1024} KB.")
    if status == "memory":
        return CodeRunResult(**base, status="memory", message="Memory limit: your code ran out of memory while loading.")
    return None


def run_code(problem: CodingProblem, source: str, limits: Limits | None = None) -> CodeRunResult:
    """Run `source` against every example and hidden test of `problem` in the sandbox.

    Raises SandboxUnavailable (one line: why, and how to enable it) when no isolation can be
    had here: the code is then not run at all.
    """
    limits = limits or Limits()
    examples = len(problem.examples)
    total = problem.total
    base: dict[str, Any] = {"problem_id": problem.id, "total": total}
    if (why := sandbox_problem()) is not None:
        raise SandboxUnavailable(why)  # before anything: a run that cannot happen leaves no trace
    try:
        check_source(source, problem)
    except SourceError as exc:
        return CodeRunResult(**base, status="error", message=str(exc))
    session = Session({"harness.py": _harness_source(), "solution.py": source}, "harness.py", limits,
                      flags=("-I", "-S", "-B"))
    run = _Run(problem, session)
    stdout = ""
    with session:
        session.write(json.dumps(_header(problem, source)).encode() + b"\n")
        loaded = run.ask(None, "loaded")
        failure = None
        if loaded is None and run.last_kind == "done":
            failure = _load_failure(run.last, problem, base)
        elif loaded is not None:
            going = all(run.test(i, t, True) for i, t in enumerate(problem.examples))
            # The prints are collected before any hidden input goes in: they are shown as they are.
            shown = run.ask({"op": "stdout"}, "stdout") if going else None
            stdout = clean(str((shown or {}).get("stdout") or "")[:STDOUT_SHOWN])
            run.visible_done = time.monotonic()
            order = list(range(len(problem.tests)))
            secrets.SystemRandom().shuffle(order)
            going = going and shown is not None and all(
                run.test(examples + i, problem.tests[i], False) for i in order)
            run.anonymise_hidden(examples)
            if going and problem.scale is not None:
                index = examples + len(problem.tests)
                if all(t.passed for t in run.outcomes):
                    scale = run.scale(index)
                    going = scale is not None
                    run.outcomes += [scale] if scale else []
                else:
                    run.outcomes.append(TestOutcome(index=index, visible=False, passed=False, error="NotRun"))
            if going:
                run.ask({"op": "end"}, "end")
        outcome = session.finish()
    if failure is not None:
        return failure.model_copy(update={"wall_ms": outcome.wall_ms, "isolation": _layers(outcome)})
    passed = sum(t.passed for t in run.outcomes)
    compute_ms = run.compute_s * 1000
    # Timed to the end of the examples: the hidden phase's duration would carry their inputs.
    wall_ms = (run.visible_done or time.monotonic()) * 1000 - session.started_ms
    log.info("run %s: whole run %.0f ms wall", problem.id, outcome.wall_ms)
    result = CodeRunResult(
        **base, status="error", message="", passed=passed, tests=run.outcomes, compute_ms=compute_ms,
        overhead_ms=max(0.0, wall_ms - compute_ms), wall_ms=wall_ms, trace=run.trace,
        stdout=stdout, isolation=_layers(outcome), refused=[f"{r.get('event')}: {r.get('what')}" for r in run.refusals][:5],
    )
    finished = len(run.outcomes) == total and run.fatal is None
    running = None if finished else ("the scale check" if len(run.outcomes) >= examples + len(problem.tests)
                                     else _test_name(len(run.outcomes), examples))
    if run.refusals and not (finished and passed == total):
        first = run.refusals[0]
        result.status = "refused"
        result.message = f"Refused: your code tried {first.get('event')} — {first.get('what')} is not allowed in the sandbox."
    elif finished:
        result.status, result.message = _summary(passed, total, run.outcomes, examples, compute_ms, problem)
    elif run.fatal in ("memory", "output_limit"):
        result.status = run.fatal  # type: ignore[assignment]
        result.message = (f"Output limit: your code printed more than {STDOUT_CAP // 1024} KB (during {running})."
                          if run.fatal == "output_limit" else _limit_message("memory", outcome, limits, running))
    elif loaded is None and outcome.status == "ok":
        result.trace = outcome.stderr[-2000:] or None
        result.message = "The run failed before your code loaded; see the trace."
    else:
        status = outcome.status if outcome.status != "ok" else "error"
        result.status = {"cpu_limit": "timeout", "timeout": "timeout"}.get(status, status)  # type: ignore[assignment]
        result.message = _limit_message(status, outcome, limits, running)
    log.info("run_code %s: %s %d/%d, compute %.0f ms, overhead %.0f ms", problem.id, result.status,
             passed, total, compute_ms, result.overhead_ms)
    return result


def _layers(outcome: SandboxOutcome) -> list[str]:
    return outcome.isolation.model_copy(update={"audit_hook": True}).features()

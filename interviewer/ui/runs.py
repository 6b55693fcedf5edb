"""The Run button's panel: a run of the candidate's code or query as short Markdown.

The run itself is the engine's (Interview.run_code), over the same runner as `interviewer
run-code` / `run-sql`.
"""

from __future__ import annotations

import logging

from interviewer.interview.services import Services

log = logging.getLogger(__name__)


def is_runnable(services: Services, item_id: str) -> bool:
    return services.problem_for(item_id) is not None


def sandbox_problem() -> str | None:
    """Why Python cannot be run here (no bubblewrap), or None; probed once per process."""
    from interviewer.runner.sandbox import (
        sandbox_problem as probe,  # the runner loads only when needed
    )

    return probe()


SQL_TEMPLATE = "-- One SELECT (or WITH ... SELECT) query; Run checks it against the seeded tables.\nSELECT\n"


def code_template(services: Services, item_id: str, language: str) -> str:
    """What the code pane starts with for a new question: the function to write, or a query stub."""
    problem = services.problem_for(item_id)
    if language == "sql":
        return SQL_TEMPLATE
    if problem is None or not hasattr(problem, "signature"):
        return ""
    signature = problem.signature.rstrip().rstrip(":")
    return f"{signature}:\n    # Run checks the examples and the hidden tests.\n    ...\n"


def result_markdown(result) -> str:  # noqa: ANN001 - a CodeRunResult or SqlRunResult
    return coding_markdown(result) if hasattr(result, "tests") else sql_markdown(result)


def _headline(status: str, message: str) -> str:
    # The status word leads so a screen reader (and a test) finds it first.
    return f"{'✅' if status in ('passed', 'correct') else '❌'} **{status.replace('_', ' ').upper()}** · {message}"


def coding_markdown(result) -> str:  # noqa: ANN001
    lines = [_headline(result.status, result.message), "",
             f"{result.passed} of {result.total} tests passed · your code ran {result.compute_ms:.0f} ms", ""]
    visible = [t for t in result.tests if t.visible]
    if visible:
        lines += ["| example | input | expected | actual | |", "|---|---|---|---|---|"]
        for t in visible:
            lines.append(f"| {t.index + 1} | `{t.input}` | `{t.expected}` | `{t.actual}` | {'✅' if t.passed else '❌'} |")
    hidden = [t for t in result.tests if not t.visible]
    if hidden:
        raised = sum(1 for t in hidden if not t.passed and t.error)
        # A count only: which hidden test failed, run after run, would give the answers away.
        lines += ["", f"Hidden tests: {sum(t.passed for t in hidden)} of {len(hidden)} passed"
                  + (f"; {raised} raised an exception" if raised else "")]
    if result.trace:
        lines += ["", "```", result.trace, "```"]
    return "\n".join([*lines, *_layers(result)])


def _layers(result) -> list[str]:  # noqa: ANN001
    return ["", f"<sub>Sandbox: {', '.join(result.isolation)}</sub>"] if result.isolation else []


def sql_markdown(result) -> str:  # noqa: ANN001
    lines = [_headline(result.status, result.message), ""]
    if result.columns:
        lines += ["| " + " | ".join(result.columns) + " |", "|" + "---|" * len(result.columns)]
        lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in result.rows[:10]]
    if result.diff:
        lines += ["", "```", result.diff, "```"]
    return "\n".join([*lines, *_layers(result)])

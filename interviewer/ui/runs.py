"""The Run button: the current question's hidden tests (Python) or reference query (SQL).

The same runner as `interviewer run-code` / `run-sql`; this module only finds the problem and
turns the result into a short Markdown panel.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from interviewer.engine import Services

log = logging.getLogger(__name__)


def _problem_file(services: Services, item_id: str) -> tuple[str, Path] | None:
    base = services.settings.corpus_dir / "problems"
    for kind in ("coding", "sql"):
        path = base / kind / f"{item_id}.yaml"
        if path.exists():
            return kind, path
    return None


def is_runnable(services: Services, item_id: str) -> bool:
    return _problem_file(services, item_id) is not None


def run_for_item(services: Services, item_id: str, code: str) -> str:
    found = _problem_file(services, item_id)
    if found is None:
        return ("This question has no hidden tests. Send your code with your answer "
                "(the *Send code with answer* button) and the interviewer will review it.")
    kind, _ = found
    problems = _problems(services.settings.corpus_dir)
    if kind == "coding":
        from interviewer.runner import run_code

        return coding_markdown(run_code(problems.coding[item_id], code))
    from interviewer.runner import run_sql

    return sql_markdown(run_sql(problems.sql[item_id], code, problems.schemas_dir))


@lru_cache(maxsize=4)
def _problems(corpus_dir: Path):  # noqa: ANN202 - a ProblemSet, loaded once per process
    from interviewer.runner import load_problems

    return load_problems(corpus_dir)


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
        lines += ["", f"Hidden tests: {sum(t.passed for t in hidden)} of {len(hidden)} passed"
                  + "".join(f"; #{t.index + 1} {t.error}" for t in hidden if not t.passed and t.error)[:400]]
    if result.trace:
        lines += ["", "```", result.trace, "```"]
    return "\n".join(lines)


def sql_markdown(result) -> str:  # noqa: ANN001
    lines = [_headline(result.status, result.message), ""]
    if result.columns:
        lines += ["| " + " | ".join(result.columns) + " |", "|" + "---|" * len(result.columns)]
        lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in result.rows[:10]]
    if result.diff:
        lines += ["", "```", result.diff, "```"]
    return "\n".join(lines)

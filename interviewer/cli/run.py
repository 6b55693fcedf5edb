"""`interviewer run-code` and `interviewer run-sql`: check an answer against a runnable problem.

Exit codes: 0 all tests pass / the query is correct, 1 the answer is wrong (or fails to run),
2 bad input (unknown problem, missing file, broken problem files, refused code or query).
"""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from interviewer.cli.common import EXIT_BAD_INPUT, err, out, settings

log = logging.getLogger(__name__)

EXIT_WRONG = 1


def _problems():
    from interviewer.runner import ProblemError, load_problems

    try:
        return load_problems(settings().corpus_dir)
    except ProblemError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)  # one line each, never wrapped
        err.print(f"[red]{len(exc.messages)} problem(s) in the problem files.[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _read(file: Path) -> str:
    """The candidate's file, refused before reading when it is not a regular file or over the
    engine's code limit (/dev/zero or a FIFO would never end)."""
    from interviewer.interview.engine import (
        MAX_CODE_CHARS,
        MessageTooLong,
        check_length,
    )

    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            err.print(f"[red]{file}: not a regular file[/red]")
        elif info.st_size > 4 * MAX_CODE_CHARS:
            err.print(f"[red]{file}: {info.st_size:,} bytes; the limit is {MAX_CODE_CHARS:,} characters of code[/red]")
        else:
            text = file.read_text(encoding="utf-8")
            check_length(text, "code")
            return text
    except FileNotFoundError:
        err.print(f"[red]{file}: no such file[/red]")
    except MessageTooLong as exc:
        err.print(f"[red]{file}: {exc}[/red]")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]{file}: cannot read it ({exc})[/red]")
    raise typer.Exit(EXIT_BAD_INPUT)


def _pick(found: dict, problem_id: str, kind: str):
    if problem_id not in found:
        known = ", ".join(sorted(found)) or "none yet"
        err.print(f"[red]Unknown {kind} problem {problem_id!r}.[/red] Known: {known}")
        raise typer.Exit(EXIT_BAD_INPUT)
    return found[problem_id]



app = typer.Typer()

@app.command("run-code")
def run_code_command(
    problem_id: Annotated[str, typer.Argument(help="A coding problem id, e.g. cod-two-sum.")],
    file: Annotated[Path, typer.Argument(help="Your Python file defining the problem's function.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run your Python solution against a problem's examples and hidden tests, sandboxed."""
    from interviewer.runner import SandboxUnavailable, run_code

    problem = _pick(_problems().coding, problem_id, "coding")
    try:
        result = run_code(problem, _read(file))
    except SandboxUnavailable as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        print(result.model_dump_json(indent=2))
    else:
        table = Table(title=escape(f"{problem.id}: {problem.signature}"))
        for col in ("Test", "Result", "ms", "Details"):
            table.add_column(col, justify="right" if col == "ms" else "left")
        examples = len(problem.examples)
        for t in result.tests:
            name = f"example {t.index + 1}" if t.visible else f"hidden {t.index - examples + 1}"
            mark = "[green]pass[/green]" if t.passed else "[red]FAIL[/red]"
            if t.visible:
                details = f"input: {t.input}\nexpected: {t.expected}"
                details += f"\nactual: {t.actual}" if t.actual is not None else ""
                details += f"\nraised {t.error}: {t.message or ''}" if t.error else ""
            else:
                details = f"raised {t.error}" if t.error else ""
            table.add_row(name, mark, f"{t.ms:.2f}" if t.ms is not None else "", escape(details))
        if result.tests:
            out.print(table)
        colour = "green" if result.status == "passed" else "red"
        out.print(f"[{colour}]{escape(result.message)}[/{colour}]")
        if result.trace:
            out.print(escape(result.trace), highlight=False)
        if result.stdout:
            out.print("[dim]Your code printed:[/dim]")
            out.print(escape(result.stdout), highlight=False)
        out.print(f"[dim]{result.passed}/{result.total} passed · compute {result.compute_ms:.0f} ms · "
                  f"runner overhead {result.overhead_ms:.0f} ms · sandbox: {', '.join(result.isolation)}[/dim]")
    if result.status == "refused":
        raise typer.Exit(EXIT_BAD_INPUT)
    if result.status != "passed":
        raise typer.Exit(EXIT_WRONG)


@app.command("run-sql")
def run_sql_command(
    problem_id: Annotated[str, typer.Argument(help="A SQL problem id, e.g. sql-second-highest-salary.")],
    file: Annotated[Path, typer.Argument(help="A file holding your one SELECT query.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run your SQL query on the problem's database and compare it with the expected result."""
    from interviewer.runner import run_sql

    problems = _problems()
    problem = _pick(problems.sql, problem_id, "SQL")
    assert problems.schemas_dir is not None
    result = run_sql(problem, _read(file), problems.schemas_dir)
    if as_json:
        print(result.model_dump_json(indent=2))
    else:
        colour = "green" if result.status == "correct" else "red"
        out.print(f"[{colour}]{escape(result.message)}[/{colour}]")
        if result.columns:
            out.print(f"Your result: {result.row_count} row(s), first {len(result.rows)} shown")
            table = Table()
            for col in result.columns:
                table.add_column(escape(col))
            for row in result.rows:
                table.add_row(*("NULL" if v is None else escape(str(v)) for v in row))
            out.print(table)
        if result.diff:
            out.print(escape(result.diff), highlight=False)
        out.print(f"[dim]{result.elapsed_ms:.0f} ms[/dim]")
    if result.status == "refused":
        raise typer.Exit(EXIT_BAD_INPUT)
    if result.status != "correct":
        raise typer.Exit(EXIT_WRONG)

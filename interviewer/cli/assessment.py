"""The online assessment in the terminal (`interviewer chat --plan online-assessment`)."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.markdown import Markdown
from rich.markup import escape

from interviewer.cli.common import err, out

HELP = ("Answer multiple choice with a letter; work style with two letters, most like you first (B D). For code, paste "
        "your function and end with a line /submit (or /submit FILE); end it with /run instead to try it on the "
        "examples first. /skip skips an item, /time shows the section's time left, /end stops the assessment and "
        "grades what you answered. SQL is DuckDB's dialect (NULLs sort last).")


def _read(interactive: bool, prompt: str = "You: ") -> str | None:
    if interactive:
        try:
            return input(prompt)
        except EOFError:
            return None
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")


def _read_code(interactive: bool, first: str) -> tuple[str, str] | None:
    """Lines up to a /submit or /run line (or the file /submit FILE names): (command, code)."""
    lines = [first]
    while True:
        stripped = lines[-1].strip()
        command = next((c for c in ("/submit", "/run") if stripped.startswith(c)), None)
        if command is not None:
            name = stripped[len(command):].strip()
            if name:
                path = Path(name).expanduser()
                if not path.is_file():
                    err.print(f"[red]{escape(name)} is not a file[/red]")
                    return command, ""
                return command, path.read_text(encoding="utf-8", errors="replace")
            return command, "\n".join(lines[:-1])
        line = _read(interactive, "... ")
        if line is None:
            return None
        lines.append(line)


def run_assessment(services, oa) -> None:  # noqa: ANN001
    """Item by item until the assessment ends or input stops (it is saved after every answer)."""
    from interviewer.assessment.grading import BadResponse
    from interviewer.assessment.view import (
        build_report,
        clock,
        report_md,
        write_reports,
    )

    interactive = sys.stdin.isatty()
    sections = ", ".join(f"{s.title} ({s.minutes} min)" for s in oa.state.sections)
    out.print(f"[bold]Online assessment[/bold], session {oa.session_id}: {escape(sections)}. Each section has its own "
              "clock, which starts with its first item; when it runs out, the section closes and the next begins.")
    out.print(f"[dim]{HELP}[/dim]\n")
    shown = None
    while not oa.finished:
        last = oa.turns[-1]
        if last.speaker == "interviewer" and last.index != shown:
            shown = last.index
            out.print(Markdown(last.text))
            out.print(f"[dim]Time left in this section: {clock(oa.seconds_left())}[/dim]")
        line = _read(interactive)
        if line is None:
            out.print(f"\n[yellow]Input ended. Saved; continue with: interviewer chat --resume {oa.session_id}[/yellow]")
            return
        command = line.strip().lower()
        if command in ("/help", ""):
            out.print(f"[dim]{HELP}[/dim]")
            continue
        if command == "/time":
            out.print(f"[dim]Time left in this section: {clock(oa.seconds_left())}[/dim]")
            continue
        if command == "/end":
            oa.end()
            break
        if command == "/skip":
            out.print(f"[dim]{oa.skip()}[/dim]")
            continue
        section = oa.state.current_section
        response: str | None = line
        if section is not None and section.key in ("python", "algorithms"):
            read = _read_code(interactive, line)
            if read is None:
                out.print(f"\n[yellow]Input ended. Saved; continue with: interviewer chat --resume {oa.session_id}[/yellow]")
                return
            command, response = read
            if not response.strip():
                out.print("[yellow]No code came before that line: paste your function, then /submit.[/yellow]")
                continue
            if command == "/run":
                try:
                    out.print(f"[dim]{escape(oa.try_examples(response))}[/dim]")
                except BadResponse as exc:
                    out.print(f"[yellow]{escape(str(exc))}[/yellow]")
                continue
            out.print("[dim]Running your code against the hidden tests...[/dim]")
        try:
            out.print(f"[dim]{oa.answer(response)}[/dim]")
        except BadResponse as exc:
            out.print(f"[yellow]{escape(str(exc))}[/yellow]")
    paths = write_reports(oa, services.settings.home / "reports")
    out.print(Markdown(report_md(build_report(oa))))
    out.print("The report: " + ", ".join(f"{k}: {v}" for k, v in paths.items()))

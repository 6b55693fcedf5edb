"""The interview commands of `interviewer`: chat, sessions, report and score."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from interviewer.assessment.state import ONLINE_ASSESSMENT
from interviewer.cli.common import (
    EXIT_BAD_INPUT,
    OFFLINE_NOTICE,
    build_services,
    err,
    load_corpus_or_exit,
    open_retriever,
    out,
    settings,
)
from interviewer.interview.plans import PLAN_IDS

HELP_TEXT = (
    "Type your answer and press Enter. Commands: /hint for a nudge, /skip to move to the next question, "
    "/end to finish and get your report, /run FILE to run your code or SQL against the question's hidden tests, "
    "/time for the round and the interview time used, /help for this text. You can also ask clarifying questions."
)

def _check_choice(value: str | None, allowed: tuple[str, ...], option: str) -> None:
    if value is not None and value not in allowed:
        err.print(f"[red]{option} {value!r} is not one of: {', '.join(allowed)}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)



app = typer.Typer()

@app.command("chat")
def chat(
    plan: Annotated[str, typer.Option("--plan", help=f"Interview format: {', '.join(PLAN_IDS)}; or {ONLINE_ASSESSMENT}, the DS take-home test.")] = "phone-screen",
    role: Annotated[Optional[str], typer.Option("--role", help="RS or DS (default RS; DS for the online assessment).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Makes the choice of questions reproducible.")] = None,
    resume: Annotated[Optional[str], typer.Option("--resume", help="Continue a saved session where it stopped.")] = None,
    difficulty: Annotated[Optional[int], typer.Option("--difficulty", min=1, max=3)] = None,
    bar_raiser: Annotated[bool, typer.Option("--bar-raiser", help="Deeper follow-ups, as a Bar Raiser would.")] = False,
    lp: Annotated[Optional[list[str]], typer.Option("--lp", help="Focus the LP probes on this principle (repeatable).")] = None,
    user: Annotated[Optional[str], typer.Option("--user", help="Whose history to avoid repeating questions from.")] = None,
) -> None:
    """A practice interview in the terminal. Reads one answer per line when stdin is not a terminal."""
    from interviewer.interview.engine import Interview
    from interviewer.schemas import LEADERSHIP_PRINCIPLES

    _check_choice(plan, (*PLAN_IDS, ONLINE_ASSESSMENT), "--plan")
    role = (role or ("DS" if plan == ONLINE_ASSESSMENT else "RS")).upper()
    _check_choice(role, ("RS", "DS"), "--role")
    for name in lp or []:
        _check_choice(name, LEADERSHIP_PRINCIPLES, "--lp")
    services = build_services()
    # A resumed session is what it was stored as, whatever --plan says.
    if (resume and _is_assessment(services, resume)) or (plan == ONLINE_ASSESSMENT and not resume):
        _assessment(services, resume, seed, role)
        return
    if resume:
        try:
            interview = Interview.resume(services, resume)
        except KeyError as exc:
            err.print(f"[red]{exc.args[0]}[/red]")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        if interview.finished:
            err.print(f"Session {resume} has already ended; its report: interviewer report {resume}")
            raise typer.Exit(0)
    else:
        interview = Interview.start(
            services, plan, role.upper(), seed if seed is not None else random.randrange(1_000_000),
            user=user or services.settings.os_user, difficulty=difficulty, lp_focus=lp, bar_raiser=bar_raiser or None,
            avoid_recent=seed is None,
        )
    run_chat(services, interview)


def run_chat(services, interview) -> None:  # noqa: ANN001
    """Hold the interview in the terminal (also started by `interviewer stories practice|drill`)."""
    services.warm_up_in_background()  # the model loads while the candidate reads the first question
    services.qualify_judge_in_background()  # model mode: once per model, cached
    try:
        _converse(services, interview)
    finally:
        services.stop_warm_up()


def _is_assessment(services, session_id: str) -> bool:  # noqa: ANN001
    try:
        return services.store.session(session_id).plan_id == ONLINE_ASSESSMENT
    except KeyError:
        return False


def _assessment(services, resume: str | None, seed: int | None, role: str) -> None:  # noqa: ANN001
    from interviewer.assessment.session import OnlineAssessment
    from interviewer.cli.assessment import run_assessment
    from interviewer.corpus.loading import CorpusError
    from interviewer.runner import ProblemError

    try:
        if resume:
            oa = OnlineAssessment.resume(services, resume)
        else:
            oa = OnlineAssessment.start(services, services.settings.os_user, seed, role.upper())
    except KeyError as exc:
        err.print(f"[red]{escape(exc.args[0])}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (CorpusError, ProblemError) as exc:
        for problem in getattr(exc, "messages", None) or exc.problems:
            print(problem, file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if oa.finished and resume:
        err.print(f"Session {resume} has already ended; its report: interviewer report {resume}")
        raise typer.Exit(0)
    run_assessment(services, oa)


def _assessment_report(services, session_id: str, fmt: str) -> str:  # noqa: ANN001
    from interviewer.assessment.session import OnlineAssessment
    from interviewer.assessment.view import build_report, report_md

    rep = build_report(OnlineAssessment.resume(services, session_id))
    if fmt == "json":
        return rep.model_dump_json(indent=2)
    if fmt == "html":
        import html

        return (f"<!doctype html><html><head><meta charset='utf-8'><title>Online assessment {session_id}</title></head>"
                f"<body><pre>{html.escape(report_md(rep))}</pre></body></html>\n")
    return report_md(rep)


def _where(interview) -> str:  # noqa: ANN001
    """The terminal's progress line, at the start and at each new round (the browser's side panel)."""
    t = interview.turn_state()
    return (f"— Round {t.round_number} of {t.rounds}: {t.round_title}, about {t.round_budget_minutes} min · "
            f"interview time so far {t.minutes} of {t.budget_minutes} min —")


def _converse(services, interview) -> None:  # noqa: ANN001
    """The chat itself: one answer per line until the interview ends or input stops."""
    from interviewer.interview.engine import Interview, MessageTooLong, check_length
    from interviewer.store import SessionBusy

    interactive = sys.stdin.isatty()
    if services.speaker_client is None:
        out.print(f"[dim]{OFFLINE_NOTICE}[/dim]")
    else:
        out.print(f"[dim]Model mode: {services.mode}. If the model fails, the offline interviewer and judge "
                  "take over for that turn, and the report says which judge scored what.[/dim]")
        out.print(f"[dim]{escape(services.judge_status())}[/dim]")
    out.print(f"[dim]Session {interview.session_id}. {HELP_TEXT}[/dim]\n")
    out.print(f"[dim]{escape(_where(interview))}[/dim]")
    out.print(f"[bold cyan]Interviewer:[/bold cyan] {escape(interview.last_interviewer_message)}\n")
    try:
        while not interview.finished:
            line = _read_answer(interactive)
            if line is None:
                out.print(f"\n[yellow]Input ended. Saved; continue with: interviewer chat --resume {interview.session_id}[/yellow]")
                return
            if line.strip().lower() == "/help":
                out.print(f"[dim]{HELP_TEXT}[/dim]")
                continue
            if line.strip().lower() == "/time":
                t = interview.turn_state()
                out.print(f"[dim]{escape(_where(interview))} Round time used: {t.round_minutes} of "
                          f"{t.round_budget_minutes} min.[/dim]")
                continue
            if line.strip().lower().startswith("/run"):
                _run_file(interview, line.strip()[4:].strip())
                continue
            try:
                check_length(line)
            except MessageTooLong as exc:
                err.print(f"[yellow]{escape(str(exc))}[/yellow]")
                continue
            if not interactive:
                out.print(f"[bold green]You:[/bold green] {escape(line)}")
            if not services.judge_ready:
                out.print("[dim](The judge is getting ready: its model takes a few seconds to load.)[/dim]")
            try:
                # The session's turn lock, as in the browser app: the same session may be open there too.
                with services.store.session_lock(interview.session_id):
                    if services.store.version(interview.session_id)[0] != len(interview.turns):
                        interview = Interview.resume(services, interview.session_id)
                        out.print("[yellow]This session moved on in another window; your message answers "
                                  f"where it is now:[/yellow] {escape(interview.last_interviewer_message)}")
                    before = interview.state.round.index
                    out.print("[bold cyan]Interviewer:[/bold cyan] ", end="")
                    for piece in interview.stream(line):
                        out.print(piece, end="", highlight=False, markup=False)
                    out.print("\n")
            except SessionBusy as exc:
                err.print(f"[yellow]{escape(str(exc))}[/yellow]")
                continue
            if interview.state.round.index != before and not interview.finished:
                out.print(f"[dim]{escape(_where(interview))}[/dim]\n")
    except KeyboardInterrupt:
        out.print(f"\n[yellow]Saved. Continue with: interviewer chat --resume {interview.session_id}[/yellow]")
        return
    _verdict(services, interview)


def _verdict(services, interview) -> None:  # noqa: ANN001
    """The end of a chat: the recommendation, the three things to fix first, then where the report is."""
    from interviewer.report.build import report_for_session

    report = report_for_session(services.corpus, services.store, interview.session_id)
    overall = "n/a" if report.overall is None else f"{report.overall:.2f} / 4"
    label = "Decision" if report.debrief is not None else "Recommendation"
    out.print(f"[bold]Interview over. {label}: {escape(report.verdict)}[/bold] (overall {overall}).")
    if report.verdict_note:
        out.print(report.verdict_note, highlight=False, markup=False)
    if report.debrief is not None:
        votes = ", ".join(f"{a.interviewer} {a.vote or 'not assessed'}" for a in report.debrief.assessments)
        out.print(f"Debrief: {report.debrief.decision} ({votes}).", highlight=False, markup=False)
    if report.top_fixes:
        out.print("[bold]Fix these first:[/bold]")
    for n, p in enumerate(report.top_fixes, start=1):
        out.print(f"{n}. {p.text}", highlight=False, markup=False)
        if p.quote:
            out.print(f'   You said: "{p.quote}"', highlight=False, markup=False)
        if p.better:
            out.print(f"   {p.better_label}: {p.better}", highlight=False, markup=False)
    out.print("The full report:")
    for fmt, path in interview.meta.reports.items():
        out.print(f"  {fmt}: {path}")


def _run_file(interview, name: str) -> None:  # noqa: ANN001
    """`/run FILE` in the chat: the file's code or query against the open question's hidden tests."""
    from interviewer.interview.engine import (
        MAX_CODE_CHARS,
        MessageTooLong,
        RunUnavailable,
    )

    path = Path(name).expanduser()
    if not name or not path.is_file():
        err.print(f"[red]/run needs a file with your code or query; {name or '(none given)'} is not a file[/red]")
        return
    if path.stat().st_size > 4 * MAX_CODE_CHARS:  # not even read: no code answer is this big
        err.print(f"[yellow]{escape(name)} is {path.stat().st_size:,} bytes; the limit is {MAX_CODE_CHARS:,} "
                  "characters of code. Keep the function or query under test.[/yellow]")
        return
    try:
        result, reply = interview.run_code(path.read_text(encoding="utf-8", errors="replace"))
    except (LookupError, MessageTooLong, RunUnavailable) as exc:
        err.print(f"[yellow]{escape(str(exc))}[/yellow]")
        return
    out.print(f"[bold]Run:[/bold] {result.status}: {escape(result.message)}")
    out.print(f"[bold cyan]Interviewer:[/bold cyan] {escape(reply)}\n")


def _read_answer(interactive: bool) -> str | None:
    if interactive:
        try:
            return input("You: ")
        except EOFError:
            return None
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")


@app.command("sessions")
def sessions(
    user: Annotated[Optional[str], typer.Option("--user", help="Only this user's sessions.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List saved interview sessions, newest first."""
    from interviewer.store import Store

    store = Store(settings().database)
    rows = store.sessions(user)
    data = [
        {"id": r.id, "user": r.user, "plan": r.plan_id, "role": r.role, "status": r.status,
         "created_at": r.created_at, "turns": len(store.turns(r.id))}
        for r in rows
    ]
    if as_json:
        print(json.dumps(data, indent=2))
        return
    if not data:
        out.print("No sessions yet. Start one with: interviewer chat")
        return
    table = Table()
    for col in ("id", "user", "plan", "role", "status", "turns", "started"):
        table.add_column(col)
    import datetime as dt

    for d in data:
        started = dt.datetime.fromtimestamp(d["created_at"]).strftime("%Y-%m-%d %H:%M")
        table.add_row(d["id"], d["user"], d["plan"], d["role"], d["status"], str(d["turns"]), started)
    out.print(table)


@app.command("report")
def report(
    session_id: Annotated[str, typer.Argument(help="Session id (see `interviewer sessions`).")],
    fmt: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """The score report of a saved session, rebuilt from its stored transcript."""
    from interviewer.report.build import report_for_session
    from interviewer.report.render import REPORT_FORMATS, render

    _check_choice(fmt, REPORT_FORMATS, "--format")
    services = build_services()
    try:
        if _is_assessment(services, session_id):
            text = _assessment_report(services, session_id, fmt)
        else:
            text = render(report_for_session(services.corpus, services.store, session_id), fmt)
    except KeyError as exc:
        err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if output:
        from interviewer.datadir import write_private

        write_private(output, text)  # a transcript with scores: the candidate's eyes only
        out.print(f"Wrote {output}")
    elif fmt == "md" and sys.stdout.isatty():
        out.print(Markdown(text))
    else:
        print(text)


@app.command("score")
def score(
    question: Annotated[Optional[str], typer.Option("--question", help="The question that was asked.")] = None,
    reference: Annotated[Optional[str], typer.Option("--reference", help="A reference answer; its sentences become the key points.")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", help="The answer to score.")] = None,
    answer_file: Annotated[Optional[Path], typer.Option("--answer-file", help="Read the answer from this file.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="JSON lines with question, optional reference, answer.")] = None,
) -> None:
    """Score one answer (or a batch) with the offline judge."""
    from interviewer.interview.engine import MessageTooLong, check_length
    from interviewer.judge.scorer import AnswerScorer

    if batch is None:
        if not question or not question.strip():
            err.print("[red]--question is required (or use --batch FILE)[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
        if (answer is None) == (answer_file is None):
            err.print("[red]Give exactly one of --answer TEXT or --answer-file FILE[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
        if answer_file is not None and not answer_file.is_file():
            err.print(f"[red]--answer-file {answer_file}: no such file[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
    elif not batch.is_file():
        err.print(f"[red]--batch {batch}: no such file[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)

    corpus = load_corpus_or_exit()
    needs_index = reference is None if batch is None else True
    retriever = open_retriever(corpus)[0] if needs_index else None
    scorer = AnswerScorer(corpus, retriever)

    if batch is not None:
        for n, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                check_length(str(row["answer"]))
                result: dict[str, Any] = scorer.score(row["question"], row["answer"], row.get("reference"))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                result = {"line": n, "error": f"line {n}: expected a JSON object with question and answer ({exc})"}
            except MessageTooLong as exc:
                result = {"line": n, "error": f"line {n}: {exc}"}
            print(json.dumps(result), flush=True)
        return
    text = answer if answer is not None else answer_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    try:
        check_length(text)
    except MessageTooLong as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    result = scorer.score(question or "", text, reference)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    out.print(f"Overall [bold]{result['overall']:.2f}[/bold] / 4 ({result['kind']}, judge: {result['judge']})")
    if result["matched_question_id"]:
        out.print(f"Rubric from corpus item {result['matched_question_id']}")
    for c in result["criteria"]:
        out.print(f"- {c['name']}: {c['score'] if c['score'] is not None else 'insufficient evidence'} - {escape(c['rationale'])}")
        for q in c["evidence"]:
            out.print(f'    "{q}"', highlight=False, markup=False)
    for c in result["contradictions"]:
        out.print(f'You said: "{c["quote"]}"', highlight=False, markup=False)
        out.print(f"  What is right: {c['statement']}", highlight=False, markup=False)
    if result["flags"]:
        out.print(f"Flags: {', '.join(result['flags'])}")

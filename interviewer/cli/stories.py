"""`interviewer stories ...`: the story bank in the terminal."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markdown import Markdown
from rich.markup import escape

from interviewer.cli.common import EXIT_BAD_INPUT, build_services, err, out
from interviewer.schemas import LEADERSHIP_PRINCIPLES

app = typer.Typer(help="Your story bank: two strong STAR stories for every Leadership Principle.", no_args_is_help=True)

UserOption = Annotated[Optional[str], typer.Option("--user", help="Whose bank (default: your login name).")]
LpOption = Annotated[Optional[list[str]], typer.Option(
    "--lp", help=f"An LP the story evidences (repeatable), one of: {'; '.join(LEADERSHIP_PRINCIPLES)}.")]


def _bank():  # noqa: ANN202
    from interviewer.stories.bank import StoryBank

    return StoryBank(build_services())


def _user(bank, user: str | None) -> str:  # noqa: ANN001
    return user or bank.services.settings.os_user


def _check_lps(lps: list[str] | None) -> list[str]:
    """The exact names (case and spacing do not matter), or a clear error with the closest one."""
    from interviewer.stories.model import canonical_lp

    try:
        return list(dict.fromkeys(canonical_lp(name) for name in lps or []))
    except ValueError as exc:
        err.print(f"[red]--lp {escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _get(bank, user: str, story_id: str):  # noqa: ANN001, ANN202
    try:
        return bank.get(user, story_id)
    except KeyError as exc:
        err.print(f"[red]{escape(exc.args[0])}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command("add")
def add(
    file: Annotated[Optional[Path], typer.Argument(help="A text file with the story; '-' or none reads standard input.")] = None,
    title: Annotated[str, typer.Option("--title", help="A short name for the story.")] = "",
    lp: LpOption = None,
    user: UserOption = None,
) -> None:
    """Add a story: it is scored like an interview answer, its gaps named, its LPs suggested."""
    from pydantic import ValidationError

    from interviewer.stories.exchange import draft_problems
    from interviewer.stories.model import StoryDraft
    from interviewer.stories.render import story_md

    lps = _check_lps(lp)
    if file is not None and str(file) != "-":
        if not file.is_file():
            err.print(f"[red]{file} is not a file[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
        text = file.read_text(encoding="utf-8", errors="replace")
    else:
        if sys.stdin.isatty():
            err.print("Type or paste the story; end with Ctrl-D on an empty line.")
        text = sys.stdin.read()
    title = title or (text.strip().split(".")[0][:60] if text.strip() else "")
    try:
        draft = StoryDraft(title=title, text=text, lps=lps)
    except ValidationError as exc:
        for problem in draft_problems(exc):
            err.print(f"[red]{escape(str(file or 'standard input'))}: {escape(problem)}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    bank = _bank()
    story = bank.add(_user(bank, user), draft)
    out.print(Markdown(story_md(story)))


@app.command("list")
def list_(user: UserOption = None) -> None:
    """Your stories, with their scores and the LPs they count for."""
    from interviewer.stories.render import stories_table_md

    bank = _bank()
    out.print(Markdown(stories_table_md(bank.stories(_user(bank, user)))))


@app.command("show")
def show(story_id: str, user: UserOption = None) -> None:
    """One story: its scores, its gaps with a fix for each, and the LPs it can evidence."""
    from interviewer.stories.render import story_md

    bank = _bank()
    out.print(Markdown(story_md(_get(bank, _user(bank, user), story_id), matches=8, with_text=True)))


@app.command("map")
def map_(
    story_id: str,
    lp: LpOption = None,
    accept: Annotated[bool, typer.Option("--accept", help="Confirm the suggested LPs.")] = False,
    clear: Annotated[bool, typer.Option("--clear", help="Forget your choice; the suggestion counts again.")] = False,
    user: UserOption = None,
) -> None:
    """Confirm or change the LPs a story counts for (the first is the one it is scored against)."""
    from interviewer.stories.render import story_md

    lps = _check_lps(lp)
    if sum((bool(lps), accept, clear)) != 1:
        err.print("[red]Give exactly one of --lp NAME (repeatable), --accept or --clear.[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    bank = _bank()
    who = _user(bank, user)
    story = _get(bank, who, story_id)
    story = bank.edit(who, story_id, lps=story.suggested if accept else [] if clear else lps)
    out.print(Markdown(story_md(story)))


@app.command("grid")
def grid(user: UserOption = None) -> None:
    """The 16 x 2 coverage grid, stretched stories, near-duplicates, stories told in interviews."""
    from interviewer.stories.render import grid_md

    bank = _bank()
    who = _user(bank, user)
    out.print(Markdown(grid_md(bank.stories(who), bank.coverage(who))))


@app.command("delete")
def delete(
    story_ids: Annotated[Optional[list[str]], typer.Argument(help="The stories to delete.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Delete the whole bank.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    user: UserOption = None,
) -> None:
    """Delete stories for good (their text is overwritten in the database file)."""
    bank = _bank()
    who = _user(bank, user)
    ids = [s.id for s in bank.stories(who)] if all_ else list(story_ids or [])
    if all_ and not ids:
        out.print("Your bank is empty: nothing to delete.")
        return
    if not ids:
        err.print("[red]Name the stories to delete, or --all.[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    unknown = sorted(set(ids) - {s.id for s in bank.stories(who)})
    if unknown:
        err.print(f"[red]Not in your bank: {', '.join(unknown)}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    if not yes and not typer.confirm(f"Delete {len(ids)} stor{'y' if len(ids) == 1 else 'ies'} for good?"):
        out.print("Nothing deleted.")
        raise typer.Exit(1)
    out.print(f"Deleted {bank.delete(who, ids)} for good.")


@app.command("export")
def export(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here (default: standard output).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md or json (default: from the file name, else md).")] = "",
    user: UserOption = None,
) -> None:
    """Export the bank as Markdown or JSON (import reads both back)."""
    from interviewer.stories.exchange import to_json, to_markdown

    fmt = fmt or ("json" if output is not None and output.suffix.lower() == ".json" else "md")
    if fmt not in ("md", "json"):
        err.print(f"[red]--format {fmt!r}: use md or json[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    bank = _bank()
    stories = bank.stories(_user(bank, user))
    text = to_json(stories) if fmt == "json" else to_markdown(stories)
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"Exported {len(stories)} stories to {output}")


@app.command("import")
def import_(file: Path, user: UserOption = None) -> None:
    """Import stories from a Markdown or JSON export; stories already in the bank are skipped."""
    from interviewer.stories.exchange import StoryImportError, imported_line, read_file

    try:
        drafts = read_file(file)
    except StoryImportError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        err.print(f"[red]{len(exc.problems)} problem(s); nothing was imported.[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    bank = _bank()
    added, skipped = bank.import_drafts(_user(bank, user), drafts)
    out.print(imported_line(len(added), skipped))


@app.command("practice")
def practice(
    role: Annotated[str, typer.Option("--role", help="RS or DS.")] = "RS",
    seed: Annotated[Optional[int], typer.Option("--seed")] = None,
    user: UserOption = None,
) -> None:
    """A behavioural drill whose probes come from the LPs where your bank is weakest."""
    from interviewer.cli.interview import run_chat
    from interviewer.interview.engine import Interview

    bank = _bank()
    who = _user(bank, user)
    weakest = bank.coverage(who, with_interviews=False).weakest[:4]
    out.print(f"[dim]Probing your weakest LPs: {escape(', '.join(weakest))}[/dim]")
    interview = Interview.start(bank.services, "behavioral", role.upper(), seed if seed is not None else random.randrange(1_000_000),
                                user=who, lp_focus=weakest)
    run_chat(bank.services, interview)


@app.command("drill")
def drill(story_id: str, role: Annotated[str, typer.Option("--role", help="RS or DS.")] = "RS",
          user: UserOption = None) -> None:
    """Defend one story as a Bar Raiser would probe it: told first, then pushed on its gaps."""
    from interviewer.cli.interview import run_chat
    from interviewer.interview.engine import Interview
    from interviewer.interview.plans import STORY_DRILL
    from interviewer.interview.state import StoryBrief

    bank = _bank()
    who = _user(bank, user)
    story = _get(bank, who, story_id)
    lp = story.counted_for[0] if story.counted_for else "Ownership"
    interview = Interview.start(bank.services, STORY_DRILL, role.upper(), random.randrange(1_000_000), user=who,
                                lp_focus=[lp], story=StoryBrief(id=story.id, title=story.title, lp=lp))
    run_chat(bank.services, interview)

"""The `interviewer` command: the global options, and every command group registered here."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from interviewer.cli import (
    browser,
    corpus,
    database,
    doctor,
    interview,
    run,
    search,
    stories,
)
from interviewer.cli.common import State, settings
from interviewer.config import RedactingFilter

app = typer.Typer(
    help="Mock interviewer for Amazon Research Scientist and Data Scientist interviews.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(corpus.app, name="corpus")
app.add_typer(search.app)
app.add_typer(interview.app)
app.add_typer(run.app)
app.add_typer(browser.app)
app.add_typer(doctor.app)
app.add_typer(stories.app, name="stories")
app.add_typer(database.app, name="db")


@app.callback()
def main(
    corpus: Annotated[
        Optional[list[Path]],
        typer.Option("--corpus", help="Extra folder of your own question files (repeatable); adds to the built-in corpus."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
) -> None:
    State.extra_corpus = list(corpus or [])
    State.settings = None
    level = logging.INFO if verbose else getattr(logging, settings().log_level, logging.WARNING)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if settings().model_mode or settings().database_url:
        # httpx logs each request's URL, credentials in OPENAI_BASE_URL included (and a driver's error may
        # quote the database URL): not on our handler.
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactingFilter(settings()))




def run() -> None:
    """The console script: `app`, with a store that cannot be opened said in one line, not a traceback."""
    from interviewer.cli.common import EXIT_BAD_INPUT, err
    from interviewer.store import StoreError

    try:
        app()
    except StoreError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":  # pragma: no cover
    run()

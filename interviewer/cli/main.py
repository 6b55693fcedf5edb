"""The `interviewer` command: the global options, and every command group registered here."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from interviewer.cli import browser, corpus, doctor, interview, run, search, stories
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
    if settings().model_mode:
        # httpx logs each request's URL, credentials in OPENAI_BASE_URL included: not on our handler.
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactingFilter(settings()))



if __name__ == "__main__":  # pragma: no cover
    app()

"""What every `interviewer` command shares: the consoles, the exit code for bad input, the
settings (with the --corpus folders given on the command line), loading the corpus and opening
the retrieval index with a progress bar."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from interviewer.config import Settings

if TYPE_CHECKING:
    from interviewer.interview.services import Services
from interviewer.corpus.loading import Corpus, CorpusError, load_with_extras

log = logging.getLogger(__name__)

out = Console()
err = Console(stderr=True)

EXIT_BAD_INPUT = 2
OFFLINE_NOTICE = (
    "Offline mode: no model is configured, so the interviewer speaks from templates over the corpus "
    "and the offline judge scores your answers. The report says which judge produced each score."
)


class State:
    extra_corpus: list[Path] = []
    settings: Settings | None = None


def settings() -> Settings:
    if State.settings is None:
        try:
            base = Settings.from_env()
        except ValueError as exc:
            err.print(f"[red]Configuration error: {escape(str(exc))}[/red]")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        State.settings = base.model_copy(update={"extra_corpus_dirs": [*base.extra_corpus_dirs, *State.extra_corpus]})
    return State.settings


def print_problems(problems: CorpusError) -> None:
    # Plain prints: one problem per line, never wrapped to the terminal width.
    for problem in problems.problems:
        print(problem, file=sys.stderr)


def _fail(problems: CorpusError) -> None:
    print_problems(problems)
    err.print(f"[red]{len(problems.problems)} problem(s); nothing was indexed.[/red]")
    raise typer.Exit(EXIT_BAD_INPUT)


def load_corpus_or_exit() -> Corpus:
    s = settings()
    try:
        return load_with_extras(s.corpus_dir, s.extra_corpus_dirs)
    except CorpusError as problems:
        _fail(problems)
        raise  # unreachable: _fail exits


@contextmanager
def embedding_progress() -> Iterator[Any]:
    with Progress(
        TextColumn("Embedding the corpus"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    ) as progress:
        task = progress.add_task("embed", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def open_retriever(corpus: Corpus, rebuild: bool = False):  # noqa: ANN201
    from interviewer.embeddings import get_embedder
    from interviewer.retrieval.index import Retriever, make_client

    s = settings()
    try:
        retriever = Retriever(corpus, get_embedder(), make_client(s), ranker=s.ranker)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red] (INTERVIEWER_RANKER)")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    with embedding_progress() as update:
        status = retriever.ensure_index(rebuild=rebuild, progress=update)
    return retriever, status


def build_services() -> Services:
    """The engine's services for this command: settings, corpus, judge, store (and the model in model mode)."""
    from interviewer.interview.services import Services

    return Services.from_settings(settings(), corpus=load_corpus_or_exit())

"""The `interviewer` command."""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from interviewer.config import Settings
from interviewer.corpus import Corpus, CorpusError, load_with_extras

log = logging.getLogger(__name__)

app = typer.Typer(
    help="Mock interviewer for Amazon Research Scientist and Data Scientist interviews.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
corpus_app = typer.Typer(help="Check and describe the interview corpus.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")

out = Console()
err = Console(stderr=True)

EXIT_BAD_INPUT = 2


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


def _print_problems(problems: CorpusError) -> None:
    # Plain prints: one problem per line, never wrapped to the terminal width.
    for problem in problems.problems:
        print(problem, file=sys.stderr)


def _fail(problems: CorpusError) -> None:
    _print_problems(problems)
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
    from interviewer.retrieval import Retriever, make_client

    s = settings()
    try:
        retriever = Retriever(corpus, get_embedder(), make_client(s), ranker=s.ranker)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red] (INTERVIEWER_RANKER)")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    with embedding_progress() as update:
        status = retriever.ensure_index(rebuild=rebuild, progress=update)
    return retriever, status


# ---- corpus -----------------------------------------------------------------------------


@corpus_app.command("validate")
def corpus_validate(
    path: Annotated[Optional[Path], typer.Argument(help="A corpus folder or file; default: the built-in corpus plus --corpus folders.")] = None,
) -> None:
    """Check corpus files; print one line per problem (file:line: id: field: what is wrong)."""
    from interviewer.corpus import load_corpus

    from interviewer.contrast import CONTRAST_DIR, load_contrast

    s = settings()
    contrast_dir = (s.corpus_dir / CONTRAST_DIR).resolve()
    whole = path is None or path.resolve() == s.corpus_dir.resolve()
    contrast = None
    try:
        if path is None:
            corpus = load_with_extras(s.corpus_dir, s.extra_corpus_dirs)
        elif whole or path.resolve().is_relative_to(contrast_dir):
            corpus = load_with_extras(s.corpus_dir, [])
        elif path.resolve().is_relative_to(s.corpus_dir.resolve()):
            corpus = load_corpus([path])
        else:
            # A user's own files are checked on top of the built-in corpus, so clashing ids show.
            corpus = load_corpus([s.corpus_dir, path])
        if whole or (path is not None and path.resolve().is_relative_to(contrast_dir)):
            # Contrast data describes the built-in questions only; a user's own files need none.
            builtin = corpus if path is not None or not s.extra_corpus_dirs else load_with_extras(s.corpus_dir, [])
            contrast = load_contrast(s.corpus_dir, builtin, complete=whole)
    except CorpusError as problems:
        _print_problems(problems)
        err.print(f"[red]{len(problems.problems)} problem(s) found.[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    out.print(
        f"[green]OK[/green]: {len(corpus.questions)} questions, {len(corpus.lps)} Leadership Principles, "
        f"{len(corpus.competencies)} rubric competencies, {len(corpus.reports)} candidate reports "
        f"in {len(corpus.files)} files."
    )
    if contrast is not None:
        out.print(f"[green]OK[/green]: {contrast.pair_count()} labelled contrast sentences in {len(contrast.files)} files.")


def corpus_counts(corpus: Corpus) -> dict[str, Any]:
    questions = corpus.questions
    pivot_lps: Counter[str] = Counter(lp for q in questions for lp in q.pivot.lps)
    return {
        "by_kind": {
            "questions": len(questions),
            "leadership_principles": len(corpus.lps),
            "lp_probes": sum(len(lp.probes) for lp in corpus.lps),
            "competencies": len(corpus.competencies),
            "candidate_reports": len(corpus.reports),
        },
        "by_round": dict(sorted(Counter(q.round.value for q in questions).items())),
        "by_role": dict(sorted(Counter(r.value for q in questions for r in q.roles).items())),
        "by_difficulty": {str(k): v for k, v in sorted(Counter(q.difficulty for q in questions).items())},
        "by_lp": {lp.name: {"probes": len(lp.probes), "pivots_into": pivot_lps.get(lp.name, 0)} for lp in corpus.lps},
    }


@corpus_app.command("stats")
def corpus_stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Counts by kind, round, role, difficulty and Leadership Principle."""
    counts = corpus_counts(load_corpus_or_exit())
    if as_json:
        out.print_json(json.dumps(counts))
        return
    for title, key in (("Kind", "by_kind"), ("Round", "by_round"), ("Role", "by_role"), ("Difficulty", "by_difficulty")):
        table = Table(title=f"By {title.lower()}")
        table.add_column(title)
        table.add_column("Count", justify="right")
        for name, value in counts[key].items():
            table.add_row(str(name), str(value))
        out.print(table)
    table = Table(title="By Leadership Principle")
    table.add_column("LP")
    table.add_column("Probes", justify="right")
    table.add_column("Technical questions pivoting into it", justify="right")
    for name, value in counts["by_lp"].items():
        table.add_row(name, str(value["probes"]), str(value["pivots_into"]))
    out.print(table)


# ---- index and search -------------------------------------------------------------------


@app.command("index")
def index(rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed even if the corpus is unchanged.")] = False) -> None:
    """Build the retrieval index (only when the corpus or embedding model changed)."""
    corpus = load_corpus_or_exit()
    _, status = open_retriever(corpus, rebuild=rebuild)
    verb = f"Built (embedded {status.embedded} documents)" if status.rebuilt else "Up to date, reused"
    where = f"Chroma server {settings().chroma_host}:{settings().chroma_port}" if settings().server_mode else settings().chroma_dir
    out.print(f"{verb}: " + ", ".join(f"{n} {c}" for n, c in status.counts.items()) + f" ({status.seconds:.1f} s) in {where}")


@app.command("search")
def search(
    query: Annotated[Optional[str], typer.Argument(help="What to look for, in your own words.")] = None,
    round_: Annotated[Optional[str], typer.Option("--round", help="Only this round, e.g. ml_breadth, sql, coding.")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="RS or DS.")] = None,
    difficulty: Annotated[Optional[int], typer.Option("--difficulty", min=1, max=3)] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="Only items tagged with this topic.")] = None,
    lp: Annotated[Optional[str], typer.Option("--lp", help="Only items tied to this Leadership Principle.")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many results.")] = 5,
    collection: Annotated[str, typer.Option("--in", help="questions, lps, reports or all.")] = "questions",
    ranker: Annotated[Optional[str], typer.Option("--ranker", help="hybrid (default), dense or bm25.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="File with one query per line; prints one JSON line each.")] = None,
) -> None:
    """Search the corpus by meaning."""
    from interviewer.retrieval import RANKERS, Filters
    from interviewer.schemas import LEADERSHIP_PRINCIPLES, Role, Round

    if (query is None) == (batch is None):
        err.print("[red]Give either a QUERY or --batch FILE.[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)
    problems = []
    if round_ is not None and round_ not in {r.value for r in Round}:
        problems.append(f"--round {round_!r} is not a round; choose from {', '.join(r.value for r in Round)}")
    if role is not None and role.upper() not in {r.value for r in Role}:
        problems.append(f"--role {role!r} must be RS or DS")
    if lp is not None and lp not in LEADERSHIP_PRINCIPLES:
        problems.append(f"--lp {lp!r} is not a Leadership Principle name (e.g. 'Dive Deep')")
    if collection not in {"questions", "lps", "reports", "all"}:
        problems.append(f"--in {collection!r} must be questions, lps, reports or all")
    if ranker is not None and ranker not in RANKERS:
        problems.append(f"--ranker {ranker!r} must be one of {', '.join(RANKERS)}")
    if batch is not None and not batch.is_file():
        problems.append(f"--batch {batch}: no such file")
    if query is not None and not query.strip():
        problems.append("the search query is empty")
    if problems:
        for p in problems:
            err.print(f"[red]{escape(str(p))}[/red]")
        raise typer.Exit(EXIT_BAD_INPUT)

    corpus = load_corpus_or_exit()
    retriever, _ = open_retriever(corpus)
    filters = Filters(round=round_, role=role.upper() if role else None, difficulty=difficulty, topic=topic, lp=lp)

    def run(q: str) -> list[dict[str, Any]]:
        if collection == "all":
            hits = retriever.search_all(q, k=k, filters=filters)
        else:
            hits = retriever.search(q, collection=collection, k=k, filters=filters, ranker=ranker)
        return [h.model_dump(exclude={"metadata"}) for h in hits]

    if batch is not None:
        for line_no, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            print(json.dumps({"line": line_no, "query": line, "results": run(line)}), flush=True)
        return
    results = run(query or "")
    if as_json:
        print(json.dumps(results, indent=2))
        return
    if not results:
        out.print("No matches. Try fewer filters.")
        return
    table = Table(show_lines=True)
    for col in ("Score", "Id", "Round", "Text"):
        table.add_column(col)
    for r in results:
        table.add_row(f"{r['score']:.3f}", r["id"], r["round"] or "", escape(r["text"]))
    out.print(table)


# The interview commands register themselves on `app`.
from interviewer import cli_interview  # noqa: E402,F401
from interviewer import cli_runner  # noqa: E402,F401
from interviewer import cli_eval  # noqa: E402,F401


if __name__ == "__main__":  # pragma: no cover
    app()

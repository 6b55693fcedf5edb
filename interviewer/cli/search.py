"""`interviewer index` and `interviewer search`: the retrieval index over the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from interviewer.cli.common import (
    EXIT_BAD_INPUT,
    err,
    load_corpus_or_exit,
    open_retriever,
    out,
    settings,
)

app = typer.Typer()


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
    from interviewer.retrieval.index import RANKERS, Filters
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

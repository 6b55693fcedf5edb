"""`interviewer corpus validate` and `interviewer corpus stats`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from interviewer.cli.common import (
    EXIT_BAD_INPUT,
    err,
    load_corpus_or_exit,
    out,
    print_problems,
    settings,
)
from interviewer.corpus.loading import Corpus, CorpusError, load_with_extras

app = typer.Typer(help="Check and describe the interview corpus.", no_args_is_help=True)


@app.command("validate")
def corpus_validate(
    path: Annotated[Optional[Path], typer.Argument(help="A corpus folder or file; default: the built-in corpus plus --corpus folders.")] = None,
) -> None:
    """Check corpus files; print one line per problem (file:line: id: field: what is wrong)."""
    from interviewer.corpus.contrast import CONTRAST_DIR, load_contrast
    from interviewer.corpus.loading import load_corpus

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
        if whole:
            from interviewer.assessment.content import load_assessment

            schemas = {p.stem for p in (s.corpus_dir / "problems" / "sql" / "schemas").glob("*.sql")}
            assessment = load_assessment(s.corpus_dir, {lp.id for lp in corpus.lps}, schemas)
    except CorpusError as problems:
        print_problems(problems)
        err.print(f"[red]{len(problems.problems)} problem(s) found.[/red]")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    out.print(
        f"[green]OK[/green]: {len(corpus.questions)} questions, {len(corpus.lps)} Leadership Principles, "
        f"{len(corpus.competencies)} rubric competencies, {len(corpus.reports)} candidate reports, "
        f"{len(corpus.interviewers)} interviewers and {len(corpus.panel_answers)} answers to candidates' questions "
        f"in {len(corpus.files)} files."
    )
    if contrast is not None:
        out.print(f"[green]OK[/green]: {contrast.pair_count()} labelled contrast sentences in {len(contrast.files)} files.")
    if whole:
        out.print(f"[green]OK[/green]: the online assessment's {len(assessment.mcq)} SQL multiple-choice and "
                  f"{len(assessment.work_style)} work-style items.")


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
            "interviewers": len(corpus.interviewers),
            "panel_answers": len(corpus.panel_answers),
        },
        "by_round": dict(sorted(Counter(q.round.value for q in questions).items())),
        "by_role": dict(sorted(Counter(r.value for q in questions for r in q.roles).items())),
        "by_difficulty": {str(k): v for k, v in sorted(Counter(q.difficulty for q in questions).items())},
        "by_lp": {lp.name: {"probes": len(lp.probes), "pivots_into": pivot_lps.get(lp.name, 0)} for lp in corpus.lps},
    }


@app.command("stats")
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

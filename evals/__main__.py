"""`python -m evals`: simulated candidates measure the interviewer and the judge (evals/quality.py).

Run from a source checkout: the evals/ folder is not part of the installed package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from interviewer.cli.common import EXIT_BAD_INPUT, err, settings


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def eval_command(
    plans: Annotated[Optional[list[str]], typer.Option("--plans", help="plan[:role], comma-separated or repeated, e.g. loop:DS,behavioral.")] = None,
    personas: Annotated[Optional[list[str]], typer.Option("--personas", help="Comma-separated or repeated; default: all.")] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Interviews per plan and persona.")] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Interviews run in parallel.")] = 2,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Where metrics.json, table.md and transcripts go.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON instead of the table.")] = False,
) -> None:
    """Simulated interviews per plan and persona; prints the quality table and writes JSON."""
    from evals.personas import PERSONAS
    from evals.quality import DEFAULT_PLANS, HERE, evaluate
    from interviewer.interview.plans import PLAN_IDS

    plans = _split(plans) or list(DEFAULT_PLANS)
    personas = _split(personas)
    for plan in plans:
        name, _, role = plan.partition(":")
        if name not in PLAN_IDS or role.upper() not in ("", "RS", "DS"):
            err.print(f"[red]--plans {plan!r}: expected PLAN[:RS|DS] with PLAN one of {', '.join(PLAN_IDS)}[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
    for persona in personas or []:
        if persona not in PERSONAS:
            err.print(f"[red]--personas {persona!r} is not one of: {', '.join(PERSONAS)}[/red]")
            raise typer.Exit(EXIT_BAD_INPUT)
    target = out_dir or HERE / "results" / "quality"
    summary, table = evaluate(plans, personas or list(PERSONAS), n, seed, workers, target, settings())
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        # Plain print: a console would wrap the Markdown table at the terminal's width.
        print(table)
        print(f"\nWrote {target / 'metrics.json'}, {target / 'table.md'} and transcripts under {target / 'transcripts'}")


if __name__ == "__main__":
    typer.run(eval_command)

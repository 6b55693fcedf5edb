"""`interviewer db`: where the store is and its schema; `db migrate` brings it up to date before a rollout."""

from __future__ import annotations

import typer

from interviewer.cli.common import out, settings
from interviewer.store import MIGRATIONS, Store

app = typer.Typer(help="The store: SQLite in the data directory, or PostgreSQL (INTERVIEWER_DATABASE_URL).",
                  no_args_is_help=True)


@app.command("migrate")
def migrate() -> None:
    """Apply the migrations this release has and the database has not (every process also does at start)."""
    store = Store(settings().database)
    applied = store.applied_migrations()
    out.print(f"Store: {store.where} ({store.dialect})")
    out.print(f"Migrations applied: {len(applied)} of {len(MIGRATIONS)}; the newest is {applied[-1]}.")


@app.command("status")
def status() -> None:
    """Where the store is, and how many sessions and stories it holds (changes nothing)."""
    store = Store(settings().database, migrate=False)
    applied = store.applied_migrations()
    out.print(f"Store: {store.where} ({store.dialect}); migrations: {', '.join(applied) or 'none'}")
    pending = [m.name for m in MIGRATIONS if m.name not in applied]
    if pending:
        out.print(f"Pending: {', '.join(pending)}. Run `interviewer db migrate` (every app process also does at start).")
        return
    counts = store.counts()
    out.print(", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items()))

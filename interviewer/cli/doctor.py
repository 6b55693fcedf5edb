"""`interviewer doctor`: what works with the configured model endpoint, and what to change."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from pydantic import BaseModel
from rich.table import Table

from interviewer.cli.common import out, settings
from interviewer.config import STRUCTURED_OUTPUT_METHODS, Settings
from interviewer.llm import ModelClient, ModelError, redact
from interviewer.prompts import load_prompt
from interviewer.tokens import encoding_for


class _Probe(BaseModel):
    ok: bool
    word: str


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(settings: Settings) -> list[Check]:
    checks: list[Check] = []
    where = settings.shown_base_url
    probe_messages = load_prompt(settings.prompts_dir / "doctor_probe.md").render(word="yes")
    client = ModelClient(settings.model_copy(update={"max_retries": 0}))
    try:
        text = "".join(client.stream(probe_messages))
        checks.append(Check("endpoint and streaming", True, f"{settings.model} at {where} streamed {len(text)} characters"))
    except ModelError as exc:
        checks.append(Check("endpoint and streaming", False, f"{redact(str(exc), settings)}. Check OPENAI_BASE_URL, "
                            "OPENAI_API_KEY and INTERVIEWER_MODEL, and that the server is running."))
        return checks
    working = []
    for method in STRUCTURED_OUTPUT_METHODS:
        probe = ModelClient(settings.model_copy(update={"max_retries": 0, "structured_output": method}))
        try:
            probe.structured(probe_messages, _Probe)
            working.append(method)
            checks.append(Check(f"structured output: {method}", True, "works"))
        except ModelError as exc:
            checks.append(Check(f"structured output: {method}", False, redact(str(exc), settings)[:160]))
    configured = settings.structured_output
    if configured in working:
        checks.append(Check("INTERVIEWER_STRUCTURED_OUTPUT", True, f"{configured} works with this server"))
    elif working:
        checks.append(Check("INTERVIEWER_STRUCTURED_OUTPUT", False, f"{configured} fails here; set INTERVIEWER_STRUCTURED_OUTPUT={working[0]}"))
    else:
        checks.append(Check("INTERVIEWER_STRUCTURED_OUTPUT", False,
                            "no method works; the offline judge will score every answer (the report says so)"))
    checks.append(Check("token counting", True, f"{encoding_for(settings.model).name} for {settings.model}"))
    return checks


app = typer.Typer()


@app.command("doctor")
def doctor() -> None:
    """Check the model endpoint: reachability, streaming, structured output; say what to change."""
    s = settings()
    if not s.model_mode:
        out.print("Offline mode: neither OPENAI_API_KEY nor OPENAI_BASE_URL is set. Everything works without a model; "
                  "set them (see .env.example) to let a model speak and judge.")
        return
    checks = run_checks(s)
    table = Table()
    for col in ("check", "result", "detail"):
        table.add_column(col)
    for c in checks:
        table.add_row(c.name, "[green]ok[/green]" if c.ok else "[red]fails[/red]", c.detail)
    out.print(table)
    # Individual structured-output methods may fail; the configured one is checked on its own line.
    if not all(c.ok for c in checks if not c.name.startswith("structured output:")):
        raise typer.Exit(1)

"""`interviewer doctor`: what works with the configured model endpoint, and what to change.

Bounded: every probe has its own short deadline and the whole check stops within DOCTOR_SECONDS,
whatever the server does. A reply that parses is not enough: a probe counts as working only when
the reply is the one asked for. The server's own error text is shown, and advice is never cut.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import typer
from pydantic import BaseModel, Field
from rich.table import Table

from interviewer.cli.common import out, settings
from interviewer.config import STRUCTURED_OUTPUT_METHODS, Settings
from interviewer.llm import ModelClient, ModelError, redact
from interviewer.prompts import load_prompt
from interviewer.tokens import encoding_for

DOCTOR_SECONDS = 50.0  # the checks; with start-up and loading the corpus, doctor ends within a minute
PROBE_SECONDS = 10.0
JUDGE_CALL_SECONDS = 15.0  # one judge call in doctor; the check set gets what is left, less one call
CAP_PROBE_TOKENS = 16


class _Probe(BaseModel):
    ok: bool
    word: str = Field(max_length=20)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _usable(probe: _Probe, word: str) -> bool:
    return probe.ok is True and probe.word.strip().strip(".\"'").lower() == word


def run_checks(settings: Settings, corpus=None) -> tuple[list[Check], list[str]]:  # noqa: ANN001 - corpus.loading.Corpus
    """The checks, and advice lines (what to change)."""
    started = time.monotonic()
    left = lambda: DOCTOR_SECONDS - (time.monotonic() - started)  # noqa: E731
    checks: list[Check] = []
    advice: list[str] = []
    where = settings.shown_base_url
    quick = settings.model_copy(update={"max_retries": 0, "timeout_seconds": PROBE_SECONDS, "deadline_seconds": PROBE_SECONDS})
    probe_messages = load_prompt(settings.prompts_dir / "doctor_probe.md").render(word="yes")
    client = ModelClient(quick)
    try:
        text = client.text(probe_messages, "probe")
    except ModelError as exc:
        checks.append(Check("endpoint and streaming", False, redact(str(exc), settings)))
        advice.append("Check OPENAI_BASE_URL, OPENAI_API_KEY and INTERVIEWER_MODEL, and that the server is running; "
                      "the line above gives the server's own words where it sent any.")
        return checks, advice
    answered = text.strip().strip(".!\"'").lower() == "yes"
    checks.append(Check("endpoint and streaming", True, f"{settings.model} at {where} streamed a reply in "
                        f"{client.last.seconds:.1f} s" if client.last else "streamed a reply"))
    checks.append(Check("follows a one-word instruction", answered,
                        "replied 'yes' as asked" if answered else f"asked for the single word 'yes', it replied {len(text)} "
                        f"characters ({text[:60]!r}...): expect poor questions from this model"))
    # The cap: asked for a long reply with a tiny cap, the server must stop at it.
    capped = ModelClient(quick.model_copy(update={"completion_caps": {**quick.completion_caps, "probe": CAP_PROBE_TOKENS}}))
    try:
        capped.text([("user", "Write a long essay about the history of statistics.")], "probe")
        record = capped.last
        n = record.completion_tokens if record else 0
        # Counted here (no usage from the server), tokens are only estimated: allow for that.
        honoured = record is not None and n <= (CAP_PROBE_TOKENS + 2 if record.from_server else CAP_PROBE_TOKENS * 1.5 + 2)
        checks.append(Check(f"completion cap ({settings.cap_field})", honoured,
                            f"asked for {CAP_PROBE_TOKENS} tokens at most, got {n}" + ("" if record and record.from_server else " (counted here)")))
        if not honoured:
            other = "max_tokens" if settings.cap_field == "max_completion_tokens" else "max_completion_tokens"
            advice.append(f"The server ignores {settings.cap_field}; set INTERVIEWER_CAP_FIELD={other}. Replies are "
                          "still cut by the client at the length limit.")
    except ModelError as exc:
        checks.append(Check(f"completion cap ({settings.cap_field})", False, redact(str(exc), settings)))
    caps = ", ".join(f"{k} {v}" for k, v in settings.completion_caps.items())
    checks.append(Check("completion caps in force", True, f"{caps} tokens (INTERVIEWER_COMPLETION_CAPS); sent as {settings.cap_field}"))

    usable: list[str] = []
    for method in STRUCTURED_OUTPUT_METHODS:
        if left() < PROBE_SECONDS:
            checks.append(Check(f"structured output: {method}", False, "not tried: doctor's time is up"))
            continue
        try:
            probe = ModelClient(quick).structured(probe_messages, _Probe, "probe", method=method)
        except ModelError as exc:
            checks.append(Check(f"structured output: {method}", False, redact(str(exc), settings)))
            continue
        if _usable(probe, "yes"):
            usable.append(method)
            checks.append(Check(f"structured output: {method}", True, "usable: the object asked for"))
        else:
            checks.append(Check(f"structured output: {method}", False,
                                f"parses but is not the object asked for: {probe.model_dump_json()[:120]}"))
    configured = settings.structured_output
    if configured in usable:
        checks.append(Check("INTERVIEWER_STRUCTURED_OUTPUT", True, f"{configured} gives usable replies here"))
    elif usable:
        checks.append(Check("INTERVIEWER_STRUCTURED_OUTPUT", False, f"{configured} gives no usable reply here"))
        advice.append(f"Set INTERVIEWER_STRUCTURED_OUTPUT={usable[0]}: it is the method that gave usable replies.")
    else:
        checks.append(Check("INTERVIEWER_STRUCTURED_OUTPUT", False, "no method gives usable replies"))
        advice.append("No structured-output method gives usable replies: the offline judge will score every answer, "
                      "and the report says so.")
    checks.append(_judge_check(settings, corpus, usable, left()))
    checks.append(Check("token counting", True, f"{encoding_for(settings.model).name} for {settings.model}"))
    return checks, advice


def _judge_check(settings: Settings, corpus, usable: list[str], budget: float) -> Check:  # noqa: ANN001
    """The model judge's qualification on the graded check set, within what is left of the time."""
    from interviewer.corpus.loading import load_with_extras
    from interviewer.interview.services import QUALIFICATION_FILE, qualification_key
    from interviewer.judge.model import ModelJudge
    from interviewer.judge.qualify import load_cached, qualify, save

    if settings.model_judge == "off":
        return Check("model judge", True, "off (INTERVIEWER_MODEL_JUDGE=off): the offline judge scores")
    judge_settings = settings.model_copy(update={"max_retries": 0, "deadline_seconds": min(settings.deadline_seconds,
                                                                                           JUDGE_CALL_SECONDS)})
    client = ModelClient(judge_settings, settings.judge_model or settings.model, temperature=0.0)
    judge = ModelJudge(client, settings.prompts_dir, fallback=None)  # type: ignore[arg-type] - never falls back here
    key = qualification_key(settings, judge.name)
    cache = settings.home / "cache" / QUALIFICATION_FILE
    result = load_cached(cache, key)
    if result is None:
        if settings.structured_output not in usable:
            return Check("model judge", settings.model_judge == "force",
                         f"not checked: {settings.structured_output} gives no usable reply, so it cannot score")
        corpus = corpus or load_with_extras(settings.corpus_dir, settings.extra_corpus_dirs)
        budget = max(0.0, budget - judge_settings.deadline_seconds - 2)  # the last call may take its whole deadline
        result = qualify(key, judge.name, lambda r, a: judge.model_score(r, a, offline=False), corpus, budget,
                         lambda: judge.last_problem)
        save(cache, result)
    forced = settings.model_judge == "force"
    if result.qualified:
        return Check("model judge", True, f"qualified: {result.reason} ({result.seconds:.0f} s)")
    if not result.complete:
        detail = (f"not qualified within doctor's time: {result.reason}. It is checked again, with more time, at the first "
                  "model-mode start; the offline judge scores until then")
    else:
        detail = f"not qualified: {result.reason}; the offline judge scores instead"
    return Check("model judge", forced, detail + (" (but INTERVIEWER_MODEL_JUDGE=force uses it anyway)" if forced else ""))


app = typer.Typer()


@app.command("doctor")
def doctor() -> None:
    """Check the model endpoint: reachability, streaming, the cap, structured output, the judge."""
    s = settings()
    if not s.model_mode:
        out.print("Offline mode: neither OPENAI_API_KEY nor OPENAI_BASE_URL is set. Everything works without a model; "
                  "set them (see .env.example) to let a model speak and judge.", soft_wrap=True)
        return
    quiet = logging.getLogger("interviewer")
    level = quiet.level
    if s.log_level == "WARNING":
        quiet.setLevel(logging.ERROR)  # each failed probe would also log a warning; the table says it once
    try:
        checks, advice = run_checks(s)
    finally:
        quiet.setLevel(level)
    table = Table()
    for col in ("check", "result"):
        table.add_column(col, no_wrap=True)
    table.add_column("detail", overflow="fold")
    for c in checks:
        table.add_row(c.name, "[green]ok[/green]" if c.ok else "[red]fails[/red]", c.detail)
    out.print(table)
    for line in advice:
        out.print(f"- {line}", soft_wrap=True, markup=False)
    # Single methods and the judge may fail; what the configured setup needs is checked on its own lines.
    needed = ("endpoint and streaming", "INTERVIEWER_STRUCTURED_OUTPUT")
    if not all(c.ok for c in checks if c.name in needed or c.name.startswith("completion cap (")):
        raise typer.Exit(1)

"""Writing a session's report to files, with the model's closing feedback in model mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from interviewer.corpus.loading import Corpus
from interviewer.datadir import private_dir, write_private
from interviewer.llm import ModelClient, ModelError
from interviewer.prompts import fence, load_prompt, new_tag
from interviewer.report.build import report_for_session
from interviewer.report.model import Report
from interviewer.report.render import render
from interviewer.speaker.guard import UtteranceRules, problem
from interviewer.store import Store


def write_reports(corpus: Corpus, store: Store, session_id: str, folder: Path,
                  summarise: Callable[[Report], str | None] | None = None,
                  formats: tuple[str, ...] = ("md", "html", "json")) -> dict[str, Path]:
    """Write the session's report in each format; a finished session gets the model's closing
    feedback once (`summarise`, in model mode), kept with the session."""
    report = report_for_session(corpus, store, session_id)
    if report.finished and report.summary is None and summarise is not None:
        summary = summarise(report)
        if summary:
            store.set_meta(session_id, summary=summary)
            report = report.model_copy(update={"summary": summary})
    private_dir(folder)
    paths = {}
    for fmt in formats:
        # Transcripts and scores: readable by the candidate only.
        paths[fmt] = write_private(folder / f"{session_id}.{fmt}", render(report, fmt))
    return paths


def model_summary(client: ModelClient, prompts_dir: Path, report: Report) -> tuple[str | None, str]:
    """Closing feedback phrased by the model from the finished report, or None and why not (the
    report then says the feedback is missing and why, instead of dropping the section)."""
    prompt = load_prompt(prompts_dir / "report_summary.md")
    tag = new_tag("quote")  # the candidate's own words, fenced as in every other prompt

    def points(items: list) -> str:  # noqa: ANN001 - report Points
        return "\n".join(f"- {p.text}" + (f" {fence(p.quote, 'quote', tag)}" if p.quote else "") for p in items) or "- none"

    messages = prompt.render(
        recommendation=f"{report.verdict} ({report.verdict_note or f'overall {report.overall}; rule: {report.rule}'})",
        strengths=points(report.strengths), development=points(report.development), quote_tag=tag,
    )
    try:
        text = client.text(messages, "summary")
    except ModelError as exc:
        return None, str(exc)
    if client.last is not None and client.last.cut:
        return None, f"the model's feedback was cut ({client.last.cut})"
    if not text:
        return None, "the model returned no text"
    why = problem(text, UtteranceRules(planned="", prompt_texts=prompt.instructions(), needs_question=False, max_chars=3000), complete=True)
    return (None, f"the model's feedback was rejected: {why}") if why else (text, "")

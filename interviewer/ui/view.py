"""Pure formatting for the browser app: transcript to chat messages, progress, LP tally, report
and history tables. Plain data in, plain data out, tested with literal examples.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from interviewer.interview.state import TurnState
from interviewer.report.history import History
from interviewer.report.model import Point, Report
from interviewer.report.render import FLAG_TEXT, debrief_markdown, round_markdown
from interviewer.schemas import Turn
from interviewer.store import LpGuess

_COMMAND_LABELS = {"/hint": "(asked for a hint)", "/skip": "(skipped)", "/end": "(ended the interview)"}


def guess_line(guess: LpGuess) -> str:
    mark = "✅ right" if guess.correct else f"❌ not quite: you guessed {guess.guess}"
    return f"That probe was about **{guess.actual}** ({mark})."


def tally(guesses: list[LpGuess]) -> str:
    if not guesses:
        return "LP guesses: none yet."
    right = sum(1 for g in guesses if g.correct)
    return f"LP guesses: {right} of {len(guesses)} right."


def messages(turns: list[Turn], guesses: list[LpGuess] | None = None) -> list[dict[str, Any]]:
    """Chat messages for the transcript, with each LP reveal right after the answer it followed."""
    reveal = {g.turn: g for g in guesses or []}
    out: list[dict[str, Any]] = []
    for t in turns:
        if t.speaker == "interviewer":
            out.append({"role": "assistant", "content": t.text})
            continue
        out.append({"role": "user", "content": _COMMAND_LABELS.get(t.text.strip().lower(), t.text)})
        if t.index in reveal:
            out.append({"role": "assistant", "content": guess_line(reveal[t.index]),
                        "metadata": {"title": "Which LP was this?"}})
    return out


def progress(turn: TurnState) -> str:
    if turn.finished:
        return (f"**{turn.plan_title}**: finished after {turn.minutes} min. "
                "Your report is in the Report tab.")
    lines = [
        f"**{turn.plan_title}**" + (" · Bar Raiser" if turn.bar_raiser else ""),
        f"Round {turn.round_number} of {turn.rounds}: {turn.round_title}",
        f"Question {turn.question_number}" + (f" (about {turn.questions} usually fit this round)" if turn.questions > 1 else ""),
        f"Round time: {turn.round_minutes} of {turn.round_budget_minutes} min",
        f"Interview time: {turn.minutes} of {turn.budget_minutes} min (each answer counts as long as it takes "
        "to say aloud, or the real time if longer)",
    ]
    if turn.over_round_budget:
        lines.append("Over the round's time budget: the interviewer wraps up after this answer.")
    return "  \n".join(lines)


# ---- report tab -------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def report_headline(r: Report) -> str:
    lines = [f"## {r.verdict}", "", *([r.verdict_note, ""] if r.verdict_note else []),
             f"**{r.plan_title}**, session `{r.session_id}`" + ("" if r.finished else " (in progress: a partial report)"),
             "", f"Mean competency score {_fmt(r.overall)} / 4 · judges: {', '.join(r.judges) or 'none'} · mode: {r.mode}", ""]
    if r.offline_judge_note:
        lines += [f"> {r.offline_judge_note}", ""]
    notes = [FLAG_TEXT[f] for f in r.flags if f in FLAG_TEXT]
    if notes:
        lines += [f"Note: {n}" for n in notes] + [""]
    if r.summary:
        lines += ["### Feedback", "", r.summary, ""]
    lines += [f"<small>{r.rule}</small>"]
    return "\n".join(lines)


def score_rows(r: Report) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for kind, rated in (("Competency", r.competencies), ("Leadership Principle", r.lps), ("Round", r.rounds)):
        rows += [[kind, x.name, x.score, x.items, x.anchor] for x in rated]
    return rows


def chart_rows(r: Report) -> list[dict[str, Any]]:
    return [{"name": x.name, "score": x.score, "kind": kind}
            for kind, rated in (("competency", r.competencies), ("LP", r.lps)) for x in rated if x.score is not None]


def _point(p: Point) -> list[str]:
    lines = [f"- {p.text}"]
    if p.quote:
        lines += [f"  > {line}" for line in p.quote.splitlines()]
    if p.better:
        lines.append(f"  **{p.better_label}:** {p.better}")
    return lines


def evidence_markdown(r: Report) -> str:
    lines: list[str] = []
    lines += debrief_markdown(r, heading="###")
    lines += ["### The three things to fix first", ""]
    for p in r.top_fixes:
        lines += _point(p)
    lines += ([] if r.top_fixes else ["- Nothing stood out as a gap in what was assessed."]) + [""]
    for f in r.round_feedback:
        lines += round_markdown(f)
    lines += ["### Practise next", ""]
    for p in r.next_questions:
        lines += [*(f"> {line}" for line in p.text.strip().splitlines()), ""]
    if not r.next_questions:
        lines.append("Nothing specific: try a new format.")
    lines += ["", "### Leadership Principles to prepare stories for", "", ", ".join(r.lps_to_prepare) or "None."]
    return "\n".join(lines)


# ---- history tab ------------------------------------------------------------------------------


def session_rows(h: History) -> list[list[Any]]:
    return [[s.id, dt.datetime.fromtimestamp(s.created_at).strftime("%Y-%m-%d %H:%M"), s.plan_id, s.role, s.status,
             s.turns, s.recommendation or "", s.overall] for s in h.sessions]


def trend_rows(h: History) -> list[dict[str, Any]]:
    # "#01", "#02": an ordered category axis, not a number axis with fractional ticks.
    return [{"session": f"#{p.session:02d}", "score": p.score, "name": f"{p.name} ({p.kind})"} for p in h.trend]


def trend_caption(h: History) -> str:
    finished = len({p.session for p in h.trend})
    if finished < 2:
        return f"Trends need two finished sessions; you have {finished}."
    return f"Scores across your {finished} finished sessions, oldest first."


def stories_markdown(h: History, all_lps: tuple[str, ...]) -> str:
    told = [f"- **{lp}**: {n} stor{'y' if n == 1 else 'ies'}" for lp, n in h.stories.items()]
    missing = [lp for lp in all_lps if lp not in h.stories]
    lines = ["### Stories practised per LP", "", *(told or ["- None yet."]), ""]
    if missing:
        lines += ["### LPs with no practised story yet", "", ", ".join(missing), ""]
    lines += ["### Stories reused across sessions", ""]
    lines += [f"- {r.lp}: sessions `{r.first}` and `{r.second}` ({int(r.overlap * 100)}% shared words)" for r in h.reused] \
        or ["- None: every story so far is distinct."]
    return "\n".join(lines)


def resumable(h: History) -> list[tuple[str, str]]:
    """(label, session id) of unfinished sessions, for the resume picker."""
    return [(f"{s.plan_id} {s.role} · {dt.datetime.fromtimestamp(s.created_at):%Y-%m-%d %H:%M} · {s.turns} turns", s.id)
            for s in h.sessions if s.status != "finished"]

"""Render a Report as Markdown, self-contained HTML (inline SVG chart, no external assets) or JSON."""

from __future__ import annotations

import html

from interviewer.report.model import Assessment, Point, Rated, Report, RoundFeedback

REPORT_FORMATS = ("md", "html", "json")


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2)
    if fmt == "md":
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(REPORT_FORMATS)}")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


# What each flag means to the candidate; flags not listed here stay in the JSON only.
FLAG_TEXT = {
    "injection_attempt": "An answer addressed the grader instead of the question; it was ignored and cost a point.",
    "injection_suspected": "The model judge suspected an answer of addressing the grader (no point was taken).",
    "contradiction": "At least one statement contradicted a key point: each is shown with \"What is right\" beside it.",
    "keyword_list": "An answer was a list of keywords; only full sentences count as covering a point.",
    "insufficient_evidence": "At least one answer was too short to judge.",
    "unverified_quote_dropped": "A quote the judge gave was not in your words and was left out.",
}
STATUS_TEXT = {
    "answered": "Answered",
    "skipped": "Skipped (counts as 1)",
    "no_answer": "No usable answer before the interviewer moved on (counts as 1)",
    "not_assessed": "Not assessed: the interview ended before you answered (not counted)",
}


def _quoted(text: str, prefix: str = "") -> list[str]:
    """Text as a Markdown block quote, line by line, so a code block in a question stays a block."""
    return [f"{prefix}> {line}".rstrip() for line in text.strip().splitlines()]


def _point_md(p: Point, number: str = "-") -> list[str]:
    lines = [f"{number} {p.text}"]
    if p.quote:
        lines += ["   You said:", *_quoted(p.quote, "   ")]
    if p.better:
        lines.append(f"   {p.better_label}: {p.better}")
    return lines


def to_markdown(r: Report) -> str:
    lines = [f"# Interview report: {r.plan_title}", "", f"Session `{r.session_id}`" + ("" if r.finished else " (unfinished)"), ""]
    lines += [f"## {_verdict_label(r)}: **{r.verdict}**", ""]
    if r.verdict_note:
        lines += [r.verdict_note, ""]
    lines += [f"Overall {_fmt(r.overall)} / 4. {_coverage(r)}", "", f"Score summary rule: {r.rule}", ""]
    if r.offline_judge_note:
        lines += [f"> {r.offline_judge_note}", ""]
    if r.summary:
        lines += ["## Feedback", "", r.summary, ""]
    lines += debrief_markdown(r)
    lines += ["## The three things to fix first", ""]
    for n, p in enumerate(r.top_fixes, start=1):
        lines += _point_md(p, f"{n}.")
    lines += ([] if r.top_fixes else ["Nothing stood out as a gap in what was assessed."]) + [""]
    lines += ["## Round by round", ""]
    for f in r.round_feedback:
        lines += round_markdown(f)
    lines += ["## Scores", ""]
    for title, rows in (("Competencies", r.competencies), ("Leadership Principles", r.lps), ("Rounds", r.rounds)):
        lines += [f"### {title}", "", "| | score | items |", "|---|---|---|"]
        lines += [f"| {x.name} | {_fmt(x.score)} | {x.items} |" for x in rows]
        lines.append("")
    lines += ["## Question by question", ""]
    for item in r.items:
        score = item.score
        lines += [f"### {item.round_title}" + (f" ({item.lp})" if item.lp else ""), "", *_quoted(item.question), ""]
        judge = f" (judge: {score.judge})" if score else ""
        lines.append(f"{STATUS_TEXT[item.status]}; score {_fmt(score.overall if score else None)}{judge}.")
        for c in score.contradictions if score else []:
            lines += ["- You said:", *_quoted(c.quote, "  "), f"  What is right: {c.statement}"]
        if item.missed_key_points and item.status != "not_assessed":
            lines.append("- Key points not covered:")
            lines.extend(f"  - {k}" for k in item.missed_key_points)
        if item.reference_query:
            lines += ["- A reference query:", "", "  ```sql", *[f"  {x}" for x in item.reference_query.splitlines()], "  ```"]
        lines.append("")
    lines += ["## Leadership Principles to prepare stories for", ""]
    lines += [f"- {name}" for name in r.lps_to_prepare] or ["- None: every story asked for held up."]
    lines += ["", "## Practise next", ""]
    for p in r.next_questions:
        lines += [*_quoted(p.text), ""]
    if not r.next_questions:
        lines += ["Nothing specific: try a new format.", ""]
    notes = [FLAG_TEXT[f] for f in r.flags if f in FLAG_TEXT]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    lines += [f"Judges used: {', '.join(r.judges) or 'none'}. Mode: {r.mode}.", ""]
    if r.model_notes:
        lines += ["## Model", ""] + [f"- {n}" for n in r.model_notes] + [""]
    if r.tokens:
        cost = "unknown (no price listed for this model)" if r.cost_usd is None else f"about ${r.cost_usd:.4f}"
        lines += [f"Model usage: {r.tokens.get('calls', 0)} calls, {r.tokens.get('prompt_tokens', 0)} prompt tokens, "
                  f"{r.tokens.get('completion_tokens', 0)} completion tokens; estimated cost {cost}.", ""]
    return "\n".join(lines)


def round_markdown(f: RoundFeedback, heading: str = "###") -> list[str]:
    """One round's feedback (the report file and the browser's Report tab)."""
    lines = [f"{heading} {f.title}: {_fmt(f.score)}{_round_time(f)}", "", "What went well:"]
    for p in f.went_well:
        lines += [f"- {p.text}", *(_quoted(p.quote, "  ") if p.quote else [])]
    lines += ([] if f.went_well else ["- Nothing stood out yet."]) + ["", "What to fix:"]
    for p in f.to_fix:
        lines += _point_md(p)
    lines += ([] if f.to_fix else ["- Nothing found."]) + [""]
    if f.candidate_questions:
        lines += ["Your questions for the interviewer:", *[f"- {q}" for q in f.candidate_questions], ""]
    return lines


def debrief_markdown(r: Report, heading: str = "##") -> list[str]:
    """The debrief: decision, reasons, votes and each interviewer's write-up."""
    d = r.debrief
    if d is None:
        return []
    lines = [f"{heading} Debrief: **{d.decision}**", ""] + [f"- {reason}" for reason in d.reasons] + [""]
    lines += ["| interviewer | round | vote | score | LPs assessed |", "|---|---|---|---|---|"]
    lines += [f"| {_who(a)} | {a.round_title} | {a.vote or 'not assessed'} | {_fmt(a.score)} | "
              f"{', '.join(a.lps_assessed) or '-'} |" for a in d.assessments]
    lines += ["", f"Rule: {d.rule}", "", f"{heading}# What each interviewer wrote", ""]
    for a in d.assessments:
        lines += [f"**{_who(a)}**: {a.written}", ""]
    return lines


def _verdict_label(r: Report) -> str:
    return "Decision" if r.verdict != r.recommendation or r.debrief is not None else "Recommendation"


def _who(a: Assessment) -> str:
    return f"{a.interviewer}, {a.interviewer_title}" if a.interviewer_title else a.interviewer


def _round_time(f: RoundFeedback) -> str:
    return f" ({f.minutes} of {f.planned_minutes} min)" if f.minutes is not None and f.planned_minutes else ""


def _coverage(r: Report) -> str:
    counted = [i for i in r.items if i.status != "not_assessed"]
    left = len(r.items) - len(counted)
    return f"{len(counted)} question(s) assessed" + (f"; {left} not assessed (the interview ended first)." if left else ".")


def _bars(rows: list[Rated]) -> str:
    """A horizontal bar chart of 1-4 scores as inline SVG."""
    scored = [x for x in rows if x.score is not None]
    if not scored:
        return "<p>No scores yet.</p>"
    height = 26 * len(scored) + 10
    parts = [f'<svg class="chart" role="img" aria-label="scores" viewBox="0 0 560 {height}" width="560" height="{height}">']
    for i, x in enumerate(scored):
        y = 5 + 26 * i
        width = 300 * (x.score or 0) / 4
        colour = "#2e7d32" if x.score >= 3 else "#f9a825" if x.score >= 2 else "#c62828"
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{html.escape(x.name[:34])}</text>')
        parts.append(f'<rect x="220" y="{y}" width="{width:.1f}" height="18" fill="{colour}"><title>{x.score:.2f}</title></rect>')
        parts.append(f'<text x="{226 + width:.1f}" y="{y + 14}" font-size="12">{x.score:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(r: Report) -> str:
    e = html.escape
    css = (
        "body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        "blockquote{margin:.3em 0 .3em 1em;color:#555;border-left:3px solid #ccc;padding-left:.6em}"
        ".rec{font-size:1.4em;font-weight:bold}.note{background:#fff8e1;padding:.6em;border-radius:4px}"
        ".question{white-space:pre-wrap;background:#f6f6f6;padding:.5em;border-radius:4px;margin:.3em 0}"
        ".better{color:#1b5e20}"
    )
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>Interview report {e(r.session_id)}</title><style>{css}</style></head><body>"]
    out.append(f"<h1>Interview report: {e(r.plan_title)}</h1><p>Session <code>{e(r.session_id)}</code>{'' if r.finished else ' (unfinished)'}</p>")
    out.append(f"<p class='rec'>{e(_verdict_label(r))}: {e(r.verdict)}</p>"
               + (f"<p>{e(r.verdict_note)}</p>" if r.verdict_note else "")
               + f"<p>Overall {_fmt(r.overall)} / 4. {e(_coverage(r))}</p><p><small>Score summary rule: {e(r.rule)}</small></p>")
    if r.offline_judge_note:
        out.append(f"<p class='note'>{e(r.offline_judge_note)}</p>")
    if r.summary:
        out.append(f"<h2>Feedback</h2><p>{e(r.summary)}</p>")

    def point(p: Point) -> str:
        said = f"<div>You said:</div><blockquote>{e(p.quote)}</blockquote>" if p.quote else ""
        better = f"<div class='better'>{e(p.better_label)}: {e(p.better)}</div>" if p.better else ""
        return f"<li>{e(p.text)}{said}{better}</li>"

    if r.debrief is not None:
        d = r.debrief
        out.append(f"<h2>Debrief: {e(d.decision)}</h2><ul>" + "".join(f"<li>{e(x)}</li>" for x in d.reasons) + "</ul>")
        out.append("<table><tr><th>interviewer</th><th>round</th><th>vote</th><th>score</th><th>LPs assessed</th></tr>"
                   + "".join(f"<tr><td>{e(_who(a))}</td><td>{e(a.round_title)}</td><td>{e(a.vote or 'not assessed')}"
                             f"</td><td>{_fmt(a.score)}</td><td>{e(', '.join(a.lps_assessed) or '-')}</td></tr>"
                             for a in d.assessments) + f"</table><p><small>Rule: {e(d.rule)}</small></p>")
        out.append("<h3>What each interviewer wrote</h3>"
                   + "".join(f"<p><b>{e(_who(a))}</b>: {e(a.written)}</p>" for a in d.assessments))
    out.append("<h2>The three things to fix first</h2><ol>" + "".join(point(p) for p in r.top_fixes) + "</ol>")
    out.append("<h2>Round by round</h2>")
    for f in r.round_feedback:
        out.append(f"<h3>{e(f.title)}: {_fmt(f.score)}{e(_round_time(f))}</h3><p>What went well:</p><ul>")
        out.extend(f"<li>{e(p.text)}" + (f"<blockquote>{e(p.quote)}</blockquote>" if p.quote else "") + "</li>"
                   for p in f.went_well)
        out.append("</ul><p>What to fix:</p><ul>" + "".join(point(p) for p in f.to_fix) + "</ul>")
        if f.candidate_questions:
            out.append("<p>Your questions for the interviewer:</p><ul>"
                       + "".join(f"<li>{e(q)}</li>" for q in f.candidate_questions) + "</ul>")
    out.append("<h2>Competencies</h2>" + _bars(r.competencies))
    out.append("<h2>Leadership Principles</h2>" + _bars(r.lps))
    out.append("<h2>Rounds</h2><table><tr><th>round</th><th>score</th><th>items</th></tr>")
    out.extend(f"<tr><td>{e(x.name)}</td><td>{_fmt(x.score)}</td><td>{x.items}</td></tr>" for x in r.rounds)
    out.append("</table>")
    out.append("<h2>Question by question</h2>")
    for item in r.items:
        s = item.score
        out.append(f"<h3>{e(item.round_title)}{' (' + e(item.lp) + ')' if item.lp else ''}</h3>"
                   f"<div class='question'>{e(item.question)}</div>")
        out.append(f"<p>{e(STATUS_TEXT[item.status])}; score {_fmt(s.overall if s else None)}"
                   f"{' (judge: ' + e(s.judge) + ')' if s else ''}.</p>")
        if s and s.contradictions:
            out.append("<p>What you said, and what is right:</p><ul>" + "".join(
                f"<li><blockquote>{e(c.quote)}</blockquote>What is right: {e(c.statement)}</li>"
                for c in s.contradictions) + "</ul>")
        if item.missed_key_points and item.status != "not_assessed":
            out.append("<p>Key points not covered:</p><ul>" + "".join(f"<li>{e(k)}</li>" for k in item.missed_key_points) + "</ul>")
        if item.reference_query:
            out.append(f"<p>A reference query:</p><pre><code>{e(item.reference_query)}</code></pre>")
    out.append("<h2>Leadership Principles to prepare stories for</h2><ul>"
               + ("".join(f"<li>{e(n)}</li>" for n in r.lps_to_prepare) or "<li>None: every story asked for held up.</li>")
               + "</ul>")
    out.append("<h2>Practise next</h2>" + "".join(f"<div class='question'>{e(p.text)}</div>" for p in r.next_questions))
    notes = [FLAG_TEXT[f] for f in r.flags if f in FLAG_TEXT]
    if notes:
        out.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    out.append(f"<p>Judges used: {e(', '.join(r.judges) or 'none')}. Mode: {e(r.mode)}.</p>")
    if r.model_notes:
        out.append("<h2>Model</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in r.model_notes) + "</ul>")
    if r.tokens:
        cost = "unknown" if r.cost_usd is None else f"about ${r.cost_usd:.4f}"
        out.append(f"<p>Model usage: {r.tokens.get('calls', 0)} calls, {r.tokens.get('prompt_tokens', 0)} prompt tokens, "
                   f"{r.tokens.get('completion_tokens', 0)} completion tokens; estimated cost {e(cost)}.</p>")
    out.append("</body></html>")
    return "".join(out)

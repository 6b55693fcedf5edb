"""Render a Report as Markdown, self-contained HTML (inline SVG chart, no external assets) or JSON."""

from __future__ import annotations

import html

from interviewer.report.model import Rated, Report

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


def to_markdown(r: Report) -> str:
    lines = [f"# Interview report: {r.plan_title}", "", f"Session `{r.session_id}`" + ("" if r.finished else " (unfinished)"), ""]
    lines += [f"## Recommendation: **{r.recommendation}**", "", f"Overall {_fmt(r.overall)} / 4.", "", f"Rule: {r.rule}", ""]
    if r.offline_judge_note:
        lines += [f"> {r.offline_judge_note}", ""]
    if r.summary:
        lines += ["## Feedback", "", r.summary, ""]
    lines += [f"Judges used: {', '.join(r.judges) or 'none'}. Mode: {r.mode}.", ""]
    if r.tokens:
        cost = "unknown (no price listed for this model)" if r.cost_usd is None else f"about ${r.cost_usd:.4f}"
        lines += [f"Model usage: {r.tokens.get('calls', 0)} calls, {r.tokens.get('prompt_tokens', 0)} prompt tokens, "
                  f"{r.tokens.get('completion_tokens', 0)} completion tokens; estimated cost {cost}.", ""]
    for title, rows in (("Competencies", r.competencies), ("Leadership Principles", r.lps), ("Rounds", r.rounds)):
        lines += [f"## {title}", "", "| | score | items |", "|---|---|---|"]
        lines += [f"| {x.name} | {_fmt(x.score)} | {x.items} |" for x in rows]
        lines.append("")
    lines += ["## Strengths", ""]
    lines += [f"- {p.text}" + (f"\n  > \"{p.quote}\"" if p.quote else "") for p in r.strengths] or ["- None stood out yet."]
    lines += ["", "## Development areas", ""]
    lines += [f"- {p.text}" + (f"\n  > \"{p.quote}\"" if p.quote else "") for p in r.development] or ["- None found."]
    lines += ["", "## Question by question", ""]
    for item in r.items:
        score = item.score
        judge = f", judge: {score.judge}" if score else ""
        lines.append(f"### {item.round_title}: {item.question}")
        lines.append(f"Status: {item.status}; score {_fmt(score.overall if score else None)}{judge}." + (f" LP: {item.lp}." if item.lp else ""))
        if score:
            for c in score.criteria:
                lines.append(f"- {c.name}: {c.score if c.score is not None else 'insufficient evidence'} - {c.rationale}")
                lines.extend(f"  > \"{q}\"" for q in c.evidence)
        for c in score.contradictions if score else []:
            lines.append(f"- You said: \"{c.quote}\"")
            lines.append(f"  - What is right: {c.statement}")
        if item.missed_key_points:
            lines.append("- Key points missed:")
            lines.extend(f"  - {k}" for k in item.missed_key_points)
        lines.append("")
    lines += ["## Leadership Principles to prepare stories for", ""] + [f"- {name}" for name in r.lps_to_prepare] + [""]
    lines += ["## Practise next", ""] + [f"- `{p.quote}`: {p.text}" for p in r.next_questions] + [""]
    if r.flags:
        lines += [f"Flags: {', '.join(r.flags)}", ""]
    return "\n".join(lines)


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
    )
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>Interview report {e(r.session_id)}</title><style>{css}</style></head><body>"]
    out.append(f"<h1>Interview report: {e(r.plan_title)}</h1><p>Session <code>{e(r.session_id)}</code>{'' if r.finished else ' (unfinished)'}</p>")
    out.append(f"<p class='rec'>Recommendation: {e(r.recommendation)}</p><p>Overall {_fmt(r.overall)} / 4</p><p><small>Rule: {e(r.rule)}</small></p>")
    if r.offline_judge_note:
        out.append(f"<p class='note'>{e(r.offline_judge_note)}</p>")
    if r.summary:
        out.append(f"<h2>Feedback</h2><p>{e(r.summary)}</p>")
    out.append(f"<p>Judges used: {e(', '.join(r.judges) or 'none')}. Mode: {e(r.mode)}.</p>")
    if r.tokens:
        cost = "unknown" if r.cost_usd is None else f"about ${r.cost_usd:.4f}"
        out.append(f"<p>Model usage: {r.tokens.get('calls', 0)} calls, {r.tokens.get('prompt_tokens', 0)} prompt tokens, "
                   f"{r.tokens.get('completion_tokens', 0)} completion tokens; estimated cost {e(cost)}.</p>")
    out.append("<h2>Competencies</h2>" + _bars(r.competencies))
    out.append("<h2>Leadership Principles</h2>" + _bars(r.lps))
    out.append("<h2>Rounds</h2><table><tr><th>round</th><th>score</th><th>items</th></tr>")
    out.extend(f"<tr><td>{e(x.name)}</td><td>{_fmt(x.score)}</td><td>{x.items}</td></tr>" for x in r.rounds)
    out.append("</table>")
    for title, points in (("Strengths", r.strengths), ("Development areas", r.development)):
        out.append(f"<h2>{title}</h2><ul>")
        out.extend(f"<li>{e(p.text)}" + (f"<blockquote>{e(p.quote)}</blockquote>" if p.quote else "") + "</li>" for p in points)
        out.append("</ul>")
    out.append("<h2>Question by question</h2>")
    for item in r.items:
        s = item.score
        out.append(f"<h3>{e(item.round_title)}: {e(item.question)}</h3>")
        out.append(f"<p>Status: {e(item.status)}; score {_fmt(s.overall if s else None)}{', judge: ' + e(s.judge) if s else ''}{'; LP: ' + e(item.lp) if item.lp else ''}</p>")
        if s:
            out.append("<ul>")
            for c in s.criteria:
                quotes = "".join(f"<blockquote>{e(q)}</blockquote>" for q in c.evidence)
                out.append(f"<li><b>{e(c.name)}</b>: {c.score if c.score is not None else 'insufficient evidence'} - {e(c.rationale)}{quotes}</li>")
            out.append("</ul>")
        if s and s.contradictions:
            out.append("<p>What you said, and what is right:</p><ul>" + "".join(
                f"<li><blockquote>{e(c.quote)}</blockquote>What is right: {e(c.statement)}</li>"
                for c in s.contradictions) + "</ul>")
        if item.missed_key_points:
            out.append("<p>Key points missed:</p><ul>" + "".join(f"<li>{e(k)}</li>" for k in item.missed_key_points) + "</ul>")
    out.append("<h2>Leadership Principles to prepare stories for</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in r.lps_to_prepare) + "</ul>")
    out.append("<h2>Practise next</h2><ul>" + "".join(f"<li><code>{e(p.quote or '')}</code> {e(p.text)}</li>" for p in r.next_questions) + "</ul>")
    out.append("</body></html>")
    return "".join(out)

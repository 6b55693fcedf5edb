"""What the candidate sees of the assessment: each item, the countdown, and the report with its
section breakdown, time per item and what to review. Markdown for the terminal, the browser and
the saved report alike."""

from __future__ import annotations

import re

from pydantic import BaseModel

from interviewer.assessment.content import LETTERS
from interviewer.assessment.state import (
    AssessmentState,
    overall_percent,
    section_scores,
)


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 60:02d}:{s % 60:02d}"


def item_text(oa, item_id: str) -> str:  # noqa: ANN001 - an OnlineAssessment
    """The item as shown: its section, its number, the question and its options."""
    state, content = oa.state, oa.content
    s = state.current_section
    assert s is not None
    head = f"**{s.title}**: item {state.item + 1} of {len(s.items)} (the section has {s.minutes} minutes)"
    if s.key == "sql_mcq":
        m = content.mcq_item(item_id)
        options = "\n\n".join(f"**{LETTERS[i]}.** {_block(o.text)}" for i, o in enumerate(m.options))
        schema = ""
        if m.schema_name:
            ddl = shown_schema((oa.s.problems.schemas_dir / f"{m.schema_name}.sql").read_text(encoding="utf-8"),
                               with_rows=m.kind == "result")
            schema = f"The tables{' and their rows' if m.kind == 'result' else ''}:\n\n```sql\n{ddl}\n```\n\n"
        query = f"```sql\n{m.sql.strip()}\n```\n\n" if m.sql else ""
        return f"{head}\n\n{schema}{m.prompt.strip()}\n\n{query}{options}\n\nChoose one answer."
    if s.key == "work_style":
        w = content.work_item(item_id)
        options = "\n\n".join(f"**{LETTERS[i]}.** {st.text}" for i, st in enumerate(w.statements))
        return (f"{head}\n\n{w.prompt.strip()}\n\n{options}\n\nChoose the statement most like you and the one least "
                "like you.")
    problem = oa.s.problems.coding[item_id]
    question = next((q.question for q in oa.s.corpus.questions if q.id == item_id), "")
    examples = "\n".join(f"- `{problem.function}({', '.join(shown_arg(a, k) for a, k in zip(e.args, problem.args))})` "
                         f"returns `{shown_result(e.expected, problem.returns)}`"
                         for e in problem.examples if e.args is not None)
    return (f"{head}\n\n{question.strip()}\n\n```python\n{problem.signature}:\n    ...\n```\n\n"
            + (f"Examples:\n{examples}\n\n" if examples else "")
            + "Write the function (import what you use, such as pandas or numpy); it runs against hidden tests when "
              "you submit, with credit for each test it passes.")


def shown_schema(sql: str, with_rows: bool) -> str:
    """A schema file as the candidate sees it: without the authors' header notes (they say what
    the seed rows are meant to catch), and without the rows unless the item asks about results."""
    lines = sql.strip().splitlines()
    while lines and (lines[0].startswith("--") or not lines[0].strip()):
        lines.pop(0)
    text = "\n".join(lines)
    if with_rows:
        return text
    return "\n\n".join(m.group(0) for m in re.finditer(r"CREATE TABLE.*?\);", text, re.S | re.I))


def shown_arg(value, kind: str) -> str:  # noqa: ANN001
    """An example argument as the candidate would build it: a `dataframe` argument's column dict
    as pd.DataFrame(...), its date columns parsed, the runner's own keys left out."""
    if kind == "ndarray":
        return f"np.array({value!r})"
    if kind != "dataframe" or not isinstance(value, dict):
        return repr(value)
    dates = set(value.get("__dates__", []))
    cols = ", ".join(f"{k!r}: " + (f"pd.to_datetime({v!r})" if k in dates else repr(v))
                     for k, v in value.items() if not k.startswith("__"))
    index = f", index={value['__index__']!r}" if "__index__" in value else ""
    return f"pd.DataFrame({{{cols}}}{index})"


def shown_result(value, kind: str) -> str:  # noqa: ANN001
    """A `frame` result as a reader would check it: the columns, then the rows."""
    if kind == "frame" and isinstance(value, dict) and "columns" in value and "rows" in value:
        return f"a frame with columns {value['columns']!r} and rows {value['rows']!r}"
    if kind == "frame" and isinstance(value, dict) and "values" in value:
        return f"a Series with index {value.get('index')!r} and values {value['values']!r}"
    return repr(value)


def _block(text: str) -> str:
    text = text.strip()
    return f"\n```sql\n{text}\n```" if "\n" in text or text.upper().startswith(("SELECT", "WITH")) else text


class SectionLine(BaseModel):
    title: str
    points: float
    max_points: float
    minutes_used: float
    minutes: int
    timed_out: bool


class AssessmentReport(BaseModel):
    session_id: str
    role: str
    finished: bool
    percent: float
    sections: list[SectionLine]
    items: list[dict]
    review: list[str]


def build_report(oa) -> AssessmentReport:  # noqa: ANN001
    state: AssessmentState = oa.state
    lines = []
    for s, got, total in section_scores(state):
        used = ((s.ended_at or (s.started_at or 0)) - s.started_at) / 60 if s.started_at else 0.0
        lines.append(SectionLine(title=s.title, points=round(got, 2), max_points=total, minutes_used=round(max(0.0, used), 1),
                                 minutes=s.minutes, timed_out=s.timed_out))
    items = [{"section": r.section, "item": r.item_id, "status": r.status, "points": r.points, "max": r.max_points,
              "seconds": r.seconds, "detail": r.detail} for r in state.results]
    return AssessmentReport(session_id=oa.session_id, role=state.role, finished=state.finished,
                            percent=overall_percent(state), sections=lines, items=items, review=review(oa))


def review(oa) -> list[str]:  # noqa: ANN001
    """What to review: every item that lost points, with the idea behind it."""
    out = []
    for r in oa.state.results:
        if r.points >= r.max_points:
            continue
        if r.section == "sql_mcq":
            m = oa.content.mcq_item(r.item_id)
            chosen = f"you chose {r.response}: {r.detail} " if r.status == "answered" else f"{r.status}. "
            right = m.options[LETTERS.index(m.answer)]
            out.append(f'SQL, {m.topic} (`{m.id}`): "{_short(m.prompt)}" {chosen}The answer is {m.answer}, '
                       f"{_short(right.text, 200)}: {right.why} {m.explanation.strip()}")
        elif r.section == "work_style":
            w = oa.content.work_item(r.item_id)
            lp = next((p.name for p in oa.s.corpus.lps if p.id == w.lp), w.lp)
            out.append(f"Work style, {lp} (`{w.id}`): {r.response or r.status}; {r.detail}. {w.reasoning.strip()}")
        else:
            out.append(f"Coding (`{r.item_id}`): {r.detail or r.status}. Re-run it with `interviewer run-code {r.item_id} FILE` "
                       "until every test passes, then time yourself on a fresh one.")
    return out


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "..."


def report_md(rep: AssessmentReport) -> str:
    lines = [f"# Online assessment ({rep.role}): {rep.percent:.0f}%", "",
             "Auto-graded: SQL answers by their key, code by hidden tests (credit for each test passed), work style "
             "by the statements keyed to each Leadership Principle (2 points an item). The overall figure is the "
             "mean of the sections' percentages: each section weighs the same." + ("" if rep.finished else
                                                                                         " **Not finished yet.**"), "",
             "| section | score | time used |", "|---|---|---|"]
    for s in rep.sections:
        pct = f"{100 * s.points / s.max_points:.0f}%" if s.max_points else "n/a"
        lines.append(f"| {s.title} | {s.points:g} / {s.max_points:g} ({pct}) | {s.minutes_used:g} of {s.minutes} min"
                     + (" (time ran out)" if s.timed_out else "") + " |")
    lines += ["", "## Item by item", "", "| section | item | result | points | seconds |", "|---|---|---|---|---|"]
    lines += [f"| {i['section']} | `{i['item']}` | {i['status']} | {i['points']:g} / {i['max']:g} | {i['seconds']:g} |"
              for i in rep.items]
    lines += ["", "## What to review", ""]
    lines += [f"- {r}" for r in rep.review] or ["- Nothing lost points. Try it again with a new seed, under time."]
    return "\n".join(lines) + "\n"


def write_reports(oa, folder) -> dict[str, str]:  # noqa: ANN001
    """The report as Markdown and JSON files (the candidate's eyes only), kept with the session."""
    from interviewer.datadir import private_dir, write_private

    rep = build_report(oa)
    private_dir(folder)
    paths = {"md": str(write_private(folder / f"{oa.session_id}.md", report_md(rep))),
             "json": str(write_private(folder / f"{oa.session_id}.json", rep.model_dump_json(indent=2)))}
    oa.s.store.set_meta(oa.session_id, reports=paths)
    return paths

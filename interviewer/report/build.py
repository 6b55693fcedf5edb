"""Build the score report from a stored transcript (so any saved session can be re-reported).

Per round and per competency scores, a rating per Leadership Principle probed, a
recommendation on the Strong Hire / Inclined / Not Inclined / Strong No Hire scale with the rule
that produced it, strengths and development areas backed by verbatim quotes, key points missed
per question, LPs to prepare stories for, next practice questions, and which judge scored what.
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from interviewer.corpus.loading import Corpus
from interviewer.interview.state import InterviewState
from interviewer.report import feedback
from interviewer.report.debrief import debrief
from interviewer.report.model import (
    ItemResult,
    Point,
    Rated,
    Report,
    RoundFeedback,
    RoundPeople,
)
from interviewer.schemas import Round, Turn
from interviewer.store import SessionRow, Store

ROUND_COMPETENCY: dict[Round, str] = {
    Round.ML_BREADTH: "scientific_breadth",
    Round.ML_DEPTH: "scientific_depth",
    Round.STATS: "scientific_depth",
    Round.CAUSAL: "scientific_depth",
    Round.PROJECT_DEEP_DIVE: "scientific_depth",
    Round.CODING: "coding",
    Round.SQL: "coding",
    Round.PYTHON_DATA: "coding",
    Round.SCIENCE_APPLICATION: "problem_structuring",
    Round.SYSTEM_DESIGN: "problem_structuring",
}

RECOMMENDATION_RULE = (
    "Strong Hire: mean competency score >= 3.5, no competency below 3.0 and no LP below 3.0. "
    "Inclined: mean >= 2.75 and no competency or LP below 2.0. "
    "Not Inclined: mean >= 2.0. "
    "Strong No Hire: mean below 2.0, or an attempt to instruct the grader."
)


OFFLINE_JUDGE_NOTE = (
    "Scores come from the offline judge, not from a language model. A small model trained for this project "
    "reads each of your sentences against each key point of the question's rubric (states it, contradicts it, "
    "or neither); a sentence classifier finds the STAR parts of a story; curves fitted on graded answers turn "
    "that into 1-4. It checks: which key points you stated, statements that contradict them, reasons and "
    "structure, the STAR parts, concrete numbers, \"I\" versus \"we\", and the LP's signals. It "
    "cannot check: the LP's red flags, a wrong claim about something the rubric does not cover, derivations worked through in "
    "detail, whether a story is true, or the nuance a human interviewer would weigh. Read it as practice "
    "feedback, not a verdict."
)


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def recommend(competencies: list[Rated], lps: list[Rated], flags: set[str]) -> tuple[str, float | None]:
    scored = [c.score for c in competencies if c.score is not None]
    lp_scores = [l.score for l in lps if l.score is not None]
    # A behavioural drill has no technical competency: its LPs carry the verdict (a row of
    # non-answers is then a low score, not "not enough evidence").
    overall = _mean(scored) if scored else _mean(lp_scores)
    if overall is None:
        return "Not enough evidence", None
    if "injection_attempt" in flags or overall < 2.0:
        return "Strong No Hire", overall
    if overall >= 3.5 and min(scored) >= 3.0 and all(s >= 3.0 for s in lp_scores):
        return "Strong Hire", overall
    if overall >= 2.75 and min(scored) >= 2.0 and all(s >= 2.0 for s in lp_scores):
        return "Inclined", overall
    return "Not Inclined", overall


def recommendation_why(competencies: list[Rated], lps: list[Rated], recommendation: str) -> str:
    """The lowest score that kept the summary below the level its mean alone would reach."""
    floor = {"Inclined": 3.0, "Not Inclined": 2.0}.get(recommendation)
    if floor is None:
        return ""
    rated = [(x.score, x.name, kind) for kind, rows in (("competency", competencies), ("Leadership Principle", lps))
             for x in rows if x.score is not None]
    below = sorted(r for r in rated if r[0] < floor)
    if not below:
        return ""
    score, name, kind = below[0]
    return f"{name} scored {score:.2f}, and the rule allows no {kind} below {floor:.1f} at the next level"


def collect_items(corpus: Corpus, state: InterviewState, turns: list[Turn]) -> list[ItemResult]:
    """One result per question or probe asked, scored by the judge's last view of it."""
    questions = {q.id: q for q in corpus.questions}
    lps_by_id = {lp.id: lp for lp in corpus.lps}
    results: dict[str, ItemResult] = {}
    said: dict[str, int] = defaultdict(int)  # candidate messages per item, /end aside
    for turn in turns:
        d = turn.decision
        if turn.speaker == "interviewer" and d is not None and d.item_id and d.item_kind and d.item_id not in results:
            results[d.item_id] = ItemResult(
                item_id=d.item_id, kind=d.item_kind, round_index=d.round_index,
                round_title=state.plan.rounds[d.round_index].title, question=d.text, lp=d.lp, status="no_answer",
            )
        if turn.speaker == "candidate" and turn.item_id in results:
            r = results[turn.item_id]
            if turn.classification != "end":
                said[turn.item_id] += 1
            if turn.score is not None:
                r.score, r.status = turn.score, "answered"
            elif turn.classification == "skip" and r.status != "answered":
                r.status = "skipped"
    open_item = None if state.finished or state.item is None else state.item.item_id
    for r in results.values():
        if r.item_id != open_item:  # never while the candidate can still use it
            r.reference_query = corpus.sql_references.get(r.item_id)
        if r.status == "no_answer" and said[r.item_id] == 0:
            r.status = "not_assessed"  # the interview ended before the candidate said anything to it
        q = questions.get(r.item_id)
        if q is not None:
            missed = r.score.key_points_missed if r.score else list(range(1, len(q.key_points) + 1))
            r.missed_key_points = [q.key_points[i - 1] for i in missed]
        if r.lp is None and r.kind == "lp_probe":
            lp = lps_by_id.get(r.item_id.split(".")[0])
            r.lp = lp.name if lp else None
    return list(results.values())


def _item_value(r: ItemResult) -> float:
    # A skipped question, or one met only with non-answers, counts as the lowest score, as it
    # would in a real loop. Not-assessed items are left out before this is asked.
    return r.score.overall if r.score is not None else 1.0


def assessed(items: list[ItemResult]) -> list[ItemResult]:
    return [r for r in items if r.status != "not_assessed"]


def build_report(corpus: Corpus, session_id: str, state: InterviewState, turns: list[Turn]) -> Report:
    items = collect_items(corpus, state, turns)
    questions = {q.id: q for q in corpus.questions}
    comp_names = {c.id: c for c in corpus.competencies}

    by_comp: dict[str, list[float]] = defaultdict(list)
    by_lp: dict[str, list[float]] = defaultdict(list)
    by_round: dict[int, list[float]] = defaultdict(list)
    flags: set[str] = set()
    for r in assessed(items):
        by_round[r.round_index].append(_item_value(r))
        if r.score:
            flags.update(r.score.flags)
        if r.kind == "technical":
            q = questions.get(r.item_id)
            if q is not None:
                by_comp[ROUND_COMPETENCY[q.round]].append(_item_value(r))
            if r.score:
                structure = next((c.score for c in r.score.criteria if c.name == "structure" and c.score), None)
                if structure:
                    by_comp["communication"].append(float(structure))
        elif r.lp:
            by_lp[r.lp].append(_item_value(r))
            if r.score:
                star = next((c.score for c in r.score.criteria if c.name == "star_structure" and c.score), None)
                if star:
                    by_comp["communication"].append(float(star))

    def anchor(comp_id: str, value: float | None) -> str:
        c = comp_names.get(comp_id)
        return c.levels[int(min(4, max(1, round(value))))] if c and value is not None else ""

    competencies = [
        Rated(id=cid, name=comp_names[cid].name if cid in comp_names else cid, score=_mean(v), items=len(v),
              anchor=anchor(cid, _mean(v)))
        for cid, v in sorted(by_comp.items())
    ]
    lp_ids = {lp.name: lp.id for lp in corpus.lps}
    lps = [
        Rated(id=lp_ids.get(name, name), name=name, score=_mean(v), items=len(v),
              anchor=anchor(f"lp_{lp_ids.get(name, '').replace('-', '_')}", _mean(v)))
        for name, v in sorted(by_lp.items())
    ]
    rounds = [
        Rated(id=str(i), name=state.plan.rounds[i].title, score=_mean(v), items=len(v))
        for i, v in sorted(by_round.items())
    ]
    recommendation, overall = recommend(competencies, lps, flags)

    people = round_people(state, turns)
    strengths, development, round_feedback = _feedback(items, rounds, people)
    # Only where this interview found the story weak or missing: an LP nobody asked about says
    # nothing about the candidate's stories.
    to_prepare = [l.name for l in lps if l.score is not None and l.score < 3.0]
    judges = sorted({r.score.judge for r in items if r.score})
    note = OFFLINE_JUDGE_NOTE if "offline" in judges else None
    return Report(
        session_id=session_id, plan_title=state.plan.title, role=state.plan.role.value, finished=state.finished,
        judges=judges, offline_judge_note=note, rounds=rounds, competencies=competencies, lps=lps, overall=overall,
        recommendation=recommendation, recommendation_why=recommendation_why(competencies, lps, recommendation),
        rule=RECOMMENDATION_RULE, strengths=strengths, development=development,
        top_fixes=development[:3], round_feedback=round_feedback,
        debrief=debrief(state.plan.id, rounds, round_feedback, items, len(state.plan.rounds), people),
        items=items, lps_to_prepare=to_prepare, next_questions=_next_questions(corpus, items, state), flags=sorted(flags),
    )


def round_people(state: InterviewState, turns: list[Turn]) -> dict[int, RoundPeople]:
    """Per round: who introduced themselves, the interview time used, and the candidate's
    questions when invited to ask (the transcript and the state hold all of it)."""
    out: dict[int, RoundPeople] = {}
    for i, seconds in enumerate(state.round_seconds):
        out[i] = RoundPeople(minutes=round(seconds / 60), planned_minutes=state.plan.rounds[i].minutes)
    current: RoundPeople | None = None
    for t in turns:
        d = t.decision
        if t.speaker == "interviewer" and d is not None:
            here = out.setdefault(d.round_index, RoundPeople(planned_minutes=state.plan.rounds[d.round_index].minutes))
            if d.introduction is not None:
                current = RoundPeople(name=d.introduction.name, bar_raiser=d.introduction.bar_raiser,
                                      title=f"{d.introduction.title}, {d.introduction.team}")
            if current is not None and here.name is None:  # one interviewer may run several rounds
                here.name, here.title, here.bar_raiser = current.name, current.title, current.bar_raiser
            if d.action.value == "invite_questions":
                here.invited_questions = True
        elif t.speaker == "candidate" and t.classification == "candidate_question":
            out.setdefault(t.round_index, RoundPeople()).candidate_questions.append(t.text)
    return out


NO_QUESTIONS_FIX = Point(
    text="You had no questions when the interviewer asked for yours.",
    better="Bring two questions about the team's work, for example how they decide what to build or how they "
           "measure a model's success; interviewers read them as curiosity (Learn and Be Curious).",
)


def _feedback(items: list[ItemResult], rounds: list[Rated], people: dict[int, RoundPeople]
              ) -> tuple[list[Point], list[Point], list[RoundFeedback]]:
    """Strengths, fixes (ranked by value) and the same per round."""
    kept = assessed(items)
    good = [x for r in kept for x in feedback.strengths(r)]
    bad = [x for r in kept for x in feedback.fixes(r)]
    per_round = []
    for rated in rounds:
        here = [r for r in kept if r.round_index == int(rated.id)]
        who = people.get(int(rated.id)) or RoundPeople()
        to_fix = feedback.ranked([x for r in here for x in feedback.fixes(r)], 3)
        if who.invited_questions and not who.candidate_questions:
            to_fix.append(NO_QUESTIONS_FIX)
        per_round.append(RoundFeedback(
            title=rated.name, score=rated.score,
            went_well=feedback.ranked([x for r in here for x in feedback.strengths(r)], 2), to_fix=to_fix,
            minutes=who.minutes, planned_minutes=who.planned_minutes, invited_questions=who.invited_questions,
            candidate_questions=who.candidate_questions,
        ))
    return feedback.ranked(good, 5), feedback.ranked(bad, 6), per_round


def _next_questions(corpus: Corpus, items: list[ItemResult], state: InterviewState) -> list[Point]:
    """Unseen corpus questions on the topics of the weakest technical answers."""
    questions = {q.id: q for q in corpus.questions}
    weak = sorted((r for r in assessed(items) if r.kind == "technical" and r.item_id in questions), key=_item_value)[:3]
    asked = set(state.asked)
    out: list[Point] = []
    for r in weak:
        base = questions[r.item_id]
        related = sorted(
            (q for q in corpus.questions if q.id not in asked and q.round == base.round and set(q.topics) & set(base.topics)),
            key=lambda q: (-len(set(q.topics) & set(base.topics)), q.id),
        ) or [q for q in corpus.questions if q.id not in asked and q.round == base.round]
        for q in related[:2]:
            if all(p.quote != q.id for p in out):
                out.append(Point(text=q.question, quote=q.id))
                asked.add(q.id)
    return out


def _reasons(found: list[str]) -> str:
    counts: dict[str, int] = {}
    for reason in found:
        counts[reason] = counts.get(reason, 0) + 1
    return "; ".join(f"{n} {why}" for why, n in counts.items())


def model_notes(events: list, turns: list[Turn]) -> list[str]:  # noqa: ANN001 - store.ModelEvent
    """Who produced what in model mode, and why the offline parts stepped in where they did."""
    notes = []
    spoken = [e.by for e in events if e.part == "speaker"]
    if spoken:
        model = [b for b in spoken if b.startswith("model:")]
        fallback = [b.removeprefix("template (").removesuffix(")") for b in spoken if b.startswith("template (")]
        plain = len(spoken) - len(model) - len(fallback)
        line = f"Interviewer lines: {len(model)} phrased by {model[0] if model else 'the model'}, {plain} by the templates by design"
        notes.append(line + (f", {len(fallback)} by the templates because {_reasons(fallback)}." if fallback else "."))
    scores = [t.score for t in turns if t.speaker == "candidate" and t.score is not None]
    if scores:
        by_model = [s for s in scores if s.judge.startswith("model:")]
        why = [next((f for f in s.flags if f.startswith("model_judge")), "") for s in scores if not s.judge.startswith("model:")]
        names = {"model_judge_not_qualified": "not qualified", "model_judge_rejected": "judgement rejected",
                 "model_judge_failed": "model failed"}
        why = [names.get(w.partition(":")[0], w.partition(":")[0]) + w.partition(":")[1] + w.partition(":")[2]
               for w in why if w]
        line = f"Answers scored: {len(by_model)} by {by_model[0].judge if by_model else 'the model judge'}, {len(scores) - len(by_model)} by the offline judge"
        notes.append(line + (f" ({_reasons(why)})." if why else "."))
    summary = [e.by for e in events if e.part == "summary"]
    if summary:
        notes.append(f"Closing feedback: {summary[-1]}.")
    return notes


def report_for_session(corpus: Corpus, store: Store, session_id: str) -> Report:
    """The report of any stored session, finished or not, with the model's usage and summary."""
    return report_of(corpus, store.session(session_id), store.turns(session_id))


def report_of(corpus: Corpus, row: SessionRow, turns: list[Turn]) -> Report:
    """The report of a stored session already read (History reads each session once)."""
    from interviewer.llm import estimated_cost

    state = InterviewState.model_validate_json(row.state_json)
    report = build_report(corpus, row.id, state, turns)
    if row.meta.summary:
        report = report.model_copy(update={"summary": row.meta.summary})
    usage = row.meta.usage.model_dump() if row.meta.usage else None
    if row.meta.model_events or usage:
        report = report.model_copy(update={"model_notes": model_notes(row.meta.model_events, turns)})
    if usage:
        model = row.meta.model or ""
        report = report.model_copy(update={
            "mode": row.meta.mode or "model", "tokens": usage,
            "cost_usd": estimated_cost(model, usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
        })
    return report

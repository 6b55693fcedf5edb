"""The quality eval: simulated candidates through whole interviews, one table of judge,
interviewer, cost and speed metrics, with the thresholds CI enforces.

Offline personas answer from the labelled answer bank (evals/calibration/answers.yaml), so the
interviews run over the questions the bank can answer, plus every LP. No part of the offline
judge is trained or fitted on that bank (its model learns from corpus/contrast/ and SemEval, its
score map from evals/graded/), so the separation figure is not circular. With a model configured,
personas are played by the model (prompts/candidate_persona.md), the model judge scores once it has
qualified or is forced, and evals/model_figures.py keeps the model's figures apart from its fallbacks'.

    python -m evals.quality --plans loop:RS behavioral:RS --personas strong weak --n 2
    python -m evals ...    (the same, with the options of the command line)
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import metrics as m
from evals import model_figures as mf
from evals.personas import PERSONAS, FromRubric, Persona, reply, targets
from evals.simulate import asked_now
from evals.statistics import percentile
from interviewer.config import Settings
from interviewer.corpus.loading import Corpus, load_with_extras
from interviewer.interview.engine import Interview
from interviewer.interview.plans import Plan
from interviewer.interview.services import Services
from interviewer.report.build import report_for_session
from interviewer.report.render import render

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEFAULT_PLANS = ("loop:RS", "loop:DS", "phone-screen:DS", "behavioral:RS", "bar-raiser:RS")
MAX_TURNS = 300
# Simulated time a candidate turn takes: reading and thinking, then speaking at ~150 words a minute.
TURN_BASE_S, TURN_PER_WORD_S, TURN_MAX_S = 20.0, 0.4, 240.0
# name: (comparison, bound). Enforced by the CI test on a small offline eval.
THRESHOLDS: dict[str, tuple[str, float]] = {
    "separation_auc": (">=", 0.9),
    "evidence_validity": ("==", 1.0),
    "repeated_questions": ("==", 0),
    "stuck_loops": ("==", 0),
    # One per interviewer bug class a candidate noticed (issue 13): each must stay at zero.
    "follow_ups_asking_for_covered": ("==", 0),
    "presupposing_lines": ("==", 0),
    "wrong_class_follow_ups": ("==", 0),
    "duplicate_lps": ("==", 0),
    "code_rounds_without_code": ("==", 0),
    "unassessed_scored": ("==", 0),
    "length_within_20pct": ("==", 1.0),
}


@dataclass
class Result:
    """One simulated interview."""

    plan: str
    role: str
    persona: str
    seed: int
    session_id: str
    turns: list[Any]
    overall: float
    recommendation: str
    turn_ms: list[float] = field(default_factory=list)  # engine time per turn, model time excluded
    model_prompt_tokens: list[int] = field(default_factory=list)
    report_ms: float = 0.0
    stuck: bool = False
    plan_model: Plan | None = None
    unassessed_scored: int = 0
    round_seconds: list[float] = field(default_factory=list)  # interview time per round


class SimClock:
    """Interview time per thread (each interview runs in one worker thread), advanced per turn,
    so the rounds' time budgets are exercised as in a real interview, not by the machine's speed."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self) -> float:
        return getattr(self._local, "now", time.time())

    def start(self) -> None:
        self._local.now = 1_800_000_000.0

    def advance(self, message: str) -> None:
        self._local.now = self() + min(TURN_MAX_S, TURN_BASE_S + TURN_PER_WORD_S * len(message.split()))


def eval_corpus(corpus: Corpus) -> Corpus:
    """The questions the answer bank can answer, and every LP."""
    bank = targets(behavioral=False)
    return Corpus(questions=[q for q in corpus.questions if q.id in bank], lps=corpus.lps,
                  competencies=corpus.competencies, reports=corpus.reports, interviewers=corpus.interviewers,
                  panel_answers=corpus.panel_answers)


def _model_seconds(interview: Interview) -> float:
    clients = [c for c in (interview.client, getattr(interview.judge, "client", None)) if c is not None]
    return sum(c.usage.seconds for c in clients)


WRITES_CODE = ("strong", "average")  # personas that, asked for code, run a correct solution


def run_one(services: Services, persona: Persona | FromRubric, plan: str, role: str, seed: int,
            write_code: bool = False) -> Result:
    """One simulated interview. `write_code`: when the interviewer asks for code, a persona in
    WRITES_CODE runs the problem's reference solution (as a candidate who solved it would)."""
    clock = services.clock if isinstance(services.clock, SimClock) else None
    if clock is not None:
        clock.start()
    # A user per interview: "recent questions to avoid" must not depend on the order runs finish in.
    interview = Interview.start(services, plan, role, seed, user=f"eval-{plan}-{role}-{persona.name}-{seed}")
    turn_ms: list[float] = []
    stuck = True
    for _ in range(MAX_TURNS):
        if interview.finished:
            stuck = False
            break
        last = interview.turns[-1].decision if interview.turns else None
        if write_code and persona.name in WRITES_CODE and last is not None and last.gap == "code":
            problem = services.problem_for(last.item_id or "")
            if problem is not None:
                interview.run_code(problem.reference)
                continue
        message = reply(persona, asked_now(services, interview))
        if clock is not None:
            clock.advance(message)
        model_before = _model_seconds(interview)
        start = time.perf_counter()
        interview.respond(message)
        elapsed = time.perf_counter() - start - (_model_seconds(interview) - model_before)
        turn_ms.append(elapsed * 1000)
    start = time.perf_counter()
    report = report_for_session(services.corpus, services.store, interview.session_id)
    render(report, "html")
    report_ms = (time.perf_counter() - start) * 1000
    sizes = [s for c in (interview.client, getattr(interview.judge, "client", None)) if c is not None
             for s in c.usage.prompt_sizes]
    return Result(plan=plan, role=role, persona=persona.name, seed=seed, session_id=interview.session_id,
                  turns=interview.turns, overall=report.overall or 1.0, recommendation=report.recommendation,
                  turn_ms=turn_ms, model_prompt_tokens=sizes, report_ms=report_ms,
                  stuck=stuck or m.looped(interview.turns), plan_model=interview.state.plan,
                  round_seconds=list(interview.state.round_seconds),
                  unassessed_scored=m.unassessed_scored(report.items))


def make_persona(name: str, services: Services, role: str) -> Persona:
    if services.speaker_client is None:
        return PERSONAS[name]()
    from evals.model_persona import ModelPersona

    return ModelPersona(name, services, role)


def run_all(services: Services, plans: list[str], personas: list[str], n: int, seed: int, workers: int) -> list[Result]:
    jobs = [(plan_role.split(":")[0], (plan_role.split(":") + ["RS"])[1].upper(), persona, seed + i)
            for plan_role in plans for persona in personas for i in range(n)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(lambda j: run_one(services, make_persona(j[2], services, j[1]), j[0], j[1], j[3]), job)
                   for job in jobs]
        return [f.result() for f in futures]


def summarise(services: Services, results: list[Result], with_calibration: bool = True,
              judge_cap: int = mf.CALIBRATION_CAP) -> dict[str, Any]:
    questions = {q.id: q for q in services.corpus.questions}
    by_persona: dict[str, list[float]] = {}
    for r in results:
        by_persona.setdefault(r.persona, []).append(r.overall)
    said, left_out = mf.said_summary(results, {q.id: list(q.key_points) for q in services.corpus.questions})
    # Interviews where the simulated candidate echoed the question are out of the separation figures.
    strong, weak = ([r.overall for r in results if r.persona == p and r.session_id not in left_out]
                    for p in ("strong", "weak"))
    calibration = mf.judge_calibration(services, judge_cap) if with_calibration else None
    valid = total = 0
    relevant = follow_ups = 0
    within = rounds = 0
    pivots: list[int] = []
    for r in results:
        v, t = m.evidence_counts(r.turns)
        valid, total = valid + v, total + t
        rel, fu = m.follow_up_relevance(r.turns, questions)
        relevant, follow_ups = relevant + rel, follow_ups + fu
        plan = r.plan_model
        w, n = m.rounds_within_budget(plan, r.round_seconds, r.turns, grace_s=TURN_MAX_S)
        within, rounds = within + w, rounds + n
        pivots += m.pivots_per_technical_round(plan, r.turns)
    turn_ms = [x for r in results for x in r.turn_ms]
    tokens = [x for r in results for x in r.model_prompt_tokens]
    runnable = {*services.problems.coding, *services.problems.sql}
    no_code = [m.code_rounds_without_code(r.plan_model, r.turns, runnable) for r in results]
    out: dict[str, Any] = {
        "interviews": len(results),
        "turns": len(turn_ms),
        "mode": services.mode,
        "separation_auc": m.roc_auc(strong, weak),
        "separation_gap": (m.mean(strong) - m.mean(weak)) if strong and weak else None,
        "calibration_spearman": calibration["offline"] if calibration else None,
        "calibration": calibration,
        **said,
        **mf.model_summary(services, results),
        "evidence_validity": valid / total if total else None,
        "evidence_quotes": total,
        "pivots_per_technical_round": m.mean(pivots),
        "technical_rounds_with_a_pivot": sum(1 for p in pivots if p > 0) / len(pivots) if pivots else None,
        "follow_up_relevance": relevant / follow_ups if follow_ups else None,
        "follow_ups": follow_ups,
        "repeated_questions": sum(m.repeated_items(r.turns) for r in results),
        "stuck_loops": sum(1 for r in results if r.stuck),
        "follow_ups_asking_for_covered": sum(m.follow_ups_asking_for_covered(r.turns, questions) for r in results),
        "presupposing_lines": sum(m.presupposing_lines(r.turns) for r in results),
        "wrong_class_follow_ups": sum(m.wrong_class_follow_ups(r.turns) for r in results),
        "duplicate_lps": sum(m.duplicate_lps(r.turns) for r in results),
        "code_rounds_without_code": sum(missing for missing, _ in no_code),
        "code_rounds": sum(reached for _, reached in no_code),
        "unassessed_scored": sum(r.unassessed_scored for r in results),
        "rounds_within_budget": within / rounds if rounds else None,
        "turn_ms_p50": percentile(turn_ms, 50),
        "turn_ms_p95": percentile(turn_ms, 95),
        "prompt_tokens_mean": m.mean(tokens),
        "prompt_tokens_max": max(tokens) if tokens else None,
        "report_ms_p50": percentile([r.report_ms for r in results], 50),
        "by_persona": {p: {"mean_overall": round(m.mean(v) or 0, 2), "interviews": len(v),
                           "recommendations": dict(sorted(Counter(r.recommendation for r in results if r.persona == p).items()))}
                       for p, v in sorted(by_persona.items())},
    }
    out["thresholds"] = thresholds(out)
    return out


def thresholds(summary: dict[str, Any]) -> dict[str, Any]:
    return {name: {"rule": f"{op} {bound}", "value": summary.get(name), "pass": _passes(summary.get(name), op, bound)}
            for name, (op, bound) in THRESHOLDS.items()}


def _passes(value: Any, op: str, bound: float) -> bool | None:
    if value is None:
        return None
    return value >= bound if op == ">=" else value == bound


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(s: dict[str, Any]) -> str:
    # Said only when it happened, so the offline table keeps its wording.
    out = f"; {s['separation_left_out']} echoing interviews left out" if s.get("separation_left_out") else ""
    rows = [
        ("Judge", f"separation ROC-AUC (strong vs weak overall{out})", s["separation_auc"], "separation_auc"),
        ("Judge", "separation mean gap (points on 1-4)", s["separation_gap"], None),
        *mf.judge_rows(s),
        ("Judge", f"evidence validity ({s['evidence_quotes']} quotes verbatim)", s["evidence_validity"], "evidence_validity"),
        ("Interviewer", "pivots per technical round", s["pivots_per_technical_round"], None),
        ("Interviewer", "technical rounds with a pivot", s["technical_rounds_with_a_pivot"], None),
        ("Interviewer", f"follow-up relevance, as planned ({s['follow_ups']} follow-ups)", s["follow_up_relevance"], None),
        *mf.interviewer_rows(s),
        ("Interviewer", "repeated questions", s["repeated_questions"], "repeated_questions"),
        ("Interviewer", "stuck loops", s["stuck_loops"], "stuck_loops"),
        ("Interviewer", "rounds closed within budget (turns and interview minutes)", s["rounds_within_budget"], None),
        ("Interviewer", "whole loops lasting their stated length within 20% (length pass)", s["length_within_20pct"],
         "length_within_20pct"),
        ("Interviewer", "interview time over the stated length, mean (length pass)", s.get("length_against_plan"), None),
        ("Interviewer", "follow-ups asking for a point already covered", s["follow_ups_asking_for_covered"],
         "follow_ups_asking_for_covered"),
        ("Interviewer", "lines claiming what the candidate said", s["presupposing_lines"], "presupposing_lines"),
        ("Interviewer", "follow-ups after a non-answer", s["wrong_class_follow_ups"], "wrong_class_follow_ups"),
        ("Interviewer", "an LP probed twice in one interview", s["duplicate_lps"], "duplicate_lps"),
        ("Interviewer", f"code rounds with no run and no request for code ({s['code_rounds']} rounds)",
         s["code_rounds_without_code"], "code_rounds_without_code"),
        ("Report", "unanswered questions scored", s["unassessed_scored"], "unassessed_scored"),
        mf.echo_row(s),
        ("Cost and speed", "engine overhead per turn p50 (ms)", s["turn_ms_p50"], None),
        ("Cost and speed", "engine overhead per turn p95 (ms)", s["turn_ms_p95"], None),
        ("Cost and speed", "prompt tokens per model call, mean", s["prompt_tokens_mean"], None),
        ("Cost and speed", "prompt tokens per model call, max", s["prompt_tokens_max"], None),
        ("Cost and speed", "report generation p50 (ms)", s["report_ms_p50"], None),
    ]
    lines = [f"Quality eval: {s['interviews']} interviews, {s['turns']} turns, mode: {s['mode']}", ""]
    if s.get("judge_qualification"):
        lines += [f"Model judge qualification on the graded check set: {s['judge_qualification']}.", ""]
    lines += ["| area | metric | value | threshold |", "|---|---|---|---|"]
    for area, name, value, key in rows:
        rule = ""
        if key:
            t = s["thresholds"][key]
            rule = f"{t['rule']}: {'pass' if t['pass'] else 'n/a' if t['pass'] is None else 'FAIL'}"
        lines.append(f"| {area} | {name} | {_fmt(value, 1 if 'ms' in name or 'tokens' in name else 3)} | {rule} |")
    lines += ["", "| persona | interviews | mean overall | recommendations |", "|---|---|---|---|"]
    for p, v in s["by_persona"].items():
        recs = ", ".join(f"{k} {n}" for k, n in v["recommendations"].items())
        lines.append(f"| {p} | {v['interviews']} | {v['mean_overall']:.2f} | {recs} |")
    return "\n".join(lines)


def save(results: list[Result], summary: dict[str, Any], table: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    (out / "table.md").write_text(table + "\n", encoding="utf-8")
    folder = out / "transcripts"
    folder.mkdir(exist_ok=True)
    for r in results:
        data = {"plan": r.plan, "role": r.role, "persona": r.persona, "seed": r.seed, "session_id": r.session_id,
                "overall": r.overall, "recommendation": r.recommendation, "stuck": r.stuck,
                "turns": [t.model_dump(mode="json") for t in r.turns]}
        (folder / f"{r.plan}-{r.role}-{r.persona}-{r.seed}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


def build_services(settings: Settings) -> Services:
    corpus = eval_corpus(load_with_extras(settings.corpus_dir, settings.extra_corpus_dirs))
    services = Services.from_settings(settings, corpus=corpus)
    services.clock = SimClock()
    return services


LENGTH_PLANS = ("loop:RS", "loop:DS")
LENGTH_PERSONAS = ("strong", "average", "weak")


def run_lengths(settings: Settings, plans: list[str], personas: list[str], seed: int, workers: int) -> list[Result]:
    """Whole interviews on the whole corpus (the quality pass keeps to the questions the answer
    bank covers, too few to fill a loop), with answers from the rubric where the bank has none
    and code run when asked: how long each interview runs against what its opening promised."""
    services = Services.from_settings(settings)
    services.clock = SimClock()
    key_points = {q.id: q.key_points for q in services.corpus.questions}
    jobs = [(p.split(":")[0], (p.split(":") + ["RS"])[1].upper(), name) for p in plans for name in personas]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(lambda j: run_one(services, FromRubric(PERSONAS[j[2]](), key_points), j[0], j[1], seed,
                                                 write_code=True), job) for job in jobs]
        return [f.result() for f in futures]


def length_summary(results: list[Result]) -> dict[str, Any]:
    ratios = {f"{r.plan}:{r.role}:{r.persona}": round(m.length_against_plan(r.plan_model, r.round_seconds), 3)
              for r in results}
    within, rounds = 0, 0
    for r in results:
        w, n = m.rounds_within_budget(r.plan_model, r.round_seconds, r.turns, grace_s=TURN_MAX_S)
        within, rounds = within + w, rounds + n
    return {
        "length_within_20pct": m.mean([float(abs(v - 1) <= 0.2) for v in ratios.values()]),
        "length_against_plan": m.mean(list(ratios.values())),
        "length_by_interview": ratios,
        "length_rounds_within_budget": within / rounds if rounds else None,
        "length_stuck": sum(1 for r in results if r.stuck),
    }


def evaluate(plans: list[str], personas: list[str], n: int = 1, seed: int = 0, workers: int = 2,
             out: Path | None = None, settings: Settings | None = None, with_calibration: bool = True,
             length_plans: list[str] | tuple[str, ...] = LENGTH_PLANS,
             length_personas: list[str] | tuple[str, ...] = LENGTH_PERSONAS,
             judge_cap: int = mf.CALIBRATION_CAP) -> tuple[dict, str]:
    """Run the eval in a throw-away data directory; returns (metrics, Markdown table). `judge_cap`:
    graded answers the model judge scores for its own calibration (one model call each)."""
    unknown = [p for p in personas if p not in PERSONAS]
    if unknown:
        raise ValueError(f"unknown persona(s) {', '.join(unknown)}; choose from {', '.join(PERSONAS)}")
    with tempfile.TemporaryDirectory() as tmp:
        base = settings or Settings.from_env()
        services = build_services(base.model_copy(update={"home": Path(tmp)}))
        services.warm_up()
        # As at a real model-mode start: the model judge scores only once it qualifies.
        qualification = services.qualify_judge()
        results = run_all(services, plans, personas, n, seed, workers)
        summary = summarise(services, results, with_calibration, judge_cap)
        summary["judge_qualification"] = qualification.reason if qualification is not None else None
        lengths = run_lengths(services.settings, list(length_plans), list(length_personas), seed, workers) \
            if length_plans else []
        summary.update(length_summary(lengths) if lengths else {"length_within_20pct": None})
        summary["thresholds"] = thresholds(summary)
        table = markdown(summary)
        if out is not None:
            save(results, summary, table, out)
    return summary, table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", nargs="+", default=list(DEFAULT_PLANS), help="plan[:role], e.g. loop:DS")
    parser.add_argument("--personas", nargs="+", default=list(PERSONAS))
    parser.add_argument("--n", type=int, default=2, help="interviews per plan and persona")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "quality")
    parser.add_argument("--judge-cap", type=int, default=mf.CALIBRATION_CAP,
                        help="graded answers the model judge scores for its own calibration (model mode)")
    args = parser.parse_args(argv)
    _, table = evaluate(args.plans, args.personas, args.n, args.seed, args.workers, args.out, judge_cap=args.judge_cap)
    print(table)  # noqa: T201 - a command-line tool
    print(f"\nWrote {args.out / 'metrics.json'} and transcripts under {args.out / 'transcripts'}")  # noqa: T201


if __name__ == "__main__":
    main()

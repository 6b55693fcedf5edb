"""Figures of a model-mode eval that the offline figures would hide (evals/quality.py prints them).

In model mode the model judge scores through its gate (judge/model.py) and falls back to the
offline judge when the model has not qualified, fails or is rejected; the model speaker falls back
to the templates the same way. So a figure computed through them may be the fallback's under the
model's name. Here: the model judge's calibration from the answers it scored itself, who scored
the interview answers and who phrased the interviewer's lines, with the reasons for each fallback.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from evals.metrics import echoed_answers, spoken_problems
from interviewer.corpus.loading import load_with_extras
from interviewer.interview.services import Services
from interviewer.schemas import Turn

CALIBRATION_CAP = 24  # graded answers the model judge scores: one model call each, slow on a real server
MIN_FOR_SPEARMAN = 3
TOP = 3  # reasons shown in the table
REASON_CHARS = 120
NEVER_SCORED = "the model judge never scored"
TOO_SHORT = "too short for the model judge (offline judge by design)"
JUDGE_OFF = "the model judge is off (INTERVIEWER_MODEL_JUDGE=off)"


class Simulated(Protocol):
    """One simulated interview as evals/quality.py keeps it (quality.Result)."""

    persona: str
    session_id: str
    turns: list[Turn]


# ---- pure helpers ---------------------------------------------------------------------------


def calibration_sample(rows: list[dict], cap: int) -> list[dict]:
    """At most `cap` rows, the same ones every run: evenly spaced over the rows ordered by grade
    and id, so every grade keeps its share."""
    ordered = sorted(rows, key=lambda r: (r["grade"], r["id"]))
    if cap <= 0 or len(ordered) <= cap:
        return ordered if cap > 0 else []
    return [ordered[i * len(ordered) // cap] for i in range(cap)]


def short_reason(text: str) -> str:
    """One reason, grouped with its kind: counts inside it ("3 of 4 quotes") vary from answer to
    answer, so they become "k of n"; long error messages are cut."""
    text = re.sub(r"\b\d+ of \d+\b", "k of n", " ".join(text.split()))
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS - 3] + "..."


def judge_sources(turns: Iterable[Turn], unflagged: str = TOO_SHORT) -> Counter[str]:
    """Who scored each judged answer: "model", or why the offline judge did (its `model_judge...`
    flag; `unflagged` for an offline score without one). Code runs are scored by their tests."""
    out: Counter[str] = Counter()
    for t in turns:
        if t.speaker != "candidate" or t.score is None or t.classification == "code_run":
            continue
        if t.score.judge.startswith("model:"):
            out["model"] += 1
            continue
        flags = [f for f in t.score.flags if f.startswith("model_judge")]
        out[short_reason(flags[0]) if flags else unflagged] += 1
    return out


def speaker_sources(events: Iterable[Any]) -> Counter[str]:
    """Who phrased each interviewer line, from the session's model events (store.ModelEvent):
    "model", "template" (a line the templates always say) or the reason the model's reply was
    not used ("model reply rejected: ...", "model failed: ...")."""
    out: Counter[str] = Counter()
    for e in events:
        if e.part != "speaker":
            continue
        by = e.by
        if by.startswith("model:"):
            out["model"] += 1
        elif by.startswith("template (") and by.endswith(")"):
            out[short_reason(by[len("template ("):-1])] += 1
        else:
            out["template"] += 1
    return out


def top(counts: dict[str, int], k: int = TOP) -> str:
    """The `k` most frequent reasons, e.g. "model failed: timeout 4; asks no question 1"; a pipe
    would end the Markdown cell."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return "; ".join(f"{r.replace('|', '/')} {n}" for r, n in ranked) or "none"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ---- from the services and the results ---------------------------------------------------------


def judge_calibration(services: Services, cap: int = CALIBRATION_CAP) -> dict[str, Any]:
    """Spearman against the team's grades on the graded test answers, which no judge was trained
    or fitted on (as bench_judge): the offline judge's on all of them; in model mode the model
    judge's own, on a deterministic sample of at most `cap` (its offline fallback never counts),
    with the offline judge's on the same answers for comparison."""
    from evals.fit_scores import rubric_of
    from evals.judge_data import load_graded
    from evals.statistics import spearman
    from interviewer.judge.model import ModelJudge

    full = load_with_extras(services.settings.corpus_dir, [])
    rows = [a for a in load_graded() if a["split"] == "test"]
    judge = services.judge
    offline = judge.fallback if isinstance(judge, ModelJudge) else judge
    offline_scores = {a["id"]: offline.score(rubric_of(a, full), a["answer"]).overall for a in rows}
    out: dict[str, Any] = {
        "offline": _spearman(spearman, [offline_scores[a["id"]] for a in rows], [a["grade"] for a in rows]),
        "answers": len(rows), "model": None,
    }
    if services.speaker_client is None:
        return out
    sample = calibration_sample(rows, cap)
    model: dict[str, Any] = {"judge": getattr(judge, "name", "offline"), "of": len(sample), "cap": cap, "scored": 0,
                             "spearman": None, "offline_same": None, "off": not isinstance(judge, ModelJudge)}
    out["model"] = model
    if not isinstance(judge, ModelJudge):
        return out
    checker = judge.for_session()  # its calls count apart from the interviews'
    scored = [(a, s.overall) for a in sample
              if (s := checker.model_score(rubric_of(a, full), a["answer"], offline=False)) is not None]
    grades = [a["grade"] for a, _ in scored]
    model.update(scored=len(scored), spearman=_spearman(spearman, [s for _, s in scored], grades),
                 offline_same=_spearman(spearman, [offline_scores[a["id"]] for a, _ in scored], grades))
    return out


def _spearman(spearman: Any, scores: list[float], grades: list[int]) -> float | None:
    """None below MIN_FOR_SPEARMAN answers or with a single grade: no order to agree with."""
    return spearman(scores, grades) if len(scores) >= MIN_FOR_SPEARMAN and len(set(grades)) > 1 else None


def said_summary(results: Sequence[Simulated], key_points: dict[str, list[str]]) -> tuple[dict[str, Any], set[str]]:
    """What was said, in both modes: spoken lines against the utterance checks, and simulated
    answers that echo the question; and the session ids of strong or weak interviews with an echo
    (a candidate saying the question back was not playing its part: out of the separation figures)."""
    echoed = {r.session_id: echoed_answers(r.turns) for r in results}  # (echoes, answers)
    left_out = {r.session_id for r in results if r.persona in ("strong", "weak") and echoed[r.session_id][0]}
    spoken = [why for r in results for _, why in spoken_problems(r.turns, key_points)]
    by_persona: Counter[str] = Counter()
    for r in results:
        by_persona[r.persona] += echoed[r.session_id][0]
    return {
        "separation_left_out": len(left_out),
        # The echo persona echoes on purpose: counted apart, not in the total.
        "echoed_answers": sum(echoed[r.session_id][0] for r in results if r.persona != "echo"),
        "simulated_answers": sum(echoed[r.session_id][1] for r in results if r.persona != "echo"),
        "echoes_by_persona": dict(sorted(by_persona.items())),
        "spoken_pass": share(sum(why is None for why in spoken), len(spoken)),
        "spoken_lines": len(spoken),
        "spoken_problems": dict(Counter(why for why in spoken if why)),
    }, left_out


def model_summary(services: Services, results: Sequence[Simulated]) -> dict[str, Any]:
    """Who scored the answers and who phrased the lines (model mode only; None offline)."""
    from interviewer.judge.model import ModelJudge

    if services.speaker_client is None:
        return {"judge_sources": None, "speaker_sources": None}
    unflagged = TOO_SHORT if isinstance(services.judge, ModelJudge) else JUDGE_OFF
    judged: Counter[str] = Counter()
    spoken: Counter[str] = Counter()
    for r in results:
        judged.update(judge_sources(r.turns, unflagged))
        spoken.update(speaker_sources(services.store.session(r.session_id).meta.model_events))
    return {"judge_sources": dict(judged), "speaker_sources": dict(spoken)}


# ---- table rows ----------------------------------------------------------------------------------

Row = tuple[str, str, Any, str | None]  # (area, metric, value, threshold key), as quality.markdown prints them


def judge_rows(s: dict[str, Any]) -> list[Row]:
    """Calibration: one line offline, as before; in model mode the offline judge's and the model
    judge's own apart, then who scored the interview answers."""
    cal = s.get("calibration") or {}
    judged = s.get("judge_sources")
    if judged is None and not cal.get("model"):
        return [("Judge", "calibration Spearman vs graded test answers", s["calibration_spearman"], None)]
    offline = f"calibration Spearman vs graded test answers, offline judge ({cal.get('answers', 'n/a')} answers)"
    rows: list[Row] = [("Judge", offline, s["calibration_spearman"], None), _model_calibration_row(cal.get("model"))]
    if judged is not None:
        total, by_model = sum(judged.values()), judged.get("model", 0)
        what = f"interview answers scored by the model judge ({by_model} of {total}; offline judge {total - by_model})"
        rows.append(("Judge", what, share(by_model, total), None))
        reasons = top({k: v for k, v in judged.items() if k != "model"})
        rows.append(("Judge", "why the offline judge scored instead (top reasons)", reasons, None))
    return rows


def _model_calibration_row(model: dict[str, Any] | None) -> Row:
    """The model judge's own figure, never its fallback's: a number only from answers it scored."""
    name = "calibration Spearman vs graded test answers, model judge's own scores"
    if model is None:
        return ("Judge", name, "n/a (not run)", None)
    if model["off"]:
        return ("Judge", name, JUDGE_OFF, None)
    what = (f"calibration Spearman vs graded test answers, {model['judge']}'s own scores (scored {model['scored']} "
            f"of {model['of']}, a fixed sample of at most {model['cap']}; offline judge on the same "
            f"{model['scored']}: {_fmt(model['offline_same'])})")
    if model["scored"] == 0:
        return ("Judge", what, NEVER_SCORED, None)
    return ("Judge", what, model["spearman"] if model["spearman"] is not None else "n/a (too few scored)", None)


def interviewer_rows(s: dict[str, Any]) -> list[Row]:
    """What was said: the lines against the utterance checks, and who phrased them."""
    checked = (f"spoken questions, follow-ups and pivots that pass the utterance checks ({s['spoken_lines']} lines; "
               f"failing: {top(s.get('spoken_problems') or {})})")
    rows: list[Row] = [("Interviewer", checked, s["spoken_pass"], None)]
    spoken = s.get("speaker_sources")
    who = "interviewer lines phrased by the model / by the templates"
    if spoken is None:
        return [*rows, ("Interviewer", who, "n/a (offline: the templates say every line)", None)]
    by_model, by_design = spoken.get("model", 0), spoken.get("template", 0)
    fallbacks = {k: v for k, v in spoken.items() if k not in ("model", "template")}
    instead = sum(fallbacks.values())
    value = f"{by_model} / {by_design + instead} ({by_design} by design, {instead} in place of a model reply)"
    return [*rows, ("Interviewer", who, value, None),
            ("Interviewer", "why the templates spoke in place of the model (top reasons)", top(fallbacks), None)]


def echo_row(s: dict[str, Any]) -> Row:
    """Echoes by persona; the echo persona, which echoes on purpose, is not in the total."""
    named = ", ".join(f"{p} {n}" for p, n in s["echoes_by_persona"].items() if n and p != "echo") or "none"
    what = ("simulated answers that echo the question (echo persona not counted; strong or weak interviews with "
            f"one are left out of the separation figures: {s['separation_left_out']})")
    return ("Candidates", what, f"{s['echoed_answers']} of {s['simulated_answers']} ({named})", None)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"

"""Whole offline interviews with scripted personas: the behaviour a candidate would notice."""

from __future__ import annotations

from collections import Counter

import pytest

from evals.personas import PERSONAS, targets
from evals.simulate import run_interview
from interviewer.config import Settings
from interviewer.corpus.loading import Corpus
from interviewer.interview.engine import Interview
from interviewer.interview.services import Services
from interviewer.judge.offline import OfflineJudge
from interviewer.judge.rubric import rubric_for_question
from interviewer.judge.text import is_instruction, sentences
from interviewer.report.build import report_for_session
from interviewer.schemas import Action
from interviewer.store import Store

PLANS = [("loop", "RS"), ("loop", "DS"), ("phone-screen", "DS"), ("behavioral", "RS")]


@pytest.fixture(scope="module")
def services(tmp_path_factory, corpus, embedder):
    """The real engine over the questions the answer bank can answer (and every LP)."""
    bank_questions = targets(behavioral=False)
    subset = Corpus(
        questions=[q for q in corpus.questions if q.id in bank_questions], lps=corpus.lps,
        competencies=corpus.competencies, reports=corpus.reports,
    )
    home = tmp_path_factory.mktemp("flow-home")
    settings = Settings.from_env(env={"INTERVIEWER_HOME": str(home)})
    return Services(settings=settings, corpus=subset, judge=OfflineJudge(embedder), store=Store(home / "sessions.db"))


@pytest.fixture(scope="module")
def runs(services):
    out = {}
    for persona in ("strong", "weak", "we_only", "no_result", "no_example", "empty", "gibberish", "echo", "injection"):
        for plan, role in PLANS:
            out[(persona, plan, role)] = run_interview(services, PERSONAS[persona](), plan, role, seed=3)
    return out


def decisions(run):
    return [t.decision for t in run.turns if t.speaker == "candidate" and t.decision]


def overall(services, run) -> float:
    return report_for_session(services.corpus, services.store, run.interview.session_id).overall or 1.0


def test_every_interview_ends_without_getting_stuck(runs):
    for key, run in runs.items():
        assert not run.stuck and run.interview.finished, key
        assert run.turns[-1].decision.action is Action.END, key


def test_no_question_is_ever_repeated(runs):
    for key, run in runs.items():
        asked = [t.decision.item_id for t in run.turns if t.speaker == "interviewer" and t.decision
                 and t.decision.action in (Action.ASK, Action.PIVOT)]
        assert len(asked) == len(set(asked)), key
        # Questions, follow-ups, pivots and alternative scenarios are never said twice.
        # (The request to run the code is procedure, like a hint, and may come once per coding question.)
        texts = [t.decision.text for t in run.turns if t.speaker == "interviewer" and t.decision
                 and t.decision.action in (Action.ASK, Action.FOLLOW_UP, Action.PIVOT, Action.ALTERNATE)
                 and t.decision.gap != "code"]
        repeated = [t for t, n in Counter(texts).items() if n > 1]
        assert not repeated, f"{key}: the interviewer asked the same thing twice: {repeated}"


def test_pivots_happen_in_technical_rounds(runs):
    for persona in ("strong", "weak"):
        for plan, role in PLANS[:3]:
            run = runs[(persona, plan, role)]
            pivot_rounds = {d.round_index for d in decisions(run) if d.action is Action.PIVOT}
            technical_rounds = {i for i, r in enumerate(run.interview.state.plan.rounds) if r.pivots}
            assert technical_rounds and technical_rounds <= pivot_rounds, (persona, plan, role)


def test_follow_ups_target_a_gap_the_judge_found(runs, services):
    checked = 0
    for key, run in runs.items():
        for t in run.turns:
            d = t.decision
            if t.speaker != "candidate" or d is None or d.action is not Action.FOLLOW_UP:
                continue
            if d.gap == "code":  # a coding question answered in words: the code is asked for, once
                assert d.item_id in services.policy.runnable and sum(
                    1 for x in run.turns if x.speaker == "candidate" and x.decision and x.decision.gap == "code"
                    and x.item_id == d.item_id) == 1, key
                continue
            if d.gap == "rerun":  # a failing run explained in words: the fixed code is asked for, once
                assert d.item_id in services.policy.runnable, key
                continue
            if d.gap == "contradiction":
                assert any(c.quote[:40] in d.text for c in t.score.contradictions), key
            elif d.item_kind == "technical":
                q = services.policy.question(d.item_id)
                assert q.follow_ups[d.follow_up_index].key_point in t.score.key_points_missed, key
            else:
                gaps = set(t.score.star_missing) | ({"ownership"} if "we_only" in t.score.flags else set())
                by_name = {c.name: c.score for c in t.score.criteria}
                if (by_name.get("specificity") or 4) <= 2:
                    gaps.add("specificity")
                if (by_name.get("ownership") or 4) <= 2:
                    gaps.add("ownership")
                assert d.gap in gaps, key
            checked += 1
    assert checked >= 20


def test_no_loop_on_no_example(runs):
    for plan, role in PLANS:
        run = runs[("no_example", plan, role)]
        per_item = Counter(d.item_id for d in decisions(run) if d.action is Action.ALTERNATE)
        assert all(n == 1 for n in per_item.values())
        if plan == "behavioral":
            assert per_item, "an LP probe answered with 'no example' gets one alternative scenario"


def test_edge_personas_get_one_reprompt_per_item(runs):
    for persona in ("empty", "gibberish", "echo"):
        run = runs[(persona, "loop", "RS")]
        per_item = Counter(d.item_id for d in decisions(run) if d.action is Action.REPROMPT)
        assert per_item and all(n == 1 for n in per_item.values()), persona
        variants = {d.variant for d in decisions(run) if d.action is Action.REPROMPT}
        assert variants == {persona if persona != "gibberish" else "gibberish"}


def test_strong_beats_weak_by_at_least_one_point(runs, services):
    for plan, role in PLANS:
        strong = overall(services, runs[("strong", plan, role)])
        weak = overall(services, runs[("weak", plan, role)])
        assert strong - weak >= 1.0, (plan, role, strong, weak)


def test_injection_is_not_rewarded(runs, services):
    for plan, role in PLANS:
        run = runs[("injection", plan, role)]
        injected = overall(services, run)
        assert injected < overall(services, runs[("strong", plan, role)]) - 1.0
        # Answer by answer: the same answer without the instructions never scores lower.
        for t in run.turns:
            if t.speaker == "candidate" and t.score and "injection_attempt" in t.score.flags:
                clean = " ".join(s.text for s in sentences(t.text) if not is_instruction(s.text))
                item = services.policy.question(t.item_id)
                rubric = rubric_for_question(item) if item else None
                if rubric is not None:
                    assert t.score.overall <= services.judge.score(rubric, clean).overall
        report = report_for_session(services.corpus, services.store, runs[("injection", plan, role)].interview.session_id)
        assert "injection_attempt" in report.flags and report.recommendation == "Strong No Hire"


def test_we_only_and_no_result_stories_are_probed_and_marked_down(runs, services):
    for persona, gap in (("we_only", "ownership"), ("no_result", "result")):
        run = runs[(persona, "behavioral", "RS")]
        gaps = [d.gap for d in decisions(run) if d.action is Action.FOLLOW_UP]
        assert gap in gaps, (persona, gaps)
        assert overall(services, run) < overall(services, runs[("strong", "behavioral", "RS")])


def test_every_turn_is_committed_with_its_reason(runs, services):
    run = runs[("strong", "loop", "RS")]
    stored = services.store.turns(run.interview.session_id)
    assert [t.text for t in stored] == [t.text for t in run.turns]
    assert all(t.decision and t.decision.reason for t in stored if t.speaker == "candidate")


def test_killing_mid_interview_loses_nothing(services):
    """A fresh Interview object resumes exactly where the stored transcript ends."""
    persona = PERSONAS["strong"]()
    from evals.simulate import asked_now

    first = Interview.start(services, "loop", "RS", seed=9, user="crash")
    for _ in range(4):
        first.respond(persona.answer(asked_now(services, first)))
    before = [t.text for t in first.turns]
    del first  # the process dies here

    resumed = Interview.resume(services, services.store.sessions("crash")[0].id)
    assert [t.text for t in resumed.turns] == before
    reply = resumed.respond(persona.answer(asked_now(services, resumed)))
    assert reply and len(resumed.turns) == len(before) + 2


def test_crash_between_commit_and_reply_is_recovered(services, monkeypatch):
    interview = Interview.start(services, "behavioral", "RS", seed=4, user="crash2")

    def boom(*args, **kwargs):
        raise RuntimeError("killed while speaking")

    monkeypatch.setattr(interview.speaker, "say", boom)
    with pytest.raises(RuntimeError):
        interview.respond("I can't think of an example")
    stored = services.store.turns(interview.session_id)
    assert stored[-1].speaker == "candidate"  # the answer is safe on disk
    monkeypatch.undo()
    resumed = Interview.resume(services, interview.session_id)
    assert resumed.turns[-1].speaker == "interviewer"
    assert resumed.turns[-1].decision.action is Action.ALTERNATE

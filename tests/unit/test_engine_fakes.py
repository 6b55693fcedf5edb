"""The engine on the Judge and Speaker contracts' fakes: whole interviews with no model, no
embedding and no server, so the engine's own behaviour is tested in milliseconds."""

from __future__ import annotations

import pytest

from interviewer.config import Settings
from interviewer.interview.engine import Interview
from interviewer.interview.services import Services
from interviewer.judge.base import Judge
from interviewer.judge.rubric import rubric_for_question
from interviewer.report.build import report_for_session
from interviewer.report.render import render
from interviewer.schemas import Action
from interviewer.speaker.base import Speaker
from interviewer.store import Store
from tests.fakes import FAKE_JUDGE, FakeJudge, FakeSpeaker


@pytest.fixture()
def services(settings: Settings, corpus, tmp_path) -> Services:
    return Services(settings=settings, corpus=corpus, judge=FakeJudge(), store=Store(tmp_path / "sessions.db"),
                    make_speaker=lambda seed, client: FakeSpeaker())


def good_answer(services: Services, interview: Interview) -> str:
    item = interview.state.item
    if item is not None and item.kind == "questions":  # "what questions do you have for me?"
        return "No, thank you, that's all from me."
    q = services.policy.question(item.item_id) if item else None
    if q is None:  # a behavioural probe: the LP's signals, said plainly
        return " ".join(services.policy.lp(item.lp or "").signals)
    return " ".join(rubric_for_question(q).key_points)


def test_the_fakes_keep_the_contracts():
    assert isinstance(FakeJudge(), Judge) and isinstance(FakeSpeaker(), Speaker)


def test_a_whole_interview_runs_on_the_fakes_without_any_model(services, monkeypatch):
    def no_model(*args, **kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr("interviewer.embeddings.Embedder.__init__", no_model)
    monkeypatch.setattr("interviewer.judge.pairs.PairClassifier.load", no_model)
    interview = Interview.start(services, "phone-screen", "RS", seed=4)
    assert interview.last_interviewer_message.startswith("[open] ")
    for _ in range(60):
        if interview.finished:
            break
        reply = interview.respond(good_answer(services, interview))
        assert reply.startswith("[")  # every line came from the fake speaker
    assert interview.finished
    assert services.judge.scored, "the judge scored no answer"
    scores = [t.score for t in services.store.turns(interview.session_id) if t.score is not None]
    assert scores and {s.judge for s in scores} == {FAKE_JUDGE}
    row = services.store.session(interview.session_id)
    assert row.meta.judge == FAKE_JUDGE and row.meta.speaker == "fake-speaker"
    report = report_for_session(services.corpus, services.store, interview.session_id)
    assert report.debrief is not None and report.debrief.decision in ("Advance to the loop", "Do not advance")
    # One interviewer runs a screen: the one who introduced themselves at the start.
    intro = interview.turns[0].decision.introduction
    assert intro is not None and [a.interviewer for a in report.debrief.assessments] == [intro.name]
    assert f"## Debrief: **{report.debrief.decision}**" in render(report, "md")


def test_the_report_ranks_a_good_candidate_above_a_silent_one(services):
    def play(answer) -> float:
        interview = Interview.start(services, "ml-breadth", "RS", seed=2)
        for _ in range(40):
            if interview.finished:
                break
            interview.respond(answer(interview))
        return report_for_session(services.corpus, services.store, interview.session_id).overall or 1.0

    good = play(lambda i: good_answer(services, i))
    vague = play(lambda i: "I would look at the data carefully and then decide what to do about it overall.")
    assert good > vague


def test_end_finishes_the_interview_and_says_so_through_the_speaker(services):
    interview = Interview.start(services, "ml-breadth", "RS", seed=1)
    reply = interview.end()
    assert interview.finished and reply.startswith(f"[{Action.END.value}]")
    with pytest.raises(RuntimeError, match="has ended"):
        interview.respond("one more thing")


def test_a_browser_turn_reads_nothing_back_from_the_store(services, monkeypatch):
    from interviewer.ui.controller import Controller, SetupChoice

    ctl = Controller(services)
    screen = ctl.start("u1", SetupChoice(role="RS", plan_id="behavioral", seed=3, guess_lp=True))
    reads = []
    for name in ("session", "sessions", "turns"):
        real = getattr(services.store, name)
        monkeypatch.setattr(services.store, name, lambda *a, _real=real, _n=name, **k: reads.append(_n) or _real(*a, **k))
    screens = list(ctl.send("u1", screen.session_id, "In my last role I owned the churn model and fixed its data.",
                            guess="Ownership"))
    assert screens and reads == []
    assert "Round 1 of" in screens[-1].progress and screens[-1].tally.startswith("LP guesses:")


def asked_items(services, interview) -> list[str]:
    return [t.decision.item_id for t in services.store.turns(interview.session_id)
            if t.speaker == "interviewer" and t.decision and t.decision.item_id]


def test_the_same_seed_asks_the_same_questions_and_no_seed_avoids_recent_ones(services):
    def first_question(**kw) -> str:
        interview = Interview.start(services, "ml-breadth", "RS", user="ann", **kw)
        interview.end()
        return asked_items(services, interview)[0]

    seeded = [first_question(seed=11) for _ in range(3)]
    assert len(set(seeded)) == 1  # history avoidance does not apply to a chosen seed
    fresh = first_question(seed=11, avoid_recent=True)
    assert fresh != seeded[0]


def test_end_leaves_the_open_question_not_assessed_while_non_answers_count_against(services):
    interview = Interview.start(services, "ml-breadth", "RS", seed=5)
    interview.respond(good_answer(services, interview))
    for _ in range(6):  # non-answers until the interviewer moves on to another question
        before = interview.state.item.item_id
        interview.respond("I don't know.")
        if interview.state.item.item_id != before:
            break
    interview.end()
    report = report_for_session(services.corpus, services.store, interview.session_id)
    statuses = [i.status for i in report.items]
    assert statuses[0] == "answered" and statuses[1] == "no_answer" and statuses[-1] == "not_assessed", statuses
    counted = [i for i in report.items if i.status != "not_assessed"]
    assert report.rounds[0].items == len(counted)
    assert "not assessed" in render(report, "md")


def test_history_shows_exactly_the_reports_figures(services, tmp_path):
    from interviewer.report.history import history

    interview = Interview.start(services, "ml-breadth", "RS", seed=7, user="hist")
    for _ in range(3):
        interview.respond(good_answer(services, interview))
    interview.end()
    stale = tmp_path / "old.json"
    stale.write_text('{"recommendation": "Strong No Hire", "overall": 1.0}')
    services.store.set_meta(interview.session_id, reports={"json": str(stale)})  # a file from an older release
    report = report_for_session(services.corpus, services.store, interview.session_id)
    (row,) = history(services.corpus, services.store, "hist").sessions
    assert (row.recommendation, row.overall) == (report.recommendation, report.overall)
    assert row.overall is not None and row.overall > 1.0


def test_the_markdown_report_speaks_to_the_candidate(services):
    interview = Interview.start(services, "coding", "RS", seed=2)
    interview.respond("I would loop over the list and keep a dictionary of values I have seen so far.")
    interview.end()
    report = report_for_session(services.corpus, services.store, interview.session_id)
    md = render(report, "md")
    assert "## The three things to fix first" in md and "## Round by round" in md
    assert all(i.item_id not in md for i in report.items)  # no internal ids
    assert "Flags:" not in md and "- coverage:" not in md  # no raw flags or criterion dumps
    question = report.items[0].question
    if "\n" in question:  # a multi-line question keeps its lines (and its code block)
        assert all(f"> {line}".rstrip() in md for line in question.strip().splitlines())


def test_the_warm_up_status_says_what_the_judge_is_doing(services):
    services.judge.ready = False
    assert "first answer loads" in services.warm_status()
    services.warm_stage = "loading"
    assert services.warm_status().startswith("loading the judge's models")
    services.warm_stage = "failed"
    assert "warm-up failed" in services.warm_status()
    services.judge.ready = True
    assert services.warm_status() == "ready"

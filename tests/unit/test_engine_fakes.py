"""The engine on the Judge and Speaker contracts' fakes: whole interviews with no model, no
embedding and no server, so the engine's own behaviour is tested in milliseconds."""

from __future__ import annotations

import pytest

from interviewer.config import Settings
from interviewer.interview.engine import Interview, Services
from interviewer.judge.base import Judge
from interviewer.judge.rubric import rubric_for_question
from interviewer.report.build import report_for_session
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

"""Two controllers on one store stand for two app processes: any of them serves any turn, a cached
interview is read again when the store has moved on, and a session held by another process waits
or says it is busy (the real multi-process test is tests/integration/test_multiprocess.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from interviewer.config import Settings
from interviewer.interview.services import Services
from interviewer.store import Store
from interviewer.ui.controller import Controller, SetupChoice, UserError
from tests.conftest import REPO
from tests.fakes import FakeJudge, FakeSpeaker


@pytest.fixture()
def processes(settings: Settings, corpus) -> tuple[Controller, Controller, Store]:
    def services() -> Services:  # each "process" opens the store itself
        return Services(settings=settings, corpus=corpus, judge=FakeJudge(), store=Store(settings.home / "sessions.db"),
                        make_speaker=lambda seed, client: FakeSpeaker())

    a, b = services(), services()
    return Controller(a), Controller(b), a.store


def last(screens):
    return list(screens)[-1]


def said(screen) -> list[str]:
    return [m["content"] for m in screen.messages if m["role"] == "user"]


def test_turns_alternate_between_processes_and_each_sees_the_others(processes):
    a, b, store = processes
    sid = a.start("ann", SetupChoice(plan_id="stats", seed=3)).session_id
    answers = [f"answer {k}: a t-test, its assumptions and a confidence interval" for k in range(4)]
    for k, answer in enumerate(answers):
        ctl = (b, a)[k % 2]  # b, a, b, a: each process's cache goes stale in between
        screen = last(ctl.send("ann", sid, answer))
        assert said(screen) == answers[: k + 1]
    turns = store.turns(sid)
    assert [t.index for t in turns] == list(range(len(turns)))
    assert [t.text for t in turns if t.speaker == "candidate"] == answers


def test_a_guess_recorded_by_one_process_is_kept_by_the_other(processes):
    a, b, store = processes
    sid = a.start("ann", SetupChoice(plan_id="stats", seed=3)).session_id
    last(b.send("ann", sid, "first answer about the test"))
    store.set_meta(sid, summary="written by another process")  # a meta write moves the version
    last(a.send("ann", sid, "second answer about the test"))
    assert store.session(sid).meta.summary == "written by another process"
    assert len(store.turns(sid)) >= 5


HOLDER = "import sys, time\nfrom interviewer.store import Store\nwith Store(sys.argv[1]).session_lock(sys.argv[2]):\n" \
         "    print('locked', flush=True)\n    time.sleep(60)\n"


def test_a_session_busy_in_another_process_is_said_plainly(processes, settings, monkeypatch):
    a, b, store = processes
    sid = a.start("ann", SetupChoice(plan_id="stats", seed=3)).session_id
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(settings.home / "sessions.db"), sid],
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "locked"
        original = b.s.store.session_lock
        monkeypatch.setattr(b.s.store, "session_lock", lambda session_id: original(session_id, timeout=0.3))
        with pytest.raises(UserError, match="busy with another turn"):
            last(b.send("ann", sid, "an answer while the other process holds the session"))
    finally:
        holder.kill()
        holder.wait()
    assert [t.speaker for t in store.turns(sid)] == ["interviewer"]  # nothing was recorded
    last(b.send("ann", sid, "the same answer once the other process is gone"))
    assert [t.speaker for t in store.turns(sid)][:2] == ["interviewer", "candidate"]


def test_a_stale_tab_does_not_answer_a_question_it_never_saw(processes):
    from interviewer.ui.controller import MOVED_ON

    a, b, store = processes
    start = a.start("ann", SetupChoice(plan_id="stats", seed=3))
    sid, seen = start.session_id, start.turns
    assert seen == len(store.turns(sid)) == 1
    fresh = last(a.send("ann", sid, "tab one answers the first question", seen=seen))  # tab one moves it on
    stale = last(b.send("ann", sid, "tab two answers what it still shows", seen=seen))
    assert stale.keep_answer and stale.notice == MOVED_ON and stale.turns == fresh.turns
    assert said(stale) == ["tab one answers the first question"]  # tab two now shows where it is
    assert [t.text for t in store.turns(sid) if t.speaker == "candidate"] == ["tab one answers the first question"]
    resent = last(b.send("ann", sid, "tab two answers the new question", seen=stale.turns))
    assert not resent.keep_answer and said(resent)[-1] == "tab two answers the new question"
    ended = last(b.send("ann", sid, "/end", seen=seen))  # ending needs no up-to-date screen
    assert ended.finished


def test_the_page_keeps_a_refused_answer_in_the_box(processes):
    from interviewer.ui.handlers import Handlers

    a, _, _ = processes
    handlers = Handlers(a.s)
    browser = handlers.on_start({"browser_id": "t", "session_id": ""}, "DS", "stats", None, False, [], True, None, 3,
                                None)[0]
    moved = list(handlers.on_send(browser, "first answer from this tab", None, None))[-1][0]
    assert moved["turns"] > browser["turns"]
    out = list(handlers.on_send(browser, "an answer from a stale screen", None, None))[-1]
    answer_box = out[-2]
    assert answer_box != "" and out[0]["turns"] == moved["turns"]  # kept, and the screen caught up

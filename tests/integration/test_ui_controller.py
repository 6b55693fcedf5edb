"""The browser app's handlers as plain functions, on the real engine and store."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.interview.services import Services
from interviewer.judge.offline import OfflineJudge
from interviewer.store import Store
from interviewer.ui.controller import Controller, SetupChoice, UserError

STORY = ("In my last role I owned our churn model. I noticed the pipeline silently dropped rows, so I rebuilt the "
         "join myself and added validation checks. As a result recall rose from 0.61 to 0.74 and the team adopted "
         "my checks. I learned to verify data before modelling.")


@pytest.fixture(scope="module")
def services(tmp_path_factory, corpus, embedder) -> Services:
    home = tmp_path_factory.mktemp("ui-home")
    settings = Settings.from_env(env={"INTERVIEWER_HOME": str(home)})
    return Services(settings=settings, corpus=corpus, judge=OfflineJudge(embedder), store=Store(home / "sessions.db"))


@pytest.fixture()
def ctl(services) -> Controller:
    return Controller(services)


def last(iterator):
    screens = list(iterator)
    assert screens, "the handler yielded nothing"
    return screens[-1], screens


def test_start_shows_the_opening_question_and_progress(ctl):
    screen = ctl.start("u1", SetupChoice(role="DS", plan_id="sql", seed=4))
    assert screen.messages[0]["role"] == "assistant" and "SQL drill" in screen.messages[0]["content"]
    assert "Round 1 of 1: SQL drill" in screen.progress and "Question 1 (about 3 usually fit this round)" in screen.progress
    assert screen.code_language == "sql" and not screen.finished


def test_a_turn_streams_and_is_stored(ctl, services):
    screen = ctl.start("u1", SetupChoice(plan_id="ml-breadth", seed=1))
    final, screens = last(ctl.send("u1", screen.session_id, "Bias is error from wrong assumptions; variance is "
                                   "sensitivity to the training sample, and regularisation trades one for the other."))
    assert len(screens) >= 2
    assert screens[0].messages[-1] == {"role": "assistant", "content": "…"}  # the reply is on its way
    assert final.messages[-2]["role"] == "user" and final.messages[-1]["role"] == "assistant"
    stored = services.store.turns(screen.session_id)
    assert [t.speaker for t in stored] == ["interviewer", "candidate", "interviewer"]
    assert final.messages[-1]["content"] == stored[-1].text


def test_lp_guesses_are_revealed_after_the_answer_and_tallied(ctl, services):
    screen = ctl.start("u2", SetupChoice(plan_id="behavioral", seed=2))
    assert screen.lp_guess_open and screen.tally == "LP guesses: none yet."
    live = ctl._live[screen.session_id]
    actual = live.state.item.lp
    # A clarifying question does not use up the guess.
    final, _ = last(ctl.send("u2", screen.session_id, "Could you clarify what kind of situation you mean?", actual))
    assert services.store.session(screen.session_id).meta.lp_guesses == []
    assert final.keep_guess  # the app keeps the guess selected for the real answer
    final, _ = last(ctl.send("u2", screen.session_id, STORY, actual))
    assert final.notice == "" and not final.keep_guess  # a result is not a problem: never in the red notice
    assert final.tally == f"That probe was about **{actual}** (✅ right).  \nLP guesses: 1 of 1 right."
    assert any(m.get("metadata") == {"title": "Which LP was this?"} for m in final.messages)
    # Follow-ups on the same probe keep the first guess.
    while ctl._live[screen.session_id].state.item.lp == actual and not final.finished:
        final, _ = last(ctl.send("u2", screen.session_id, STORY, "Frugality"))
    now = ctl._live[screen.session_id].state.item.lp
    wrong = "Frugality" if now != "Frugality" else "Ownership"
    final, _ = last(ctl.send("u2", screen.session_id, STORY, wrong))
    assert final.tally.endswith("LP guesses: 1 of 2 right.")
    assert f"you guessed {wrong}" in final.tally and final.notice == ""


def test_guessing_can_be_switched_off(ctl):
    screen = ctl.start("u2", SetupChoice(plan_id="behavioral", seed=5, guess_lp=False))
    assert not screen.lp_guess_open and screen.tally == ""
    final, _ = last(ctl.send("u2", screen.session_id, STORY, "Ownership"))
    assert final.notice == "" and final.tally == ""


def test_another_browser_cannot_see_or_drive_a_session(ctl):
    screen = ctl.start("browser-a", SetupChoice(plan_id="stats", seed=1))
    assert ctl.restore("browser-b", screen.session_id) is None
    with pytest.raises(UserError, match="belongs to someone else"):
        list(ctl.send("browser-b", screen.session_id, "hello there"))
    assert ctl.restore("browser-a", "no-such-id") is None


def test_a_reload_or_a_restart_restores_the_same_screen(ctl, services):
    screen = ctl.start("u3", SetupChoice(plan_id="causal", seed=3))
    final, _ = last(ctl.send("u3", screen.session_id, "I would use difference-in-differences with a parallel trends check."))
    restarted = Controller(services)  # a new process: nothing cached
    again = restarted.restore("u3", screen.session_id)
    assert again is not None and again.messages == final.messages and again.progress.split("\n")[:3] == final.progress.split("\n")[:3]


def test_hint_skip_and_end(ctl, services):
    screen = ctl.start("u4", SetupChoice(plan_id="ml-depth", seed=1))
    hint, _ = last(ctl.command("u4", screen.session_id, "hint"))
    assert hint.messages[-2]["content"] == "(asked for a hint)"
    skipped, _ = last(ctl.command("u4", screen.session_id, "skip"))
    assert skipped.messages[-2]["content"] == "(skipped)"
    ended, _ = last(ctl.command("u4", screen.session_id, "end"))
    assert ended.finished and "finished" in ended.progress
    assert set(services.store.session(screen.session_id).meta.reports) == {"md", "html", "json"}
    with pytest.raises(UserError, match="has ended"):
        list(ctl.send("u4", screen.session_id, "one more thing"))


def test_bad_input_is_one_clear_line(ctl):
    with pytest.raises(UserError, match="Start an interview first"):
        list(ctl.send("u5", None, "hi"))
    screen = ctl.start("u5", SetupChoice(plan_id="stats", seed=1))
    with pytest.raises(UserError, match="Type an answer first"):
        list(ctl.send("u5", screen.session_id, "   "))
    with pytest.raises(ValueError, match="unknown format 'loopy'"):
        SetupChoice(plan_id="loopy")
    with pytest.raises(ValueError, match="unknown Leadership Principle"):
        SetupChoice(lp_focus=["Ownershp"])


def test_resume_projects_anchor_the_deep_dive(ctl, tmp_path: Path, services):
    cv = tmp_path / "cv.txt"
    cv.write_text("Projects\n- Built a demand forecasting system for 3,000 stores with hierarchical reconciliation\n",
                  encoding="utf-8")
    screen = ctl.start("u6", SetupChoice(plan_id="project-deep-dive", seed=1), resume_file=cv)
    assert screen.info == "Found 1 project(s) in your resume for the deep dive." and screen.notice == ""  # news, not a problem: never red
    assert "demand forecasting system for 3,000 stores" in screen.messages[0]["content"]
    bad = tmp_path / "cv.exe"
    bad.write_bytes(b"x")
    with pytest.raises(UserError, match="unsupported file type"):
        ctl.start("u6", SetupChoice(plan_id="project-deep-dive"), resume_file=bad)


def test_code_pane_follows_the_round(ctl):
    assert ctl.start("u7", SetupChoice(plan_id="coding", seed=1)).code_language == "python"
    assert ctl.start("u7", SetupChoice(plan_id="behavioral", seed=1)).code_language is None


def test_run_button_runs_the_hidden_tests_of_the_open_question(ctl, services):
    from interviewer.runner import load_problems

    problems = load_problems(services.settings.corpus_dir)
    screen = ctl.start("u8", SetupChoice(plan_id="coding", seed=2))
    for _ in range(6):
        item = ctl._live[screen.session_id].state.item
        if item.item_id in problems.coding:
            break
        screen, _ = last(ctl.command("u8", screen.session_id, "skip"))
    problem = problems.coding[item.item_id]
    assert screen.runnable
    failed_screen, failed = ctl.run_code("u8", screen.session_id, problem.wrong)
    assert failed.startswith("❌ **FAILED**") and "Hidden tests:" in failed
    assert failed_screen.messages[-2]["content"].startswith("```python")  # the run is in the transcript
    assert failed_screen.messages[-1]["content"].startswith("Not all tests pass yet")
    passed_screen, passed = ctl.run_code("u8", screen.session_id, problem.reference)
    total = len(problem.examples) + len(problem.tests)
    assert passed.startswith("✅ **PASSED**") and f"{total} of {total} tests passed" in passed
    assert "complexity" in passed_screen.messages[-1]["content"]  # the interviewer asks for it
    _, broken = ctl.run_code("u8", screen.session_id, "def nope(:\n    pass")
    assert "line 1" in broken
    with pytest.raises(UserError, match="empty"):
        ctl.run_code("u8", screen.session_id, "  ")
    other = ctl.start("u8", SetupChoice(plan_id="ml-breadth", seed=1))
    with pytest.raises(UserError, match="no hidden tests"):
        ctl.run_code("u8", other.session_id, "print(1)")


def test_without_a_sandbox_run_is_off_and_says_how_to_enable_it(ctl, services, monkeypatch):
    from interviewer.runner import jail, load_problems, sandbox

    problems = load_problems(services.settings.corpus_dir)
    monkeypatch.setattr(jail, "bwrap_path", lambda: None)
    sandbox.sandbox_problem.cache_clear()
    try:
        screen = ctl.start("u8b", SetupChoice(plan_id="coding", seed=2))
        for _ in range(6):
            if ctl._live[screen.session_id].state.item.item_id in problems.coding:
                break
            screen, _ = last(ctl.command("u8b", screen.session_id, "skip"))
        assert not screen.runnable and "apt-get install bubblewrap" in screen.run_off
        turns = len(ctl._live[screen.session_id].turns)
        with pytest.raises(UserError, match="bubblewrap is not installed"):
            ctl.run_code("u8b", screen.session_id, "def f():\n    return 1\n")
        assert len(ctl._live[screen.session_id].turns) == turns, "a refused run changes nothing"
    finally:
        monkeypatch.undo()
        sandbox.sandbox_problem.cache_clear()


def test_a_new_code_question_opens_a_fresh_pane_with_the_function_to_write(ctl, services):
    screen = ctl.start("u9", SetupChoice(plan_id="coding", seed=2))
    item = ctl._live[screen.session_id].state.item
    problem = services.problem_for(item.item_id)  # seed 2 opens with two-sum, which has hidden tests
    assert screen.code_template.startswith(problem.signature.rstrip(":") + ":")
    follow, _ = last(ctl.send("u9", screen.session_id, "I would use a hash map from value to index, one pass."))
    assert ctl._live[screen.session_id].state.item.item_id == item.item_id  # a follow-up on the same question
    assert follow.code_template is None, "a follow-up keeps the candidate's code"
    sql = ctl.start("u9", SetupChoice(plan_id="sql", seed=1))
    assert sql.code_template.startswith("-- One SELECT")


def test_model_mode_streams_token_by_token_into_the_chat(fake, tmp_path, corpus, built_retriever):
    env = {"INTERVIEWER_HOME": str(tmp_path), "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake.base_url,
           "INTERVIEWER_MODEL": "fake-model", "INTERVIEWER_TIMEOUT": "2", "INTERVIEWER_MAX_RETRIES": "0",
           "INTERVIEWER_MODEL_JUDGE": "force"}
    services = Services.from_settings(Settings.from_env(env=env), corpus=corpus, retriever=built_retriever)
    ctl = Controller(services)
    screen = ctl.start("m1", SetupChoice(plan_id="behavioral", seed=1))
    # The model's reply reaches the chat a checked sentence at a time (speaker/guard.py).
    fake.script.append({"for": "stream", "text": "Thanks for that. It sounds like a tense week. Tell me about a time you "
                                                 "had to work closely with someone you did not get along with."})
    final, screens = last(ctl.send("m1", screen.session_id, STORY))
    replies = [s.messages[-1]["content"] for s in screens[1:-1]]
    assert len(replies) >= 3 and all(b.startswith(a) for a, b in zip(replies, replies[1:])), "the reply grows piece by piece"
    assert final.messages[-1]["content"] == services.store.turns(screen.session_id)[-1].text
    assert services.store.session(screen.session_id).meta.usage.calls >= 2


def test_the_run_panel_counts_hidden_failures_without_naming_them():
    from interviewer.runner import CodeRunResult, TestOutcome
    from interviewer.ui.runs import coding_markdown

    tests = [TestOutcome(index=0, visible=True, passed=True, input="1", expected="1", actual="1"),
             TestOutcome(index=1, visible=False, passed=True),
             TestOutcome(index=2, visible=False, passed=False, error="an exception")]
    result = CodeRunResult(problem_id="p", status="failed", passed=2, total=3, tests=tests,
                           message="2/3 tests passed; 1 hidden test(s) failed; 1 raised an exception.")
    panel = coding_markdown(result)
    assert "Hidden tests: 1 of 2 passed; 1 raised an exception" in panel
    assert panel.startswith("❌ **FAILED** · 2/3 tests passed; 1 hidden test(s) failed")

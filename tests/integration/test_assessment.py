"""The online assessment through its service, with the real runner and a store on disk: the
sections in order, code graded by hidden tests, the clock closing a section, a crash resumed,
the report, History, and the terminal."""

from __future__ import annotations

from typer.testing import CliRunner

from interviewer.assessment.session import OnlineAssessment
from interviewer.assessment.view import build_report, report_md
from interviewer.cli.main import app
from interviewer.config import Settings
from interviewer.interview.services import Services
from interviewer.judge.offline import OfflineJudge
from interviewer.report.history import history
from interviewer.store import Store


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def services_at(tmp_path, corpus, embedder, clock: Clock) -> Services:
    settings = Settings.from_env(env={"INTERVIEWER_HOME": str(tmp_path)})
    return Services(settings=settings, corpus=corpus, judge=OfflineJudge(embedder), store=Store(tmp_path / "sessions.db"),
                    clock=clock)


def answer_key(oa: OnlineAssessment) -> str:
    """The keyed answer to the item on screen (the reference solution for code)."""
    s, item = oa.state.current_section, oa.state.current_item
    if s.key == "sql_mcq":
        return oa.content.mcq_item(item).answer
    if s.key == "work_style":
        w = oa.content.work_item(item)
        return f"{w.keyed('most')} {w.keyed('least')}"
    return oa.s.problems.coding[item].reference


def test_a_perfect_candidate_scores_every_point_and_the_report_says_where_time_went(tmp_path, corpus, embedder):
    clock = Clock()
    s = services_at(tmp_path, corpus, embedder, clock)
    oa = OnlineAssessment.start(s, "ana", seed=5)
    assert [x.key for x in oa.state.sections] == ["sql_mcq", "python", "algorithms", "work_style"]
    notes = []
    while not oa.finished:
        clock.now += 30
        notes.append(oa.answer(answer_key(oa)))
    assert any(n.startswith("Submitted: ") and "tests passed" in n for n in notes)
    rep = build_report(oa)
    assert rep.percent == 100.0 and rep.review == []
    assert all(i["seconds"] == 30.0 for i in rep.items)
    text = report_md(rep)
    assert "| SQL multiple choice | 12 / 12 (100%) | 6 of 18 min |" in text
    assert s.store.session(oa.session_id).status == "finished"
    assert history(corpus, s.store, "ana").sessions[0].recommendation == "100% of points"


def test_wrong_code_gets_partial_credit_and_review_items_explain_the_misses(tmp_path, corpus, embedder):
    clock = Clock()
    s = services_at(tmp_path, corpus, embedder, clock)
    oa = OnlineAssessment.start(s, "bo", seed=2)
    while not oa.finished:
        key = oa.state.current_section.key
        if key == "sql_mcq":
            right = oa.content.mcq_item(oa.state.current_item).answer
            oa.answer("A" if right != "A" else "B")
        elif key == "work_style":
            w = oa.content.work_item(oa.state.current_item)
            oa.answer(f"{w.keyed('least')} {w.keyed('most')}")  # the opposite of the key
        else:
            oa.answer(s.problems.coding[oa.state.current_item].wrong)
    rep = build_report(oa)
    code = [i for i in rep.items if i["section"] in ("python", "algorithms")]
    assert all(0 <= i["points"] < 1 for i in code)
    assert rep.percent < 40
    assert sum(1 for r in rep.review if r.startswith("SQL, ")) == 12
    assert any(r.startswith("Work style, ") and "keyed: most" in r for r in rep.review)


def test_the_clock_closes_a_section_and_a_resumed_assessment_goes_on_where_it_stopped(tmp_path, corpus, embedder):
    clock = Clock()
    s = services_at(tmp_path, corpus, embedder, clock)
    oa = OnlineAssessment.start(s, "cy", seed=9)
    first = oa.state.current_item
    clock.now += 10
    oa.answer(answer_key(oa))
    # The process dies; twenty minutes later the candidate comes back: the SQL section (18 min) is over.
    clock.now += 20 * 60
    again = OnlineAssessment.resume(s, oa.session_id)
    assert again.state.current_section.key == "python" and again.state.sections[0].timed_out
    statuses = [r.status for r in again.state.results]
    assert statuses[0] == "answered" and statuses[1:] == ["unanswered"] * 11 and again.state.results[0].item_id == first
    left = again.seconds_left()
    assert left == 30 * 60  # the next section's clock starts when its first item comes up
    # An answer after its section's time is not counted.
    clock.now += 31 * 60
    note = again.answer("def f(): pass")
    assert note.startswith("Time was up") and again.state.current_section.key == "algorithms"
    assert [r.status for r in again.state.results if r.section == "python"] == ["unanswered", "unanswered"]
    # Every step is in the store: a third process sees exactly this.
    third = OnlineAssessment.resume(s, oa.session_id)
    assert third.state == again.state and len(third.turns) == len(again.turns)


def test_unreadable_answers_change_nothing(tmp_path, corpus, embedder):
    from interviewer.assessment.grading import BadResponse

    s = services_at(tmp_path, corpus, embedder, Clock())
    oa = OnlineAssessment.start(s, "dee", seed=1)
    before = (oa.state.model_copy(deep=True), len(oa.turns))
    for bad in ("maybe", "AB", "Z"):
        try:
            oa.answer(bad)
        except BadResponse as exc:
            assert "one letter" in str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted")
    assert (oa.state, len(oa.turns)) == before


def test_the_terminal_runs_the_assessment_and_its_report(home, tmp_path):
    runner = CliRunner()
    lines = ["A"] * 12 + ["/skip", "/skip", "/end"]
    done = runner.invoke(app, ["chat", "--plan", "online-assessment", "--seed", "4"], input="\n".join(lines) + "\n")
    assert done.exit_code == 0, done.output
    assert "Online assessment (DS)" in done.output and "What to review" in done.output
    session = next(w for w in done.output.split() if len(w) == 13 and w.endswith(":")).rstrip(":")
    shown = runner.invoke(app, ["report", session, "--format", "json"])
    assert shown.exit_code == 0 and '"percent"' in shown.output
    missing = runner.invoke(app, ["chat", "--plan", "online-assessment", "--resume", "nope"])
    assert missing.exit_code == 2 and "no session with id 'nope'" in missing.output
    listed = runner.invoke(app, ["sessions", "--json"])
    assert '"plan": "online-assessment"' in listed.output


def test_code_can_be_tried_on_the_examples_and_a_typo_is_not_a_submission(tmp_path, corpus, embedder):
    from interviewer.assessment.grading import BadResponse

    clock = Clock()
    s = services_at(tmp_path, corpus, embedder, clock)
    oa = OnlineAssessment.start(s, "eve", seed=3)
    while oa.state.current_section.key == "sql_mcq":
        oa.skip()
    problem = s.problems.coding[oa.state.current_item]
    before = len(oa.state.results)
    assert oa.try_examples(problem.reference).startswith(f"Examples: {len(problem.examples)} of {len(problem.examples)} pass")
    assert "Examples: " in oa.try_examples(problem.wrong)
    try:
        oa.answer("def broken(:\n    pass")
    except BadResponse as exc:
        assert str(exc).startswith("Not submitted: ") and "line 1" in str(exc)
    else:
        raise AssertionError("a syntax error was submitted")
    assert len(oa.state.results) == before and oa.state.current_item == problem.id  # still open
    assert oa.answer(problem.reference).startswith("Submitted: ")


def test_a_new_attempt_avoids_the_items_of_recent_ones(tmp_path, corpus, embedder):
    s = services_at(tmp_path, corpus, embedder, Clock())
    first = OnlineAssessment.start(s, "fay", seed=1)
    while not first.finished:
        first.skip()  # every item shown once
    second = OnlineAssessment.start(s, "fay", seed=1)  # the same seed: only the history differs
    assert not set(first.state.sections[0].items) & set(second.state.sections[0].items)
    assert not set(first.state.sections[-1].items) & set(second.state.sections[-1].items)

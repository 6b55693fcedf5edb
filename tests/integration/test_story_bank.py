"""The story bank with the real offline judge and a real store on disk: scoring with named gaps,
the grid, near-duplicates, links to interview answers, practice and the story drill, deleting
for good, and the terminal commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from interviewer.cli.main import app
from interviewer.config import Settings
from interviewer.interview.engine import Interview
from interviewer.interview.plans import STORY_DRILL
from interviewer.interview.services import Services
from interviewer.interview.state import StoryBrief
from interviewer.judge.offline import OfflineJudge
from interviewer.store import Store
from interviewer.stories.bank import StoryBank
from interviewer.stories.model import StoryDraft

STRONG = (
    "Last spring the fraud model started flagging twice as many orders after a holiday sale, and nobody owned the alert "
    "because the team that built it had moved on. I took it on myself. I pulled two weeks of flagged orders and found that "
    "a new payment method had no history, so its features were all null. I wrote a fix that imputed them from the "
    "customer's past payments, re-trained the model, and set up a weekly drift dashboard with an alert on every input "
    "feature. False positives fell from 9% to 4% within three weeks and the manual review queue dropped by 300 orders a "
    "day. I learned to monitor every feature a model depends on, not just its score, and I now hand over every model "
    "with a runbook."
)
WE_ONLY = (
    "We had a problem with a churn model once and the whole team worked on it together. We looked at the data and we "
    "found some issues with the labels. We fixed them and we retrained everything over a few weeks. In the end it worked "
    "much better and the stakeholders were happy with what we delivered. We learned a lot about working together."
)
PARAPHRASE = (
    "After a holiday sale our fraud model suddenly flagged double the usual orders, and the alert had no owner since "
    "its builders had left for another team. I stepped in: I went through a fortnight of flagged orders, saw that a new "
    "payment method arrived with empty features, imputed them from each customer's payment history, retrained, and "
    "added drift monitoring. False positives dropped from 9% to 4% in three weeks."
)


@pytest.fixture(scope="module")
def services(tmp_path_factory, corpus, embedder):
    home = tmp_path_factory.mktemp("bank-home")
    settings = Settings.from_env(env={"INTERVIEWER_HOME": str(home)})
    return Services(settings=settings, corpus=corpus, judge=OfflineJudge(embedder), store=Store(home / "sessions.db"))


@pytest.fixture(scope="module")
def bank(services):
    return StoryBank(services)


def test_a_story_is_scored_like_an_interview_answer_with_its_gaps_named(bank):
    strong = bank.add("ana", StoryDraft(title="Fraud alert", text=STRONG, lps=["Ownership"]))
    weak = bank.add("ana", StoryDraft(title="Churn labels", text=WE_ONLY, lps=["Dive Deep"]))
    assert strong.assessment.judge == "offline" and weak.assessment.lp == "Dive Deep"
    assert strong.assessment.overall >= 3.0 and strong.strong
    assert weak.assessment.overall < strong.assessment.overall and not weak.strong
    gaps = {g.code: g for g in weak.assessment.gaps}
    assert gaps["ownership"].message == "the action is the team's, not yours"
    assert "measurable_result" in gaps or "result" in gaps
    assert {"ownership", "result", "measurable_result"}.isdisjoint(g.code for g in strong.assessment.gaps)
    # Every LP is ranked, with the signals read for the best ones.
    assert len(strong.assessment.matches) == 16 and strong.assessment.matches[0].signals
    assert weak.counted_for == ["Dive Deep"]  # the candidate's choice stands over the suggestion
    assert strong.assessment.fit["Ownership"] >= 3 and strong.strong_for("Ownership")


def test_the_grid_fills_and_a_retold_story_is_a_near_duplicate(bank):
    again = bank.add("ana", StoryDraft(title="Holiday fraud spike", text=PARAPHRASE))
    cov = bank.coverage("ana")
    rows = {r.lp: r for r in cov.rows}
    first = bank.stories("ana")[0]
    for lp in first.counted_for:
        assert first.id in rows[lp].strong
    assert any({d.first, d.second} == {first.id, again.id} for d in cov.duplicates)
    assert not any("Churn labels" in s.title and d for s in bank.stories("ana") for d in cov.duplicates
                   if s.id in (d.first, d.second))
    assert cov.weakest[0] not in first.counted_for
    assert bank.stories("bo") == [] and all(r.filled == 0 for r in bank.coverage("bo").rows)  # per user


def test_changing_the_lps_rescores_against_the_first(bank):
    story = bank.stories("ana")[0]
    moved = bank.edit("ana", story.id, lps=["Frugality", "Ownership"])
    assert moved.counted_for == ["Frugality", "Ownership"] and moved.assessment.lp == "Frugality"
    # A fraud-alert story shows little of Frugality: not a strong Frugality story, and the grid says so.
    assert set(moved.assessment.fit) == {"Frugality", "Ownership"} and not moved.strong_for("Frugality")
    assert any(s.story_id == story.id and "Frugality" in s.weak for s in bank.coverage("ana").stretched)
    back = bank.edit("ana", story.id, lps=[])
    assert back.counted_for == back.suggested
    bank.edit("ana", story.id, lps=["Ownership"])


def test_an_interview_answer_that_tells_a_bank_story_is_linked(services, bank):
    interview = Interview.start(services, "behavioral", "RS", seed=4, user="ana")
    interview.respond(STRONG)
    links = bank.coverage("ana").links
    assert any(link.session_id == interview.session_id for link in links)


def test_practice_probes_the_weakest_lps_and_a_drill_opens_with_the_story(services, bank):
    weakest = bank.coverage("ana", with_interviews=False).weakest[:4]
    practice = Interview.start(services, "behavioral", "RS", seed=1, user="ana", lp_focus=weakest)
    assert practice.state.item.lp in weakest
    story = bank.stories("ana")[0]
    drill = Interview.start(services, STORY_DRILL, "RS", seed=1, user="ana", lp_focus=["Ownership"],
                            story=StoryBrief(id=story.id, title=story.title, lp="Ownership"))
    assert drill.state.plan.bar_raiser and drill.state.item.item_id == "ownership.story"
    assert f'"{story.title}"' in drill.last_interviewer_message
    reply = drill.respond(WE_ONLY)  # a weak telling of it: the Bar Raiser pushes on a gap
    assert reply and drill.state.item.item_id == "ownership.story" and drill.state.item.follow_ups


def test_deleting_is_for_good(services, bank, monkeypatch):
    # This SQLite is built with secure_delete on by default; many are not. Start every connection
    # with it off, as on those builds, so the delete must turn it on itself.
    engine = services.store.engine
    engine.dispose()  # connections opened before the listener are gone
    event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA secure_delete = OFF"))
    secret = "Zanzibar-quokka-7731 was the code name of the launch. " + STRONG
    story = bank.add("cy", StoryDraft(title="Code name", text=secret))
    kept = bank.add("cy", StoryDraft(title="Another", text=WE_ONLY))  # shares the page: it is rewritten, not dropped
    with engine.connect() as db:
        assert db.exec_driver_sql("PRAGMA secure_delete").scalar() == 0
        db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(engine.url.database)
    assert b"Zanzibar-quokka-7731" in path.read_bytes()  # the check below can see it
    assert bank.delete("cy", [story.id]) == 1
    assert [s.id for s in bank.stories("cy")] == [kept.id]
    with pytest.raises(KeyError):
        bank.get("cy", story.id)
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            assert b"Zanzibar-quokka-7731" not in file.read_bytes(), file


def test_the_terminal_commands(home, tmp_path, monkeypatch):
    runner = CliRunner()
    story = tmp_path / "story.txt"
    story.write_text(STRONG, encoding="utf-8")
    added = runner.invoke(app, ["stories", "add", str(story), "--title", "Fraud alert", "--user", "dee"])
    assert added.exit_code == 0, added.output
    assert "Fraud alert" in added.output and "/ 4" in added.output
    listed = runner.invoke(app, ["stories", "list", "--user", "dee"])
    story_id = next(w.strip("`") for w in listed.output.split() if len(w.strip("`│|")) == 10)
    grid = runner.invoke(app, ["stories", "grid", "--user", "dee"])
    assert "LPs have two strong stories" in grid.output
    out = tmp_path / "bank.json"
    assert runner.invoke(app, ["stories", "export", "-o", str(out), "--user", "dee"]).exit_code == 0
    assert json.loads(out.read_text())["stories"][0]["title"] == "Fraud alert"
    again = runner.invoke(app, ["stories", "import", str(out), "--user", "dee"])
    assert "Imported 0 stories; 1 story already in the bank was skipped." in again.output
    assert runner.invoke(app, ["stories", "import", str(out), "--user", "eve"]).exit_code == 0
    bad = tmp_path / "bad.md"
    bad.write_text("## A story\nLPs: Kindness\n\nText.\n", encoding="utf-8")
    refused = runner.invoke(app, ["stories", "import", str(bad), "--user", "dee"])
    assert refused.exit_code == 2 and "bad.md, line 1 (A story): lps: 'Kindness' is not a Leadership Principle" in refused.output
    wrong_lp = runner.invoke(app, ["stories", "map", "nope", "--lp", "Kindness", "--user", "dee"])
    assert wrong_lp.exit_code == 2 and "not a Leadership Principle" in wrong_lp.output
    gone = runner.invoke(app, ["stories", "delete", "--all", "--yes", "--user", "dee"])
    assert gone.exit_code == 0 and "Deleted 1 for good" in gone.output
    assert story_id

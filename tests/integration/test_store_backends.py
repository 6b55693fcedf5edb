"""The store's contract on both of its databases: SQLite on disk and a real PostgreSQL server on
127.0.0.1 (tests/conftest.py starts it). Same code path, same behaviour."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from interviewer.config import Settings
from interviewer.schemas import Turn
from interviewer.store import (
    MIGRATIONS,
    LpGuess,
    SessionBusy,
    Store,
    StoreError,
    TokenUsage,
)
from interviewer.store.migrations import statements
from interviewer.stories.model import StoryDraft
from interviewer.stories.storage import StoryStore
from tests.conftest import REPO


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "sessions.db")
    return request.getfixturevalue("pg_url")


def turn(i: int, item: str = "q1") -> Turn:
    return Turn(index=i, speaker="candidate" if i % 2 else "interviewer", text=f"t{i}", round_index=0, item_id=item,
                created_at=float(i))


def test_migrations_apply_once_and_commits_are_atomic(target):
    store = Store(target)
    assert Store(target).applied_migrations() == [m.name for m in MIGRATIONS]
    sid = store.create_session("ann", "ml-breadth", "RS", 1_700_000_000_123, "{}")
    store.commit_turns(sid, [turn(0), turn(1)], '{"n": 2}')
    with pytest.raises(IntegrityError):
        store.commit_turns(sid, [turn(2), turn(1)], '{"n": 99}')  # a duplicate index: all or nothing
    assert [t.index for t in store.turns(sid)] == [0, 1]
    row = store.session(sid)
    assert row.state_json == '{"n": 2}' and row.seed == 1_700_000_000_123 and row.user == "ann"
    assert abs(row.created_at - time.time()) < 60  # full-precision seconds (not Postgres's four-byte REAL)
    assert store.version(sid)[0] == 2
    store.set_meta(sid, summary="s")
    assert store.version(sid)[1] > row.updated_at  # a meta write moves the version too
    assert store.recent_items("ann") == ["q1"] and store.recent_items("ann", exclude=sid) == []
    assert [s.id for s in store.sessions("ann")] == [sid] and store.sessions("bob") == []


def test_concurrent_meta_writers_keep_each_others_fields(target):
    store = Store(target)
    sid = store.create_session("u", "stats", "RS", 0, "{}")
    writes = [
        lambda i: {"usage": {"calls": i, "prompt_tokens": 10 * i}},
        lambda i: {"summary": f"summary {i}"},
        lambda i: {"lp_guesses": [LpGuess(item_id=f"p{j}", turn=j, guess="Ownership", actual="Ownership", correct=True)
                                  for j in range(i)]},
    ]
    threads = [threading.Thread(target=lambda w=w: [store.set_meta(sid, **w(i)) for i in range(1, 16)]) for w in writes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    meta = store.session(sid).meta
    assert meta.usage == TokenUsage(calls=15, prompt_tokens=150) and meta.summary == "summary 15"
    assert len(meta.lp_guesses) == 15


def test_login_throttling_is_shared_between_processes(target):
    one, two = Store(target), Store(target)  # two processes' stores on one database
    assert [one.login_failure("ip:1", now=100.0, forget_after=60), two.login_failure("ip:1", now=101.0, forget_after=60)] \
        == [1, 2]
    assert one.login_failure("ip:1", now=500.0, forget_after=60) == 1  # a quiet spell starts the streak over
    two.lock_login("ip:1", until=900.0)
    one.lock_login("ip:1", until=800.0)  # an earlier end never shortens a lock
    assert one.login_locked_until(["ip:1", "user:x"]) == 900.0
    two.clear_logins(["ip:1"])
    assert one.login_locked_until(["ip:1"]) == 0.0


def test_story_bank_rows_and_deleting(target):
    stories = StoryStore(Store(target))
    a = stories.add("cy", StoryDraft(title="Fraud alert", text="I rebuilt the alert and cut misses by half.",
                                     lps=["Dive Deep"]), None)
    b = stories.add("cy", StoryDraft(title="Other", text="Another story."), None)
    assert [s.id for s in stories.all("cy")] == [a.id, b.id] and stories.all("dee") == []
    stories.update(a.model_copy(update={"title": "Fraud alerts"}))
    assert stories.get("cy", a.id).title == "Fraud alerts" and stories.get("cy", a.id).lps == ["Dive Deep"]
    assert stories.delete("cy", [a.id]) == 1
    with pytest.raises(KeyError):
        stories.get("cy", a.id)


def test_a_postgres_database_at_the_first_migration_upgrades_in_place(pg_url):
    """A database made by the first schema, with meta as JSON, then opened by this release."""
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    first = MIGRATIONS[0]
    with engine.begin() as db:
        db.exec_driver_sql("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
        for statement in statements(first.postgresql):
            db.exec_driver_sql(statement)
        db.execute(text("INSERT INTO migrations VALUES (:n, 1)"), {"n": first.name})
        db.execute(text('INSERT INTO sessions (id, "user", plan_id, role, seed, status, created_at, updated_at, '
                        "state_json, meta_json) VALUES ('s1', 'bob', 'stats', 'DS', 3, 'finished', 1.5, 2.5, '{}', :meta)"),
                   {"meta": '{"speaker": "model:x", "usage": {"calls": 7, "prompt_tokens": 5120}, "guess_lp": false, '
                            '"reports": {"md": "/r/b.md"}, "lp_guesses": [{"item_id": "p", "turn": 1, "guess": "Ownership",'
                            ' "actual": "Ownership", "correct": true}]}'})
        db.execute(text("INSERT INTO turns VALUES ('s1', 0, 'interviewer', 'hello', 0, NULL, NULL, NULL, NULL, 1.5)"))
    engine.dispose()
    store = Store(pg_url)
    assert store.applied_migrations() == [m.name for m in MIGRATIONS]
    row = store.session("s1")
    assert row.meta.speaker == "model:x" and not row.meta.guess_lp and row.meta.reports == {"md": "/r/b.md"}
    assert row.meta.usage == TokenUsage(calls=7, prompt_tokens=5120) and row.meta.lp_guesses[0].guess == "Ownership"
    assert [t.text for t in store.turns("s1")] == ["hello"] and row.status == "finished"


HOLDER = textwrap.dedent("""
    import sys, time
    from interviewer.store import Store
    store = Store(sys.argv[1])
    with store.session_lock(sys.argv[2]):
        print("locked", flush=True)
        time.sleep(600)
""")


def test_a_session_lock_excludes_other_processes_and_dies_with_its_holder(target):
    store = Store(target)
    sid = store.create_session("u", "stats", "RS", 0, "{}")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, target, sid], stdout=subprocess.PIPE, text=True,
                              cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(SessionBusy, match="busy"):
            with store.session_lock(sid, timeout=0.5):
                pass
        with store.session_lock("another-session", timeout=0.5):  # other sessions are not held up
            pass
        holder.kill()  # dies holding it, as a crashed app process would
        holder.wait(timeout=10)
        began = time.monotonic()
        with store.session_lock(sid, timeout=10):
            assert time.monotonic() - began < 5
    finally:
        holder.kill()


def test_the_database_url_is_a_secret(pg_url, tmp_path):
    password = pg_url.split(":")[2].split("@")[0]
    settings = Settings.from_env(env={"INTERVIEWER_HOME": str(tmp_path), "INTERVIEWER_DATABASE_URL": pg_url})
    assert settings.database == pg_url and password not in repr(settings)
    assert password not in settings.redact(f"could not reach {pg_url}")
    store = Store(settings.database)
    assert store.dialect == "postgresql" and password not in store.where and password not in repr(store)
    with pytest.raises(StoreError, match="cannot open the store at postgresql.*\\*\\*\\*") as caught:
        Store(pg_url.replace(password, "wrong-password"))
    assert "wrong-password" not in str(caught.value)
    with pytest.raises(StoreError, match="must be postgresql"):
        Store("mysql://u:p@127.0.0.1/x")


def test_db_commands_migrate_and_report_without_the_password(pg_url, home, monkeypatch):
    from typer.testing import CliRunner

    from interviewer.cli.main import app

    password = pg_url.split(":")[2].split("@")[0]
    monkeypatch.setenv("INTERVIEWER_DATABASE_URL", pg_url)
    migrated = CliRunner().invoke(app, ["db", "migrate"])
    assert migrated.exit_code == 0, migrated.output
    assert f"Migrations applied: {len(MIGRATIONS)} of {len(MIGRATIONS)}" in migrated.output
    Store(pg_url).create_session("ann", "stats", "DS", 1, "{}")
    status = CliRunner().invoke(app, ["db", "status"])
    assert "(postgresql)" in status.output and "1 sessions, 0 turns, 0 stories" in status.output
    assert password not in migrated.output + status.output
    assert not (home / "sessions.db").exists()  # nothing went to the SQLite default


def test_a_database_that_stops_answering_is_said_plainly_and_a_reload_keeps_the_session(settings, corpus):
    """Its own server, stopped in the middle: the store says so in one line, and the page's reload
    keeps the session id instead of forgetting the interview."""
    import os
    import signal
    from pathlib import Path

    from evals.servers import postgres_server
    from interviewer.interview.services import Services
    from interviewer.store import StoreUnavailable
    from interviewer.ui.handlers import STORE_DOWN, Handlers
    from tests.fakes import FakeJudge, FakeSpeaker

    with postgres_server() as url:
        store = Store(url)
        handlers = Handlers(Services(settings=settings, corpus=corpus, judge=FakeJudge(), store=store,
                                     make_speaker=lambda seed, client: FakeSpeaker()))
        browser = {"browser_id": "b1", "session_id": ""}
        started = handlers.on_start(browser, "DS", "stats", None, False, [], True, None, 3, None)
        browser = started[0]
        assert browser["session_id"]
        with store.reading() as db:
            data = Path(db.exec_driver_sql("SHOW data_directory").scalar_one())
        os.kill(int((data / "postmaster.pid").read_text().split()[0]), signal.SIGINT)
        deadline = time.monotonic() + 30
        while (data / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        with pytest.raises(StoreUnavailable, match="is not answering"):
            store.session(browser["session_id"])
        shown = handlers.on_load(browser, None)
        assert shown[0]["session_id"] == browser["session_id"]  # not forgotten
        assert shown[8] == STORE_DOWN and "reload the page in a minute" in shown[2]
        sent = list(handlers.on_send(browser, "an answer while the database is down", None, None))
        assert STORE_DOWN in sent[-1]


def test_a_raw_special_character_password_and_a_user_without_rights_are_said_without_the_password(pg_url, tmp_path):
    with pytest.raises(StoreError, match="percent-encode") as caught:
        Store("postgresql://sp:p@ss/w:rd#1@127.0.0.1:5432/interviewer")
    assert "ss/w" not in str(caught.value) and "rd#1" not in str(caught.value)

    admin = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:  # PostgreSQL 15: a new role may not create tables in schema public
        db.exec_driver_sql("CREATE ROLE limited LOGIN PASSWORD 'limited-secret-1'")
        db.exec_driver_sql(f"GRANT CONNECT ON DATABASE {pg_url.rpartition('/')[2]} TO limited")
    admin.dispose()
    limited = pg_url.replace(pg_url.split("//")[1].split("@")[0], "limited:limited-secret-1")
    with pytest.raises(StoreError, match="permission denied.*must own it") as caught:
        Store(limited)
    assert "limited-secret-1" not in str(caught.value)
    status = Store(limited, migrate=False)  # `db status` reads and changes nothing
    assert status.applied_migrations() == []

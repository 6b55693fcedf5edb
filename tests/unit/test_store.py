from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError

from interviewer.schemas import Turn
from interviewer.store import MIGRATIONS, LpGuess, Store, TokenUsage
from tests.conftest import REPO


def turn(i: int, item: str = "q1") -> Turn:
    return Turn(index=i, speaker="candidate" if i % 2 else "interviewer", text=f"t{i}", round_index=0, item_id=item, created_at=float(i))


def test_migrations_apply_once_and_are_recorded(tmp_path):
    path = tmp_path / "s.db"
    Store(path)
    Store(path)  # a second open applies nothing again
    assert Store(path).applied_migrations() == [m.name for m in MIGRATIONS]


def test_commit_is_atomic(tmp_path):
    store = Store(tmp_path / "s.db")
    sid = store.create_session("ann", "ml-breadth", "RS", 1, "{}")
    store.commit_turns(sid, [turn(0), turn(1)], '{"n": 2}')
    with pytest.raises(IntegrityError):
        store.commit_turns(sid, [turn(2), turn(1)], '{"n": 99}')  # duplicate index: all or nothing
    assert [t.index for t in store.turns(sid)] == [0, 1]
    assert store.session(sid).state_json == '{"n": 2}'


def test_recent_items_and_listing(tmp_path):
    store = Store(tmp_path / "s.db")
    a = store.create_session("ann", "sql", "DS", 1, "{}")
    store.commit_turns(a, [turn(0, "sql-x"), turn(1, "sql-x")], "{}", status="finished")
    b = store.create_session("bob", "sql", "DS", 1, "{}")
    store.commit_turns(b, [turn(0, "sql-y")], "{}")
    assert store.recent_items("ann") == ["sql-x"]
    assert store.recent_items("ann", exclude=a) == []
    assert [s.id for s in store.sessions("bob")] == [b]
    assert store.session(a).status == "finished"
    with pytest.raises(KeyError, match="no session"):
        store.session("nope")
    store.set_meta(a, reports={"md": "x.md"})
    assert store.session(a).meta.reports == {"md": "x.md"}


def test_concurrent_meta_writers_keep_each_others_fields(tmp_path):
    import threading

    store = Store(tmp_path / "s.db")
    sid = store.create_session("u", "stats", "RS", 0, "{}")
    writes = {
        "usage": lambda i: {"usage": {"calls": i, "prompt_tokens": 10 * i}},
        "summary": lambda i: {"summary": f"summary {i}"},
        "reports": lambda i: {"reports": {"md": f"r{i}.md", "json": f"r{i}.json"}},
        "lp_guesses": lambda i: {"lp_guesses": [LpGuess(item_id=f"p{j}", turn=j, guess="Ownership", actual="Ownership",
                                                        correct=True) for j in range(i)]},
    }
    threads = [threading.Thread(target=lambda w=w: [store.set_meta(sid, **w(i)) for i in range(1, 21)])
               for w in writes.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    meta = store.session(sid).meta
    assert meta.usage == TokenUsage(calls=20, prompt_tokens=200)
    assert meta.summary == "summary 20" and meta.reports == {"md": "r20.md", "json": "r20.json"}
    assert len(meta.lp_guesses) == 20
    with pytest.raises(KeyError, match="no session"):
        store.set_meta("nope", summary="x")



def test_meta_rejects_unknown_fields_and_wrong_types(tmp_path):
    store = Store(tmp_path / "s.db")
    sid = store.create_session("u", "stats", "RS", 0, "{}")
    with pytest.raises(ValueError, match=r"no field\(s\) \['colour'\]"):
        store.set_meta(sid, colour="blue")
    with pytest.raises(ValueError, match="usage"):
        store.set_meta(sid, usage={"calls": "many"})
    with pytest.raises(ValueError, match="reports"):
        store.set_meta(sid, reports={"pdf": "x.pdf"})


def test_a_database_from_the_first_release_upgrades_in_place(tmp_path):
    """tests/data/sessions-0.1.0.db was written by the release before typed meta (migration 0001
    only, meta as JSON); opening it applies 0002 and keeps every session, turn and meta value."""
    import shutil

    path = tmp_path / "old.db"
    shutil.copy(REPO / "tests" / "data" / "sessions-0.1.0.db", path)
    with sqlite3.connect(path) as db:
        assert [r[0] for r in db.execute("SELECT name FROM migrations")] == ["0001_sessions_and_turns"]
        turns_before = db.execute("SELECT COUNT(*) FROM turns").fetchone()[0]
    store = Store(path)
    assert store.applied_migrations() == [m.name for m in MIGRATIONS]
    by_user = {s.user: s for s in store.sessions()}
    assert set(by_user) == {"ann", "bob"}
    ann, bob = by_user["ann"].meta, by_user["bob"].meta
    assert ann.guess_lp and ann.lp_guesses == [LpGuess(item_id="ownership.probe-1", turn=1, guess="Ownership",
                                                       actual="Ownership", correct=True)]
    assert ann.usage is None and ann.reports == {} and ann.summary is None
    assert not bob.guess_lp and bob.usage == TokenUsage(calls=7, prompt_tokens=5120, completion_tokens=640, failures=1)
    assert bob.reports == {"md": "/tmp/x/reports/b.md", "html": "/tmp/x/reports/b.html", "json": "/tmp/x/reports/b.json"}
    assert bob.summary == "Good structure; state the assumptions first." and bob.model == "gpt-test"
    assert ann.judge == bob.judge == "fake-judge"
    assert sum(len(store.turns(s.id)) for s in by_user.values()) == turns_before > 0
    assert by_user["bob"].status == "finished"
    with sqlite3.connect(path) as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(sessions)")}
    assert "meta_json" not in columns and {"usage_calls", "report_json", "lp_guesses_json"} <= columns

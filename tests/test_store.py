from __future__ import annotations

import sqlite3

import pytest

from interviewer.schemas import Turn
from interviewer.store import MIGRATIONS, Store


def turn(i: int, item: str = "q1") -> Turn:
    return Turn(index=i, speaker="candidate" if i % 2 else "interviewer", text=f"t{i}", round_index=0, item_id=item, created_at=float(i))


def test_migrations_apply_once_and_are_recorded(tmp_path):
    path = tmp_path / "s.db"
    Store(path)
    Store(path)  # a second open applies nothing again
    assert Store(path).applied_migrations() == [name for name, _ in MIGRATIONS]


def test_commit_is_atomic(tmp_path):
    store = Store(tmp_path / "s.db")
    sid = store.create_session("ann", "ml-breadth", "RS", 1, "{}")
    store.commit_turns(sid, [turn(0), turn(1)], '{"n": 2}')
    with pytest.raises(sqlite3.IntegrityError):
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
    assert store.session(a).meta["reports"] == {"md": "x.md"}


def test_concurrent_meta_writers_keep_each_others_keys(tmp_path):
    import threading

    store = Store(tmp_path / "s.db")
    sid = store.create_session("u", "stats", "RS", 0, "{}")
    threads = [threading.Thread(target=lambda k=k: [store.set_meta(sid, **{f"k{k}_{i}": i}) for i in range(20)])
               for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.session(sid).meta) == 80
    with pytest.raises(KeyError, match="no session"):
        store.set_meta("nope", a=1)

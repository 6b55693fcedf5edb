"""SQLite sessions under the data directory, with named, append-only migrations.

Every turn is committed together with the interview state in one transaction, before the next
interviewer message is produced, so killing the process loses nothing already answered.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from interviewer.schemas import Turn

log = logging.getLogger(__name__)

# Append-only: never edit or reorder a migration that has shipped; add a new one.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_sessions_and_turns",
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            plan_id TEXT NOT NULL,
            role TEXT NOT NULL,
            seed INTEGER NOT NULL,
            status TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            state_json TEXT NOT NULL,
            meta_json TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE turns (
            session_id TEXT NOT NULL REFERENCES sessions(id),
            idx INTEGER NOT NULL,
            speaker TEXT NOT NULL,
            text TEXT NOT NULL,
            round_index INTEGER NOT NULL,
            item_id TEXT,
            classification TEXT,
            decision_json TEXT,
            score_json TEXT,
            created_at REAL NOT NULL,
            PRIMARY KEY (session_id, idx)
        );
        CREATE INDEX sessions_by_user ON sessions(user, created_at);
        """,
    ),
]


class SessionRow(BaseModel):
    id: str
    user: str
    plan_id: str
    role: str
    seed: int
    status: str
    created_at: float
    updated_at: float
    state_json: str
    meta: dict


class Store:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
            done = {row[0] for row in db.execute("SELECT name FROM migrations")}
            for name, sql in MIGRATIONS:
                if name not in done:
                    log.info("applying migration %s", name)
                    db.executescript(f"BEGIN;\n{sql}\nINSERT INTO migrations VALUES ('{name}', {time.time()});\nCOMMIT;")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def applied_migrations(self) -> list[str]:
        with self._connect() as db:
            return [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY name")]

    def create_session(self, user: str, plan_id: str, role: str, seed: int, state_json: str, meta: dict | None = None) -> str:
        session_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self._connect() as db:
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
                (session_id, user, plan_id, role, seed, now, now, state_json, json.dumps(meta or {})),
            )
        return session_id

    def commit_turns(self, session_id: str, turns: list[Turn], state_json: str, status: str | None = None) -> None:
        """Append turns and save the state atomically."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                for t in turns:
                    db.execute(
                        "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            session_id, t.index, t.speaker, t.text, t.round_index, t.item_id, t.classification,
                            t.decision.model_dump_json() if t.decision else None,
                            t.score.model_dump_json() if t.score else None, t.created_at,
                        ),
                    )
                db.execute(
                    "UPDATE sessions SET state_json = ?, updated_at = ?, status = COALESCE(?, status) WHERE id = ?",
                    (state_json, time.time(), status, session_id),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def set_meta(self, session_id: str, **values: object) -> None:
        """Merge values into the session's meta; read and write in one transaction, so two
        writers (a turn and the report tab, say) never drop each other's keys."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT meta_json FROM sessions WHERE id = ?", (session_id,)).fetchone()
                if row is None:
                    raise KeyError(f"no session with id {session_id!r}; `interviewer sessions` lists them")
                meta = {**json.loads(row[0] or "{}"), **values}
                db.execute("UPDATE sessions SET meta_json = ? WHERE id = ?", (json.dumps(meta), session_id))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def session(self, session_id: str) -> SessionRow:
        with self._connect() as db:
            row = db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"no session with id {session_id!r}; `interviewer sessions` lists them")
        return self._row(row)

    @staticmethod
    def _row(row: tuple) -> SessionRow:
        keys = ("id", "user", "plan_id", "role", "seed", "status", "created_at", "updated_at", "state_json")
        return SessionRow(**dict(zip(keys, row[:9], strict=True)), meta=json.loads(row[9] or "{}"))

    def sessions(self, user: str | None = None, limit: int = 50) -> list[SessionRow]:
        sql, args = "SELECT * FROM sessions", ()
        if user is not None:
            sql, args = sql + " WHERE user = ?", (user,)
        with self._connect() as db:
            rows = db.execute(sql + " ORDER BY created_at DESC LIMIT ?", (*args, limit)).fetchall()
        return [self._row(r) for r in rows]

    def turns(self, session_id: str) -> list[Turn]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT idx, speaker, text, round_index, item_id, classification, decision_json, score_json, created_at "
                "FROM turns WHERE session_id = ? ORDER BY idx", (session_id,),
            ).fetchall()
        return [
            Turn(
                index=r[0], speaker=r[1], text=r[2], round_index=r[3], item_id=r[4], classification=r[5],
                decision=json.loads(r[6]) if r[6] else None, score=json.loads(r[7]) if r[7] else None, created_at=r[8],
            )
            for r in rows
        ]

    def recent_items(self, user: str, sessions: int = 5, exclude: str | None = None) -> list[str]:
        """Items asked of this user in their last few sessions, so new sessions avoid them."""
        with self._connect() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM sessions WHERE user = ? AND id != ? ORDER BY created_at DESC LIMIT ?",
                (user, exclude or "", sessions),
            )]
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            rows = db.execute(
                f"SELECT DISTINCT item_id FROM turns WHERE session_id IN ({marks}) AND item_id IS NOT NULL", ids,
            ).fetchall()
        return sorted(r[0] for r in rows)

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
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from interviewer.config import redacted_url
from interviewer.datadir import create_private
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
    (
        # What was free-form meta_json becomes typed columns; existing sessions keep their values.
        "0002_typed_session_meta",
        """
        ALTER TABLE sessions ADD COLUMN speaker TEXT NOT NULL DEFAULT 'offline';
        ALTER TABLE sessions ADD COLUMN judge TEXT NOT NULL DEFAULT 'offline';
        ALTER TABLE sessions ADD COLUMN mode TEXT;
        ALTER TABLE sessions ADD COLUMN model TEXT;
        ALTER TABLE sessions ADD COLUMN usage_calls INTEGER;
        ALTER TABLE sessions ADD COLUMN usage_prompt_tokens INTEGER;
        ALTER TABLE sessions ADD COLUMN usage_completion_tokens INTEGER;
        ALTER TABLE sessions ADD COLUMN usage_failures INTEGER;
        ALTER TABLE sessions ADD COLUMN summary TEXT;
        ALTER TABLE sessions ADD COLUMN report_md TEXT;
        ALTER TABLE sessions ADD COLUMN report_html TEXT;
        ALTER TABLE sessions ADD COLUMN report_json TEXT;
        ALTER TABLE sessions ADD COLUMN guess_lp INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sessions ADD COLUMN lp_guesses_json TEXT NOT NULL DEFAULT '[]';
        UPDATE sessions SET
            speaker = COALESCE(json_extract(meta_json, '$.speaker'), 'offline'),
            judge = COALESCE(json_extract(meta_json, '$.judge'), 'offline'),
            mode = json_extract(meta_json, '$.mode'),
            model = json_extract(meta_json, '$.model'),
            usage_calls = json_extract(meta_json, '$.usage.calls'),
            usage_prompt_tokens = json_extract(meta_json, '$.usage.prompt_tokens'),
            usage_completion_tokens = json_extract(meta_json, '$.usage.completion_tokens'),
            usage_failures = json_extract(meta_json, '$.usage.failures'),
            summary = json_extract(meta_json, '$.summary'),
            report_md = json_extract(meta_json, '$.reports.md'),
            report_html = json_extract(meta_json, '$.reports.html'),
            report_json = json_extract(meta_json, '$.reports.json'),
            guess_lp = COALESCE(json_extract(meta_json, '$.guess_lp'), 1),
            lp_guesses_json = COALESCE(json_extract(meta_json, '$.lp_guesses'), '[]');
        ALTER TABLE sessions DROP COLUMN meta_json;
        """,
    ),
    (
        # Failed logins per user name and per client address (ui/login.py), kept across restarts.
        "0003_login_failures",
        """
        CREATE TABLE login_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure REAL NOT NULL,
            locked_until REAL NOT NULL DEFAULT 0
        );
        """,
    ),
    (
        # In model mode: who phrased each interviewer line, and why the templates did when the model did not.
        "0004_model_events",
        "ALTER TABLE sessions ADD COLUMN model_events_json TEXT NOT NULL DEFAULT '[]';",
    ),
    (
        # The story bank (interviewer/stories/): the candidate's prepared STAR stories.
        "0005_story_bank",
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            lps_json TEXT NOT NULL DEFAULT '[]',
            assessment_json TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX stories_by_user ON stories(user, created_at);
        """,
    ),
]


class TokenUsage(BaseModel):
    """A session's model calls (model mode)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failures: int = 0


class LpGuess(BaseModel):
    """The candidate's guess of which LP a probe was about (the browser's "Which LP is this?")."""

    item_id: str
    turn: int
    guess: str
    actual: str
    correct: bool


class ModelEvent(BaseModel):
    """Who produced one part of a session in model mode, and why not the model when it did not."""

    turn: int
    part: Literal["speaker", "judge", "summary"]
    by: str  # "model:<name>", or "template (model reply rejected: ...)", "offline (...)"


class SessionMeta(BaseModel):
    """What the store keeps about a session besides its state and turns: one typed column each."""

    model_config = ConfigDict(extra="forbid")

    speaker: str = "offline"  # who phrased the interviewer's lines
    judge: str = "offline"  # who scored the answers
    mode: str | None = None  # "offline", or the model and endpoint in model mode
    model: str | None = None
    usage: TokenUsage | None = None
    summary: str | None = None  # the model's closing feedback
    reports: dict[Literal["md", "html", "json"], str] = {}  # written report files
    guess_lp: bool = True
    lp_guesses: list[LpGuess] = []
    model_events: list[ModelEvent] = []


_USAGE = ("calls", "prompt_tokens", "completion_tokens", "failures")
_REPORTS = ("md", "html", "json")


def _meta_columns(meta: SessionMeta, fields: set[str]) -> dict[str, object]:
    """The columns that hold the given fields of `meta`."""
    out: dict[str, object] = {}
    for name in fields:
        value = getattr(meta, name)
        if name == "usage":
            out.update({f"usage_{k}": getattr(value, k) if value else None for k in _USAGE})
        elif name == "reports":
            out.update({f"report_{k}": value.get(k) for k in _REPORTS})
        elif name == "lp_guesses":
            out["lp_guesses_json"] = json.dumps([g.model_dump() for g in value])
        elif name == "model_events":
            out["model_events_json"] = json.dumps([e.model_dump() for e in value])
        elif name == "guess_lp":
            out["guess_lp"] = int(value)
        else:
            out[name] = value
    return out


def _meta_of(row: sqlite3.Row) -> SessionMeta:
    usage = None if row["usage_calls"] is None else TokenUsage(**{k: row[f"usage_{k}"] or 0 for k in _USAGE})
    return SessionMeta(
        speaker=row["speaker"], judge=row["judge"], mode=row["mode"], model=row["model"], usage=usage,
        summary=row["summary"], reports={k: row[f"report_{k}"] for k in _REPORTS if row[f"report_{k}"]},
        guess_lp=bool(row["guess_lp"]), lp_guesses=json.loads(row["lp_guesses_json"]),
        model_events=json.loads(row["model_events_json"]),
    )


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
    meta: SessionMeta


class Store:
    def __init__(self, path: Path):
        self.path = path
        create_private(path)  # 0600 before SQLite opens it: its -wal and -shm files take the same mode
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
            done = {row[0] for row in db.execute("SELECT name FROM migrations")}
            for name, sql in MIGRATIONS:
                if name not in done:
                    log.info("applying migration %s", name)
                    db.executescript(f"BEGIN;\n{sql}\nINSERT INTO migrations VALUES ('{name}', {time.time()});\nCOMMIT;")
            self._scrub_endpoints(db)

    @staticmethod
    def _scrub_endpoints(db: sqlite3.Connection) -> None:
        """Sessions stored before endpoints were redacted may hold OPENAI_BASE_URL's credentials
        in `mode` ("model M at URL"): store the redacted URL instead."""
        for session_id, mode in db.execute("SELECT id, mode FROM sessions WHERE mode LIKE 'model % at %'").fetchall():
            head, sep, url = mode.rpartition(" at ")
            safe = f"{head}{sep}{redacted_url(url)}" if url != "the OpenAI API" else mode
            if safe != mode:
                db.execute("UPDATE sessions SET mode = ? WHERE id = ?", (safe, session_id))
                log.warning("session %s: removed credentials of the model endpoint from its stored mode", session_id)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection to the store's database, for the other tables' owners (stories/storage.py)."""
        with self._connect() as db:
            yield db

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            yield db
        finally:
            db.close()

    def applied_migrations(self) -> list[str]:
        with self._connect() as db:
            return [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY name")]

    def create_session(self, user: str, plan_id: str, role: str, seed: int, state_json: str,
                       meta: SessionMeta | None = None) -> str:
        session_id = uuid.uuid4().hex[:12]
        now = time.time()
        meta = meta or SessionMeta()
        columns = {"id": session_id, "user": user, "plan_id": plan_id, "role": role, "seed": seed, "status": "active",
                   "created_at": now, "updated_at": now, "state_json": state_json,
                   **_meta_columns(meta, set(SessionMeta.model_fields))}
        with self._connect() as db:
            db.execute(f"INSERT INTO sessions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                       tuple(columns.values()))
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
        """Set fields of the session's SessionMeta (checked against its types); each field is its
        own column, so two writers of different fields never drop each other's values."""
        unknown = sorted(set(values) - set(SessionMeta.model_fields))
        if unknown:
            raise ValueError(f"session meta has no field(s) {unknown}; known: {sorted(SessionMeta.model_fields)}")
        try:
            meta = SessionMeta.model_validate(values)
        except ValidationError as exc:
            raise ValueError(f"session {session_id}: bad meta value: {exc}") from exc
        columns = _meta_columns(meta, set(values))
        with self._connect() as db:
            cursor = db.execute(f"UPDATE sessions SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                                (*columns.values(), session_id))
        if cursor.rowcount == 0:
            raise KeyError(f"no session with id {session_id!r}; `interviewer sessions` lists them")

    def session(self, session_id: str) -> SessionRow:
        with self._connect() as db:
            row = db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"no session with id {session_id!r}; `interviewer sessions` lists them")
        return self._row(row)

    @staticmethod
    def _row(row: sqlite3.Row) -> SessionRow:
        keys = ("id", "user", "plan_id", "role", "seed", "status", "created_at", "updated_at", "state_json")
        return SessionRow(**{k: row[k] for k in keys}, meta=_meta_of(row))

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

    # ---- failed logins (the LoginLedger of ui/login.py) -------------------------------------

    def login_failure(self, key: str, now: float, forget_after: float) -> int:
        """Count a failed login for `key`; a streak with no failure for `forget_after` seconds
        starts over. The streak's length, counted atomically across processes."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO login_failures (key, failures, last_failure) VALUES (?, 1, ?) ON CONFLICT(key) DO UPDATE "
                "SET failures = CASE WHEN ? - last_failure > ? THEN 1 ELSE failures + 1 END, last_failure = ?",
                (key, now, now, forget_after, now),
            )
            failures = db.execute("SELECT failures FROM login_failures WHERE key = ?", (key,)).fetchone()[0]
            db.execute("COMMIT")
        return int(failures)

    def lock_login(self, key: str, until: float) -> None:
        with self._connect() as db:
            db.execute("UPDATE login_failures SET locked_until = MAX(locked_until, ?) WHERE key = ?", (until, key))

    def login_locked_until(self, keys: list[str]) -> float:
        """The latest end of a lock on any of the keys (0 when none is locked)."""
        with self._connect() as db:
            row = db.execute(f"SELECT MAX(locked_until) FROM login_failures WHERE key IN ({','.join('?' * len(keys))})",
                             keys).fetchone()
        return float(row[0] or 0)

    def clear_logins(self, keys: list[str]) -> None:
        with self._connect() as db:
            db.execute(f"DELETE FROM login_failures WHERE key IN ({','.join('?' * len(keys))})", keys)

"""Sessions and their turns, the session meta and login throttling, on SQLite (the embedded
default) or PostgreSQL through one code path (store/database.py).

Every turn is committed together with the interview state in one transaction, before the next
interviewer message is produced, so killing the process loses nothing already answered. The store
is the only truth: any process can serve any turn of any session (under `session_lock`).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Connection, RowMapping, bindparam, inspect, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from interviewer.config import redacted_url
from interviewer.schemas import Turn
from interviewer.store import database

log = logging.getLogger(__name__)

TURN_LOCK_SECONDS = 300.0  # a turn in another process may take this long (a slow model) before we give up

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


def _meta_of(row: RowMapping) -> SessionMeta:
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
    """`target`: an SQLite file path, or a postgresql:// URL (Settings.database)."""

    def __init__(self, target: str | Path, migrate: bool = True):
        """Opens the database and, unless `migrate` is False (`interviewer db status`), applies the
        migrations it lacks."""
        self.engine = database.engine_for(target)
        self.dialect = self.engine.dialect.name
        try:
            if migrate:
                database.migrate(self.engine)
                with self.transaction() as db:
                    self._scrub_endpoints(db)
            else:
                with self.reading() as db:
                    db.execute(text("SELECT 1"))
        except database.StoreUnavailable as exc:
            raise database.StoreError(f"cannot open the store: {exc}") from None
        except DBAPIError as exc:
            # The driver's reason (refused, bad password, no such database, no right to create tables),
            # without the SQL or the password.
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            hint = (" (the database's user must own it, or be allowed to create tables in schema public: "
                    "see the README, Hosting a cohort)") if "permission denied" in reason else ""
            raise database.StoreError(f"cannot open the store at {self.where}: {reason}{hint}") from None

    def __repr__(self) -> str:
        return f"Store({self.where})"

    @property
    def where(self) -> str:
        """Where the store is, safe to show: the file, or the URL without its password."""
        url = self.engine.url
        return str(url.database) if self.dialect == "sqlite" else url.render_as_string(hide_password=True)

    @staticmethod
    def _scrub_endpoints(db: Connection) -> None:
        """Sessions stored before endpoints were redacted may hold OPENAI_BASE_URL's credentials
        in `mode` ("model M at URL"): store the redacted URL instead."""
        rows = db.execute(text("SELECT id, mode FROM sessions WHERE mode LIKE 'model % at %'")).fetchall()
        for session_id, mode in rows:
            head, sep, url = mode.rpartition(" at ")
            safe = f"{head}{sep}{redacted_url(url)}" if url != "the OpenAI API" else mode
            if safe != mode:
                db.execute(text("UPDATE sessions SET mode = :mode WHERE id = :id"), {"mode": safe, "id": session_id})
                log.warning("session %s: removed credentials of the model endpoint from its stored mode", session_id)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A writing transaction, for this module and the other tables' owners (stories/storage.py)."""
        with self._answering(), database.writing(self.engine) as db:
            yield db

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self._answering(), self.engine.connect() as db:
            yield db

    @contextmanager
    def session_lock(self, session_id: str, timeout: float = TURN_LOCK_SECONDS) -> Iterator[None]:
        """Held for a whole turn, so no two processes interleave one session's turns."""
        with self._answering(), database.session_lock(self.engine, session_id, timeout):
            yield

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """A database that stopped answering is StoreUnavailable, said plainly; other errors (a
        duplicate turn, a bad statement) stay what they are."""
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            if self.dialect == "sqlite" and "locked" not in str(exc.orig):
                raise
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise database.StoreUnavailable(f"the store at {self.where} is not answering: {reason}") from None

    def counts(self) -> dict[str, int]:
        """Rows per table, for `interviewer db status`."""
        with self.reading() as db:
            return {table: int(db.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
                    for table in ("sessions", "turns", "stories", "login_failures")}

    def applied_migrations(self) -> list[str]:
        if not inspect(self.engine).has_table("migrations"):
            return []
        with self.reading() as db:
            return [r[0] for r in db.execute(text("SELECT name FROM migrations ORDER BY name"))]

    def create_session(self, user: str, plan_id: str, role: str, seed: int, state_json: str,
                       meta: SessionMeta | None = None) -> str:
        session_id = uuid.uuid4().hex[:12]
        now = time.time()
        meta = meta or SessionMeta()
        columns = {"id": session_id, "user": user, "plan_id": plan_id, "role": role, "seed": seed, "status": "active",
                   "created_at": now, "updated_at": now, "state_json": state_json,
                   **_meta_columns(meta, set(SessionMeta.model_fields))}
        names = ", ".join(f'"{c}"' for c in columns)
        with self.transaction() as db:
            db.execute(text(f"INSERT INTO sessions ({names}) VALUES ({', '.join(f':{c}' for c in columns)})"), columns)
        return session_id

    def commit_turns(self, session_id: str, turns: list[Turn], state_json: str, status: str | None = None) -> None:
        """Append turns and save the state atomically."""
        rows = [
            {"session_id": session_id, "idx": t.index, "speaker": t.speaker, "text": t.text, "round_index": t.round_index,
             "item_id": t.item_id, "classification": t.classification,
             "decision_json": t.decision.model_dump_json() if t.decision else None,
             "score_json": t.score.model_dump_json() if t.score else None, "created_at": t.created_at}
            for t in turns
        ]
        with self.transaction() as db:
            if rows:
                db.execute(text(f"INSERT INTO turns ({', '.join(rows[0])}) VALUES ({', '.join(f':{c}' for c in rows[0])})"),
                           rows)
            db.execute(text("UPDATE sessions SET state_json = :state, updated_at = :now, status = COALESCE(:status, status) "
                            "WHERE id = :id"),
                       {"state": state_json, "now": time.time(), "status": status, "id": session_id})

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
        # updated_at moves too: another process's cached copy of this session sees it changed.
        assignments = ", ".join([*(f"{c} = :{c}" for c in columns), "updated_at = :updated_at"])
        with self.transaction() as db:
            cursor = db.execute(text(f"UPDATE sessions SET {assignments} WHERE id = :session_id"),
                                {**columns, "updated_at": time.time(), "session_id": session_id})
        if cursor.rowcount == 0:
            raise KeyError(f"no session with id {session_id!r}; `interviewer sessions` lists them")

    def session(self, session_id: str) -> SessionRow:
        with self.reading() as db:
            row = db.execute(text("SELECT * FROM sessions WHERE id = :id"), {"id": session_id}).mappings().first()
        if row is None:
            raise KeyError(f"no session with id {session_id!r}; `interviewer sessions` lists them")
        return self._row(row)

    def version(self, session_id: str) -> tuple[int, float]:
        """(turns stored, last update): what a process's cached interview is checked against."""
        with self.reading() as db:
            row = db.execute(text("SELECT (SELECT COUNT(*) FROM turns WHERE session_id = :id), updated_at "
                                  "FROM sessions WHERE id = :id"), {"id": session_id}).first()
        if row is None:
            raise KeyError(f"no session with id {session_id!r}; `interviewer sessions` lists them")
        return int(row[0]), float(row[1])

    @staticmethod
    def _row(row: RowMapping) -> SessionRow:
        keys = ("id", "user", "plan_id", "role", "seed", "status", "created_at", "updated_at", "state_json")
        return SessionRow(**{k: row[k] for k in keys}, meta=_meta_of(row))

    def sessions(self, user: str | None = None, limit: int = 50) -> list[SessionRow]:
        sql, args = "SELECT * FROM sessions", {"limit": limit}
        if user is not None:
            sql, args = sql + ' WHERE "user" = :user', {**args, "user": user}
        with self.reading() as db:
            rows = db.execute(text(sql + " ORDER BY created_at DESC LIMIT :limit"), args).mappings().all()
        return [self._row(r) for r in rows]

    def turns(self, session_id: str) -> list[Turn]:
        with self.reading() as db:
            rows = db.execute(text(
                "SELECT idx, speaker, text, round_index, item_id, classification, decision_json, score_json, created_at "
                "FROM turns WHERE session_id = :id ORDER BY idx"), {"id": session_id},
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
        with self.reading() as db:
            ids = [r[0] for r in db.execute(text(
                'SELECT id FROM sessions WHERE "user" = :user AND id != :exclude ORDER BY created_at DESC LIMIT :n'),
                {"user": user, "exclude": exclude or "", "n": sessions})]
            if not ids:
                return []
            query = text("SELECT DISTINCT item_id FROM turns WHERE session_id IN :ids AND item_id IS NOT NULL")
            rows = db.execute(query.bindparams(bindparam("ids", expanding=True)), {"ids": ids}).fetchall()
        return sorted(r[0] for r in rows)

    # ---- failed logins (the LoginLedger of ui/login.py) -------------------------------------

    def login_failure(self, key: str, now: float, forget_after: float) -> int:
        """Count a failed login for `key`; a streak with no failure for `forget_after` seconds
        starts over. The streak's length, counted atomically across processes."""
        with self.transaction() as db:
            failures = db.execute(text(
                "INSERT INTO login_failures (key, failures, last_failure) VALUES (:key, 1, :now) ON CONFLICT(key) DO UPDATE "
                "SET failures = CASE WHEN :now - login_failures.last_failure > :forget THEN 1 "
                "ELSE login_failures.failures + 1 END, last_failure = :now RETURNING failures"),
                {"key": key, "now": now, "forget": forget_after}).scalar_one()
        return int(failures)

    def lock_login(self, key: str, until: float) -> None:
        with self.transaction() as db:
            db.execute(text("UPDATE login_failures SET locked_until = CASE WHEN locked_until > :until THEN locked_until "
                            "ELSE :until END WHERE key = :key"), {"until": until, "key": key})

    def _keys(self, sql: str) -> object:
        return text(sql).bindparams(bindparam("keys", expanding=True))

    def login_locked_until(self, keys: list[str]) -> float:
        """The latest end of a lock on any of the keys (0 when none is locked)."""
        with self.reading() as db:
            value = db.execute(self._keys("SELECT MAX(locked_until) FROM login_failures WHERE key IN :keys"),
                               {"keys": keys}).scalar()
        return float(value or 0)

    def clear_logins(self, keys: list[str]) -> None:
        with self.transaction() as db:
            db.execute(self._keys("DELETE FROM login_failures WHERE key IN :keys"), {"keys": keys})

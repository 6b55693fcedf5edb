"""The database under the store: an SQLAlchemy engine for SQLite (the embedded default, a file in
the data directory) or PostgreSQL (psycopg 3), the migrations, and the per-session turn lock.

The lock is what lets any number of app processes serve one session: a turn holds it from reading
the session to committing its turns. On Postgres it is an advisory lock held by one connection; on
SQLite a byte-range lock on a file beside the database. Either is released by the operating system
or the server when its process dies, so a killed process never leaves a session locked.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from interviewer.datadir import create_private
from interviewer.store.migrations import MIGRATIONS, statements

log = logging.getLogger(__name__)

# Any constant: the advisory lock that serialises migrations between processes starting together.
MIGRATION_LOCK = 0x1E7E_5701
LOCK_POLL_SECONDS = 0.05
LOCK_FILE_RANGE = 1 << 20
MAX_CONNECTIONS = 20  # per process, to PostgreSQL (the README's deployment section sizes the server by it)  # sessions hash to one byte of this range in the lock file


class StoreError(RuntimeError):
    """The store cannot be opened (an unreadable URL, a database that refuses), said plainly."""


class StoreUnavailable(StoreError):
    """The database stopped answering (a server restart, a network cut): nothing was stored by the
    action that met it; the caller says so and the candidate tries again."""


class SessionBusy(RuntimeError):
    """Another process is taking a turn in this session and did not finish in time."""


def engine_for(target: str | Path) -> Engine:
    """An engine for a PostgreSQL URL (postgresql://, postgres:// or postgresql+psycopg://) or an SQLite file path."""
    target = str(target)
    if "://" not in target:
        path = Path(target)
        if not path.exists():
            # 0600 before SQLite opens it: its -wal and -shm files take the same mode. Only when it is new:
            # opening and closing a database file this process has open would drop SQLite's POSIX locks on
            # it (closing any descriptor of a file does), and another process could then corrupt it.
            create_private(path)
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})
        _sqlite_transactions(engine)
        return engine
    check_encoded(target)
    try:
        url = make_url(target)
    except ArgumentError:
        raise StoreError("INTERVIEWER_DATABASE_URL is not a database URL (postgresql://user:password@host:port/db); "
                         "it is not shown because it may hold the password") from None
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        url = url.set(drivername="postgresql+psycopg")
    else:
        raise StoreError(f"INTERVIEWER_DATABASE_URL must be postgresql://...; got {url.drivername}:// "
                         "(leave it unset for the SQLite file in the data directory)")
    # pool_pre_ping: a connection the server dropped (a restart) is replaced, not handed to a turn.
    # At most MAX_CONNECTIONS per process: a turn holds one for its lock and uses one more at a time.
    return create_engine(url, pool_pre_ping=True, pool_size=MAX_CONNECTIONS // 2, max_overflow=MAX_CONNECTIONS // 2)


def check_encoded(url: str) -> None:
    """A password with @ / ? # in it must be percent-encoded: read raw, the URL splits inside the
    password, and the piece after the split would be shown as the host (it was, in a trial)."""
    userinfo, at, _ = url.partition("://")[2].rpartition("@")
    if at and any(c in userinfo for c in "/?#@"):
        raise StoreError("INTERVIEWER_DATABASE_URL: percent-encode the user name and password (@ as %40, / as %2F, "
                         "? as %3F, # as %23); the URL is not shown because it holds the password")


def _sqlite_transactions(engine: Engine) -> None:
    """SQLite's own BEGIN, not the driver's: a writing transaction starts IMMEDIATE (it waits for
    the write lock up front instead of failing to upgrade a read lock under contention)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - the DB-API connection
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes: committed on success, rolled back on any error."""
    with engine.connect().execution_options(immediate=True) as connection, connection.begin():
        yield connection


def migrate(engine: Engine) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction; returns their names.
    Processes starting together take turns (Postgres: an advisory lock; SQLite: BEGIN IMMEDIATE)."""
    dialect = engine.dialect.name
    applied: list[str] = []
    with writing(engine) as db:
        if dialect == "postgresql":
            db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        db.execute(text("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at "
                        + ("DOUBLE PRECISION" if dialect == "postgresql" else "REAL") + " NOT NULL)"))
        done = {row[0] for row in db.execute(text("SELECT name FROM migrations"))}
        for migration in MIGRATIONS:
            if migration.name in done:
                continue
            log.info("applying migration %s", migration.name)
            for statement in statements(migration.script(dialect)):
                db.exec_driver_sql(statement)
            db.execute(text("INSERT INTO migrations VALUES (:name, :at)"), {"name": migration.name, "at": time.time()})
            applied.append(migration.name)
    return applied


def lock_key(session_id: str) -> int:
    """A signed 64-bit key for the session (Postgres advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(session_id.encode(), digest_size=8).digest(), "big", signed=True)


_LOCK_FILES: dict[str, int] = {}
_LOCK_FILES_GUARD = threading.Lock()


def _lock_file(path: Path) -> int:
    """One descriptor per lock file per process: POSIX record locks belong to the process and
    closing any descriptor of the file would drop them all, so it is never closed."""
    key = str(path.resolve())
    with _LOCK_FILES_GUARD:
        if key not in _LOCK_FILES:
            _LOCK_FILES[key] = os.open(key, os.O_RDWR | os.O_CREAT, 0o600)
        return _LOCK_FILES[key]


@contextmanager
def session_lock(engine: Engine, session_id: str, timeout: float) -> Iterator[None]:
    """Hold the session's turn lock across processes (see the module's docstring). Threads of one
    process are serialised by the caller (the controller's per-session lock)."""
    deadline = time.monotonic() + timeout
    if engine.dialect.name == "postgresql":
        key = lock_key(session_id)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            while not db.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                _wait(deadline, session_id)
            try:
                yield
            finally:
                db.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return
    fd = _lock_file(Path(str(engine.url.database)).with_suffix(".locks"))
    offset = lock_key(session_id) % LOCK_FILE_RANGE
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
            break
        except OSError:
            _wait(deadline, session_id)
    try:
        yield
    finally:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)


def _wait(deadline: float, session_id: str) -> None:
    if time.monotonic() > deadline:
        raise SessionBusy(f"session {session_id} is busy with another turn; try again in a moment")
    time.sleep(LOCK_POLL_SECONDS)

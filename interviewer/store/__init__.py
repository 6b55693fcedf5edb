"""What the app keeps: sessions, turns, session meta, login throttling (sessions.py), the story
bank's table (stories/storage.py), on SQLite or PostgreSQL (database.py), schema in migrations.py."""

from interviewer.store.database import SessionBusy, StoreError, StoreUnavailable
from interviewer.store.migrations import MIGRATIONS
from interviewer.store.sessions import (
    TURN_LOCK_SECONDS,
    LpGuess,
    ModelEvent,
    SessionMeta,
    SessionRow,
    Store,
    TokenUsage,
)

__all__ = ["MIGRATIONS", "TURN_LOCK_SECONDS", "LpGuess", "ModelEvent", "SessionBusy", "SessionMeta", "SessionRow",
           "Store", "StoreError", "StoreUnavailable", "TokenUsage"]

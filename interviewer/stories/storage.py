"""The story bank's table (store.py's migration 0005): one row per story, per user.

Deleting is for good: SQLite overwrites the freed pages (secure_delete) and the write-ahead log
is truncated, so the story's text is not left in the database files.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
import uuid

from interviewer.store import Store
from interviewer.stories.model import BankStory, StoryAssessment, StoryDraft

log = logging.getLogger(__name__)


class StoryStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, user: str, draft: StoryDraft, assessment: StoryAssessment | None) -> BankStory:
        now = time.time()
        story = BankStory(id=uuid.uuid4().hex[:10], user=user, created_at=now, updated_at=now,
                          assessment=assessment, **draft.model_dump())
        with self.store.connect() as db:
            db.execute("INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (story.id, user, story.title, story.text, json.dumps(story.lps),
                        assessment.model_dump_json() if assessment else None, now, now))
        return story

    def update(self, story: BankStory) -> BankStory:
        story = story.model_copy(update={"updated_at": time.time()})
        with self.store.connect() as db:
            cursor = db.execute(
                "UPDATE stories SET title = ?, text = ?, lps_json = ?, assessment_json = ?, updated_at = ? "
                "WHERE id = ? AND user = ?",
                (story.title, story.text, json.dumps(story.lps),
                 story.assessment.model_dump_json() if story.assessment else None, story.updated_at, story.id, story.user))
        if cursor.rowcount == 0:
            raise KeyError(f"no story with id {story.id!r} in your bank")
        return story

    def get(self, user: str, story_id: str) -> BankStory:
        with self.store.connect() as db:
            row = db.execute("SELECT * FROM stories WHERE id = ? AND user = ?", (story_id, user)).fetchone()
        if row is None:
            raise KeyError(f"no story with id {story_id!r} in your bank; `interviewer stories list` shows them")
        return _story(row)

    def all(self, user: str) -> list[BankStory]:
        with self.store.connect() as db:
            rows = db.execute("SELECT * FROM stories WHERE user = ? ORDER BY created_at", (user,)).fetchall()
        return [_story(r) for r in rows]

    def delete(self, user: str, story_ids: list[str]) -> int:
        """Deletes for good; returns how many were deleted."""
        if not story_ids:
            return 0
        with self.store.connect() as db:
            db.execute("PRAGMA secure_delete = ON")
            marks = ",".join("?" * len(story_ids))
            cursor = db.execute(f"DELETE FROM stories WHERE user = ? AND id IN ({marks})", (user, *story_ids))
            deleted = cursor.rowcount
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log.info("deleted %d stor%s for good", deleted, "y" if deleted == 1 else "ies")
        return deleted


def _story(row: sqlite3.Row) -> BankStory:
    return BankStory(
        id=row["id"], user=row["user"], title=row["title"], text=row["text"], lps=json.loads(row["lps_json"]),
        assessment=StoryAssessment.model_validate_json(row["assessment_json"]) if row["assessment_json"] else None,
        created_at=row["created_at"], updated_at=row["updated_at"],
    )

"""The story bank's table (store migration 0005): one row per story, per user.

Deleting is for good. On SQLite the freed pages are overwritten (secure_delete) and the write-ahead
log truncated; on Postgres the table is rewritten without the row (VACUUM FULL), so the story's text
is not left in the table's files (the server's own write-ahead log keeps it until it is recycled).
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from sqlalchemy import RowMapping, bindparam, text

from interviewer.store import Store
from interviewer.stories.model import BankStory, StoryAssessment, StoryDraft

log = logging.getLogger(__name__)

COLUMNS = ("id", "user", "title", "text", "lps_json", "assessment_json", "created_at", "updated_at")
INSERT = text("INSERT INTO stories ({}) VALUES ({})".format(", ".join(f'"{c}"' for c in COLUMNS),
                                                           ", ".join(f":{c}" for c in COLUMNS)))


class StoryStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, user: str, draft: StoryDraft, assessment: StoryAssessment | None) -> BankStory:
        now = time.time()
        story = BankStory(id=uuid.uuid4().hex[:10], user=user, created_at=now, updated_at=now,
                          assessment=assessment, **draft.model_dump())
        values = {"id": story.id, "user": user, "title": story.title, "text": story.text, "lps_json": json.dumps(story.lps),
                  "assessment_json": assessment.model_dump_json() if assessment else None,
                  "created_at": now, "updated_at": now}
        with self.store.transaction() as db:
            db.execute(INSERT, values)
        return story

    def update(self, story: BankStory) -> BankStory:
        story = story.model_copy(update={"updated_at": time.time()})
        with self.store.transaction() as db:
            cursor = db.execute(text(
                "UPDATE stories SET title = :title, text = :text, lps_json = :lps, assessment_json = :assessment, "
                'updated_at = :updated_at WHERE id = :id AND "user" = :user'),
                {"title": story.title, "text": story.text, "lps": json.dumps(story.lps),
                 "assessment": story.assessment.model_dump_json() if story.assessment else None,
                 "updated_at": story.updated_at, "id": story.id, "user": story.user})
        if cursor.rowcount == 0:
            raise KeyError(f"no story with id {story.id!r} in your bank")
        return story

    def get(self, user: str, story_id: str) -> BankStory:
        with self.store.reading() as db:
            row = db.execute(text('SELECT * FROM stories WHERE id = :id AND "user" = :user'),
                             {"id": story_id, "user": user}).mappings().first()
        if row is None:
            raise KeyError(f"no story with id {story_id!r} in your bank; `interviewer stories list` shows them")
        return _story(row)

    def all(self, user: str) -> list[BankStory]:
        with self.store.reading() as db:
            rows = db.execute(text('SELECT * FROM stories WHERE "user" = :user ORDER BY created_at'),
                              {"user": user}).mappings().all()
        return [_story(r) for r in rows]

    def delete(self, user: str, story_ids: list[str]) -> int:
        """Deletes for good; returns how many were deleted."""
        if not story_ids:
            return 0
        sqlite = self.store.dialect == "sqlite"
        with self.store.transaction() as db:
            if sqlite:
                db.exec_driver_sql("PRAGMA secure_delete = ON")
            query = text('DELETE FROM stories WHERE "user" = :user AND id IN :ids').bindparams(
                bindparam("ids", expanding=True))
            deleted = db.execute(query, {"user": user, "ids": story_ids}).rowcount
        with self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            # Outside a transaction: neither a checkpoint nor VACUUM runs inside one.
            db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)" if sqlite else "VACUUM FULL stories")
        log.info("deleted %d stor%s for good", deleted, "y" if deleted == 1 else "ies")
        return deleted


def _story(row: RowMapping) -> BankStory:
    return BankStory(
        id=row["id"], user=row["user"], title=row["title"], text=row["text"], lps=json.loads(row["lps_json"]),
        assessment=StoryAssessment.model_validate_json(row["assessment_json"]) if row["assessment_json"] else None,
        created_at=row["created_at"], updated_at=row["updated_at"],
    )

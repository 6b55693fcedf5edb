"""The story bank as the app and the terminal use it: add, score, map, list, delete, export,
import, the coverage grid, and the interview answers that tell bank stories."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from interviewer.interview.services import Services
from interviewer.judge.text import sentences
from interviewer.report.history import stories_of
from interviewer.stories import coverage
from interviewer.stories.assess import StoryAssessor
from interviewer.stories.model import BankStory, Coverage, StoryDraft
from interviewer.stories.storage import StoryStore

log = logging.getLogger(__name__)


@dataclass
class StoryBank:
    services: Services
    store: StoryStore = field(init=False)
    assessor: StoryAssessor = field(init=False)

    def __post_init__(self) -> None:
        self.store = StoryStore(self.services.store)
        self.assessor = StoryAssessor(self.services.offline_judge, self.services.corpus)

    # ---- the stories ------------------------------------------------------------------

    def add(self, user: str, draft: StoryDraft) -> BankStory:
        """Scored before it is stored, so the bank never holds an unscored story."""
        return self.store.add(user, draft, self.assessor.assess(draft.text, draft.lps))

    def edit(self, user: str, story_id: str, title: str | None = None, text: str | None = None,
             lps: list[str] | None = None) -> BankStory:
        """Changes the story; re-scored when its text or its LPs change (how well it fits each is measured)."""
        old = self.store.get(user, story_id)
        draft = StoryDraft(title=title if title is not None else old.title, text=text if text is not None else old.text,
                           lps=lps if lps is not None else old.lps)
        story = old.model_copy(update=draft.model_dump())
        if draft.text != old.text or draft.lps != old.lps or old.assessment is None:
            story = story.model_copy(update={"assessment": self.assessor.assess(draft.text, draft.lps)})
        return self.store.update(story)

    def get(self, user: str, story_id: str) -> BankStory:
        return self.store.get(user, story_id)

    def stories(self, user: str) -> list[BankStory]:
        return self.store.all(user)

    def delete(self, user: str, story_ids: list[str]) -> int:
        return self.store.delete(user, story_ids)

    def import_drafts(self, user: str, drafts: list[StoryDraft]) -> tuple[list[BankStory], int]:
        """Adds the drafts not already in the bank (same text); returns them and how many were skipped."""
        have = {s.text.strip() for s in self.store.all(user)}
        added, skipped = [], 0
        for d in drafts:
            if d.text.strip() in have:
                skipped += 1
                continue
            added.append(self.add(user, d))
            have.add(d.text.strip())
        return added, skipped

    # ---- coverage ---------------------------------------------------------------------

    def vector(self, text: str) -> np.ndarray:
        """A story's meaning: the mean of its sentences' vectors (one vector of the whole text
        would be cut at the encoder's length limit)."""
        parts = [s.text for s in sentences(text)] or [text]
        v = self.services.offline_judge.vectors.embed(parts).mean(axis=0)
        return v / (np.linalg.norm(v) or 1.0)

    def coverage(self, user: str, with_interviews: bool = True) -> Coverage:
        stories = self.store.all(user)
        vectors = {s.id: self.vector(s.text) for s in stories}
        links = []
        if with_interviews and stories:
            told = []
            for row in self.services.store.sessions(user, limit=200):
                told += stories_of(self.services.store.turns(row.id), row.id)
            links = coverage.interview_links(stories, vectors, told, [self.vector(t.text) for t in told])
        return Coverage(rows=coverage.grid(stories), stretched=coverage.stretched(stories),
                        duplicates=coverage.near_duplicates(stories, vectors), links=links)

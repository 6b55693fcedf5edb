"""The Story bank tab's handlers: adapt the StoryBank (interviewer/stories/bank.py) to the
components of ui/layout.py's story_tab. No business logic here."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
from pydantic import ValidationError

from interviewer.datadir import write_private
from interviewer.interview.state import StoryBrief
from interviewer.stories.bank import StoryBank
from interviewer.stories.exchange import (
    StoryImportError,
    draft_problems,
    imported_line,
    read_file,
    to_json,
    to_markdown,
)
from interviewer.stories.model import BankStory, StoryDraft
from interviewer.stories.render import grid_md, stories_table_md, story_md
from interviewer.ui.handlers import Handlers, failure_line, screen_out, with_browser_id

log = logging.getLogger(__name__)

_EXPORTS = Path(tempfile.mkdtemp(prefix="interviewer-stories-"))
BANK_OUTPUTS = 8  # assessment, pick, table, grid, notice, map_lps, export_md, export_json


class StoryHandlers:
    def __init__(self, handlers: Handlers):
        self.h = handlers
        self.bank = StoryBank(handlers.services)

    def _user(self, request: gr.Request | None, browser_state: dict[str, Any]) -> str:
        return self.h.user(request, with_browser_id(browser_state))

    def _view(self, user: str, shown: BankStory | None = None, notice: str = "", lps: Any = None) -> tuple:
        """Every part of the tab from the bank as stored; the export buttons get fresh files."""
        stories = self.bank.stories(user)
        folder = _EXPORTS / hashlib.sha256(user.encode()).hexdigest()[:16]
        folder.mkdir(exist_ok=True)
        exports = (write_private(folder / "story-bank.md", to_markdown(stories)),
                   write_private(folder / "story-bank.json", to_json(stories)))
        choices = [(f"{s.title} ({s.assessment.overall:.1f})" if s.assessment else s.title, s.id) for s in stories]
        value = shown.id if shown is not None else (choices[-1][1] if choices else None)
        current = shown or next((s for s in stories if s.id == value), None)
        return (story_md(current) if current else "Your bank is empty: add your first story above.",
                gr.update(choices=choices, value=value), stories_table_md(stories),
                grid_md(stories, self.bank.coverage(user)), notice, gr.update() if lps is None else lps,
                *(gr.update(value=str(p)) for p in exports))

    def _safely(self, user_fn) -> tuple:  # noqa: ANN001
        try:
            return user_fn()
        except (KeyError, ValueError, StoryImportError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) else str(exc)
            return (*[gr.update()] * 4, message, *[gr.update()] * 3)
        except Exception as exc:  # noqa: BLE001 - one friendly line, details in the log
            return (*[gr.update()] * 4, failure_line(exc), *[gr.update()] * 3)

    def _picked(self, story_id: str | None, request: gr.Request | None, browser_state: dict[str, Any]) -> str:
        """The user, once a story is picked."""
        if not story_id:
            raise ValueError("Pick a story first.")
        return self._user(request, browser_state)

    def on_open(self, browser_state, request: gr.Request) -> tuple:  # noqa: ANN001
        return self._safely(lambda: self._view(self._user(request, browser_state)))

    def on_add(self, browser_state, title, text, lps, request: gr.Request) -> tuple:  # noqa: ANN001
        def add() -> tuple:
            user = self._user(request, browser_state)
            try:
                draft = StoryDraft(title=title or (text or "").strip().split(".")[0][:60] or "", text=text or "", lps=lps or [])
            except ValidationError as exc:
                raise ValueError("; ".join(draft_problems(exc)).capitalize() + ".") from None
            story = self.bank.add(user, draft)
            # The form empties (its LPs too) once the story is in the bank.
            return (*self._view(user, story, lps=gr.update(value=story.lps)), "", "", gr.update(value=[]))
        out = self._safely(add)
        return out if len(out) == BANK_OUTPUTS + 3 else (*out, gr.update(), gr.update(), gr.update())

    def on_pick(self, browser_state, story_id, request: gr.Request) -> tuple:  # noqa: ANN001
        def pick() -> tuple:
            if not story_id:
                return self._view(self._user(request, browser_state))
            story = self.bank.get(self._user(request, browser_state), story_id)
            return self._view(story.user, story, lps=gr.update(value=story.lps))
        return self._safely(pick)

    def on_set_lps(self, browser_state, story_id, lps, request: gr.Request) -> tuple:  # noqa: ANN001
        def set_lps() -> tuple:
            user = self._picked(story_id, request, browser_state)
            return self._view(user, self.bank.edit(user, story_id, lps=list(lps or [])))
        return self._safely(set_lps)

    def on_accept(self, browser_state, story_id, request: gr.Request) -> tuple:  # noqa: ANN001
        def accept() -> tuple:
            user = self._picked(story_id, request, browser_state)
            story = self.bank.edit(user, story_id, lps=self.bank.get(user, story_id).suggested)
            return self._view(user, story, lps=gr.update(value=story.lps))
        return self._safely(accept)

    def on_delete(self, browser_state, story_id, request: gr.Request) -> tuple:  # noqa: ANN001
        def delete() -> tuple:
            user = self._picked(story_id, request, browser_state)
            n = self.bank.delete(user, [story_id])
            return self._view(user, notice=f"Deleted for good ({n})." if n else "That story was already gone.")
        return self._safely(delete)

    def on_import(self, browser_state, file, request: gr.Request) -> tuple:  # noqa: ANN001
        def imported() -> tuple:
            if not file:
                return self._view(self._user(request, browser_state))
            user = self._user(request, browser_state)
            path = Path(file)
            added, skipped = self.bank.import_drafts(user, read_file(path, shown=path.name))
            return self._view(user, notice=imported_line(len(added), skipped))
        return self._safely(imported)

    def on_practice(self, browser_state, role, request: gr.Request) -> tuple:  # noqa: ANN001
        browser_state = with_browser_id(browser_state)
        try:
            user = self._user(request, browser_state)
            weakest = self.bank.coverage(user, with_interviews=False).weakest[:4]
            screen = self.h.ctl.start_story_practice(user, role or "RS", weakest)
        except Exception as exc:  # noqa: BLE001
            return (*screen_out(None, browser_state), gr.Tabs(), failure_line(exc))
        return (*screen_out(screen, browser_state), gr.Tabs(selected="interview"), "")

    def on_drill(self, browser_state, story_id, role, request: gr.Request) -> tuple:  # noqa: ANN001
        browser_state = with_browser_id(browser_state)
        if not story_id:
            return (*screen_out(None, browser_state), gr.Tabs(), "Pick a story first.")
        try:
            user = self._user(request, browser_state)
            story = self.bank.get(user, story_id)
            lp = (story.counted_for or ["Ownership"])[0]
            screen = self.h.ctl.start_story_practice(user, role or "RS", [lp],
                                                     StoryBrief(id=story.id, title=story.title, lp=lp))
        except KeyError as exc:
            return (*screen_out(None, browser_state), gr.Tabs(), exc.args[0])
        except Exception as exc:  # noqa: BLE001
            return (*screen_out(None, browser_state), gr.Tabs(), failure_line(exc))
        return (*screen_out(screen, browser_state), gr.Tabs(selected="interview"), "")

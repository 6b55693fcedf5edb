"""The Online assessment tab's handlers: adapt interviewer/assessment to ui/layout.py's
assessment_tab. The assessment id lives in the browser's state beside the interview's, so a
reload finds it again; every step is stored, so nothing is lost."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from interviewer.assessment.content import LETTERS, AssessmentContent
from interviewer.assessment.grading import BadResponse
from interviewer.assessment.session import OnlineAssessment, assessment_content
from interviewer.assessment.state import (
    AssessmentState,
    seconds_left,
)
from interviewer.assessment.view import build_report, clock, report_md
from interviewer.datadir import write_private
from interviewer.store import StoreUnavailable
from interviewer.ui.controller import UserError
from interviewer.ui.handlers import ASSESSMENT_KEY as KEY
from interviewer.ui.handlers import Handlers, failure_line, with_browser_id

log = logging.getLogger(__name__)

_REPORTS = Path(tempfile.mkdtemp(prefix="interviewer-assessments-"))


class AssessmentHandlers:
    def __init__(self, handlers: Handlers):
        self.h = handlers
        self.s = handlers.services
        self._content: AssessmentContent | None = None  # the assessment's items, loaded once

    def _session(self, request: gr.Request | None, browser_state: dict[str, Any]) -> str | None:
        """This browser's assessment, when it is this user's (another's is never shown)."""
        session_id = browser_state.get(KEY) or ""
        return session_id if self.h.ctl.is_assessment(self.h.user(request, browser_state), session_id) else None

    def _items(self) -> AssessmentContent:
        if self._content is None:
            self._content = assessment_content(self.s)
        return self._content

    def _resume(self, session_id: str) -> OnlineAssessment:
        """Under the session's lock: resuming may store a step (a section closed by its clock)."""
        with self.h.ctl.session_turn(session_id):
            return OnlineAssessment.resume(self.s, session_id, self._items())

    def _view(self, oa: OnlineAssessment | None, browser_state: dict[str, Any], notice: str = "") -> tuple:
        """browser, header, countdown, timer, item, choice, most, least, code, submit, skip, end, notice, report,
        download, run"""
        if oa is None:
            off = gr.update(visible=False)
            return (browser_state, "", "", gr.Timer(active=False), "Start an assessment above.", off, off, off, off,
                    *[gr.update(interactive=False)] * 3, notice, "", gr.update(visible=False), off)
        if oa.finished:
            rep = build_report(oa)
            text = report_md(rep)
            folder = _REPORTS / hashlib.sha256(oa.user.encode()).hexdigest()[:16]
            folder.mkdir(exist_ok=True)
            path = write_private(folder / f"assessment-{oa.session_id}.md", text)
            off = gr.update(visible=False)
            return (browser_state, f"**Finished**: {rep.percent:.0f}% (the mean of the sections' scores).", "",
                    gr.Timer(active=False), "", off, off, off, off, *[gr.update(interactive=False)] * 3, notice, text,
                    gr.update(visible=True, value=str(path)), off)
        section = oa.state.current_section
        assert section is not None
        item_text = oa.turns[-1].text if oa.turns and oa.turns[-1].speaker == "interviewer" else ""
        n = len(LETTERS)
        if section.key == "sql_mcq":
            m = oa.content.mcq_item(oa.state.current_item)
            n = len(m.options)
        letters = list(LETTERS[:n])
        is_mcq, is_ws, is_code = section.key == "sql_mcq", section.key == "work_style", section.key in ("python", "algorithms")
        template = None
        if is_code:
            problem = self.s.problems.coding[oa.state.current_item]
            template = f"{problem.signature}:\n    ...\n"
        position = f"Section {oa.state.section + 1} of {len(oa.state.sections)}: **{section.title}**"
        return (browser_state, position, f"**Time left in this section: {clock(oa.seconds_left())}**",
                gr.Timer(active=True), item_text,
                gr.update(visible=is_mcq, choices=letters, value=None),
                gr.update(visible=is_ws, choices=letters[:4], value=None),
                gr.update(visible=is_ws, choices=letters[:4], value=None),
                gr.update(visible=is_code, value=template) if is_code else gr.update(visible=False),
                *[gr.update(interactive=True)] * 3, notice, "", gr.update(visible=False), gr.update(visible=is_code))

    def on_start(self, browser_state, role, seed, request: gr.Request) -> tuple:  # noqa: ANN001
        browser_state = with_browser_id(browser_state)
        running = self._session(request, browser_state)
        if running is not None:
            oa = self._resume(running)
            if not oa.finished:
                return self._view(oa, browser_state, "Your assessment is still running, so it carries on here: "
                                  "end it first to start another.")
        try:
            oa = OnlineAssessment.start(self.s, self.h.user(request, browser_state),
                                        None if seed in (None, "") else int(seed), role or "DS")
        except Exception as exc:  # noqa: BLE001 - one friendly line, details in the log
            return self._view(None, browser_state, failure_line(exc))
        browser_state[KEY] = oa.session_id
        return self._view(oa, browser_state)

    def on_open(self, browser_state, request: gr.Request) -> tuple:  # noqa: ANN001
        browser_state = with_browser_id(browser_state)
        try:
            session_id = self._session(request, browser_state)
            if session_id is None:
                # Nothing to show: leave the tab as it is (a start clicked meanwhile may have filled it).
                return (browser_state, *[gr.update()] * 15)
            return self._view(self._resume(session_id), browser_state)
        except Exception as exc:  # noqa: BLE001
            return self._view(None, browser_state, failure_line(exc))

    def _act(self, browser_state, request, act) -> tuple:  # noqa: ANN001
        browser_state = with_browser_id(browser_state)
        session_id = self._session(request, browser_state)
        if session_id is None:
            return self._view(None, browser_state, "No assessment is running: start one above.")
        note = ""
        try:
            with self.h.ctl.session_turn(session_id):
                oa = OnlineAssessment.resume(self.s, session_id, self._items())  # the stored state, under the lock
                if not oa.finished:
                    try:
                        note = act(oa)
                    except BadResponse as exc:
                        note = str(exc)
                    except Exception as exc:  # noqa: BLE001
                        note = failure_line(exc)
        except UserError as exc:  # busy in another tab or process: nothing was done; the next tick redraws it
            return self._view(None, browser_state, str(exc))
        return self._view(oa, browser_state, note or "")

    def on_submit(self, browser_state, choice, most, least, code, request: gr.Request) -> tuple:  # noqa: ANN001
        def answer(oa: OnlineAssessment) -> str:
            key = oa.state.current_section.key
            if key == "sql_mcq":
                return oa.answer(choice or "")
            if key == "work_style":
                return oa.answer(f"{most or ''} {least or ''}")
            return oa.answer(code or "")
        return self._act(browser_state, request, answer)

    def on_run(self, browser_state, code, request: gr.Request) -> str:  # noqa: ANN001
        """The code on the visible examples only: the item stays open and nothing is recorded."""
        browser_state = with_browser_id(browser_state)
        session_id = self._session(request, browser_state)
        if session_id is None:
            return "No assessment is running: start one above."
        try:
            return self._resume(session_id).try_examples(code or "")
        except BadResponse as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001
            return failure_line(exc)

    def on_skip(self, browser_state, request: gr.Request) -> tuple:  # noqa: ANN001
        return self._act(browser_state, request, lambda oa: oa.skip())

    def on_end(self, browser_state, request: gr.Request) -> tuple:  # noqa: ANN001
        def end(oa: OnlineAssessment) -> str:
            oa.end()
            return ""
        return self._act(browser_state, request, end)

    def on_tick(self, browser_state, request: gr.Request) -> tuple:  # noqa: ANN001
        """Every second while a section runs: the countdown, and a stamp of where the assessment
        stands; at zero the section is closed (by resuming it), which changes the stamp."""
        browser_state = with_browser_id(browser_state)
        try:
            session_id = self._session(request, browser_state)
            if session_id is None:
                return "", ""
            state = AssessmentState.model_validate_json(self.s.store.session(session_id).state_json)
            left = None if state.finished else seconds_left(state, self.s.clock())
            if left is not None and left <= 0:
                state = self._resume(session_id).state  # closes the section whose time is up
                left = None if state.finished else seconds_left(state, self.s.clock())
        except (StoreUnavailable, UserError):  # the next tick tries again; the page keeps what it shows
            return gr.update(), gr.update()
        stamp = f"{session_id}:{state.section}:{state.item}:{state.finished}"
        return (f"**Time left in this section: {clock(left)}**" if left is not None else ""), stamp

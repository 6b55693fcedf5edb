"""What the app does when the candidate acts: each handler adapts the Controller's plain
results (ui/controller.py) to the components of ui/layout.py. No business logic here."""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from interviewer.datadir import write_private
from interviewer.interview.services import Services
from interviewer.report.history import history
from interviewer.report.model import Report
from interviewer.report.render import REPORT_FORMATS, render
from interviewer.schemas import LEADERSHIP_PRINCIPLES
from interviewer.store import StoreUnavailable
from interviewer.ui import view
from interviewer.ui.controller import Controller, Screen, SetupChoice, UserError

log = logging.getLogger(__name__)

FRIENDLY_FAILURE = "Something went wrong on our side. Your interview is saved: reload the page to continue."
UNSENT = ("Your last answer did not reach the interview before the connection dropped: it is back in the box. "
          "Send it again.")
STORE_DOWN = ("The interview's database is not answering right now. Everything up to your last reply is saved; "
              "try again in a minute (your text stays in the box).")
SCREEN_OUTPUTS = 10  # the components screen_out fills, in app.py's order
ASSESSMENT_KEY = "assessment_id"  # the browser's online assessment, beside its interview's session_id


def with_browser_id(browser_state: dict[str, Any] | None) -> dict[str, Any]:
    """Every browser gets its own random id before it can start anything: never a shared user."""
    browser_state = dict(browser_state or {})
    if not browser_state.get("browser_id"):
        browser_state["browser_id"] = uuid.uuid4().hex
    return browser_state


def user_of(request: gr.Request | None, browser: dict[str, Any], local_user: str | None = None) -> str:
    """The login; else, on a single-user app (this machine only, no logins), the person at the
    terminal, so the browser shows their terminal sessions too; else this browser."""
    if request is not None and getattr(request, "username", None):
        return str(request.username)
    if local_user:
        return local_user
    return f"browser-{browser.get('browser_id') or 'anonymous'}"


def failure_line(exc: Exception) -> str:
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, StoreUnavailable):
        log.warning("%s", exc)
        return STORE_DOWN
    log.exception("handler failed")
    return FRIENDLY_FAILURE


_DOWNLOADS = Path(tempfile.mkdtemp(prefix="interviewer-downloads-"))


def _download_files(report: Report) -> dict[str, Path]:
    """The report rendered for the download buttons, in a temporary folder of this process.

    The data directory itself is never served: Gradio serves returned files from its own cache,
    so one user cannot fetch another's report by guessing a path.
    """
    folder = _DOWNLOADS / report.session_id
    folder.mkdir(exist_ok=True)
    paths = {}
    for fmt in REPORT_FORMATS:
        paths[fmt] = folder / f"{report.session_id}.{fmt}"
        write_private(paths[fmt], render(report, fmt))
    return paths


def with_code(text: str | None, code: str | None, language: str | None) -> str:
    """The answer with the code pane's content appended as a fenced block."""
    text, code = (text or "").strip(), (code or "").strip()
    if not code:
        return text
    return f"{text}\n\n```{language or 'python'}\n{code}\n```".strip()


def _pydantic_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", lambda: [])()
    if not errors:
        return str(exc)
    first = errors[0]
    return f"{'.'.join(str(x) for x in first.get('loc', ()))}: {first.get('msg', 'invalid value')}".removeprefix("Value error, ")


def screen_out(screen: Screen | None, browser_state: dict[str, Any], note: str = "") -> tuple:
    if screen is None:
        return (browser_state, [], "Start an interview in the Set up tab.", gr.update(visible=False),
                gr.update(), gr.update(), gr.update(visible=False), "", note, gr.update())
    browser_state = {**browser_state, "session_id": screen.session_id, "turns": screen.turns}
    language = screen.code_language
    fresh = screen.code_template is not None  # a new question: a fresh pane and no old run result
    return (
        browser_state, screen.messages, screen.progress, gr.update(visible=language is not None),
        gr.update(language=language or "python", **({"value": screen.code_template} if fresh else {})),
        gr.update(interactive=screen.runnable, value="Run against the tests" if screen.runnable
                  else "Run is off: no sandbox (see the note)" if screen.run_off
                  else "Run (no hidden tests for this question)"),
        gr.update(visible=screen.lp_guess_open), screen.tally,
        note or screen.notice or (f"> {screen.run_off}" if screen.run_off and fresh else "")
        or (f"> {screen.info}" if screen.info else ""),
        "" if fresh else gr.update(),
    )


class Handlers:
    """The event handlers of one app, over its controller."""

    def __init__(self, services: Services):
        self.services = services
        self.ctl = Controller(services)

    def user(self, request: gr.Request | None, browser_state: dict[str, Any]) -> str:
        s = self.services.settings
        return user_of(request, browser_state, s.os_user if s.single_user else None)

    def on_load(self, browser_state: dict[str, Any] | None, request: gr.Request) -> tuple:
        browser_state = with_browser_id(browser_state)
        user = self.user(request, browser_state)
        try:
            screen = self.ctl.restore(user, browser_state.get("session_id"))
            assessment = (screen is None or screen.finished) and self.ctl.is_assessment(
                user, browser_state.get(ASSESSMENT_KEY) or "", unfinished=True)
        except StoreUnavailable as exc:  # the session id is kept: a later reload finds the interview
            shown = list(screen_out(None, browser_state, failure_line(exc)))
            shown[2] = "Your interview could not be loaded yet: reload the page in a minute."
            return (*shown, gr.Tabs())
        if screen is None:
            browser_state["session_id"] = ""  # gone, or not this browser's: forget it
        selected = gr.Tabs(selected="interview") if screen is not None and not screen.finished else gr.Tabs()
        if assessment:
            selected = gr.Tabs(selected="assessment")  # a reload finds the running assessment again
        return (*screen_out(screen, browser_state), selected)

    def on_unsent(self, browser_state: dict[str, Any] | None, pending: str | None, request: gr.Request) -> tuple:
        """After a reload: the answer this browser sent last (kept in its localStorage by the page),
        back in the box if the interview never received it."""
        browser_state = browser_state or {}
        try:
            lost = self.ctl.unsent(self.user(request, browser_state), browser_state.get("session_id"), pending or "")
        except StoreUnavailable:
            lost = False
        if not lost:
            return gr.update(), gr.update()
        return pending, UNSENT

    def on_start(self, browser_state, role_v, plan_v, difficulty_v, bar_raiser_v, lp_v, guess_v, resume_v, seed_v,
                 request: gr.Request) -> tuple:
        browser_state = with_browser_id(browser_state)
        try:
            choice = SetupChoice(role=role_v, plan_id=plan_v, difficulty=difficulty_v or None,
                                 bar_raiser=bool(bar_raiser_v), lp_focus=lp_v or [], guess_lp=bool(guess_v),
                                 seed=None if seed_v in (None, "") else int(seed_v))
            screen = self.ctl.start(self.user(request, browser_state), choice, Path(resume_v) if resume_v else None)
        except Exception as exc:  # noqa: BLE001 - one friendly line, details in the log
            message = _pydantic_line(exc) if exc.__class__.__name__ == "ValidationError" else failure_line(exc)
            return (*screen_out(None, browser_state), gr.Tabs(), message)
        return (*screen_out(screen, browser_state), gr.Tabs(selected="interview"), "")

    def streamed(self, browser_state: dict[str, Any], request: gr.Request | None,
                 make: Callable[[str], Iterator[Screen]]) -> Iterator[tuple]:
        # One screen behind, so the last one (which API clients receive) also clears the LP guess.
        last: Screen | None = None
        try:
            for screen in make(self.user(request, browser_state)):
                if last is not None:
                    yield (*screen_out(last, browser_state), "", gr.update())
                last = screen
        except Exception as exc:  # noqa: BLE001 - one friendly line, details in the log
            yield (*[gr.update()] * (SCREEN_OUTPUTS - 2), failure_line(exc), gr.update(), gr.update(), gr.update())
            return
        if last is not None:
            # The answer box empties; the LP guess too, unless the message was not the answer yet.
            yield (*screen_out(last, browser_state), gr.update() if last.keep_answer else "",
                   gr.update() if last.keep_guess or last.keep_answer else None)

    def on_send(self, browser_state, text, guess_v, request: gr.Request):  # noqa: ANN001, ANN202
        yield from self.streamed(browser_state, request,
                                 lambda user: self.ctl.send(user, browser_state.get("session_id"), text, guess_v,
                                                            seen=browser_state.get("turns")))

    def on_send_code(self, browser_state, text, code_v, guess_v, request: gr.Request):  # noqa: ANN001, ANN202
        message = with_code(text, code_v, self.ctl.code_language(browser_state.get("session_id")))
        yield from self.streamed(browser_state, request,
                                 lambda user: self.ctl.send(user, browser_state.get("session_id"), message, guess_v,
                                                            seen=browser_state.get("turns")))

    def on_command(self, name: str):  # noqa: ANN202
        def handler(browser_state, request: gr.Request):  # noqa: ANN001, ANN202
            yield from self.streamed(browser_state, request,
                                     lambda user: self.ctl.command(user, browser_state.get("session_id"), name,
                                                                   seen=browser_state.get("turns")))
        return handler

    def on_run(self, browser_state, code_v, request: gr.Request) -> tuple:  # noqa: ANN001
        try:
            screen, panel = self.ctl.run_code(self.user(request, browser_state), browser_state.get("session_id"), code_v)
        except Exception as exc:  # noqa: BLE001
            return (*[gr.update()] * (SCREEN_OUTPUTS - 1), failure_line(exc))
        return (*screen_out(screen, browser_state)[:-1], panel)

    def on_report(self, browser_state: dict[str, Any], request: gr.Request) -> tuple:
        session_id = browser_state.get("session_id")
        hidden = gr.update(visible=False)
        try:
            if not session_id:
                raise UserError("No interview yet: start one in the Set up tab.")
            report = self.ctl.report(self.user(request, browser_state), session_id)
            paths = _download_files(report)
        except Exception as exc:  # noqa: BLE001
            return failure_line(exc), None, None, "", hidden, hidden, hidden
        return (view.report_headline(report), view.score_rows(report), pd.DataFrame(view.chart_rows(report)),
                view.evidence_markdown(report), *(gr.update(value=str(paths[f]), visible=True)
                                                  for f in ("md", "html", "json")))

    def after_turn(self, browser_state: dict[str, Any]) -> Any:
        """When the interview has just ended, open the Report tab (selecting it loads the report)."""
        session_id = browser_state.get("session_id")
        try:
            done = bool(session_id) and self.services.store.session(session_id).status == "finished"
        except (KeyError, StoreUnavailable):
            done = False
        return gr.Tabs(selected="report") if done else gr.Tabs()

    def on_history(self, browser_state: dict[str, Any], request: gr.Request) -> tuple:
        try:
            h = history(self.services.corpus, self.services.store, self.user(request, browser_state))
        except Exception as exc:  # noqa: BLE001
            return [], gr.update(choices=[]), None, failure_line(exc)
        choices = view.resumable(h)
        return (view.session_rows(h), gr.update(choices=choices, value=choices[0][1] if choices else None),
                gr.update(value=pd.DataFrame(view.trend_rows(h), columns=["session", "score", "name"]),
                          caption=view.trend_caption(h)),
                view.stories_markdown(h, LEADERSHIP_PRINCIPLES))

    def on_warm_tick(self) -> tuple:
        """Every 2 s until the judge is ready: what its warm-up is doing (then the timer stops)."""
        status = self.services.warm_status()
        if status == "ready":
            return "Judge: ready.", gr.Timer(active=False)
        return f"Judge: {status}.", gr.Timer(active=True)

    def on_history_row(self, browser_state: dict[str, Any], evt: gr.SelectData, request: gr.Request) -> tuple:
        """A click on a History row opens that session: its transcript in the Interview tab and its
        report in the Report tab, which opens (selecting it loads the report)."""
        row = evt.row_value or []
        session_id = str(row[0]) if row else ""
        if session_id and self.ctl.is_assessment(self.user(request, browser_state), session_id):
            # An online assessment opens in its own tab (selecting it shows the assessment or its report).
            browser_state = {**with_browser_id(browser_state), ASSESSMENT_KEY: session_id}
            return (*screen_out(None, browser_state), gr.Tabs(selected="assessment"))
        screen = self.ctl.restore(self.user(request, browser_state), session_id) if session_id else None
        if screen is None:
            return (*screen_out(None, browser_state, "That session could not be opened."), gr.Tabs())
        return (*screen_out(screen, browser_state), gr.Tabs(selected="report"))

    def on_resume(self, browser_state: dict[str, Any], session_id: str | None, request: gr.Request) -> tuple:
        if not session_id:
            return (*screen_out(None, browser_state, "Pick an unfinished session first."), gr.Tabs())
        if self.ctl.is_assessment(self.user(request, browser_state), session_id):
            browser_state = {**with_browser_id(browser_state), ASSESSMENT_KEY: session_id}
            return (*screen_out(None, browser_state), gr.Tabs(selected="assessment"))
        screen = self.ctl.restore(self.user(request, browser_state), session_id)
        if screen is None:
            return (*screen_out(None, browser_state, "That session could not be opened."), gr.Tabs())
        return (*screen_out(screen, browser_state), gr.Tabs(selected="interview"))


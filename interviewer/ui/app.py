"""The Gradio Blocks app: set-up, the interview with its side panel and code pane, the report and
the history. Handlers here only adapt the Controller's plain results to Gradio components.

Per-browser isolation: each browser keeps a random id and its current session id in encrypted
localStorage (gr.BrowserState), so a reload finds the interview again and no two browsers ever
see each other's sessions. With INTERVIEWER_AUTH set, the login name is the user instead.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from interviewer.interview.engine import Services
from interviewer.interview.plans import DRILLS, FORMATS
from interviewer.report.history import history
from interviewer.report.model import Report
from interviewer.report.render import FORMATS as REPORT_FORMATS
from interviewer.report.render import render
from interviewer.schemas import LEADERSHIP_PRINCIPLES
from interviewer.ui import view
from interviewer.ui.controller import Controller, Screen, SetupChoice, UserError

log = logging.getLogger(__name__)

STORAGE_KEY = "interviewer-v1"
FRIENDLY_FAILURE = "Something went wrong on our side. Your interview is saved: reload the page to continue."
OFFLINE_NOTE = ("**Offline mode**: no model is configured, so the interviewer speaks from templates over the corpus "
                "and the offline judge scores your answers (the report says so).")
PLAN_CHOICES = [(title, pid) for pid, (title, _) in FORMATS.items()] + \
    [(title, pid) for pid, (_, title) in DRILLS.items()] + [("Behavioural drill", "behavioral")]
CSS = """
#side-panel {min-width: 260px}
#notice p {color: var(--error-text-color, #b91c1c); margin: 0}
"""


def _browser_secret(home: Path) -> str:
    """A secret kept in the data directory, so localStorage stays readable across restarts."""
    path = home / "ui-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _with_browser_id(browser_state: dict[str, Any] | None) -> dict[str, Any]:
    """Every browser gets its own random id before it can start anything: never a shared user."""
    browser_state = dict(browser_state or {})
    if not browser_state.get("browser_id"):
        browser_state["browser_id"] = uuid.uuid4().hex
    return browser_state


def user_of(request: gr.Request | None, browser: dict[str, Any]) -> str:
    if request is not None and getattr(request, "username", None):
        return str(request.username)
    return f"browser-{browser.get('browser_id') or 'anonymous'}"


def _failure(exc: Exception) -> str:
    if isinstance(exc, UserError):
        return str(exc)
    log.exception("handler failed")
    return FRIENDLY_FAILURE


def build_app(services: Services) -> gr.Blocks:
    ctl = Controller(services)
    secret = _browser_secret(services.settings.home)

    with gr.Blocks(title="Amazon RS/DS mock interviewer") as demo:
        browser = gr.BrowserState({"browser_id": "", "session_id": ""}, storage_key=STORAGE_KEY, secret=secret)
        gr.Markdown("# Amazon Research Scientist / Data Scientist mock interviewer")
        with gr.Tabs(selected="setup") as tabs:
            with gr.Tab("Set up", id="setup"):
                with gr.Row():
                    with gr.Column():
                        role = gr.Radio(["RS", "DS"], value="RS", label="Role",
                                        info="Research Scientist or Data Scientist")
                        plan = gr.Dropdown(PLAN_CHOICES, value="phone-screen", label="Format")
                        difficulty = gr.Dropdown([("Any", 0), ("1 (warm-up)", 1), ("2 (typical)", 2), ("3 (hard)", 3)],
                                                 value=0, label="Difficulty")
                        bar_raiser = gr.Checkbox(label="Bar Raiser mode (deeper follow-ups)")
                        seed = gr.Number(label="Seed (optional): the same seed asks the same questions", precision=0,
                                         value=None, minimum=0)
                    with gr.Column():
                        lp_focus = gr.Dropdown(list(LEADERSHIP_PRINCIPLES), multiselect=True,
                                               label="Leadership Principles to focus on (optional)")
                        guess_lp = gr.Checkbox(value=True, label='Play "Which LP is this?" on behavioural turns')
                        resume = gr.File(label="Resume (PDF, DOCX, TXT or MD; optional)", type="filepath",
                                         file_types=[".pdf", ".docx", ".txt", ".md"])
                        gr.Markdown(OFFLINE_NOTE if services.speaker_client is None else f"**Model mode**: {services.mode}.")
                start_btn = gr.Button("Start the interview", variant="primary", elem_id="start")
                setup_notice = gr.Markdown(elem_id="setup-notice")
            with gr.Tab("Interview", id="interview"):
                notice = gr.Markdown(elem_id="notice")
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label="Interview", height=480, elem_id="chat")
                        answer = gr.Textbox(label="Your answer", lines=1, max_lines=12, elem_id="answer",  # lines=1: Enter sends
                                            placeholder="Type your answer; Enter sends, Shift+Enter for a new line.")
                        with gr.Row():
                            send_btn = gr.Button("Send", variant="primary", elem_id="send")
                            hint_btn = gr.Button("Hint", elem_id="hint")
                            skip_btn = gr.Button("Skip", elem_id="skip")
                            end_btn = gr.Button("End interview", variant="stop", elem_id="end")
                        with gr.Group(visible=False) as code_box:
                            code = gr.Code(language="python", lines=14, label="Code", interactive=True, elem_id="code")
                            with gr.Row():
                                run_btn = gr.Button("Run against the tests", elem_id="run")
                                send_code_btn = gr.Button("Send code with answer", elem_id="send-code")
                            run_out = gr.Markdown(elem_id="run-result")
                    with gr.Column(scale=1, elem_id="side-panel"):
                        progress = gr.Markdown("Start an interview in the Set up tab.", elem_id="progress")
                        with gr.Group(visible=False) as guess_box:
                            guess = gr.Dropdown(list(LEADERSHIP_PRINCIPLES), value=None, elem_id="guess",
                                                label="Which LP is this? Guess, then answer; it is revealed after.")
                        tally = gr.Markdown(elem_id="tally")
            with gr.Tab("Report", id="report") as report_tab:
                headline = gr.Markdown("No interview yet.", elem_id="report-headline")
                scores = gr.Dataframe(headers=["kind", "name", "score", "items", "what this level looks like"],
                                      interactive=False, wrap=True, label="Scores (1-4)", elem_id="scores",
                                      column_widths=["12%", "20%", "7%", "6%", "55%"])
                chart = gr.BarPlot(x="name", y="score", color="kind", y_lim=[0, 4], label="Scores", x_label_angle=-30)
                evidence = gr.Markdown()
                with gr.Row():
                    dl_md = gr.DownloadButton("Download Markdown", visible=False, elem_id="dl-md")
                    dl_html = gr.DownloadButton("Download HTML", visible=False, elem_id="dl-html")
                    dl_json = gr.DownloadButton("Download JSON", visible=False, elem_id="dl-json")
            with gr.Tab("History", id="history") as history_tab:
                sessions_table = gr.Dataframe(headers=["id", "started", "format", "role", "status", "turns",
                                                       "recommendation", "overall"], interactive=False, label="Sessions",
                                              elem_id="sessions")
                with gr.Row():
                    pick = gr.Dropdown([], label="Unfinished sessions", elem_id="pick")
                    resume_btn = gr.Button("Resume it", elem_id="resume")
                trend = gr.LinePlot(x="session", y="score", color="name", y_lim=[0, 4], label="Trend per competency and LP",
                                    elem_id="trend")
                stories = gr.Markdown(elem_id="stories")

        # ---- adapters ----------------------------------------------------------------------

        def screen_out(screen: Screen | None, browser_state: dict[str, Any], note: str = "") -> tuple:
            if screen is None:
                return (browser_state, [], "Start an interview in the Set up tab.", gr.update(visible=False),
                        gr.update(), gr.update(), gr.update(visible=False), "", note, gr.update())
            browser_state = {**browser_state, "session_id": screen.session_id}
            language = screen.code_language
            fresh = screen.code_template is not None  # a new question: a fresh pane and no old run result
            return (
                browser_state, screen.messages, screen.progress, gr.update(visible=language is not None),
                gr.update(language=language or "python", **({"value": screen.code_template} if fresh else {})),
                gr.update(interactive=screen.runnable, value="Run against the tests" if screen.runnable
                          else "Run (no hidden tests for this question)"),
                gr.update(visible=screen.lp_guess_open), screen.tally, note or screen.notice,
                "" if fresh else gr.update(),
            )

        screen_outputs = [browser, chat, progress, code_box, code, run_btn, guess_box, tally, notice, run_out]

        def on_load(browser_state: dict[str, Any] | None, request: gr.Request) -> tuple:
            browser_state = _with_browser_id(browser_state)
            screen = ctl.restore(user_of(request, browser_state), browser_state.get("session_id"))
            if screen is None:
                browser_state["session_id"] = ""  # gone, or not this browser's: forget it
            selected = gr.Tabs(selected="interview") if screen is not None and not screen.finished else gr.Tabs()
            return (*screen_out(screen, browser_state), selected)

        def on_start(browser_state, role_v, plan_v, difficulty_v, bar_raiser_v, lp_v, guess_v, resume_v, seed_v,
                     request: gr.Request) -> tuple:
            browser_state = _with_browser_id(browser_state)
            try:
                choice = SetupChoice(role=role_v, plan_id=plan_v, difficulty=difficulty_v or None,
                                     bar_raiser=bool(bar_raiser_v), lp_focus=lp_v or [], guess_lp=bool(guess_v),
                                     seed=None if seed_v in (None, "") else int(seed_v))
                screen = ctl.start(user_of(request, browser_state), choice, Path(resume_v) if resume_v else None)
            except Exception as exc:  # noqa: BLE001 - one friendly line, details in the log
                message = _pydantic_line(exc) if exc.__class__.__name__ == "ValidationError" else _failure(exc)
                return (*screen_out(None, browser_state), gr.Tabs(), message)
            return (*screen_out(screen, browser_state), gr.Tabs(selected="interview"), "")

        def streamed(browser_state: dict[str, Any], request: gr.Request | None,
                     make: Callable[[str], Iterator[Screen]]) -> Iterator[tuple]:
            # One screen behind, so the last one (which API clients receive) also clears the LP guess.
            last: Screen | None = None
            try:
                for screen in make(user_of(request, browser_state)):
                    if last is not None:
                        yield (*screen_out(last, browser_state), "", gr.update())
                    last = screen
            except Exception as exc:  # noqa: BLE001 - one friendly line, details in the log
                yield (*[gr.update()] * (len(screen_outputs) - 2), _failure(exc), gr.update(), gr.update(), gr.update())
                return
            if last is not None:
                yield (*screen_out(last, browser_state), "", None)

        def on_send(browser_state, text, guess_v, request: gr.Request):  # noqa: ANN001, ANN202
            yield from streamed(browser_state, request,
                                lambda user: ctl.send(user, browser_state.get("session_id"), text, guess_v))

        def on_send_code(browser_state, text, code_v, guess_v, request: gr.Request):  # noqa: ANN001, ANN202
            message = with_code(text, code_v, ctl.code_language(browser_state.get("session_id")))
            yield from streamed(browser_state, request,
                                lambda user: ctl.send(user, browser_state.get("session_id"), message, guess_v))

        def on_command(name: str):  # noqa: ANN202
            def handler(browser_state, request: gr.Request):  # noqa: ANN001, ANN202
                yield from streamed(browser_state, request,
                                    lambda user: ctl.command(user, browser_state.get("session_id"), name))
            return handler

        def on_run(browser_state, code_v, request: gr.Request) -> tuple:  # noqa: ANN001
            try:
                screen, panel = ctl.run_code(user_of(request, browser_state), browser_state.get("session_id"), code_v)
            except Exception as exc:  # noqa: BLE001
                return (*[gr.update()] * (len(screen_outputs) - 1), _failure(exc))
            return (*screen_out(screen, browser_state)[:-1], panel)

        start_btn.click(on_start, [browser, role, plan, difficulty, bar_raiser, lp_focus, guess_lp, resume, seed],
                        [*screen_outputs, tabs, setup_notice], api_name="start")
        demo.load(on_load, [browser], [*screen_outputs, tabs], api_name="load")

        def on_report(browser_state: dict[str, Any], request: gr.Request) -> tuple:
            session_id = browser_state.get("session_id")
            hidden = gr.update(visible=False)
            try:
                if not session_id:
                    raise UserError("No interview yet: start one in the Set up tab.")
                report = ctl.report(user_of(request, browser_state), session_id)
                paths = _download_files(report)
            except Exception as exc:  # noqa: BLE001
                return _failure(exc), None, None, "", hidden, hidden, hidden
            return (view.report_headline(report), view.score_rows(report), pd.DataFrame(view.chart_rows(report)),
                    view.evidence_markdown(report), *(gr.update(value=str(paths[f]), visible=True)
                                                      for f in ("md", "html", "json")))

        report_outputs = [headline, scores, chart, evidence, dl_md, dl_html, dl_json]
        report_tab.select(on_report, [browser], report_outputs, api_name="report")

        def after_turn(browser_state: dict[str, Any]) -> Any:
            """When the interview has just ended, open the Report tab (selecting it loads the report)."""
            session_id = browser_state.get("session_id")
            try:
                done = bool(session_id) and services.store.session(session_id).status == "finished"
            except KeyError:
                done = False
            return gr.Tabs(selected="report") if done else gr.Tabs()

        turn_outputs = [*screen_outputs, answer, guess]
        turn_events = [
            send_btn.click(on_send, [browser, answer, guess], turn_outputs, concurrency_id="turn", api_name="send"),
            answer.submit(on_send, [browser, answer, guess], turn_outputs, concurrency_id="turn",
                          api_visibility="undocumented"),
            send_code_btn.click(on_send_code, [browser, answer, code, guess], turn_outputs, concurrency_id="turn",
                                api_name="send_code"),
            *(button.click(on_command(name), [browser], turn_outputs, concurrency_id="turn", api_name=name)
              for button, name in ((hint_btn, "hint"), (skip_btn, "skip"), (end_btn, "end"))),
        ]
        for event in turn_events:
            # Unqueued: a one-row read. Queued behind other users, it kept the turn's event pending,
            # and a pending submit swallows the candidate's next Enter.
            event.then(after_turn, [browser], [tabs], api_visibility="undocumented", queue=False)
        run_btn.click(on_run, [browser, code], screen_outputs, concurrency_id="turn", api_name="run")

        def on_history(browser_state: dict[str, Any], request: gr.Request) -> tuple:
            try:
                h = history(services.store, user_of(request, browser_state))
            except Exception as exc:  # noqa: BLE001
                return [], gr.update(choices=[]), None, _failure(exc)
            choices = view.resumable(h)
            return (view.session_rows(h), gr.update(choices=choices, value=choices[0][1] if choices else None),
                    gr.update(value=pd.DataFrame(view.trend_rows(h), columns=["session", "score", "name"]),
                              caption=view.trend_caption(h)),
                    view.stories_markdown(h, LEADERSHIP_PRINCIPLES))

        history_tab.select(on_history, [browser], [sessions_table, pick, trend, stories], api_name="history")

        def on_resume(browser_state: dict[str, Any], session_id: str | None, request: gr.Request) -> tuple:
            if not session_id:
                return (*screen_out(None, browser_state, "Pick an unfinished session first."), gr.Tabs())
            screen = ctl.restore(user_of(request, browser_state), session_id)
            if screen is None:
                return (*screen_out(None, browser_state, "That session could not be opened."), gr.Tabs())
            return (*screen_out(screen, browser_state), gr.Tabs(selected="interview"))

        resume_btn.click(on_resume, [browser, pick], [*screen_outputs, tabs], api_name="resume")
    return demo


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
        paths[fmt].write_text(render(report, fmt), encoding="utf-8")
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


def launch(services: Services, prevent_thread_lock: bool = False, port: int | None = None, warm: bool = True) -> gr.Blocks:
    """Start the app on INTERVIEWER_HOST:INTERVIEWER_PORT (127.0.0.1:7860 by default)."""
    settings = services.settings
    demo = build_app(services)
    # Several candidates at once; turns of one session are serialised by the controller's lock.
    demo.queue(default_concurrency_limit=8)
    auth = [(user, password.get_secret_value()) for user, password in settings.ui_auth] or None
    demo.launch(
        server_name=settings.ui_host, server_port=port if port is not None else settings.ui_port, auth=auth,
        prevent_thread_lock=True, show_error=False, ssr_mode=False, quiet=True,
        css=CSS, max_file_size="5mb",  # the resume limit
        theme=gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                                font_mono=["ui-monospace", "monospace"]),
    )
    if warm:
        # Model and rubric embeddings load while the candidate fills in the set-up (once the port is ours).
        services.warm_up_in_background()
    if not prevent_thread_lock:
        demo.block_thread()
    return demo

"""The Gradio Blocks app: set-up, the interview with its side panel and code pane, the report and
the history. The components are in ui/layout.py, the behaviour in ui/handlers.py; this module
wires events to handlers and starts the server.

Per-browser isolation: each browser keeps a random id and its current session id in localStorage
(gr.BrowserState), so a reload finds the interview again and no two browsers ever see each
other's sessions; everything else is on the server, keyed by them. With INTERVIEWER_AUTH set, the
login name is the user instead, and failed logins are throttled (ui/login.py).
"""

from __future__ import annotations

import gradio as gr
from starlette.middleware import Middleware

from interviewer.interview.services import Services
from interviewer.ui import layout
from interviewer.ui.assessment_handlers import AssessmentHandlers
from interviewer.ui.handlers import Handlers
from interviewer.ui.login import POLICY, LoginGuard, LoginThrottle, password_check
from interviewer.ui.story_handlers import StoryHandlers

# v2: v1 was encrypted with a key from the data directory, which Gradio served to every visitor.
STORAGE_KEY = "interviewer-v2"
# BrowserState always encrypts, with a key it sends to the browser in /config: whatever it is, it is
# public. So it is a constant, and what is stored needs no secrecy: an opaque random id and a
# session id, which the server only honours for the user who owns the session.
PUBLIC_STORAGE_CIPHER = "interviewer-localStorage-public-key-not-a-secret"
MAX_REQUEST_BYTES = 16 * 1024 * 1024
# The answer being sent, kept in this browser's localStorage with its session id: if the process
# serving it dies before storing it, the reload puts it back in the box (Handlers.on_unsent).
STASH_ANSWER = """(b, a, g) => {
  try { localStorage.setItem("interviewer-unsent", JSON.stringify({s: (b && b.session_id) || "", a: a || ""})); }
  catch (e) {}
  return [b, a, g];
}"""
RECALL_ANSWER = """(b, a) => {
  let kept = "";
  try {
    const v = JSON.parse(localStorage.getItem("interviewer-unsent") || "{}");
    if (v.s && b && v.s === b.session_id) kept = v.a || "";
  } catch (e) {}
  return [b, kept];
}"""
CSS = """
#side-panel {min-width: 260px}
#notice p {color: var(--error-text-color, #b91c1c); margin: 0}
#notice blockquote, #notice blockquote p {color: var(--body-text-color); border-left-color: var(--color-accent)}
"""


def build_app(services: Services) -> gr.Blocks:
    h = Handlers(services)
    mode = layout.OFFLINE_NOTE if services.speaker_client is None else f"**Model mode**: {services.mode}."
    with gr.Blocks(title="Amazon RS/DS mock interviewer") as demo:
        browser = gr.BrowserState({"browser_id": "", "session_id": ""}, storage_key=STORAGE_KEY,
                                  secret=PUBLIC_STORAGE_CIPHER)
        gr.Markdown("# Amazon Research Scientist / Data Scientist mock interviewer")
        with gr.Tabs(selected="setup") as tabs:
            with gr.Tab("Set up", id="setup"):
                setup = layout.setup_tab(mode)
            with gr.Tab("Interview", id="interview"):
                live = layout.interview_tab()
            with gr.Tab("Report", id="report") as report_tab:
                report = layout.report_tab()
            with gr.Tab("History", id="history") as history_tab:
                past = layout.history_tab()
            with gr.Tab("Story bank", id="stories") as stories_tab:
                bank = layout.story_tab()
            with gr.Tab("Online assessment", id="assessment") as assessment_tab:
                oa = layout.assessment_tab()

        # The order handlers.screen_out fills them in.
        screen = [browser, live.chat, live.progress, live.code_box, live.code, live.run, live.guess_box, live.tally,
                  live.notice, live.run_out]
        setup_inputs = [browser, setup.role, setup.plan, setup.difficulty, setup.bar_raiser, setup.lp_focus,
                        setup.guess_lp, setup.resume, setup.seed]
        setup.start.click(h.on_start, setup_inputs, [*screen, tabs, setup.notice], api_name="start")
        demo.load(h.on_load, [browser], [*screen, tabs], api_name="load").then(  # opens a running assessment's tab too
            h.on_unsent, [browser, live.answer], [live.answer, live.notice], js=RECALL_ANSWER, queue=False,
            api_visibility="undocumented")
        report_tab.select(h.on_report, [browser], [report.headline, report.scores, report.chart, report.evidence,
                                                   *report.downloads], api_name="report")

        turn = [*screen, live.answer, live.guess]
        turn_events = [
            live.send.click(h.on_send, [browser, live.answer, live.guess], turn, concurrency_id="turn", api_name="send",
                            js=STASH_ANSWER),
            live.answer.submit(h.on_send, [browser, live.answer, live.guess], turn, concurrency_id="turn",
                               api_visibility="undocumented", js=STASH_ANSWER),
            live.send_code.click(h.on_send_code, [browser, live.answer, live.code, live.guess], turn,
                                 concurrency_id="turn", api_name="send_code"),
            *(button.click(h.on_command(name), [browser], turn, concurrency_id="turn", api_name=name)
              for button, name in ((live.hint, "hint"), (live.skip, "skip"), (live.end, "end"))),
        ]
        for event in turn_events:
            # Unqueued: a one-row read. Queued behind other users, it kept the turn's event pending,
            # and a pending submit swallows the candidate's next Enter.
            event.then(h.after_turn, [browser], [tabs], api_visibility="undocumented", queue=False)
        live.run.click(h.on_run, [browser, live.code], screen, concurrency_id="turn", api_name="run")

        history_tab.select(h.on_history, [browser], [past.sessions, past.pick, past.trend, past.stories],
                           api_name="history")
        past.resume.click(h.on_resume, [browser, past.pick], [*screen, tabs], api_name="resume")  # an assessment too
        live.warm_timer.tick(h.on_warm_tick, None, [live.warm, live.warm_timer], queue=False,
                             api_visibility="undocumented")
        past.sessions.select(h.on_history_row, [browser], [*screen, tabs], api_name="open_session")

        sh = StoryHandlers(h)
        bank_view = [bank.assessment, bank.pick, bank.table, bank.grid, bank.notice, bank.map_lps, bank.export_md,
                     bank.export_json]
        stories_tab.select(sh.on_open, [browser], bank_view, api_name="stories")
        bank.add.click(sh.on_add, [browser, bank.title, bank.text, bank.lps],
                       [*bank_view, bank.title, bank.text, bank.lps], api_name="story_add")
        bank.pick.input(sh.on_pick, [browser, bank.pick], bank_view, api_name="story_pick")
        bank.set_lps.click(sh.on_set_lps, [browser, bank.pick, bank.map_lps], bank_view, api_name="story_map")
        bank.accept.click(sh.on_accept, [browser, bank.pick], bank_view, api_name="story_accept")
        bank.delete.click(sh.on_delete, [browser, bank.pick], bank_view, api_name="story_delete")
        bank.upload.upload(sh.on_import, [browser, bank.upload], bank_view, api_name="story_import")
        bank.practice.click(sh.on_practice, [browser, bank.role], [*screen, tabs, bank.notice], api_name="story_practice")
        bank.drill.click(sh.on_drill, [browser, bank.pick, bank.role], [*screen, tabs, bank.notice], api_name="story_drill")

        ah = AssessmentHandlers(h)
        oa_view = [browser, oa.header, oa.countdown, oa.timer, oa.item, oa.choice, oa.most, oa.least, oa.code,
                   oa.submit, oa.skip, oa.end, oa.notice, oa.report, oa.download, oa.run]
        oa.start.click(ah.on_start, [browser, oa.role, oa.seed], oa_view, api_name="assessment_start")
        assessment_tab.select(ah.on_open, [browser], oa_view, api_name="assessment")
        oa.submit.click(ah.on_submit, [browser, oa.choice, oa.most, oa.least, oa.code], oa_view,
                        concurrency_id="assessment", api_name="assessment_submit")
        oa.skip.click(ah.on_skip, [browser], oa_view, concurrency_id="assessment", api_name="assessment_skip")
        oa.run.click(ah.on_run, [browser, oa.code], [oa.notice], concurrency_id="assessment", api_name="assessment_run")
        oa.end.click(ah.on_end, [browser], oa_view, concurrency_id="assessment", api_name="assessment_end")
        # The tick touches only the countdown (no progress shown); when the clock closes a section,
        # the stamp changes and the whole tab is redrawn.
        oa.timer.tick(ah.on_tick, [browser], [oa.countdown, oa.stamp], queue=False, show_progress="hidden",
                      api_visibility="undocumented")
        oa.stamp.change(ah.on_open, [browser], oa_view, api_visibility="undocumented")
    return demo


def launch(services: Services, prevent_thread_lock: bool = False, port: int | None = None, warm: bool = True) -> gr.Blocks:
    """Start the app on INTERVIEWER_HOST:INTERVIEWER_PORT (127.0.0.1:7860 by default)."""
    settings = services.settings
    demo = build_app(services)
    # Several candidates at once; turns of one session are serialised by the controller's lock.
    demo.queue(default_concurrency_limit=8)
    logins = bool(settings.ui_auth)
    # Gradio's auth callable gets no request, so the throttle wraps its /login route instead.
    guard = [Middleware(LoginGuard, throttle=LoginThrottle(services.store))] if logins else []
    demo.launch(
        server_name=settings.ui_host, server_port=port if port is not None else settings.ui_port,
        auth=password_check(settings.ui_auth) if logins else None, auth_message=POLICY if logins else None,
        # Every request body bounded: an answer's limit (engine.MAX_ANSWER_CHARS) is checked after the
        # JSON arrives, so the server must not buffer an unbounded one first. Room for a 5 MB answer
        # (refused with its own message) and the 5 MB resume upload.
        app_kwargs={"middleware": guard, "max_body_size": MAX_REQUEST_BYTES},
        prevent_thread_lock=True, show_error=False, ssr_mode=False, quiet=True,
        css=CSS, max_file_size="5mb",  # the resume limit
        theme=gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                                font_mono=["ui-monospace", "monospace"]),
    )
    if warm:
        # Model and rubric embeddings load while the candidate fills in the set-up (once the port is ours).
        services.warm_up_in_background()
        services.qualify_judge_in_background()  # model mode: once per model, cached
    if not prevent_thread_lock:
        demo.block_thread()
    return demo

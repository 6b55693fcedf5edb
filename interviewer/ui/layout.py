"""The app's components, tab by tab: what the candidate sees, with no behaviour attached
(ui/handlers.py holds the behaviour, ui/app.py wires the two together)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from interviewer.interview.plans import DRILLS, FORMATS
from interviewer.schemas import LEADERSHIP_PRINCIPLES

OFFLINE_NOTE = ("**Offline mode**: no model is configured, so the interviewer speaks from templates over the corpus "
                "and the offline judge scores your answers (the report says so).")
PLAN_CHOICES = [(title, pid) for pid, (title, _) in FORMATS.items()] + \
    [(title, pid) for pid, (_, title) in DRILLS.items()] + [("Behavioural drill", "behavioral")]


@dataclass
class SetupTab:
    role: gr.Radio
    plan: gr.Dropdown
    difficulty: gr.Dropdown
    bar_raiser: gr.Checkbox
    seed: gr.Number
    lp_focus: gr.Dropdown
    guess_lp: gr.Checkbox
    resume: gr.File
    start: gr.Button
    notice: gr.Markdown


def setup_tab(mode_note: str) -> SetupTab:
    with gr.Row():
        with gr.Column():
            role = gr.Radio(["RS", "DS"], value="RS", label="Role", info="Research Scientist or Data Scientist")
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
            gr.Markdown(mode_note)
    start = gr.Button("Start the interview", variant="primary", elem_id="start")
    notice = gr.Markdown(elem_id="setup-notice")
    return SetupTab(role, plan, difficulty, bar_raiser, seed, lp_focus, guess_lp, resume, start, notice)


@dataclass
class InterviewTab:
    notice: gr.Markdown
    chat: gr.Chatbot
    answer: gr.Textbox
    send: gr.Button
    hint: gr.Button
    skip: gr.Button
    end: gr.Button
    code_box: gr.Column
    code: gr.Code
    run: gr.Button
    send_code: gr.Button
    run_out: gr.Markdown
    progress: gr.Markdown
    guess_box: gr.Group
    guess: gr.Dropdown
    tally: gr.Markdown
    warm: gr.Markdown  # the judge's warm-up, until it is ready
    warm_timer: gr.Timer


def interview_tab() -> InterviewTab:
    notice = gr.Markdown(elem_id="notice")
    with gr.Row():
        with gr.Column(scale=3):
            # In coding and SQL rounds the code pane opens beside the chat, so both stay above
            # the fold on a laptop screen (1366x768); otherwise the chat takes the width.
            with gr.Row(equal_height=False):
                with gr.Column(scale=1, min_width=340):
                    chat = gr.Chatbot(label="Interview", height=430, elem_id="chat")
                with gr.Column(scale=1, min_width=340, visible=False, elem_id="code-box") as code_box:
                    code = gr.Code(language="python", lines=12, max_lines=20, label="Code", interactive=True,
                                   elem_id="code")
                    with gr.Row():
                        run = gr.Button("Run against the tests", elem_id="run")
                        send_code = gr.Button("Send code with answer", elem_id="send-code")
                    run_out = gr.Markdown(elem_id="run-result")
            answer = gr.Textbox(label="Your answer", lines=1, max_lines=12, elem_id="answer",  # lines=1: Enter sends
                                placeholder="Type your answer; Enter sends, Shift+Enter for a new line.")
            with gr.Row():
                send = gr.Button("Send", variant="primary", elem_id="send")
                hint = gr.Button("Hint", elem_id="hint")
                skip = gr.Button("Skip", elem_id="skip")
                end = gr.Button("End interview", variant="stop", elem_id="end")
        with gr.Column(scale=1, elem_id="side-panel"):
            progress = gr.Markdown("Start an interview in the Set up tab.", elem_id="progress")
            warm = gr.Markdown(elem_id="warm")
            warm_timer = gr.Timer(2.0)
            with gr.Group(visible=False) as guess_box:
                guess = gr.Dropdown(list(LEADERSHIP_PRINCIPLES), value=None, elem_id="guess",
                                    label="Which LP is this? Guess, then answer; it is revealed after.")
            tally = gr.Markdown(elem_id="tally")
    return InterviewTab(notice, chat, answer, send, hint, skip, end, code_box, code, run, send_code, run_out,
                        progress, guess_box, guess, tally, warm, warm_timer)


@dataclass
class ReportTab:
    headline: gr.Markdown
    scores: gr.Dataframe
    chart: gr.BarPlot
    evidence: gr.Markdown
    downloads: tuple[gr.DownloadButton, gr.DownloadButton, gr.DownloadButton]  # md, html, json


def report_tab() -> ReportTab:
    headline = gr.Markdown("No interview yet.", elem_id="report-headline")
    scores = gr.Dataframe(headers=["kind", "name", "score", "items", "what this level looks like"],
                          interactive=False, wrap=True, label="Scores (1-4)", elem_id="scores",
                          column_widths=["12%", "20%", "7%", "6%", "55%"])
    chart = gr.BarPlot(x="name", y="score", color="kind", y_lim=[0, 4], label="Scores", x_label_angle=-30)
    evidence = gr.Markdown()
    with gr.Row():
        downloads = (gr.DownloadButton("Download Markdown", visible=False, elem_id="dl-md"),
                     gr.DownloadButton("Download HTML", visible=False, elem_id="dl-html"),
                     gr.DownloadButton("Download JSON", visible=False, elem_id="dl-json"))
    return ReportTab(headline, scores, chart, evidence, downloads)


@dataclass
class HistoryTab:
    sessions: gr.Dataframe
    pick: gr.Dropdown
    resume: gr.Button
    trend: gr.LinePlot
    stories: gr.Markdown


def history_tab() -> HistoryTab:
    sessions = gr.Dataframe(headers=["id", "started", "format", "role", "status", "turns", "verdict", "overall"],
                            interactive=False, label="Sessions (click a row to open its report)", elem_id="sessions")
    with gr.Row():
        pick = gr.Dropdown([], label="Unfinished sessions", elem_id="pick")
        resume = gr.Button("Resume it", elem_id="resume")
    trend = gr.LinePlot(x="session", y="score", color="name", y_lim=[0, 4], label="Trend per competency and LP",
                        elem_id="trend")
    stories = gr.Markdown(elem_id="stories")
    return HistoryTab(sessions, pick, resume, trend, stories)


@dataclass
class StoryTab:
    title: gr.Textbox
    text: gr.Textbox
    lps: gr.Dropdown
    add: gr.Button
    notice: gr.Markdown
    assessment: gr.Markdown
    pick: gr.Dropdown
    set_lps: gr.Button
    accept: gr.Button
    delete: gr.Button
    drill: gr.Button
    practice: gr.Button
    table: gr.Markdown
    grid: gr.Markdown
    export_md: gr.DownloadButton
    export_json: gr.DownloadButton
    upload: gr.File
    role: gr.Radio
    map_lps: gr.Dropdown  # the picked story's LPs (apart from the add form's, so a pick never files the next story)


def story_tab() -> StoryTab:
    gr.Markdown("Prepare two strong STAR stories for every Leadership Principle. Each story is scored as in an "
                "interview, its gaps named with a fix, and mapped to the LPs it can evidence.")
    with gr.Row():
        with gr.Column():
            title = gr.Textbox(label="Title", max_lines=1, elem_id="story-title",
                               placeholder="A short name, e.g. The fraud alert nobody owned")
            text = gr.Textbox(label="The story", lines=8, max_lines=20, elem_id="story-text",
                              placeholder="Situation, your task, what you did, the result (with numbers), what you learned.")
            lps = gr.Dropdown(list(LEADERSHIP_PRINCIPLES), multiselect=True, elem_id="story-lps",
                              label="LPs it evidences (optional: leave empty to use the suggestion)")
            add = gr.Button("Score and add to the bank", variant="primary", elem_id="story-add")
            notice = gr.Markdown(elem_id="story-notice")
        with gr.Column():
            assessment = gr.Markdown("Add a story, or pick one below.", elem_id="story-assessment")
    with gr.Row():
        pick = gr.Dropdown([], label="Your stories", elem_id="story-pick", scale=2)
        map_lps = gr.Dropdown(list(LEADERSHIP_PRINCIPLES), multiselect=True, elem_id="story-map-lps", scale=2,
                              label="The LPs this story counts for (empty: the suggestion)")
        role = gr.Radio(["RS", "DS"], value="RS", label="Role for drills", scale=1)
    with gr.Row():
        set_lps = gr.Button("Count it for these LPs", elem_id="story-set-lps")
        accept = gr.Button("Confirm the suggested LPs", elem_id="story-accept")
        drill = gr.Button("Defend this story (Bar Raiser drill)", elem_id="story-drill")
        delete = gr.Button("Delete for good", variant="stop", elem_id="story-delete")
    table = gr.Markdown(elem_id="story-table")
    practice = gr.Button("Practise my weakest LPs", variant="primary", elem_id="story-practice")
    grid = gr.Markdown(elem_id="story-grid")
    with gr.Row():
        export_md = gr.DownloadButton("Export Markdown", elem_id="story-export-md")
        export_json = gr.DownloadButton("Export JSON", elem_id="story-export-json")
        upload = gr.File(label="Import stories (Markdown or JSON export)", file_types=[".md", ".json", ".txt"],
                         type="filepath", elem_id="story-import")
    return StoryTab(title, text, lps, add, notice, assessment, pick, set_lps, accept, delete, drill, practice,
                    table, grid, export_md, export_json, upload, role, map_lps)


@dataclass
class AssessmentTab:
    role: gr.Radio
    seed: gr.Number
    start: gr.Button
    header: gr.Markdown
    countdown: gr.Markdown
    timer: gr.Timer
    item: gr.Markdown
    choice: gr.Radio
    most: gr.Radio
    least: gr.Radio
    code: gr.Code
    submit: gr.Button
    skip: gr.Button
    end: gr.Button
    notice: gr.Markdown
    report: gr.Markdown
    download: gr.DownloadButton
    stamp: gr.Textbox  # where the assessment stands; the countdown's tick changes it when a section closes
    run: gr.Button  # code items: the visible examples only, nothing recorded


def assessment_tab() -> AssessmentTab:
    gr.Markdown("The timed take-home test that often opens the Data Scientist process: SQL multiple choice, pandas and "
                "NumPy coding, an algorithm problem, and a work-style survey on the Leadership Principles. Each "
                "section has its own clock; when it runs out, the section closes and the next begins.")
    with gr.Row():
        role = gr.Radio(["DS", "RS"], value="DS", label="Role")
        seed = gr.Number(label="Seed (optional)", precision=0, value=None, minimum=0)
        start = gr.Button("Start the online assessment", variant="primary", elem_id="oa-start")
    header = gr.Markdown(elem_id="oa-header")
    timer = gr.Timer(1.0, active=False)
    item = gr.Markdown("Start an assessment above.", elem_id="oa-item")
    countdown = gr.Markdown(elem_id="oa-countdown")  # beside the answer, where the eyes are when time matters
    choice = gr.Radio([], label="Your answer", visible=False, elem_id="oa-choice")
    with gr.Row():
        most = gr.Radio([], label="Most like you", visible=False, elem_id="oa-most")
        least = gr.Radio([], label="Least like you", visible=False, elem_id="oa-least")
    code = gr.Code(language="python", lines=14, max_lines=30, label="Your code", interactive=True, visible=False,
                   elem_id="oa-code")
    with gr.Row():
        submit = gr.Button("Submit answer", variant="primary", elem_id="oa-submit", interactive=False)
        run = gr.Button("Run on the examples", elem_id="oa-run", visible=False)
        skip = gr.Button("Skip", elem_id="oa-skip", interactive=False)
        end = gr.Button("End the assessment", variant="stop", elem_id="oa-end", interactive=False)
    notice = gr.Markdown(elem_id="oa-notice")
    report = gr.Markdown(elem_id="oa-report")
    download = gr.DownloadButton("Download the report", visible=False, elem_id="oa-download")
    stamp = gr.Textbox(visible=False)
    return AssessmentTab(role, seed, start, header, countdown, timer, item, choice, most, least, code, submit, skip,
                         end, notice, report, download, stamp, run)

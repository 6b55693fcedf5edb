"""The browser app's pure pieces, with literal examples: chat messages, LP tally, progress,
resume projects, story reuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.interview.plans import build_plan
from interviewer.interview.resume import ResumeError, extract_text, projects_from_text
from interviewer.interview.state import InterviewState, RoundState, turn_state
from interviewer.report.history import History, Reuse, Story, overlap, reused_stories
from interviewer.schemas import Turn
from interviewer.store import LpGuess
from interviewer.ui import view
from interviewer.ui.handlers import user_of, with_code


def turn(index: int, speaker: str, text: str) -> Turn:
    return Turn(index=index, speaker=speaker, text=text, round_index=0, created_at=0.0)  # type: ignore[arg-type]


def test_messages_put_each_lp_reveal_right_after_the_answer_it_followed():
    turns = [turn(0, "interviewer", "Tell me about a time..."), turn(1, "candidate", "I owned it."),
             turn(2, "interviewer", "What was the result?"), turn(3, "candidate", "/skip")]
    guesses = [LpGuess(item_id="ownership.probe-1", turn=1, guess="Ownership", actual="Ownership", correct=True)]
    msgs = view.messages(turns, guesses)
    assert [m["role"] for m in msgs] == ["assistant", "user", "assistant", "assistant", "user"]
    assert msgs[2]["content"] == "That probe was about **Ownership** (✅ right)."
    assert msgs[2]["metadata"] == {"title": "Which LP was this?"}
    assert msgs[4]["content"] == "(skipped)"


def test_tally_and_guess_line():
    assert view.tally([]) == "LP guesses: none yet."
    guesses = [LpGuess(item_id=f"x{i}", turn=i, guess="Ownership", actual="Ownership" if ok else "Frugality", correct=ok)
               for i, ok in enumerate((True, False, True))]
    assert view.tally(guesses) == "LP guesses: 2 of 3 right."
    wrong = LpGuess(item_id="x", turn=1, guess="Frugality", actual="Dive Deep", correct=False)
    assert view.guess_line(wrong) == "That probe was about **Dive Deep** (❌ not quite: you guessed Frugality)."


def test_progress_shows_round_question_and_time_against_budget():
    state = InterviewState(plan=build_plan("phone-screen", "RS"), round_seconds=[15 * 60 + 35, 17 * 60 + 30],
                           round=RoundState(index=1, started_at=1000.0, turns=3, main_items=2))
    turn = turn_state("s1", state, flags=["contradiction"])
    assert (turn.round_number, turn.rounds, turn.question_number, turn.questions) == (2, 4, 2, 2)
    assert (turn.round_minutes, turn.minutes, turn.flags) == (17, 33, ["contradiction"]) and turn.over_round_budget
    text = view.progress(turn)
    assert "Round 2 of 4: ML breadth check" in text
    assert "Question 2 (about 2 usually fit this round)" in text
    assert "Round time: 17 of 15 min" in text
    assert "Over the round's time budget" in text
    state.finished, state.round_seconds = True, [600.0]
    assert "finished after 10 min" in view.progress(turn_state("s1", state))


def test_code_is_appended_as_a_fenced_block():
    assert with_code("My answer", "def f():\n    return 1", "python") == "My answer\n\n```python\ndef f():\n    return 1\n```"
    assert with_code("", "SELECT 1", "sql") == "```sql\nSELECT 1\n```"
    assert with_code("Only words", "   ", "python") == "Only words"


def test_user_is_the_login_when_there_is_one_else_the_browser():
    class Request:
        username = "alice"

    assert user_of(Request(), {"browser_id": "b1"}) == "alice"
    assert user_of(None, {"browser_id": "b1"}) == "browser-b1"
    assert user_of(None, {"browser_id": "b1"}, local_user="sam") == "sam"  # this machine only: the terminal's user
    assert user_of(Request(), {"browser_id": "b1"}, local_user="sam") == "alice"


def test_the_app_is_single_user_only_on_this_machine_without_logins():
    from interviewer.config import Settings

    local = Settings.from_env(env={"USER": "sam"})
    assert local.single_user and local.os_user == "sam"
    assert not Settings.from_env(env={"USER": "sam", "INTERVIEWER_HOST": "0.0.0.0"}).single_user
    assert not Settings.from_env(env={"USER": "sam", "INTERVIEWER_AUTH": "ann:secret-pass-1"}).single_user
    assert not Settings.from_env(env={"USER": "sam", "INTERVIEWER_SHARED": "1"}).single_user
    assert Settings.from_env(env={"USER": "sam", "INTERVIEWER_SHARED": "no"}).single_user
    with pytest.raises(ValueError, match="INTERVIEWER_SHARED must be 1 or 0"):
        Settings.from_env(env={"INTERVIEWER_SHARED": "maybe"})


RESUME = """Jane Doe
jane@example.com

Education
- PhD in Computer Science, 2021

Research Experience
- Built a contrastive pre-training method for product images that cut labelling cost by 40%
- Led a causal study of delivery promise changes on conversion using difference-in-differences
Teaching assistant for ML 101

Skills
- Python, PyTorch, SQL, Spark
"""


def test_projects_come_from_the_project_sections_only():
    projects = projects_from_text(RESUME)
    assert projects == [
        "Built a contrastive pre-training method for product images that cut labelling cost by 40%",
        "Led a causal study of delivery promise changes on conversion using difference-in-differences",
    ]


def test_projects_fall_back_to_action_bullets_without_headings():
    text = "- Designed a demand forecasting model for 3,000 stores\n- Python and SQL\n* Deployed a ranking service to production"
    assert projects_from_text(text) == ["Designed a demand forecasting model for 3,000 stores",
                                        "Deployed a ranking service to production"]


def test_resume_files_of_every_type_are_read(tmp_path: Path):
    from docx import Document

    md = tmp_path / "cv.md"
    md.write_text(RESUME, encoding="utf-8")
    assert "contrastive" in extract_text(md)
    docx = tmp_path / "cv.docx"
    doc = Document()
    for line in RESUME.splitlines():
        doc.add_paragraph(line)
    doc.save(str(docx))
    assert len(projects_from_text(extract_text(docx))) == 2
    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(_one_line_pdf("Built a fraud model that cut chargebacks by 30 percent"))
    assert "fraud model" in extract_text(pdf)


def test_bad_resumes_get_a_specific_error(tmp_path: Path):
    exe = tmp_path / "cv.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(ResumeError, match=r"cv.exe: unsupported file type .exe"):
        extract_text(exe)
    broken = tmp_path / "cv.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(ResumeError, match=r"cv.pdf: "):
        extract_text(broken)
    empty = tmp_path / "cv.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(ResumeError, match="no text found"):
        extract_text(empty)


def _one_line_pdf(text: str) -> bytes:
    """A minimal valid PDF with one line of text (Helvetica), offsets computed."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


STORY = ("I owned the churn model when the pipeline silently dropped rows; I rebuilt the join, added validation "
         "checks, retrained, and churn recall rose from 0.61 to 0.74 within two weeks, so the team adopted the checks.")


def test_the_same_story_in_two_sessions_is_flagged_as_reused():
    assert overlap(STORY, STORY) == 1.0
    assert overlap(STORY, "") == 0.0
    other = ("Our forecasting launch slipped because a vendor feed changed format; I negotiated a new contract "
             "and built a parser with alerts, and forecast error dropped by a fifth.")
    stories = [Story(session_id="s1", lp="Ownership", item_id="a", text=STORY),
               Story(session_id="s2", lp="Ownership", item_id="b", text=STORY.replace("two weeks", "a month")),
               Story(session_id="s2", lp="Deliver Results", item_id="c", text=other),
               Story(session_id="s1", lp="Dive Deep", item_id="d", text=STORY)]  # same session: not a reuse
    found = reused_stories(stories)
    assert [(r.lp, r.first, r.second) for r in found] == [("Ownership", "s1", "s2"), ("Ownership / Dive Deep", "s2", "s1")]
    md = view.stories_markdown(History(sessions=[], trend=[], stories={"Ownership": 2}, reused=found[:1]),
                               ("Ownership", "Frugality"))
    assert "**Ownership**: 2 stories" in md and "Frugality" in md and "sessions `s1` and `s2`" in md
    assert isinstance(found[0], Reuse)

"""What the browser app does, as plain Python: start, stream a turn, hint/skip/end, guess the LP,
run code, restore after a reload. No Gradio here, so every handler is unit-tested directly.

One controller serves every browser. Interviews are cached per session id with a lock each, so
two tabs of one session take turns instead of interleaving, and different sessions never share
state. The transcript is always in the store, so a reload (or a restart) rebuilds the screen.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from interviewer.assessment.state import ONLINE_ASSESSMENT
from interviewer.interview.engine import (
    Interview,
    MessageTooLong,
    RunUnavailable,
    check_length,
)
from interviewer.interview.plans import PLAN_IDS, STORY_DRILL
from interviewer.interview.services import Services
from interviewer.interview.state import StoryBrief
from interviewer.report.build import report_for_session
from interviewer.report.model import Report
from interviewer.schemas import LEADERSHIP_PRINCIPLES, Action, Round
from interviewer.store import LpGuess
from interviewer.ui import view
from interviewer.ui.runs import (
    code_template,
    is_runnable,
    result_markdown,
    sandbox_problem,
)

log = logging.getLogger(__name__)

CODE_ROUNDS = {Round.CODING: "python", Round.PYTHON_DATA: "python", Round.SQL: "sql"}


class UserError(Exception):
    """A problem the user can fix, shown as one friendly line."""


JUDGE_LOADING = "The judge is getting ready (its model takes a few seconds to load); your answer is scored in a moment."


def _within_limit(text: str, what: str) -> None:
    """The engine's length check, as a friendly line; the text stays in the box to shorten."""
    try:
        check_length(text, what)
    except MessageTooLong as exc:
        raise UserError(str(exc)) from None


class SetupChoice(BaseModel):
    role: Literal["RS", "DS"] = "RS"
    plan_id: str = "phone-screen"
    difficulty: int | None = Field(default=None, ge=1, le=3)
    bar_raiser: bool = False
    lp_focus: list[str] = Field(default_factory=list)
    guess_lp: bool = True
    seed: int | None = None

    @field_validator("plan_id")
    @classmethod
    def _plan(cls, value: str) -> str:
        if value not in PLAN_IDS:
            raise ValueError(f"unknown format {value!r}; choose one of {', '.join(PLAN_IDS)}")
        return value

    @field_validator("lp_focus")
    @classmethod
    def _lps(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in LEADERSHIP_PRINCIPLES]
        if unknown:
            raise ValueError(f"unknown Leadership Principle(s): {', '.join(unknown)}")
        return value


class Screen(BaseModel):
    """Everything the interview tab shows after an action."""

    session_id: str
    messages: list[dict[str, Any]]
    progress: str
    finished: bool
    code_language: str | None = None  # "python" or "sql" in code rounds, else the pane hides
    runnable: bool = False  # the current question has hidden tests or a reference query
    run_off: str = ""  # why Run cannot run Python here (no sandbox), and how to enable it
    code_template: str | None = None  # a fresh code pane for a question just asked; None keeps what is there
    lp_guess_open: bool = False  # the current item probes an LP and guessing is on
    tally: str = ""  # the LP guesses so far, under the latest reveal
    notice: str = ""  # a problem to show (the app shows it in red); never a result
    info: str = ""  # news that is not a problem (the app shows it plainly): the judge loading, a resume read
    keep_guess: bool = False  # a guess was given with a message that was not an answer: it stays for the answer


class Controller:
    def __init__(self, services: Services):
        self.s = services
        self._live: dict[str, Interview] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # ---- sessions -------------------------------------------------------------------------

    def _lock(self, session_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(session_id, threading.Lock())

    def _owned(self, user: str, session_id: str) -> Any:
        try:
            row = self.s.store.session(session_id)
        except KeyError:
            raise UserError("That session no longer exists; start a new interview.") from None
        if row.user != user:
            # Another browser's or user's session: never show it.
            raise UserError("That session belongs to someone else; start a new interview.")
        if row.plan_id == ONLINE_ASSESSMENT:
            raise UserError(f"Session {session_id} is an online assessment: open it in the Online assessment tab "
                            "(or from History).")
        return row

    def is_assessment(self, user: str, session_id: str, unfinished: bool = False) -> bool:
        """This user's session, and an online assessment rather than an interview (still running)."""
        if not session_id:
            return False
        try:
            row = self.s.store.session(session_id)
        except KeyError:
            return False
        return row.user == user and row.plan_id == ONLINE_ASSESSMENT and (not unfinished or row.status != "finished")

    def _interview(self, user: str, session_id: str) -> Interview:
        with self._guard:
            live = self._live.get(session_id)
        if live is not None and live.user != user:
            raise UserError("That session belongs to someone else; start a new interview.")
        if live is None:
            self._owned(user, session_id)
            live = Interview.resume(self.s, session_id)
            with self._guard:
                live = self._live.setdefault(session_id, live)
        return live

    def _open(self, user: str, session_id: str) -> Interview:
        """The interview to act on (under its lock): this user's, and not yet over."""
        interview = self._interview(user, session_id)
        if interview.finished:
            raise UserError("This interview has ended; its report is in the Report tab.")
        return interview

    def start(self, user: str, choice: SetupChoice, resume_file: Path | None = None) -> Screen:
        projects: list[str] = []
        if resume_file is not None:
            from interviewer.interview.resume import (
                ResumeError,
                extract_text,
                projects_from_text,
            )

            try:
                projects = projects_from_text(extract_text(Path(resume_file)))
            except ResumeError as exc:
                raise UserError(str(exc)) from None
        seed = choice.seed if choice.seed is not None else int(time.time() * 1000) % 1_000_000
        interview = Interview.start(
            self.s, choice.plan_id, choice.role, seed, user=user, difficulty=choice.difficulty,
            lp_focus=choice.lp_focus, bar_raiser=choice.bar_raiser or None, resume_projects=projects,
            avoid_recent=choice.seed is None,
        )
        interview.set_meta(guess_lp=choice.guess_lp)
        with self._guard:
            self._live[interview.session_id] = interview
        info = f"Found {len(projects)} project(s) in your resume for the deep dive." if resume_file else ""
        return self._screen(interview, info=info)

    def start_story_practice(self, user: str, role: str, lp_focus: list[str], story: StoryBrief | None = None) -> Screen:
        """From the Story bank: a behavioural drill on the weakest LPs, or a Bar Raiser drill on one story."""
        seed = int(time.time() * 1000) % 1_000_000
        interview = Interview.start(self.s, STORY_DRILL if story else "behavioral", role, seed, user=user,
                                    lp_focus=lp_focus, story=story)
        with self._guard:
            self._live[interview.session_id] = interview
        return self._screen(interview, info=f"Probing: {', '.join(lp_focus)}." if lp_focus else "")

    def restore(self, user: str, session_id: str | None) -> Screen | None:
        """The screen of a saved session after a page reload; None when there is nothing to restore."""
        if not session_id:
            return None
        try:
            with self._lock(session_id):
                return self._screen(self._interview(user, session_id))
        except UserError:
            return None

    # ---- turns ----------------------------------------------------------------------------

    def send(self, user: str, session_id: str | None, message: str, guess: str | None = None) -> Iterator[Screen]:
        """One candidate message; yields the screen as the interviewer's reply streams in."""
        if not session_id:
            raise UserError("Start an interview first (Set up tab).")
        if not message or not message.strip():
            raise UserError("Type an answer first, or use Hint, Skip or End.")
        _within_limit(message, "answer")  # before the message is echoed to the screen
        with self._lock(session_id):
            interview = self._open(user, session_id)
            item = interview.state.item
            asked = (item.item_id, item.kind, item.lp) if item else None
            pending = [*view.messages(interview.turns, interview.meta.lp_guesses), {"role": "user", "content": message}]
            reply = ""
            try:
                waiting = "" if self.s.judge_ready else JUDGE_LOADING
                yield self._screen(interview, pending + [{"role": "assistant", "content": "…"}], info=waiting)
                for piece in interview.stream(message):
                    reply += piece
                    yield self._screen(interview, pending + [{"role": "assistant", "content": reply}])
            except BaseException:
                self._forget(session_id)
                raise
            reveal = self._record_guess(interview, asked, guess)
            item = interview.state.item
            keep = bool(guess and not reveal and asked and item is not None and item.item_id == asked[0])
            yield self._screen(interview, reveal=reveal, keep_guess=keep)
            if interview.finished:
                self._forget(session_id)

    def _forget(self, session_id: str) -> None:
        """Drop the cached interview: after a failed or abandoned turn the store is the truth
        (Interview.resume says a reply that was never said), and a finished one needs no cache."""
        with self._guard:
            self._live.pop(session_id, None)

    def command(self, user: str, session_id: str | None, name: Literal["hint", "skip", "end"]) -> Iterator[Screen]:
        yield from self.send(user, session_id, f"/{name}")

    # ---- "Which LP is this?" ----------------------------------------------------------------

    def _record_guess(self, interview: Interview, asked: tuple | None, guess: str | None) -> str:
        meta = interview.meta
        if not guess or not asked or not meta.guess_lp:
            return ""
        item_id, kind, lp = asked
        answer = next((t for t in reversed(interview.turns) if t.speaker == "candidate"), None)
        if kind not in ("lp_probe", "pivot") or not lp or answer is None or answer.classification != "answer":
            return ""  # a clarifying question or a skip: the guess stays open for the real answer
        guesses = list(meta.lp_guesses)
        if any(g.item_id == item_id for g in guesses):
            return ""
        guesses.append(LpGuess(item_id=item_id, turn=answer.index, guess=guess, actual=lp, correct=guess == lp))
        interview.set_meta(lp_guesses=guesses)
        return view.guess_line(guesses[-1])

    # ---- code and SQL -----------------------------------------------------------------------

    def run_code(self, user: str, session_id: str | None, code: str) -> tuple[Screen, str]:
        """Run the candidate's code or query against the open question; the run joins the transcript."""
        if not session_id:
            raise UserError("Start an interview first (Set up tab).")
        if not code or not code.strip():
            raise UserError("The code pane is empty.")
        _within_limit(code, "code")
        with self._lock(session_id):
            interview = self._open(user, session_id)
            try:
                result, _ = interview.run_code(code)
            except LookupError:
                raise UserError("This question has no hidden tests: use *Send code with answer* and the "
                                "interviewer will review it.") from None
            except RunUnavailable as exc:
                raise UserError(str(exc)) from None
            except BaseException:
                self._forget(session_id)
                raise
            return self._screen(interview), result_markdown(result)

    def report(self, user: str, session_id: str) -> Report:
        """The report of this user's session (a partial one while it runs)."""
        self._owned(user, session_id)
        return report_for_session(self.s.corpus, self.s.store, session_id)

    def code_language(self, session_id: str | None) -> str | None:
        if not session_id:
            return None
        live = self._live.get(session_id)
        if live is None or live.finished:
            return None
        return CODE_ROUNDS.get(live.state.round_plan.kind)

    # ---- what the screen shows ----------------------------------------------------------------

    def _screen(self, interview: Interview, messages: list[dict[str, Any]] | None = None, notice: str = "", info: str = "",
                reveal: str = "", keep_guess: bool = False) -> Screen:
        """The screen from the interview alone: nothing is read from the store."""
        meta = interview.meta
        guesses = meta.lp_guesses
        state = interview.state
        item = state.item
        language = None if state.finished else CODE_ROUNDS.get(state.round_plan.kind)
        guessed = {g.item_id for g in guesses}

        runnable = bool(item and language and is_runnable(self.s, item.item_id))
        run_off = sandbox_problem() or "" if runnable and language == "python" else ""
        last = interview.turns[-1] if interview.turns else None
        just_asked = bool(last and last.speaker == "interviewer" and last.decision is not None
                          and last.decision.action is Action.ASK)
        return Screen(
            session_id=interview.session_id,
            messages=messages if messages is not None else view.messages(interview.turns, guesses),
            progress=view.progress(interview.turn_state()),
            finished=state.finished,
            code_language=language,
            runnable=runnable and not run_off, run_off=run_off,
            code_template=code_template(self.s, item.item_id, language) if just_asked and item and language else None,
            lp_guess_open=bool(meta.guess_lp and item and item.kind in ("lp_probe", "pivot")
                               and item.item_id not in guessed and not state.finished),
            tally=((f"{reveal}  \n" if reveal else "") + view.tally(guesses)) if meta.guess_lp else "",
            notice=notice, info=info,
            keep_guess=keep_guess,
        )

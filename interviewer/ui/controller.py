"""What the browser app does, as plain Python: start, stream a turn, hint/skip/end, guess the LP,
run code, restore after a reload. No Gradio here, so every handler is unit-tested directly.

One controller serves every browser of its process; any number of processes can serve one
deployment. The store is the only truth: a turn holds the session's lock in the store (so two tabs,
or two processes, take turns instead of interleaving), and the interview cached in this process is
used only while the store's version of the session (turn count, last update) is the one this
process last saw; otherwise it is read again. A reload, a restart or another process rebuilds the
screen from the store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
from interviewer.store import LpGuess, SessionBusy
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


MOVED_ON = ("This interview moved on in another tab or window; here is where it is now. Your answer is still in "
            "the box: send it again if it answers the question above.")
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
    keep_answer: bool = False  # the message was not taken (the interview had moved on elsewhere): it stays in the box
    turns: int = 0  # the turns this screen shows; a browser sends it back with its next message


class Controller:
    def __init__(self, services: Services):
        self.s = services
        self._live: dict[str, Interview] = {}
        self._seen: dict[str, tuple[int, float]] = {}  # the store's version of each cached interview
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # ---- sessions -------------------------------------------------------------------------

    @contextmanager
    def session_turn(self, session_id: str) -> Iterator[None]:
        """One turn of a session at a time: this process's threads by a lock here, then other
        processes by the store's lock. Interviews and online assessments alike."""
        with self._guard:
            local = self._locks.setdefault(session_id, threading.Lock())
        with local:
            try:
                with self.s.store.session_lock(session_id):
                    yield
            except SessionBusy:
                raise UserError("This interview is busy with another turn (another tab?); try again in a moment.") from None

    def _remember(self, interview: Interview) -> None:
        """Cache the interview as the store has it now (called under its lock, after an action)."""
        version = self.s.store.version(interview.session_id)
        with self._guard:
            self._live[interview.session_id] = interview
            self._seen[interview.session_id] = version

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
        """The session's interview (called under its lock): the cached one if the store has not
        moved on since (another process took a turn, or set its meta), else read from the store."""
        with self._guard:
            live, seen = self._live.get(session_id), self._seen.get(session_id)
        if live is not None and live.user != user:
            raise UserError("That session belongs to someone else; start a new interview.")
        if live is not None:
            try:
                current = self.s.store.version(session_id)
            except KeyError:
                raise UserError("That session no longer exists; start a new interview.") from None
            if current == seen:
                return live
            log.info("session %s changed in the store since this process cached it: reading it again", session_id)
        self._owned(user, session_id)
        live = Interview.resume(self.s, session_id)
        self._remember(live)
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
        self._remember(interview)
        info = f"Found {len(projects)} project(s) in your resume for the deep dive." if resume_file else ""
        return self._screen(interview, info=info)

    def start_story_practice(self, user: str, role: str, lp_focus: list[str], story: StoryBrief | None = None) -> Screen:
        """From the Story bank: a behavioural drill on the weakest LPs, or a Bar Raiser drill on one story."""
        seed = int(time.time() * 1000) % 1_000_000
        interview = Interview.start(self.s, STORY_DRILL if story else "behavioral", role, seed, user=user,
                                    lp_focus=lp_focus, story=story)
        self._remember(interview)
        return self._screen(interview, info=f"Probing: {', '.join(lp_focus)}." if lp_focus else "")

    def restore(self, user: str, session_id: str | None) -> Screen | None:
        """The screen of a saved session after a page reload; None when there is nothing to restore."""
        if not session_id:
            return None
        try:
            with self.session_turn(session_id):
                return self._screen(self._interview(user, session_id))
        except UserError:
            return None

    def unsent(self, user: str, session_id: str | None, text: str) -> bool:
        """Whether `text`, which this browser sent last, is missing from the session (its process
        died before storing it): then the page puts it back in the box."""
        if not session_id or not text.strip():
            return False
        try:
            self._owned(user, session_id)
        except UserError:
            return False
        return all(t.text != text for t in self.s.store.turns(session_id) if t.speaker == "candidate")

    # ---- turns ----------------------------------------------------------------------------

    def send(self, user: str, session_id: str | None, message: str, guess: str | None = None,
             seen: int | None = None) -> Iterator[Screen]:
        """One candidate message; yields the screen as the interviewer's reply streams in. `seen`:
        the turns the sender's screen showed; when the interview has moved on since (another tab or
        window answered), the message is not taken: the screen is brought up to date instead."""
        if not session_id:
            raise UserError("Start an interview first (Set up tab).")
        if not message or not message.strip():
            raise UserError("Type an answer first, or use Hint, Skip or End.")
        _within_limit(message, "answer")  # before the message is echoed to the screen
        began = time.perf_counter()
        with self.session_turn(session_id):
            locked = time.perf_counter()
            interview = self._open(user, session_id)
            if seen is not None and seen != len(interview.turns) and message.strip().lower() != "/end":
                yield self._screen(interview, keep_answer=True, notice=MOVED_ON)
                return
            interview.timings.update(judge=0.0, store=0.0)
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
            if interview.finished:
                self._forget(session_id)
            else:
                self._remember(interview)
            _log_timing(session_id, began, locked, interview.timings)
            yield self._screen(interview, reveal=reveal, keep_guess=keep)

    def _forget(self, session_id: str) -> None:
        """Drop the cached interview: after a failed or abandoned turn the store is the truth
        (Interview.resume says a reply that was never said), and a finished one needs no cache."""
        with self._guard:
            self._live.pop(session_id, None)
            self._seen.pop(session_id, None)

    def command(self, user: str, session_id: str | None, name: Literal["hint", "skip", "end"],
                seen: int | None = None) -> Iterator[Screen]:
        yield from self.send(user, session_id, f"/{name}", seen=seen)

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
        with self.session_turn(session_id):
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
            self._remember(interview)
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
                reveal: str = "", keep_guess: bool = False, keep_answer: bool = False) -> Screen:
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
            keep_guess=keep_guess, keep_answer=keep_answer,
            turns=len(interview.turns),
        )


def _log_timing(session_id: str, began: float, locked: float, timings: dict[str, float]) -> None:
    """One line per turn: where its time went (the load benchmark reads these lines)."""
    total = time.perf_counter() - began
    log.info("turn timing session=%s total_ms=%.1f lock_ms=%.1f judge_ms=%.1f store_ms=%.1f", session_id, total * 1000,
             (locked - began) * 1000, timings.get("judge", 0.0) * 1000, timings.get("store", 0.0) * 1000)

"""An online assessment being taken: started, resumed, answered item by item, each step stored
with the state (the same sessions and turns tables as interviews, plan `online-assessment`), so
a crash loses nothing and History lists it with the interviews."""

from __future__ import annotations

import logging
import random
import time

from interviewer.assessment.content import LETTERS, AssessmentContent, load_assessment
from interviewer.assessment.grading import (
    BadResponse,
    grade_code,
    grade_mcq,
    grade_work_style,
)
from interviewer.assessment.state import (
    ONLINE_ASSESSMENT,
    AssessmentState,
    ItemResult,
    close_if_timed_out,
    max_points,
    new_state,
    record,
    seconds_left,
    show,
)
from interviewer.interview.services import Services
from interviewer.schemas import Turn
from interviewer.store import SessionMeta

log = logging.getLogger(__name__)

MAX_SOURCE = 20_000


def assessment_content(services: Services) -> AssessmentContent:
    schemas = {p.stem for p in (services.settings.corpus_dir / "problems" / "sql" / "schemas").glob("*.sql")}
    return load_assessment(services.settings.corpus_dir, {lp.id for lp in services.corpus.lps}, schemas)


def problem_pools(services: Services) -> tuple[list[str], list[str]]:
    """The runnable problems tagged for the assessment's coding sections (seed tags
    oa.python_stack and oa.algorithms)."""
    coding = services.problems.coding
    tagged = {q.id for q in services.corpus.questions if "oa.python_stack" in q.seed_tags}
    python = [pid for pid in coding if pid in tagged]
    tagged = {q.id for q in services.corpus.questions if "oa.algorithms" in q.seed_tags}
    return python, [pid for pid in coding if pid in tagged]


class OnlineAssessment:
    def __init__(self, services: Services, session_id: str, user: str, state: AssessmentState, turns: list[Turn],
                 content: AssessmentContent) -> None:
        self.s, self.session_id, self.user, self.state, self.turns, self.content = (
            services, session_id, user, state, turns, content)

    @classmethod
    def start(cls, services: Services, user: str, seed: int | None = None, role: str = "DS") -> OnlineAssessment:
        content = assessment_content(services)
        seed = seed if seed is not None else random.randrange(1_000_000)
        python, algorithms = problem_pools(services)
        recent = frozenset(services.store.recent_items(user, sessions=10))
        state = new_state(content, python, algorithms, seed, role, avoid=recent)
        session_id = services.store.create_session(user, ONLINE_ASSESSMENT, role, seed, state.model_dump_json(),
                                                   meta=SessionMeta(judge="tests and answer keys"))
        oa = cls(services, session_id, user, state, [], content)
        oa._show()
        return oa

    @classmethod
    def resume(cls, services: Services, session_id: str, content: AssessmentContent | None = None) -> OnlineAssessment:
        """The stored assessment; a section whose time ran out meanwhile is closed now."""
        row = services.store.session(session_id)
        if row.plan_id != ONLINE_ASSESSMENT:
            raise KeyError(f"session {session_id} is an interview, not an online assessment")
        state = AssessmentState.model_validate_json(row.state_json)
        oa = cls(services, session_id, row.user, state, services.store.turns(session_id),
                 content or assessment_content(services))
        if not state.finished:
            oa._tick()
            oa._show()
        return oa

    @property
    def finished(self) -> bool:
        return self.state.finished

    def seconds_left(self) -> float | None:
        return seconds_left(self.state, self.s.clock())

    # ---- steps --------------------------------------------------------------------------

    def _commit(self, turns: list[Turn]) -> None:
        self.s.store.commit_turns(self.session_id, turns, self.state.model_dump_json(),
                                  status="finished" if self.state.finished else None)
        self.turns.extend(turns)

    def _turn(self, speaker: str, text: str, item_id: str | None, classification: str | None = None) -> Turn:
        return Turn(index=len(self.turns), speaker=speaker, text=text, round_index=min(self.state.section, len(self.state.sections) - 1),
                    item_id=item_id, classification=classification, created_at=time.time())

    def _show(self) -> None:
        """Put the current item up (once): stored as the interviewer's turn, its clock started."""
        item_id = self.state.current_item
        if self.state.finished or item_id is None:
            return
        last = self.turns[-1] if self.turns else None
        if last is not None and last.speaker == "interviewer" and last.item_id == item_id:
            return
        show(self.state, self.s.clock())
        from interviewer.assessment.view import item_text

        self._commit([self._turn("interviewer", item_text(self, item_id), item_id)])

    def _tick(self) -> bool:
        """Close the section when its time is up; True when it did."""
        closed = close_if_timed_out(self.state, self.s.clock())
        if closed:
            self._commit([])
        return closed

    def answer(self, response: str) -> str:
        """Grade the response to the item on screen; returns a one-line note. Raises BadResponse
        (nothing recorded) when it cannot be read."""
        if self.state.finished:
            raise RuntimeError("this assessment has ended; its report is ready")
        if self._tick():
            self._show()
            return "Time was up for that section: the answer was not counted, and the next section has started."
        section = self.state.current_section
        item_id = self.state.current_item
        assert section is not None and item_id is not None
        result = self._grade(section.key, item_id, response)
        record(self.state, result, self.s.clock())
        self._commit([self._turn("candidate", result.response if section.key != "work_style" else response, item_id, "answer")])
        self._show()
        # Code gets its test count at once, as take-home platforms show; choices are revealed in the report.
        return f"Submitted: {result.detail}." if section.key in ("python", "algorithms") else "Recorded."

    def skip(self) -> str:
        if self.state.finished:
            raise RuntimeError("this assessment has ended; its report is ready")
        if self._tick():
            self._show()
            return "Time was up for that section; the next section has started."
        section, item_id = self.state.current_section, self.state.current_item
        assert section is not None and item_id is not None
        record(self.state, ItemResult(section=section.key, item_id=item_id, status="skipped",
                                      max_points=max_points(section.key)), self.s.clock())
        self._commit([self._turn("candidate", "(skipped)", item_id, "skip")])
        self._show()
        return "Skipped."

    def end(self) -> None:
        """Stop now: every item left counts as unanswered."""
        while not self.state.finished:
            s, item_id = self.state.current_section, self.state.current_item
            assert s is not None and item_id is not None
            record(self.state, ItemResult(section=s.key, item_id=item_id, status="unanswered",
                                          max_points=max_points(s.key), detail="the assessment was ended early"),
                   self.s.clock())
        self._commit([self._turn("candidate", "(ended the assessment)", None, "end")])

    def _grade(self, key: str, item_id: str, response: str) -> ItemResult:
        if key == "sql_mcq":
            item = self.content.mcq_item(item_id)
            assert item is not None
            return grade_mcq(item, response)
        if key == "work_style":
            item = self.content.work_item(item_id)
            assert item is not None
            return grade_work_style(item, response)
        if not response.strip() or len(response) > MAX_SOURCE:
            raise BadResponse(f"Send your code (the whole function, under {MAX_SOURCE:,} characters).")
        from interviewer.runner import (
            SandboxUnavailable,
            SourceError,
            check_source,
            run_code,
        )

        problem = self.s.problems.coding[item_id]
        try:
            check_source(response, problem)
        except SourceError as exc:
            # Code that cannot even load (a syntax error, the function missing) is a typo to fix,
            # as a take-home's editor would show before submitting: nothing is recorded.
            raise BadResponse(f"Not submitted: {exc} Fix it and submit again.") from None
        try:
            result = run_code(problem, response)
        except SandboxUnavailable as exc:
            raise BadResponse(str(exc)) from None
        return grade_code(key, item_id, response, result)

    def try_examples(self, source: str) -> str:
        """Run the code on the visible examples only: nothing is recorded and the item stays open."""
        s, item_id = self.state.current_section, self.state.current_item
        if self.state.finished or s is None or s.key not in ("python", "algorithms"):
            raise BadResponse("Only a coding item can be run.")
        if not source.strip():
            raise BadResponse("Write your function first.")
        from interviewer.runner import SandboxUnavailable, run_code

        problem = self.s.problems.coding[item_id]
        try:
            result = run_code(problem.model_copy(update={"tests": [], "scale": None}), source)
        except SandboxUnavailable as exc:
            raise BadResponse(str(exc)) from None
        failed = next((t for t in result.tests if not t.passed), None)
        head = f"Examples: {result.passed} of {result.total} pass."
        if result.status == "error" and not result.tests:
            return f"{head} {result.message}"
        if failed is not None:
            return f"{head} {failed.message or ''} Expected {failed.expected}, got {failed.actual}.".replace("  ", " ")
        return head + " Submit it when you are ready: the hidden tests decide the score."


__all__ = ["LETTERS", "BadResponse", "OnlineAssessment"]

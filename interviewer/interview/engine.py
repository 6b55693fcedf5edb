"""Wires one interview together: classify, judge, commit, decide, speak, commit.

No Gradio and no environment reads here: services are built once at start-up (from Settings)
and passed in, so the terminal, the browser app and the tests drive the same engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from interviewer.interview.classify import MessageKind, classify
from interviewer.interview.clock import turn_seconds
from interviewer.interview.panel import is_question
from interviewer.interview.plans import build_plan
from interviewer.interview.services import Services, usage_of
from interviewer.interview.state import (
    InterviewState,
    StoryBrief,
    TurnState,
    turn_state,
)
from interviewer.judge.rubric import Rubric, rubric_for_lp, rubric_for_question
from interviewer.schemas import Action, Decision, Role, Score, Turn
from interviewer.speaker.base import SpeakContext
from interviewer.store import SessionMeta

log = logging.getLogger(__name__)

OFF_TOPIC_BELOW = 0.15
# A long spoken answer is 2-3,000 characters; with a pasted solution, rarely 10,000. The cap keeps
# one message from tying up the judge (a 5 MB answer took minutes of CPU) and the transcript.
MAX_ANSWER_CHARS = 20_000
MAX_CODE_CHARS = 20_000
# Runs per question: an interviewer does not wait for dozens, and each run's pass count is a clue
# (enough runs of a lookup table, bucket by bucket, would read the hidden answers off the counts).
MAX_RUNS = 10


class RunUnavailable(RuntimeError):
    """The code was not run, and the message says why: no sandbox here (and how to get one), or
    the question's runs are used up."""


class MessageTooLong(ValueError):
    """A message over the limit: nothing was recorded, and the candidate can shorten and resend it."""


def check_length(text: str, what: str = "answer") -> None:
    """Raise MessageTooLong when `text` is over its limit; the one check every front end goes through."""
    limit = MAX_CODE_CHARS if what == "code" else MAX_ANSWER_CHARS
    if len(text) > limit:
        hint = "send the function or query under test" if what == "code" else "keep the key points and the code that matters"
        raise MessageTooLong(f"Your {what} is {len(text):,} characters; the limit is {limit:,}. Shorten it ({hint}) "
                             "and send it again: nothing was recorded.")


class Interview:
    def __init__(self, services: Services, session_id: str, user: str, state: InterviewState, turns: list[Turn],
                 meta: SessionMeta, created_at: float):
        self.s = services
        self.session_id = session_id
        self.user = user
        self.state = state
        self.turns = turns
        self.meta = meta  # kept in step with the store by set_meta, so a turn reads nothing back
        self.created_at = created_at
        # Own clients in model mode, so interviews running side by side (the browser app) count apart.
        self.judge, self.client = services.for_session()
        self.speaker = services.speaker(state.seed, self.client)
        self._snippets: dict[tuple[str, str], str] = {}
        # Model usage of this session: what earlier runs of it recorded, plus this run's.
        self._usage_before = meta.usage.model_dump() if meta.usage else {}
        # Seconds spent in the judge and in the store since the caller last cleared it (the app logs them per turn).
        self.timings: dict[str, float] = {"judge": 0.0, "store": 0.0}

    # ---- lifecycle ----------------------------------------------------------------------

    @classmethod
    def start(
        cls, services: Services, plan_id: str = "ml-breadth", role: str = "RS", seed: int = 0, user: str = "local",
        difficulty: int | None = None, lp_focus: list[str] | None = None, bar_raiser: bool | None = None,
        resume_projects: list[str] | None = None, avoid_recent: bool = False, story: StoryBrief | None = None,
    ) -> Interview:
        """A new interview. `avoid_recent` steers away from items this user saw in recent sessions;
        leave it off when the candidate chose a seed, so the same seed asks the same questions."""
        plan = build_plan(plan_id, Role(role.upper()), bar_raiser=bar_raiser, seed=seed)
        state = InterviewState(
            plan=plan, seed=seed, difficulty=difficulty, lp_focus=lp_focus or [],
            avoid=services.store.recent_items(user) if avoid_recent else [], resume_projects=resume_projects or [],
            story=story,
        )
        session_id = services.store.create_session(user, plan_id, plan.role.value, seed, state.model_dump_json(),
                                                   meta=SessionMeta(judge=services.judge.name))
        row = services.store.session(session_id)
        interview = cls(services, session_id, user, state, [], row.meta, row.created_at)
        interview.set_meta(speaker=interview.speaker.name)  # the speaker is built once, by the interview
        decision = services.policy.start(state, services.clock())
        opening = interview.speaker.opening(plan.title, plan.minutes)
        first = interview.speaker.say(decision, 0, state.round_plan.title, after=None)
        interview._commit([interview._turn("interviewer", f"{opening}\n\n{first}", decision=decision)])
        return interview

    @classmethod
    def resume(cls, services: Services, session_id: str) -> Interview:
        row = services.store.session(session_id)
        state = InterviewState.model_validate_json(row.state_json)
        turns = services.store.turns(session_id)
        interview = cls(services, session_id, row.user, state, turns, row.meta, row.created_at)
        # Crashed after the candidate's turn was committed but before the reply: say it now.
        if turns and turns[-1].speaker == "candidate" and turns[-1].decision is not None:
            for _ in interview._speak(turns[-1].decision, turns[-1].classification):
                pass
        return interview

    @property
    def finished(self) -> bool:
        return self.state.finished

    def turn_state(self) -> TurnState:
        """Where the interview stands now (the screen's progress panel)."""
        last = next((t.score for t in reversed(self.turns) if t.score is not None), None)
        return turn_state(self.session_id, self.state, last.flags if last else [])

    def set_meta(self, **values: object) -> None:
        """Store session meta (store.SessionMeta's fields) and keep this interview's copy in step."""
        began = time.perf_counter()
        self.s.store.set_meta(self.session_id, **values)
        self.timings["store"] += time.perf_counter() - began
        self.meta = SessionMeta.model_validate({**self.meta.model_dump(), **values})

    @property
    def last_interviewer_message(self) -> str:
        return next((t.text for t in reversed(self.turns) if t.speaker == "interviewer"), "")

    # ---- one turn -----------------------------------------------------------------------

    def respond(self, message: str) -> str:
        return "".join(self.stream(message))

    def stream(self, message: str) -> Iterator[str]:
        """Handle one candidate message; yield the interviewer's reply in pieces."""
        check_length(message)  # before anything changes: a refused message leaves no trace
        if self.state.finished:
            raise RuntimeError("this interview has ended; start a new one or open the report")
        item = self.state.item
        assert item is not None
        self._charge(message)
        kind = classify(message, item.question, behavioral=item.kind != "technical", vocabulary=self.s.vocabulary)
        score: Score | None = None
        if kind is MessageKind.ANSWER and item.kind != "questions":
            began = time.perf_counter()
            score = self.judge.score(self._rubric(), "\n".join([*item.answers, message]))
            self.timings["judge"] += time.perf_counter() - began
            if score.relevance < OFF_TOPIC_BELOW and len(message.split()) >= 6 and not item.answers and item.run is None:
                kind, score = MessageKind.OFF_TOPIC, None
            elif item.run is not None:
                item.discussion = score
                score = self._with_code(item, [*item.answers, message])
            else:
                item.discussion = score
        label = kind.value
        if item.kind == "questions" and kind is not MessageKind.END:
            # The candidate's questions to the interviewer are not answers: nothing was judged.
            label = "candidate_question" if is_question(message) \
                else "no_more_questions" if self.state.round.candidate_questions else "no_questions"
        answered_in = self.state.round.index
        decision = self.s.policy.on_message(self.state, kind, message, score, self.s.clock())
        # The candidate's turn, its score and the decision are on disk before we speak.
        self._commit([self._turn("candidate", message, item_id=item.item_id, classification=label,
                                 decision=decision, score=score, round_index=answered_in)])
        yield from self._speak(decision, label)

    def _charge(self, message: str, code: bool = False) -> None:
        """Add this exchange's interview time (interview/clock.py) to the round and the interview."""
        last = next((t for t in reversed(self.turns) if t.speaker == "interviewer"), None)
        gap = self.s.clock() - last.created_at if last is not None else None
        seconds = turn_seconds(last.text if last else "", message, gap, code=code)
        self.state.charge(seconds)

    # ---- code and queries ------------------------------------------------------------------

    def run_code(self, source: str) -> tuple[Any, str]:
        """Run the candidate's code (or query) against the open question's hidden tests.

        Returns the runner's result and the interviewer's reply (always the template's: it reports
        a fact and asks for the complexity). The run is a candidate turn in the transcript, scored
        with tests, complexity and code quality.
        """
        check_length(source, "code")
        if self.state.finished:
            raise RuntimeError("this interview has ended; start a new one or open the report")
        item = self.state.item
        problem = self.s.problem_for(item.item_id) if item else None
        if item is None or problem is None:
            if item is not None and item.kind != "technical":
                raise LookupError("we have moved on from the coding question: the question on the table is about a "
                                  "story, so there is nothing to run; answer it in words")
            raise LookupError("this question has no hidden tests; send your code with your answer instead")
        if item.run is not None and item.run.runs >= MAX_RUNS:
            raise RunUnavailable(f"You have run this question {item.run.runs} times, as many as an interviewer waits "
                                 "for: explain your approach and what still fails, or move on (Skip).")
        from interviewer.runner import (
            CodingProblem,
            SandboxUnavailable,
            run_code,
            run_sql,
        )
        from interviewer.schemas import RunRecord

        if isinstance(problem, CodingProblem):
            try:
                result, language = run_code(problem, source), "python"
            except SandboxUnavailable as exc:
                raise RunUnavailable(str(exc)) from None
            passed, total = result.passed, result.total
        else:
            result, language = run_sql(problem, source, self.s.problems.schemas_dir), "sql"
            passed, total = int(result.status == "correct"), 1
        self._charge(source, code=item.run is None)  # a re-run after a fix is quicker than the first version
        runs = item.run.runs + 1 if item.run else 1
        record = RunRecord(language=language, status=result.status, passed=passed, total=total, runs=runs, source=source,
                           isolation=result.isolation)
        # The best run counts, as an interviewer remembers the version that worked.
        if item.run is None or passed >= item.run.passed:
            item.run = record
        else:
            item.run = item.run.model_copy(update={"runs": runs})
        score = self._with_code(item, item.answers)
        expects = bool(getattr(problem, "time_complexity", None))
        decision = self.s.policy.on_code_run(self.state, record, result.message, expects)
        self._commit([self._turn("candidate", f"```{language}\n{source.strip()}\n```", item_id=item.item_id,
                                 classification="code_run", decision=decision, score=score)])
        return result, "".join(self._speak(decision, "code_run"))

    def _with_code(self, item, answers: list[str]) -> Score:  # noqa: ANN001
        from interviewer.judge.code import (
            combine,
            complexity_criterion,
            passed_tests_criterion,
            quality_criterion,
        )

        run = item.run
        problem = self.s.problem_for(item.item_id)
        criteria = [passed_tests_criterion(run)]
        if run.language == "python":
            complexity = complexity_criterion("\n".join(answers), problem.time_complexity, problem.space_complexity)
            if complexity is not None and (item.complexity_asked or complexity.evidence):
                criteria.append(complexity)
            quality = quality_criterion(run.source)
            if quality is not None:
                criteria.append(quality)
        return combine(item.discussion, criteria, kind_judge=self.judge.name)

    def _speak(self, decision: Decision, after: str | None) -> Iterator[str]:
        title = self.state.round_plan.title
        pieces: list[str] = []
        for piece in self.speaker.stream(decision, len(self.turns), title, lambda: self._speak_context(decision), after):
            pieces.append(piece)
            yield piece
        text = "".join(pieces).strip()
        status = "finished" if decision.action is Action.END else None
        self._commit([self._turn("interviewer", text, decision=decision)], status=status)
        if self.client is not None:
            by = getattr(self.speaker, "last_source", self.speaker.name)
            self._model_event("speaker", by, len(self.turns) - 1)
        self._record_usage()
        if status:
            self._write_reports()

    def _model_event(self, part: str, by: str, turn: int) -> None:
        """Who produced this part in model mode (the report's model section reads these)."""
        from interviewer.store import ModelEvent

        events = [*self.meta.model_events, ModelEvent(turn=turn, part=part, by=by)]  # type: ignore[arg-type]
        self.set_meta(model_events=events)

    def _record_usage(self) -> None:
        if self.client is not None:
            now = usage_of([self.client.usage, self.judge.usage()])
            usage = {k: self._usage_before.get(k, 0) + now[k] for k in now}
            self.set_meta(usage=usage, mode=self.s.mode, model=self.client.model_name)

    def _speak_context(self, decision: Decision) -> SpeakContext:
        item = self.state.item
        question = item.question if item else decision.text
        hidden, signals = "", ""
        q = self.s.policy.question(decision.item_id or "") if decision.item_id else None
        if q is not None:
            hidden = "\n".join(f"- {k}" for k in q.key_points)
        if decision.lp:
            signals = "\n".join(f"- {x}" for x in self.s.policy.lp(decision.lp).signals)
        last = next((t.text for t in reversed(self.turns) if t.speaker == "candidate"), "")
        round_kind = self.state.round_plan.kind.value

        def snippets() -> str:
            if self.s.retriever is None:
                return "(none available)"
            # Once per question: follow-ups and pivots on it reuse the same grounding.
            key = (round_kind, question)
            if key not in self._snippets:
                from interviewer.retrieval.index import Filters

                query = question or round_kind
                hits = self.s.retriever.search(query, "reports", k=3, filters=Filters(round=round_kind),
                                               vector=self.judge.cached_vector(query))
                self._snippets = {key: "\n".join(f"- {h.text}" for h in hits) or "(none available)"}
            return self._snippets[key]

        return SpeakContext(self.state.plan.title, self.state.round_plan.title, self.state.plan.bar_raiser, self.turns,
                            self.state.round.index, question, hidden, signals, last, snippets)

    def _rubric(self) -> Rubric:
        item = self.state.item
        assert item is not None
        if item.kind == "technical":
            q = self.s.policy.question(item.item_id)
            assert q is not None
            return rubric_for_question(q)
        return rubric_for_lp(self.s.policy.lp(item.lp or ""), item.question, item.item_id)

    def _turn(self, speaker: str, text: str, item_id: str | None = None, classification: str | None = None,
              decision: Decision | None = None, score: Score | None = None, round_index: int | None = None) -> Turn:
        return Turn(
            index=len(self.turns), speaker=speaker, text=text,  # type: ignore[arg-type]
            round_index=self.state.round.index if round_index is None else round_index,
            item_id=item_id or (decision.item_id if decision else None), classification=classification,
            decision=decision, score=score, created_at=self.s.clock(),
        )

    def _commit(self, turns: list[Turn], status: str | None = None) -> None:
        began = time.perf_counter()
        self.s.store.commit_turns(self.session_id, turns, self.state.model_dump_json(), status)
        self.timings["store"] += time.perf_counter() - began
        self.turns.extend(turns)

    def end(self) -> str:
        """End now (the /end command)."""
        return self.respond("/end")

    def _write_reports(self) -> dict[str, Path]:
        from interviewer.report.publish import model_summary, write_reports

        client, s = self.client, self.s.settings  # this session's client: the summary counts in its usage
        summarise = None

        if client is not None:
            def summarise(report):  # noqa: ANN001, ANN202 - report.model.Report
                text, why = model_summary(client, s.prompts_dir, report)
                self._model_event("summary", f"model:{client.model_name}" if text else f"none ({why})", len(self.turns) - 1)
                return text

        paths = write_reports(self.s.corpus, self.s.store, self.session_id, s.home / "reports", summarise)
        self._record_usage()
        self.set_meta(reports={k: str(v) for k, v in paths.items()})
        return paths

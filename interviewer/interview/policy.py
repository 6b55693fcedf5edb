"""The turn policy: plain, deterministic code that decides what happens next, with a reason.

The model never decides the flow. Given the classified candidate message and the judge's score,
the policy picks one action: answer a clarifying question, follow up on the biggest rubric gap,
pivot into an LP probe tied to the topic, offer another scenario after "no example", re-prompt
once after an empty or echoed reply, or move on. A round asks until its interview time is used
(interview/clock.py), then invites the candidate's questions; each new interviewer introduces
themselves and the round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Literal

from interviewer.corpus.loading import Corpus
from interviewer.interview import panel
from interviewer.interview.choose import (
    CODE_ROUNDS,
    biggest_gap_follow_up,
    challenge,
    match_clarification,
    pick_probe,
    pick_question,
    rng,
    star_follow_up,
    story_opening,
    topic_words,
)
from interviewer.interview.classify import MessageKind
from interviewer.interview.plans import RoundPlan
from interviewer.interview.state import InterviewState, ItemState, RoundState
from interviewer.schemas import (
    Action,
    Decision,
    Introduction,
    LeadershipPrinciple,
    Question,
    Round,
    RunRecord,
    Score,
)

log = logging.getLogger(__name__)

MAX_CLARIFICATIONS = 3
MAX_REPROMPTS = 1
MAX_HINTS = 1
MAX_CHALLENGES = 1  # per question
ASK_FOR_CODE = ("Before we go further, write it as code and run it against the tests: the Run button in the browser, "
                "or /run FILE in the terminal. Then talk me through it.")
ASK_FOR_RERUN = ("Go ahead and make that change, then run it again: I'd like to see it pass before we move on. "
                 "Talk me through the fix as you go.")
# Interview time a new question needs: no interviewer starts a problem with a minute left.
QUESTION_NEEDS_S = {Round.CODING: 360.0, Round.SQL: 300.0}
QUESTION_NEEDS_DEFAULT_S = 120.0
QUESTIONS_RESERVE_S = 180.0  # kept at the end of a round for the candidate's questions
# Main questions in a row left without any answer before the interviewer wraps the round up early:
# nobody asks a silent candidate questions for the rest of the hour.
UNANSWERED_CLOSE = 3


# ---- the state machine -------------------------------------------------------------------


class Policy:
    def __init__(self, corpus: Corpus, runnable: Callable[[], Collection[str]] = tuple):
        """`runnable` lists the questions with hidden tests (loaded only when a code round needs it)."""
        self.corpus = corpus
        self._runnable_source = runnable
        self._runnable: frozenset[str] | None = None
        self._questions = {q.id: q for q in corpus.questions}
        self._lps = {lp.name: lp for lp in corpus.lps}
        self._panel: panel.PanelIndex | None = None  # built at the first candidate question

    def lp(self, name: str) -> LeadershipPrinciple:
        return self._lps[name]

    @property
    def runnable(self) -> frozenset[str]:
        if self._runnable is None:
            self._runnable = frozenset(self._runnable_source())
        return self._runnable

    def question(self, item_id: str) -> Question | None:
        return self._questions.get(item_id)

    # -- starting and advancing

    def start(self, state: InterviewState, now: float) -> Decision:
        return self._next_item(state, now, "interview starts", closed=False)

    def _seconds_left(self, state: InterviewState) -> float:
        """Interview time left for questions in this round, the candidate's own questions aside."""
        reserve = QUESTIONS_RESERVE_S if state.plan.invites_questions(state.round.index) else 0.0
        return state.round_plan.minutes * 60 - state.round_elapsed_s - reserve

    def _time_over(self, state: InterviewState, now: float) -> bool:
        return self._seconds_left(state) <= 0

    def _budget_over(self, state: InterviewState, now: float) -> bool:
        return state.round.turns >= state.round_plan.max_turns or self._time_over(state, now)

    def _round_done(self, state: InterviewState, now: float) -> bool:
        """No time for another question (or the turn cap is reached): the round closes."""
        need = QUESTION_NEEDS_S.get(state.round_plan.kind, QUESTION_NEEDS_DEFAULT_S)
        return (state.round.turns >= state.round_plan.max_turns or self._seconds_left(state) < need
                or state.round.unanswered_in_a_row >= UNANSWERED_CLOSE)

    def _next_item(self, state: InterviewState, now: float, reason: str, closed: bool = True) -> Decision:
        state.item = None
        new_round = False
        while True:
            if state.round.started_at is not None and self._round_done(state, now):
                if state.plan.invites_questions(state.round.index) and not state.round.questions_invited:
                    return self._invite_questions(state, reason, closed)
                if state.round.index + 1 >= len(state.plan.rounds):
                    state.finished = True
                    return Decision(action=Action.END, reason=f"{reason}; last round closed", round_index=state.round.index, closed_item=closed)
                state.round = RoundState(index=state.round.index + 1)
                new_round = True
            plan = state.round_plan
            decision = self._ask(state, plan, now, reason, closed, new_round or state.round.started_at is None)
            if decision is not None:
                return decision
            # Nothing left to ask in this round: close it.
            state.round.turns = state.round_plan.max_turns

    def _nothing_left(self, state: InterviewState) -> bool:
        """No question of this round's kind is left to ask (a small corpus runs out before the time)."""
        plan = state.round_plan
        if plan.kind is Round.BEHAVIORAL:
            return pick_probe(state, self.corpus, plan) is None
        return pick_question(state, self.corpus, plan, self.runnable if plan.kind in CODE_ROUNDS else ()) is None

    def _invite_questions(self, state: InterviewState, reason: str, closed: bool) -> Decision:
        state.round.questions_invited = True
        r = state.round.index
        state.item = ItemState(item_id=f"round-{r + 1}.questions", kind="questions", question="What questions do you have for me?")
        return Decision(action=Action.INVITE_QUESTIONS, reason=f"{reason}; round at time: the candidate's questions",
                        round_index=r, closed_item=closed)

    def _candidate_question(self, state: InterviewState, kind: MessageKind, message: str, now: float) -> Decision:
        """The candidate's questions at a round's end: answered briefly from the panel's answers,
        up to a few; a "no, thanks" (or anything not a question) moves on."""
        r = state.round.index
        if kind is MessageKind.END:
            state.finished = True
            return Decision(action=Action.END, reason="candidate ended the interview", round_index=r, closed_item=True)
        if not panel.is_question(message) or state.round.candidate_questions >= panel.MAX_CANDIDATE_QUESTIONS:
            why = "question limit reached" if panel.is_question(message) else "no more questions from the candidate"
            return self._next_item(state, now, why)
        state.round.candidate_questions += 1
        person = next((p for p in self.corpus.interviewers if p.id == state.round.interviewer_id), None)
        if self._panel is None:
            self._panel = panel.PanelIndex(self.corpus)
        found = self._panel.answer(message, person)
        how, text, kind = found if found else ("nothing prepared or in the corpus matches", "", "unknown")
        return Decision(action=Action.ANSWER_QUESTION, round_index=r, text=text,
                        reason=f"candidate's question {state.round.candidate_questions}: {how}",
                        variant=None if kind == "prepared" else kind)

    def _ask(self, state: InterviewState, plan: RoundPlan, now: float, reason: str, closed: bool, new_round: bool) -> Decision | None:
        project: str | None = None
        if plan.kind is Round.BEHAVIORAL:
            story = story_opening(state, self.corpus)
            picked = None if story else pick_probe(state, self.corpus, plan)
            if story is not None:
                lp, item_id, text = story
            elif picked is not None:
                lp, i = picked
                item_id, text = f"{lp.id}.probe-{i}", lp.probes[i - 1].text
            else:
                return None
            revisit = lp.name in state.lps_probed  # a Bar Raiser digging again, which the line says
            state.item = ItemState(item_id=item_id, kind="lp_probe", question=text, lp=lp.name)
            state.lps_probed.append(lp.name)
            why = f"LP probe for {lp.name} " + ("(the Bar Raiser comes back to it)" if revisit else "(not probed yet)")
            kind: Literal["technical", "lp_probe", "pivot"] = "lp_probe"
            lp_name: str | None = lp.name
        else:
            q = pick_question(state, self.corpus, plan, self.runnable if plan.kind in CODE_ROUNDS else ())
            if q is None:
                return None
            item_id, text, lp_name, kind, revisit = q.id, q.question, None, "technical", False
            if plan.kind is Round.PROJECT_DEEP_DIVE and state.resume_projects:
                # Anchor the deep dive in the candidate's own work, a different project each time.
                done = sum(1 for a in state.asked if (p := self.question(a)) and p.round is Round.PROJECT_DEEP_DIVE)
                project = state.resume_projects[done % len(state.resume_projects)]
            state.item = ItemState(item_id=q.id, kind="technical", question=q.question)
            for t in topic_words(q):
                state.topics_seen[t] = state.topics_seen.get(t, 0) + 1
            why = f"{plan.kind.value} question {q.id} (difficulty {q.difficulty}, topics {', '.join(q.topics)})"
        intro = None
        if state.round.started_at is None:
            state.round.started_at = now
            intro = self._introduce(state)
        state.round.main_items += 1
        state.asked.append(item_id)
        return Decision(
            action=Action.ASK, reason=f"{reason}; {why}", round_index=state.round.index, new_round=new_round,
            item_id=item_id, item_kind=kind, lp=lp_name, text=text, closed_item=closed, project=project,
            introduction=intro, variant="revisit" if revisit else None,
        )

    def _introduce(self, state: InterviewState) -> Introduction | None:
        r = state.round.index
        if not state.plan.introduces(r):
            state.round.interviewer_id = state.interviewers[-1] if state.interviewers else None
            return None
        person = panel.pick_interviewer(self.corpus, state.plan, r, state.seed, state.interviewers)
        if person is None:
            return None
        state.round.interviewer_id = person.id
        state.interviewers.append(person.id)
        return panel.introduction(person, state.plan, r)

    # -- reacting to a candidate message

    def on_message(self, state: InterviewState, kind: MessageKind, message: str, score: Score | None, now: float) -> Decision:
        item = state.item
        if item is None or state.finished:
            state.finished = True
            return Decision(action=Action.END, reason="nothing left to ask", round_index=state.round.index)
        state.round.turns += 1
        r = state.round.index
        if item.kind == "questions":
            return self._candidate_question(state, kind, message, now)

        if kind is MessageKind.END:
            state.finished = True
            return Decision(action=Action.END, reason="candidate ended the interview", round_index=r, closed_item=True)
        if kind is MessageKind.SKIP:
            return self._leave(state, item, now, f"candidate skipped {item.item_id}")
        if kind is MessageKind.CLARIFYING_QUESTION:
            return self._clarify(state, item, message)
        if kind is MessageKind.HINT_REQUEST or (kind is MessageKind.DONT_KNOW and item.kind == "technical"):
            return self._hint(state, item, now, dont_know=kind is MessageKind.DONT_KNOW)
        if kind in (MessageKind.NO_EXAMPLE, MessageKind.DONT_KNOW):
            return self._no_example(state, item, now)
        if kind in (MessageKind.EMPTY, MessageKind.GIBBERISH, MessageKind.ECHO, MessageKind.OFF_TOPIC):
            if item.reprompts < MAX_REPROMPTS:
                item.reprompts += 1
                return Decision(action=Action.REPROMPT, reason=f"{kind.value} reply; one re-prompt", round_index=r,
                                item_id=item.item_id, variant=kind.value, text=item.question)
            return self._leave(state, item, now, f"{kind.value} reply again after a re-prompt; moving on")

        item.answers.append(message)
        state.round.unanswered_in_a_row = 0
        if item.kind == "technical":
            return self._after_technical(state, item, score, now)
        return self._after_story(state, item, score, now)

    def on_code_run(self, state: InterviewState, run: RunRecord, message: str, expects_complexity: bool) -> Decision:
        """After a run: report it; once everything passes, ask for the complexity (once per question)."""
        item = state.item
        assert item is not None
        state.round.unanswered_in_a_row = 0  # code is an answer
        base = {"round_index": state.round.index, "item_id": item.item_id, "item_kind": item.kind, "text": message}
        if run.passed == run.total and run.status in ("passed", "correct"):
            if expects_complexity and not item.complexity_asked:
                item.complexity_asked = True
                return Decision(action=Action.CODE_RESULT, variant="passed_complexity", gap="complexity",
                                reason=f"all {run.total} tests pass; asking for time and space complexity", **base)
            return Decision(action=Action.CODE_RESULT, variant=f"{run.language}_passed",
                            reason=f"all {run.total} checks pass after {run.runs} run(s)", **base)
        if run.status in ("failed", "wrong"):
            return Decision(action=Action.CODE_RESULT, variant=f"{run.language}_failed",
                            reason=f"{run.passed} of {run.total} checks pass", **base)
        return Decision(action=Action.CODE_RESULT, variant="error", reason=f"run ended with {run.status}", **base)

    def _clarify(self, state: InterviewState, item: ItemState, message: str) -> Decision:
        r = state.round.index
        if item.clarifications >= MAX_CLARIFICATIONS:
            return Decision(action=Action.CLARIFY, reason="clarification limit reached", round_index=r, item_id=item.item_id, variant="limit")
        item.clarifications += 1
        q = self.question(item.item_id) if item.kind == "technical" else None
        answer = match_clarification(q, message) if q else None
        if answer is None:
            return Decision(action=Action.CLARIFY, reason="no clarification note matches; candidate to assume", round_index=r,
                            item_id=item.item_id, variant="unknown")
        return Decision(action=Action.CLARIFY, reason="answered from the question's clarification notes", round_index=r,
                        item_id=item.item_id, text=answer)

    def _hint(self, state: InterviewState, item: ItemState, now: float, dont_know: bool) -> Decision:
        r = state.round.index
        if item.hints >= MAX_HINTS:
            if dont_know:
                return self._leave(state, item, now, f"still no answer to {item.item_id} after a hint; moving on")
            return Decision(action=Action.HINT, reason="hint already given for this item", round_index=r,
                            item_id=item.item_id, variant="exhausted")
        item.hints += 1
        gap = None
        q = self.question(item.item_id) if item.kind == "technical" else None
        if q is not None and q.follow_ups:
            # About what is on the table: the follow-up just asked, else the question's core point.
            gap = (q.follow_ups[item.follow_ups[-1]] if item.follow_ups
                   else min(q.follow_ups, key=lambda fu: fu.key_point or 99)).gap
        return Decision(
            action=Action.HINT, reason="candidate said they don't know; a nudge before moving on" if dont_know else "candidate asked for a hint",
            round_index=r, item_id=item.item_id, gap=gap, variant="dont_know" if dont_know else ("behavioral" if gap is None else None),
        )

    def _no_example(self, state: InterviewState, item: ItemState, now: float) -> Decision:
        lp = self._lps.get(item.lp or "")
        fresh = [i for i in range(len(lp.alternate_scenarios)) if f"alternate:{lp.name}#{i}" not in state.used_prompts] if lp else []
        if lp is not None and not item.alternate_offered and fresh:
            item.alternate_offered = True
            index = fresh[rng(state, "alternate").randrange(len(fresh))]
            state.used_prompts.append(f"alternate:{lp.name}#{index}")
            return Decision(action=Action.ALTERNATE, reason=f"no example; offering another scenario for {lp.name}",
                            round_index=state.round.index, item_id=item.item_id, lp=lp.name, text=lp.alternate_scenarios[index])
        return self._leave(state, item, now, "still no example after another scenario; moving on")

    def _pivot_due(self, state: InterviewState, now: float) -> bool:
        return state.round.pivots < state.round_plan.pivots and not self._time_over(state, now)

    def _after_technical(self, state: InterviewState, item: ItemState, score: Score | None, now: float) -> Decision:
        q = self.question(item.item_id)
        r = state.round.index
        if q is None:
            return self._next_item(state, now, f"unknown question {item.item_id}")
        pivot_due = self._pivot_due(state, now)
        if state.round_plan.kind in CODE_ROUNDS and q.id in self.runnable and item.run is None and not item.code_asked:
            # A coding round is about code: before any follow-up or pivot, ask for it to be run.
            item.code_asked = True
            return Decision(
                action=Action.FOLLOW_UP, reason="code round: no run yet; asking for the code",
                round_index=r, item_id=q.id, item_kind="technical", gap="code", text=ASK_FOR_CODE,
            )
        run = item.run
        if state.round_plan.kind in CODE_ROUNDS and run is not None and run.passed < run.total and not item.rerun_asked:
            # The last run failed and the candidate explained a fix in words: see the fix run, once.
            item.rerun_asked = True
            return Decision(
                action=Action.FOLLOW_UP, reason=f"code round: the best run passes {run.passed} of {run.total}; asking for a fixed run",
                round_index=r, item_id=q.id, item_kind="technical", gap="rerun", text=ASK_FOR_RERUN,
            )
        found = challenge(score, item.challenged) if len(item.challenged) < MAX_CHALLENGES else None
        if found is not None and not self._budget_over(state, now):
            quote, text = found
            item.challenged.append(quote)
            return Decision(
                action=Action.FOLLOW_UP, reason="the answer states something wrong: challenge it",
                round_index=r, item_id=q.id, item_kind="technical", text=text, gap="contradiction",
            )
        # Pivot mid-discussion: after at most one follow-up when this round still owes a pivot.
        follow_ok = len(item.follow_ups) < state.plan.follow_up_cap and not (pivot_due and item.follow_ups)
        if follow_ok and not self._budget_over(state, now):
            index = biggest_gap_follow_up(q, score, item.follow_ups)
            if index is not None:
                item.follow_ups.append(index)
                fu = q.follow_ups[index]
                return Decision(
                    action=Action.FOLLOW_UP, reason=f"biggest gap: key point {fu.key_point} ({fu.gap}) not covered",
                    round_index=r, item_id=q.id, item_kind="technical", text=fu.text, gap=fu.gap, follow_up_index=index,
                )
        if pivot_due and (pivot := self._pivot(state, q, "mid-discussion")) is not None:
            return pivot
        why = "no uncovered key point left to probe" if len(item.follow_ups) < state.plan.follow_up_cap else "follow-up cap reached"
        return self._next_item(state, now, f"{q.id} done: {why}")

    def _pivot(self, state: InterviewState, q: Question, why: str) -> Decision | None:
        """Into the first of the question's LPs not probed yet in this interview; when each was (an
        LP is probed once per interview, as one loop's interviewers split them), into an LP nobody
        has probed yet, with one of its own probes; None when every LP was."""
        fresh = [name for name in q.pivot.lps if name not in state.lps_probed]
        if fresh:
            lp, item_id, kind, text = self.lp(fresh[0]), f"{q.id}.pivot", "pivot", q.pivot.question
            into = f"{lp.name}"
        else:
            picked = pick_probe(state, self.corpus, state.round_plan) if not state.plan.bar_raiser else None
            if picked is None:
                return None
            lp, i = picked
            item_id, kind, text = f"{lp.id}.probe-{i}", "lp_probe", lp.probes[i - 1].text
            into = f"{lp.name} (the question's own LPs were probed already)"
        state.item = ItemState(item_id=item_id, kind=kind, question=text, lp=lp.name,
                               parent_id=q.id if kind == "pivot" else None)
        state.round.pivots += 1
        state.lps_probed.append(lp.name)
        state.asked.append(item_id)
        return Decision(
            action=Action.PIVOT,
            reason=f"pivot from {q.id} into {into}, {why} ({state.round.pivots} of {state.round_plan.pivots} this round)",
            round_index=state.round.index, item_id=item_id, item_kind=kind, lp=lp.name, text=text, closed_item=True,
        )

    def _leave(self, state: InterviewState, item: ItemState, now: float, reason: str) -> Decision:
        """Leave the current item; a technical round that still owes its pivot takes it on the last question."""
        if not item.answers and item.run is None:
            state.round.unanswered_in_a_row += 1
            if state.round.unanswered_in_a_row >= UNANSWERED_CLOSE:
                reason += f"; {UNANSWERED_CLOSE} questions in a row without an answer: the round wraps up early"
        q = self.question(item.item_id) if item.kind == "technical" else None
        last = self._round_done(state, now) or self._nothing_left(state)
        if q is not None and last and self._pivot_due(state, now):
            pivot = self._pivot(state, q, f"before the round closes ({reason})")
            if pivot is not None:
                return pivot
        return self._next_item(state, now, reason)

    def _after_story(self, state: InterviewState, item: ItemState, score: Score | None, now: float) -> Decision:
        lp = self._lps.get(item.lp or "")
        if score is not None and score.insufficient and not item.follow_ups:
            # A line or two is not a story yet: asking for its result or its lesson would presume
            # one. Ask once for the story itself, then treat it as having none.
            if item.reprompts < MAX_REPROMPTS:
                item.reprompts += 1
                return Decision(action=Action.REPROMPT, reason="too short to be a story; asking for one",
                                round_index=state.round.index, item_id=item.item_id, variant="short_story",
                                text=item.question)
            return self._no_example(state, item, now)
        cap = 2 if state.plan.bar_raiser else 1
        if lp is not None and len(item.follow_ups) < cap and not self._budget_over(state, now):
            found = star_follow_up(lp, score, item.follow_ups, state.used_prompts, " ".join(item.answers))
            if found is not None:
                index, gap = found
                item.follow_ups.append(index)
                state.used_prompts.append(f"follow-up:{lp.name}#{index}")
                return Decision(
                    action=Action.FOLLOW_UP, reason=f"STAR gap: {gap}", round_index=state.round.index,
                    item_id=item.item_id, item_kind=item.kind, lp=lp.name, text=lp.follow_ups[index].text,
                    gap=gap, follow_up_index=index,
                )
        return self._next_item(state, now, f"{item.item_id} done")

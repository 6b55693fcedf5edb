"""The model speaker: a language model phrases what the policy decided, streamed.

It gets the planned question, its rubric (hidden from the candidate), the LP signals, what past
candidates report about such rounds (retrieved from Chroma) and a summary of the interview that
fits the token budget. The policy still decides; on any model failure the template speaker
says it instead, after a graceful line if the stream broke off midway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from interviewer.llm import ModelClient, ModelError
from interviewer.prompts import fence, load_prompt, new_tag
from interviewer.schemas import Action, Decision
from interviewer.speaker.base import SpeakContext
from interviewer.speaker.guard import UtteranceGuard, UtteranceRules
from interviewer.speaker.summary import MAX_TURN_CHARS, summarise_history
from interviewer.speaker.template import TemplateSpeaker
from interviewer.tokens import count_messages

log = logging.getLogger(__name__)

# Decisions the model phrases; the rest (hints, re-prompts, closing) stay with the templates.
MODEL_ACTIONS = {Action.ASK, Action.FOLLOW_UP, Action.PIVOT, Action.CLARIFY}
RECENT_TURNS = 6


class ModelSpeaker:
    def __init__(self, client: ModelClient, prompts_dir: Path, fallback: TemplateSpeaker, token_budget: int):
        self.client = client
        self.fallback = fallback
        self.token_budget = token_budget
        self.name = f"model:{client.model_name}"
        self.last_source = self.name  # who phrased the last utterance, and why not the model if not
        self._p = {n: load_prompt(prompts_dir / f"{n}.md") for n in
                   ("interviewer_persona", "bar_raiser_persona", "question", "follow_up", "pivot", "clarification")}

    def say(self, decision: Decision, turn: int, round_title: str, after: str | None = None) -> str:
        self.last_source = "template"
        return self.fallback.say(decision, turn, round_title, after)

    def opening(self, plan_title: str, minutes: int) -> str:
        return self.fallback.opening(plan_title, minutes)

    def messages(self, decision: Decision, ctx: SpeakContext) -> list[tuple[str, str]]:
        """The prompt, with history shortened until it fits the token budget. The candidate's words,
        in the history and the task, are fenced with one random tag for this call."""
        tag = new_tag("candidate")
        task = self._task(decision, ctx, tag)
        for recent in (RECENT_TURNS, 4, 2, 0):
            history = summarise_history(ctx.turns, ctx.round_index, recent, tag)
            system = self._p["interviewer_persona"].render(
                plan_title=ctx.plan_title, round_title=ctx.round_title, report_snippets=ctx.snippets(), history=history,
                candidate_tag=tag,
            )
            if ctx.bar_raiser:
                system = [*system, *self._p["bar_raiser_persona"].render(plan_title=ctx.plan_title)]
            messages = [*system, *task]
            if count_messages(messages, self.client.model_name) <= self.token_budget:
                return messages
        return messages  # the floor: no history at all

    def _task(self, d: Decision, ctx: SpeakContext, tag: str) -> list[tuple[str, str]]:
        last = fence(ctx.last_answer[:MAX_TURN_CHARS * 2], "candidate", tag).body
        if d.action is Action.FOLLOW_UP:
            return self._p["follow_up"].render(question=ctx.question, gap=d.gap or "", follow_up=d.text,
                                               hidden_rubric=ctx.hidden_rubric, last_answer=last, candidate_tag=tag)
        if d.action is Action.PIVOT:
            return self._p["pivot"].render(topic=ctx.question, lp=d.lp or "", lp_signals=ctx.lp_signals,
                                           pivot_question=d.text, last_answer=last, candidate_tag=tag)
        if d.action is Action.CLARIFY:
            allowed = d.text if d.text else "Tell the candidate to make a reasonable assumption and state it."
            return self._p["clarification"].render(question=ctx.question, candidate_question=last, allowed=allowed,
                                                   candidate_tag=tag)
        transition = f"This opens a new round: {ctx.round_title}." if d.new_round else "This continues the current round."
        return self._p["question"].render(transition=transition, question=self.fallback.framed_question(d, len(ctx.turns)),
                                          last_answer=last or "(none yet)", candidate_tag=tag)

    def rules(self, decision: Decision, ctx: SpeakContext) -> UtteranceRules:
        """What this utterance must ask and must not say (speaker/guard.py)."""
        if decision.action is Action.ASK:
            planned = self.fallback.framed_question(decision, len(ctx.turns))
        else:
            planned = decision.text or ctx.question
        static = [text for p in self._p.values() for text in p.instructions()]
        return UtteranceRules(
            planned=planned, candidate_said=ctx.last_answer, prompt_texts=static,
            hidden=[h.lstrip("- ") for h in ctx.hidden_rubric.splitlines() if h.strip()],
            needs_question=decision.action is not Action.CLARIFY,
        )

    def stream(self, decision: Decision, turn: int, round_title: str, context: Callable[[], SpeakContext],
               after: str | None = None) -> Iterator[str]:
        """The model's words, released a sentence at a time once the guard passes them; the
        templates' words instead when the model fails or says what it must not (`last_source`)."""
        if decision.action not in MODEL_ACTIONS:
            self.last_source = "template"
            yield self.fallback.say(decision, turn, round_title, after)
            return
        ctx = context()
        if decision.introduction is not None:
            # Who the interviewer is comes from the panel's data, never from the model.
            yield self.fallback.introduce(decision, turn) + "\n\n"
        guard = UtteranceGuard(self.rules(decision, ctx))
        released = False
        try:
            pieces = self.client.stream(self.messages(decision, ctx), "speaker")
            try:
                for piece in pieces:
                    out = guard.feed(piece)
                    if guard.rejected:
                        break  # closing the stream below stops the server generating the rest
                    if out:
                        released = True
                        yield out
            finally:
                pieces.close()
            tail = guard.finish()
            if tail:
                released = True
                yield tail
            reason = guard.rejected and f"model reply rejected: {guard.rejected}"
        except ModelError as exc:
            reason = f"model failed: {exc}"
        if not reason:
            self.last_source = self.name
            return
        log.warning("the template speaker takes this turn (%s)", reason)
        log.debug("the rejected reply: %r", guard.text[:300])
        self.last_source = f"template ({reason})"
        text = self.fallback.say(decision, turn, round_title, after)
        if released:
            yield " " + self.fallback.book.render("model_interrupted", self.fallback._rng(turn, "cut")) + " " + text
        else:
            yield text

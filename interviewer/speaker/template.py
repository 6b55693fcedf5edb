"""The offline interviewer: phrasing from prompts/offline_interviewer.yaml over corpus text.

It only says what the policy decided: a brief acknowledgement that does not grade, a
transition, and one question. It never sees scores or key points.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

from interviewer.prompts import Phrasebook, load_phrasebook
from interviewer.schemas import Action, Decision
from interviewer.speaker.base import SpeakContext

PHRASEBOOK = "offline_interviewer.yaml"


class TemplateSpeaker:
    name = "offline"

    def __init__(self, prompts_dir: Path, seed: int = 0):
        self.book: Phrasebook = load_phrasebook(prompts_dir / PHRASEBOOK)
        self.seed = seed

    def _rng(self, turn: int, key: str) -> random.Random:
        return random.Random(f"{self.seed}:{turn}:{key}")

    def opening(self, plan_title: str, minutes: int) -> str:
        return self.book.render("opening", self._rng(0, "opening"), plan_title=plan_title, minutes=str(minutes))

    def framed_question(self, decision: Decision, turn: int) -> str:
        """The question as asked: anchored in a resume project when the policy chose one."""
        if not decision.project:
            return decision.text
        return self.book.render("resume_project", self._rng(turn, "project"), project=decision.project,
                                question=decision.text)

    def say(self, decision: Decision, turn: int, round_title: str, after: str | None = None) -> str:
        """`after` is what the candidate's last message was classified as (None at the start)."""
        b, rng = self.book, self._rng(turn, decision.action.value)
        a = decision.action
        if a is Action.CLARIFY:
            if decision.variant == "limit":
                return b.render("clarify_limit", rng)
            if decision.variant == "unknown":
                return b.render("clarify_unknown", rng)
            return b.render("clarify", rng, answer=decision.text)
        if a is Action.HINT:
            if decision.variant == "exhausted":
                return b.render("hint_exhausted", rng)
            if decision.gap is None:
                return b.render("hint_behavioral", rng)
            key = "dont_know_hint" if decision.variant == "dont_know" else "hint"
            return b.render(key, rng, gap=decision.gap)
        if a is Action.ALTERNATE:
            return b.render("alternate", rng, scenario=decision.text)
        if a is Action.CODE_RESULT:
            return b.render(f"code_{decision.variant}", rng, message=decision.text)
        if a is Action.REPROMPT:
            return b.render(f"reprompt_{decision.variant}", rng, question=decision.text)
        if a is Action.ANSWER_QUESTION:
            if decision.variant == "unknown":
                return b.render("answer_unknown", rng)
            key = "answer_topic" if decision.variant == "topic" else "answer_question"
            return b.render(key, rng, answer=decision.text)

        lead = self._lead_in(after, rng)
        question = self.framed_question(decision, turn)
        if a is Action.FOLLOW_UP:
            key = "follow_up" if decision.item_kind == "technical" else "star_follow_up"
            body = b.render(key, rng, follow_up=decision.text)
        elif a is Action.PIVOT:
            body = b.render("pivot", rng, pivot=decision.text)
        elif a is Action.END:
            body = b.render("closing", rng)
        elif a is Action.INVITE_QUESTIONS:
            body = b.render("invite_questions", rng)
        elif decision.introduction is not None:
            first = b.render("first_question", rng, question=question)
            body = f"{self.introduce(decision, turn)}\n\n{first}"
        elif decision.new_round and after is None:
            body = b.render("round_start", rng, round_title=round_title, question=question)
        elif decision.new_round:
            body = b.render("next_round", rng, round_title=round_title, question=question)
        elif decision.item_kind == "lp_probe":
            key = "lp_probe_revisit" if decision.variant == "revisit" else "lp_probe"
            body = b.render(key, rng, probe=decision.text)
        else:
            body = b.render("next_question", rng, question=question)
        if decision.introduction is not None and lead:
            return f"{lead}\n\n{b.render('handover', rng)}\n\n{body}"
        return f"{lead} {body}".strip()

    def introduce(self, decision: Decision, turn: int) -> str:
        """The new interviewer's introduction (the model speaker says it through the templates too)."""
        intro = decision.introduction
        assert intro is not None
        key = "introduction_bar_raiser" if intro.bar_raiser else "introduction_whole" if intro.whole_interview \
            else "introduction"
        return self.book.render(key, self._rng(turn, "introduction"), name=intro.name, title=intro.title,
                                team=intro.team, works_on=intro.works_on, round_title=intro.round_title,
                                covers=intro.covers, minutes=str(intro.minutes))

    def _lead_in(self, after: str | None, rng: random.Random) -> str:
        if after is None or after == "end":
            return ""
        if after == "no_more_questions":
            return self.book.render("round_farewell", rng)
        if after == "no_questions":
            return self.book.render("round_farewell_none", rng)
        if after == "skip":
            return self.book.render("skip", rng)
        if after == "answer":
            return self.book.render("acknowledge", rng)
        return self.book.render("moving_on", rng)

    def stream(self, decision: Decision, turn: int, round_title: str, context: Callable[[], SpeakContext],
               after: str | None = None) -> Iterator[str]:
        """The templates need no context and say it in one piece."""
        yield self.say(decision, turn, round_title, after)

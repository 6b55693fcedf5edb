"""The panel: who runs each round, how they introduce it, and their answers when the candidate
asks "what questions do you have for me?" is turned round. Pure functions over the corpus's
panel files (corpus/panel/), chosen by the interview's seed so a session replays the same way.
"""

from __future__ import annotations

import random
import re

from interviewer.corpus.loading import Corpus
from interviewer.interview.plans import COVERS, Plan
from interviewer.retrieval.lexical import tokenize
from interviewer.schemas import Interviewer, Introduction, PanelAnswer

QUESTION_START = re.compile(
    r"^\s*(what|how|why|when|where|who|which|is|are|do|does|did|can|could|would|will|should|have|has|any|tell me|i'?d like to know|i was wondering|i'?m curious)\b",
    re.IGNORECASE,
)
NO_QUESTIONS = re.compile(
    r"^\s*(no|nope|none|not really|nothing|i'?m good|i am good|all good|that'?s all|that'?s it|i think that'?s|no questions|"
    r"no more|not at the moment|not right now|i don'?t have any|thanks?|thank you)\b",
    re.IGNORECASE,
)
MAX_CANDIDATE_QUESTIONS = 3
MIN_MATCH = 2  # words shared with a known phrasing before an answer is given from it
# Words every question shares; matching on them would pair anything with anything.
_COMMON = {"what", "how", "does", "do", "you", "your", "the", "is", "are", "team", "like", "would", "can", "me",
           "about", "there", "much", "many", "any", "for", "on", "in", "of", "to", "a", "an", "and", "it", "i"}


def pick_interviewer(corpus: Corpus, plan: Plan, round_index: int, seed: int, met: list[str]) -> Interviewer | None:
    """Someone not met yet in this interview who runs this kind of round, for this role if
    anyone does; the Bar Raiser's round goes to a Bar Raiser, a recruiter screen to a recruiter."""
    kind = plan.rounds[round_index].kind
    fresh = [p for p in corpus.interviewers if p.id not in met] or list(corpus.interviewers)
    recruiter = [p for p in fresh if "recruit" in p.title.lower()]
    if plan.id == "recruiter-screen":
        tiers = [[p for p in recruiter if plan.role in p.roles], recruiter]
    else:
        scientists = [p for p in fresh if p not in recruiter]
        if plan.bar_raiser_round == round_index or (plan.bar_raiser and plan.one_interviewer):
            scientists = [p for p in scientists if p.bar_raiser]
        else:
            scientists = [p for p in scientists if not p.bar_raiser]
        runs = [p for p in scientists if not p.rounds or kind in p.rounds]
        tiers = [[p for p in runs if plan.role in p.roles], runs, [p for p in scientists if plan.role in p.roles],
                 scientists]
    pool = next((t for t in tiers if t), [])
    if not pool:
        return None
    return random.Random(f"{seed}:{round_index}:interviewer").choice(sorted(pool, key=lambda p: p.id))


def spoken(title: str) -> str:
    """A title said mid-sentence: "Phone screen (RS)" -> "phone screen"; "ML breadth",
    "Leadership Principles" and "Bar Raiser round" keep their capitals (an acronym, a name)."""
    title = title.rsplit(" (", 1)[0]
    words = title.split()
    if len(title) > 1 and title[1].islower() and (len(words) < 2 or words[1][:1].islower()):
        return title[0].lower() + title[1:]
    return title


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def introduction(person: Interviewer, plan: Plan, round_index: int) -> Introduction:
    """What the interviewer says about themselves and the round (or, when one interviewer runs
    the whole screen or drill, about all of it)."""
    rp = plan.rounds[round_index]
    whole = plan.one_interviewer
    if whole and len(plan.rounds) > 1:
        title, minutes = spoken(plan.title), plan.minutes
        covers = _listed([spoken(r.title) for r in plan.rounds])
    else:
        title, minutes, covers = spoken(rp.title), (plan.minutes if whole else rp.minutes), COVERS[rp.kind]
    return Introduction(name=person.name, title=person.title, team=person.team, works_on=person.works_on,
                        round_title=title, covers=covers, minutes=minutes,
                        bar_raiser=person.bar_raiser, whole_interview=whole)


def is_question(message: str) -> bool:
    text = message.strip()
    return "?" in text or bool(QUESTION_START.match(text))


def has_no_questions(message: str) -> bool:
    return not is_question(message) and bool(NO_QUESTIONS.match(message.strip()) or not message.strip())


def _words(text: str) -> set[str]:
    return {w for w in tokenize(text) if w not in _COMMON and len(w) > 2}


def match_answer(answers: list[PanelAnswer], message: str) -> PanelAnswer | None:
    """The answer whose phrasings share the most words with the candidate's question."""
    asked = _words(message)
    best, best_overlap = None, MIN_MATCH - 1
    for a in answers:
        overlap = max(len(asked & _words(p)) for p in a.asks)
        if overlap > best_overlap:
            best, best_overlap = a, overlap
    return best


def answer_text(answer: PanelAnswer | None, person: Interviewer | None) -> str | None:
    if answer is None:
        return None
    team = person.team if person else "science"
    works_on = person.works_on if person else "machine learning for the business"
    return answer.answer.replace("{team}", team).replace("{works_on}", works_on)

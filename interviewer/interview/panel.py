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
MAX_CANDIDATE_QUESTIONS = 3


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



# BM25 scores that count as a match, read off candidates' questions from played loops: a
# question about the process or the team matches a prepared answer; one about the team's
# technical work matches a corpus question, whose key points are how the team thinks about it.
PANEL_SURE, PANEL_MIN, TOPIC_MIN = 4.5, 3.4, 10.5
KEY_POINTS_SAID = 2


class PanelIndex:
    """Lexical indexes over the prepared answers' phrasings and the technical questions, built on
    the first candidate question of a process."""

    def __init__(self, corpus: Corpus):
        from interviewer.retrieval.lexical import BM25Index

        self.asks = [(a, p) for a in corpus.panel_answers for p in a.asks]
        self.questions = [q for q in corpus.questions if q.key_points]
        # A corpus of the user's own may have no panel or no questions: nothing to index then.
        self._asks = BM25Index([p for _, p in self.asks]) if self.asks else None
        self._questions = BM25Index([f"{q.question} {' '.join(q.topics)} {' '.join(q.key_points)}"
                                     for q in self.questions]) if self.questions else None

    def answer(self, message: str, person: Interviewer | None) -> tuple[str, str, str] | None:
        """(how it was answered, the answer, its kind) for the candidate's question: "prepared" (a
        prepared answer, whole) or "topic" (key points the speaker frames as the team's view);
        None when nothing fits."""
        best_panel, p = _best(self._asks, message)
        best_topic, t = _best(self._questions, message)
        if p >= PANEL_SURE or (p >= PANEL_MIN and t < TOPIC_MIN):
            found = self.asks[best_panel][0]
            return f"answered from {found.id}", answer_text(found, person) or "", "prepared"
        if t >= TOPIC_MIN:
            q = self.questions[best_topic]
            return f"answered from the key points of {q.id}", topic_answer(q.key_points, message), "topic"
        return None


def _best(index, message: str) -> tuple[int, float]:  # noqa: ANN001 - a BM25Index or None
    """The best-scoring document and its score (0 when there is no index)."""
    if index is None:
        return 0, 0.0
    scores = index.scores(message)
    best = int(scores.argmax())
    return best, float(scores[best])


def topic_answer(key_points: list[str], message: str) -> str:
    """How the team thinks about a technical question: the key points closest to what was asked."""
    asked = set(tokenize(message))
    ranked = sorted(range(len(key_points)), key=lambda i: (-len(asked & set(tokenize(key_points[i]))), i))
    return " ".join(key_points[i].rstrip(".") + "." for i in sorted(ranked[:KEY_POINTS_SAID]))


def answer_text(answer: PanelAnswer | None, person: Interviewer | None) -> str | None:
    if answer is None:
        return None
    team = person.team if person else "science"
    works_on = person.works_on if person else "machine learning for the business"
    return answer.answer.replace("{team}", team).replace("{works_on}", works_on)

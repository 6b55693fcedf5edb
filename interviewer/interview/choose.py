"""Choosing what to ask: the next question or LP probe, the follow-up for the biggest gap, the
challenge of a wrong statement, the clarification that matches. Pure functions over the state and
the corpus, seeded by the interview's seed so a session replays the same way; the policy
(interview/policy.py) decides when each is used.
"""

from __future__ import annotations

import random
from collections.abc import Collection

from interviewer.corpus.loading import Corpus
from interviewer.interview.plans import RoundPlan
from interviewer.interview.state import InterviewState
from interviewer.judge.text import star_parts
from interviewer.retrieval.lexical import tokenize
from interviewer.schemas import LeadershipPrinciple, Question, Round, Score

CHALLENGE_QUOTE = 160
CODE_ROUNDS = (Round.CODING, Round.SQL)
# Order in which STAR gaps are probed: a story without a result is the biggest hole.
STAR_ORDER = ("result", "action", "ownership", "situation", "specificity", "learning", "task")


def rng(state: InterviewState, salt: str) -> random.Random:
    # Derived from the seed and progress, so a resumed session makes the same choices.
    return random.Random(f"{state.seed}:{state.round.index}:{len(state.asked)}:{salt}")


def topic_words(q: Question) -> set[str]:
    """The stems of a question's topics: "gradient boosting" and "boosting" share "boost", so
    three boosting questions in a row count as one topic, not three."""
    return set(tokenize(" ".join(q.topics)))


def pick_question(state: InterviewState, corpus: Corpus, plan: RoundPlan,
                  runnable: Collection[str] = ()) -> Question | None:
    """`runnable`: questions with hidden tests; a coding or SQL round asks only those while any are left."""
    role = state.plan.role
    pool = [q for q in corpus.questions if q.round == plan.kind and q.id not in state.asked]
    if plan.kind in CODE_ROUNDS:
        pool = [q for q in pool if q.id in runnable] or pool
    pool = [q for q in pool if role in q.roles] or pool
    pool = [q for q in pool if q.id not in state.avoid] or pool
    if plan.tags:
        pool = [q for q in pool if set(q.seed_tags) & set(plan.tags)] or pool
    if state.difficulty is not None:
        pool = [q for q in pool if q.difficulty == state.difficulty] or pool
    if not pool:
        return None
    # Spread of topics: prefer the questions sharing the fewest topics with what was asked.
    overlap = {q.id: sum(state.topics_seen.get(t, 0) for t in topic_words(q)) for q in pool}
    least = min(overlap.values())
    choices = sorted((q for q in pool if overlap[q.id] == least), key=lambda q: q.id)
    return rng(state, "question").choice(choices)


def story_opening(state: InterviewState, corpus: Corpus) -> tuple[LeadershipPrinciple, str, str] | None:
    """The story drill's first question: the candidate's own bank story, for its LP (the LP,
    the item id and the line), until it has been asked."""
    story = state.story
    lp = next((p for p in corpus.lps if story is not None and p.name == story.lp), None)
    if story is None or lp is None or f"{lp.id}.story" in state.asked:
        return None
    text = (f'You have "{story.title}" in your bank as a {lp.name} story. Tell it to me as you would in the loop: '
            "the situation, what you did yourself, and how it ended. I'll push on the details.")
    return lp, f"{lp.id}.story", text


def pick_probe(state: InterviewState, corpus: Corpus, plan: RoundPlan) -> tuple[LeadershipPrinciple, int] | None:
    lps = [lp for lp in corpus.lps if lp.name in state.lp_focus] or list(corpus.lps)
    if not state.plan.bar_raiser:
        # An LP is probed once per interview; only a Bar Raiser comes back to one, on purpose.
        lps = [lp for lp in lps if lp.name not in state.lps_probed]
    options: list[tuple[LeadershipPrinciple, int]] = []
    for lp in lps:
        for i in range(1, len(lp.probes) + 1):
            if f"{lp.id}.probe-{i}" not in state.asked:
                options.append((lp, i))
    options = [o for o in options if f"{o[0].id}.probe-{o[1]}" not in state.avoid] or options
    if plan.tags:
        options = [o for o in options if set(o[0].probes[o[1] - 1].seed_tags) & set(plan.tags)] or options
    if not options:
        return None
    # Breadth of LPs: principles probed least so far come first.
    times = {lp.name: state.lps_probed.count(lp.name) for lp in lps}
    least = min(times[o[0].name] for o in options)
    choices = sorted((o for o in options if times[o[0].name] == least), key=lambda o: (o[0].id, o[1]))
    return rng(state, "probe").choice(choices)


def biggest_gap_follow_up(question: Question, score: Score | None, asked: list[int]) -> int | None:
    """Index of the follow-up probing the least-covered key point that has not been asked yet."""
    if score is None:
        return None
    open_ = {i: fu for i, fu in enumerate(question.follow_ups) if i not in asked}
    for kp in score.key_points_missed:  # biggest gap first
        for i, fu in open_.items():
            if fu.key_point == kp:
                return i
    if score.overall < 3.0 and not score.key_points_covered:
        untargeted = [i for i, fu in open_.items() if fu.key_point is None]
        if untargeted:
            return untargeted[0]
    return None


def challenge(score: Score | None, challenged: list[str]) -> tuple[str, str] | None:
    """The first wrong statement not yet challenged (its quote), and what to say about it: a real
    interviewer does not let a confident wrong statement pass."""
    if score is None:
        return None
    for c in score.contradictions:
        if c.quote not in challenged:
            quote = c.quote if len(c.quote) <= CHALLENGE_QUOTE else c.quote[:CHALLENGE_QUOTE].rsplit(" ", 1)[0] + "..."
            return c.quote, f'You said: "{quote}" Walk me through why that holds.'
    return None


def star_gaps(score: Score | None, answer: str = "") -> list[str]:
    """What the story lacks, biggest hole first. A part the answer's own words plainly give (cue
    phrases such as "as a result", "my job was") is never asked for, whatever the classifier read;
    a story told only as "we" is asked "what did you do?" first."""
    if score is None:
        return list(STAR_ORDER)
    given = {p for p, span in star_parts(answer).items() if span is not None} if answer else set()
    gaps = set(score.star_missing) - given
    by_name = {c.name: c.score for c in score.criteria}
    we_only = "we_only" in score.flags
    if we_only or (by_name.get("ownership") or 4) <= 2:
        gaps.add("ownership")
    if (by_name.get("specificity") or 4) <= 2:
        gaps.add("specificity")
    order = ("ownership", *[g for g in STAR_ORDER if g != "ownership"]) if we_only else STAR_ORDER
    return [g for g in order if g in gaps]


def star_follow_up(lp: LeadershipPrinciple, score: Score | None, asked: list[int], used: list[str] = (),
                   answer: str = "") -> tuple[int, str] | None:
    """The follow-up for the biggest STAR gap, skipping any asked on this item or in this session."""
    for gap in star_gaps(score, answer):
        for i, fu in enumerate(lp.follow_ups):
            if fu.gap == gap and i not in asked and f"follow-up:{lp.name}#{i}" not in used:
                return i, gap
    return None


def match_clarification(question: Question, message: str) -> str | None:
    """The clarification note whose topic best matches what the candidate asked, if any."""
    asked = set(tokenize(message))
    best, best_overlap = None, 0
    for c in question.clarifications:
        overlap = len(asked & set(tokenize(c.about)))
        if overlap > best_overlap:
            best, best_overlap = c.answer, overlap
    return best

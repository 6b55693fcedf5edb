"""Quality metrics over simulated interviews: pure functions of transcripts and numbers.

Judge against graded answers: Spearman within bins of similar length, and how often a right
answer beats its confidently wrong twin. Judge in simulated interviews: separation of strong from
weak candidates (ROC-AUC, mean gap) and evidence validity
(every quote must be verbatim in the candidate's own words). Interviewer: pivots per technical
round, follow-up relevance, repeated questions, stuck loops, rounds closed within budget; and
what was said rather than planned: spoken lines against the model speaker's own checks.
Simulated candidates: answers that only echo the question back.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

from evals.statistics import spearman
from interviewer.interview.choose import star_gaps
from interviewer.interview.plans import Plan
from interviewer.judge.text import words
from interviewer.schemas import Action, Question, Round, Turn
from interviewer.speaker.guard import UtteranceRules, copied, problem

BIN = 8  # answers of similar length compared together
STUCK_REPEATS = 3  # the same interviewer line this many times in a row is a loop


def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """P(a positive scores above a negative), ties counting half (the Mann-Whitney form)."""
    if not positives or not negatives:
        return None
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


# ---- the judge against graded answers ----------------------------------------------------


def length_matched_spearman(scores: list[float], rows: list[dict]) -> float:
    order = sorted(range(len(rows)), key=lambda i: len(words(rows[i]["answer"])))
    total = weight = 0.0
    for s in range(0, len(order), BIN):
        idx = order[s : s + BIN]
        grades = [rows[i]["grade"] for i in idx]
        if len(idx) < 4 or len(set(grades)) < 2:
            continue
        total += spearman([scores[i] for i in idx], grades) * len(idx)
        weight += len(idx)
    return total / weight if weight else float("nan")


def right_beats_wrong(scores: list[float], rows: list[dict]) -> tuple[float, int]:
    by_id = {r["id"]: i for i, r in enumerate(rows)}
    wins = n = 0
    for i, r in enumerate(rows):
        j = by_id.get(r.get("pair") or "")
        if j is None or r["grade"] <= rows[j]["grade"]:
            continue  # each pair once, from its right answer
        n += 1
        wins += scores[i] > scores[j]
    return (wins / n if n else float("nan")), n


def mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _normal(text: str) -> str:
    return " ".join(text.split())


def evidence_counts(turns: list[Turn]) -> tuple[int, int]:
    """(quotes found verbatim in the candidate's words on that item, all quotes)."""
    said: dict[str, str] = {}
    valid = total = 0
    for t in turns:
        if t.speaker != "candidate" or t.item_id is None:
            continue
        said[t.item_id] = said.get(t.item_id, "") + "\n" + t.text
        if t.score is None:
            continue
        words = _normal(said[t.item_id])
        for c in t.score.criteria:
            for quote in c.evidence:
                total += 1
                valid += _normal(quote) in words
    return valid, total


def repeated_items(turns: list[Turn]) -> int:
    """Questions or probes asked more than once in one interview."""
    asked = Counter(t.decision.item_id for t in turns if t.speaker == "interviewer" and t.decision
                    and t.decision.action in (Action.ASK, Action.PIVOT) and t.decision.item_id)
    return sum(n - 1 for n in asked.values() if n > 1)


def looped(turns: list[Turn]) -> bool:
    """The interviewer said the same thing STUCK_REPEATS times in a row."""
    said = [t.text.strip() for t in turns if t.speaker == "interviewer"]
    return any(len(set(said[i:i + STUCK_REPEATS])) == 1 for i in range(len(said) - STUCK_REPEATS + 1))


def pivots_per_technical_round(plan: Plan, turns: list[Turn]) -> list[int]:
    """Pivots in each technical round the interview reached and that planned at least one."""
    reached = {t.round_index for t in turns if t.speaker == "candidate"}
    counts = Counter(t.decision.round_index for t in turns if t.speaker == "interviewer" and t.decision
                     and t.decision.action is Action.PIVOT)
    return [counts.get(i, 0) for i, r in enumerate(plan.rounds)
            if i in reached and r.kind is not Round.BEHAVIORAL and r.pivots > 0]


def follow_up_relevance(turns: list[Turn], questions: dict[str, Question]) -> tuple[int, int]:
    """(follow-ups aimed at a gap the judge found in the answer before, all follow-ups).

    The policy chooses follow-ups from those same gaps, so this guards the wiring between judge
    and policy (a regression shows up as < 1.0); it does not judge whether the gap was real."""
    relevant = total = 0
    for t in turns:
        d = t.decision
        if t.speaker != "candidate" or d is None or d.action is not Action.FOLLOW_UP or t.score is None:
            continue
        total += 1
        if d.gap in ("code", "rerun"):  # a code round asking for the code, or for a fixed run: not a rubric gap
            total -= 1
        elif d.gap == "contradiction":  # a challenge of a wrong statement the judge quoted
            relevant += any(c.quote[:40] in d.text for c in t.score.contradictions)
        elif d.item_kind == "technical":
            q = questions.get(d.item_id or "")
            key_point = q.follow_ups[d.follow_up_index].key_point if q and d.follow_up_index is not None else None
            relevant += key_point is not None and key_point in t.score.key_points_missed
        else:
            relevant += d.gap in star_gaps(t.score, t.text)
    return relevant, total


def rounds_within_budget(plan: Plan, round_seconds: list[float], turns: list[Turn], grace_s: float = 0.0) -> tuple[int, int]:
    """(rounds that kept to their turn cap and, within one answer's grace, their minutes of
    interview time; rounds reached). The policy checks time after each answer, so a round may
    run over by the answer in progress."""
    said: dict[int, int] = {}
    for t in turns:
        if t.speaker == "candidate" and t.classification != "code_run":
            said[t.round_index] = said.get(t.round_index, 0) + 1
    within = sum(said.get(i, 0) <= plan.rounds[i].max_turns and used <= plan.rounds[i].minutes * 60 + grace_s
                 for i, used in enumerate(round_seconds))
    return within, len(round_seconds)


def length_against_plan(plan: Plan, round_seconds: list[float]) -> float:
    """Interview time used over the plan's minutes: 1.0 is exactly as long as the opening promised."""
    return sum(round_seconds) / (plan.minutes * 60)


# ---- one count per interviewer bug class (each should be 0) ------------------------------

# A line that claims the candidate said something it cannot know they said.
PRESUPPOSES = re.compile(r"\b(you said|you mentioned|you described|you told me|as you said|your resume says|"
                         r"your (recursive|iterative) (version|solution))\b|(^|[.!?]\s+)(you picked|you chose|you went with)\b",
                         re.I)
NON_ANSWERS = {"no_example", "dont_know", "empty", "gibberish", "echo", "off_topic"}


def follow_ups_asking_for_covered(turns: list[Turn], questions: dict[str, Question]) -> int:
    """Technical follow-ups aimed at a key point the judge had just found covered."""
    bad = 0
    for t in turns:
        d = t.decision
        if t.speaker == "candidate" and d and d.action is Action.FOLLOW_UP and d.item_kind == "technical" and t.score:
            q = questions.get(d.item_id or "")
            if q and d.follow_up_index is not None and q.follow_ups[d.follow_up_index].key_point in t.score.key_points_covered:
                bad += 1
    return bad


def presupposing_lines(turns: list[Turn]) -> int:
    """Lines that claim what the candidate said; a challenge quoting their own sentence is not one."""
    return sum(1 for t in turns if t.speaker == "interviewer" and PRESUPPOSES.search(t.text)
               and not (t.decision and t.decision.gap == "contradiction"))


def wrong_class_follow_ups(turns: list[Turn]) -> int:
    """Follow-ups after a message that was no answer at all ("I don't have one", empty, gibberish)."""
    return sum(1 for t in turns if t.speaker == "candidate" and t.decision and t.decision.action is Action.FOLLOW_UP
               and t.classification in NON_ANSWERS)


def duplicate_lps(turns: list[Turn]) -> int:
    """LP probes and pivots beyond the first for the same LP in one interview, unless announced
    (a Bar Raiser coming back to one on purpose says so)."""
    lps = [t.decision.lp for t in turns if t.speaker == "interviewer" and t.decision and t.decision.lp
           and t.decision.action in (Action.ASK, Action.PIVOT) and t.decision.variant != "revisit"]
    return len(lps) - len(set(lps))


def code_rounds_without_code(plan: Plan, turns: list[Turn], runnable: set[str]) -> tuple[int, int]:
    """(answered runnable questions in coding or SQL rounds that got neither a run nor a request for
    code, such questions)."""
    missing = reached = 0
    for i, r in enumerate(plan.rounds):
        if r.kind not in (Round.CODING, Round.SQL):
            continue
        # Items the candidate answered (a non-answer or a skip is left without asking for code).
        items = {t.item_id for t in turns if t.round_index == i and t.speaker == "candidate" and t.item_id in runnable
                 and t.classification == "answer"}
        for item in items:
            reached += 1
            here = [t for t in turns if t.item_id == item or (t.decision and t.decision.item_id == item)]
            asked = any(t.decision and t.decision.gap == "code" for t in here)
            ran = any(t.classification == "code_run" for t in here)
            missing += not (asked or ran)
    return missing, reached


def unassessed_scored(report_items: list) -> int:
    """Report items the candidate never answered (the interview ended first) that still count."""
    return sum(1 for i in report_items if i.status == "not_assessed" and i.score is not None)


# ---- what the interviewer said, not what the policy planned --------------------------------

SPOKEN_ACTIONS = (Action.ASK, Action.FOLLOW_UP, Action.PIVOT)
QUOTES_CANDIDATE = 10  # words in a row: the guard's own bound for "repeats the candidate's message"


def spoken_part(turn: Turn) -> str:
    """The words the speaker phrased. A new interviewer's introduction (and the farewell and
    handover before it) come from the panel's data through the templates, paragraphs apart, so
    only the last paragraph, the question, is checked then."""
    if turn.decision is not None and turn.decision.introduction is not None:
        return turn.text.rsplit("\n\n", 1)[-1]
    return turn.text


def spoken_problems(turns: list[Turn], key_points: dict[str, list[str]]) -> list[tuple[int, str | None]]:
    """(turn index, why it fails or None) for each interviewer line that carries a question, a
    follow-up or a pivot, checked as the model speaker's guard checks a reply (speaker/guard.py)
    against the policy's text: a line that is empty, leaks the rubric, grades aloud or lacks the
    planned question fails whoever phrased it. `key_points`: question id -> its hidden key points."""
    out: list[tuple[int, str | None]] = []
    said = ""
    for t in turns:
        if t.speaker == "candidate":
            said = t.text
            continue
        d = t.decision
        if d is None or d.action not in SPOKEN_ACTIONS:
            continue
        # A challenge quotes the candidate's sentence on purpose: the policy's text holds the quote.
        candidate = "" if copied(d.text, said, QUOTES_CANDIDATE) else said
        rules = UtteranceRules(planned=d.text, candidate_said=candidate, hidden=key_points.get(d.item_id or "", []))
        out.append((t.index, problem(spoken_part(t), rules, complete=True)))
    return out


# ---- simulated candidates that echo the question ----------------------------------------

ECHO_GRAM = 5  # words in a row
ECHO_SHARE = 0.5  # more than this share of an answer's 5-grams in the question line: an echo
NEAR_COPY = 0.8  # word-sequence similarity at or above which a short answer is a copy
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def echoes(answer: str, line: str) -> bool:
    """The answer is mostly the interviewer's line said back: most of its word 5-grams occur in
    the line, or (for answers too short to have many 5-grams) it is a near-copy of it."""
    said, asked = _tokens(answer), _tokens(line)
    if not said or not asked:
        return False
    if len(said) >= ECHO_GRAM:
        grams = [tuple(said[i:i + ECHO_GRAM]) for i in range(len(said) - ECHO_GRAM + 1)]
        source = {tuple(asked[i:i + ECHO_GRAM]) for i in range(len(asked) - ECHO_GRAM + 1)}
        if sum(g in source for g in grams) / len(grams) > ECHO_SHARE:
            return True
    return SequenceMatcher(None, said, asked, autojunk=False).ratio() >= NEAR_COPY


def echoed_answers(turns: list[Turn]) -> tuple[int, int]:
    """(candidate messages that echo the interviewer's line before them, candidate messages);
    code runs are not messages."""
    echoed = total = 0
    line = ""
    for t in turns:
        if t.speaker == "interviewer":
            line = t.text
        elif t.classification != "code_run":
            total += 1
            echoed += echoes(t.text, line)
    return echoed, total

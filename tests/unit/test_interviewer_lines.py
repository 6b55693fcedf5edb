"""Every line the offline interviewer can say, rendered with real corpus values: no doubled
phrases, no empty or broken slots, no follow-up that claims the candidate said something."""

from __future__ import annotations

import re

from evals.metrics import PRESUPPOSES
from interviewer.config import Settings
from interviewer.interview import panel
from interviewer.interview.plans import PLAN_IDS, build_plan
from interviewer.schemas import Action, Decision, Role
from interviewer.speaker.template import TemplateSpeaker

AFTER = (None, "answer", "skip", "dont_know", "no_example", "clarifying_question", "off_topic", "empty",
         "candidate_question", "no_more_questions", "no_questions")
TURNS = range(12)  # enough turns to draw every alternative of every phrase


def decisions(corpus) -> list[tuple[Decision, str]]:
    """(decision, round title) for every kind of line, with texts from the corpus."""
    titles = sorted({r.title for p in PLAN_IDS for r in build_plan(p, Role.RS).rounds})
    q = corpus.questions[0]
    lp = corpus.lps[0]
    out: list[tuple[Decision, str]] = []
    for title in titles:
        out += [(Decision(action=Action.ASK, reason="t", round_index=0, new_round=True, item_id=q.id,
                          item_kind="technical", text=q.question), title)]
    for question in corpus.questions[:40]:
        base = {"reason": "t", "round_index": 0, "item_id": question.id, "item_kind": "technical"}
        out.append((Decision(action=Action.ASK, text=question.question, **base), "R"))
        out += [(Decision(action=Action.FOLLOW_UP, text=fu.text, gap=fu.gap, **base), "R") for fu in question.follow_ups]
        out += [(Decision(action=Action.HINT, gap=fu.gap, variant=v, **base), "R")
                for fu in question.follow_ups for v in (None, "dont_know")]
        out.append((Decision(action=Action.PIVOT, text=question.pivot.question, lp=question.pivot.lps[0], **base), "R"))
        out.append((Decision(action=Action.ASK, text=question.question, project="Churn model for a telecom, 2023", **base), "R"))
    for principle in corpus.lps:
        base = {"reason": "t", "round_index": 0, "item_id": f"{principle.id}.probe-1", "item_kind": "lp_probe", "lp": principle.name}
        out += [(Decision(action=Action.ASK, text=p.text, variant=v, **base), "R") for p in principle.probes
                for v in (None, "revisit")]
        out += [(Decision(action=Action.FOLLOW_UP, text=f.text, gap=f.gap, **base), "R") for f in principle.follow_ups]
        out += [(Decision(action=Action.ALTERNATE, text=s, **base), "R") for s in principle.alternate_scenarios]
    base = {"reason": "t", "round_index": 0, "item_id": lp.id}
    out += [(Decision(action=Action.REPROMPT, variant=v, text=q.question, **base), "R")
            for v in ("empty", "echo", "gibberish", "off_topic", "short_story")]
    out += [(Decision(action=Action.CLARIFY, variant=v, text="Assume the data fit in memory.", **base), "R")
            for v in (None, "unknown", "limit")]
    out += [(Decision(action=Action.HINT, variant=v, **base), "R") for v in ("behavioral", "exhausted")]
    out += [(Decision(action=Action.CODE_RESULT, variant=v, text="3 of 17 tests pass.", **base), "R")
            for v in ("passed_complexity", "python_passed", "sql_passed", "python_failed", "sql_failed", "error")]
    out.append((Decision(action=Action.END, reason="t", round_index=0), "R"))
    out.append((Decision(action=Action.INVITE_QUESTIONS, reason="t", round_index=0), "R"))
    out += [(Decision(action=Action.ANSWER_QUESTION, reason="t", round_index=0, text="We ship monthly.", variant=v), "R")
            for v in (None, "unknown", "topic")]
    # Every panel member introducing every round of every plan they could run.
    for plan_id in PLAN_IDS:
        for role in Role:
            plan = build_plan(plan_id, role)
            for person in corpus.interviewers:
                for i in range(len(plan.rounds)):
                    if plan.introduces(i):
                        out.append((Decision(action=Action.ASK, reason="t", round_index=i, new_round=i > 0, item_id=q.id,
                                             item_kind="technical", text=q.question,
                                             introduction=panel.introduction(person, plan, i)), plan.rounds[i].title))
    return out


def problems(line: str) -> list[str]:
    found = []
    if re.search(r"[{}]", line):
        found.append("an unfilled slot")
    if re.search(r"\s[.,;:?!]|\(\s*\)|\"\"|  ", line):
        found.append("an empty fill or stray spacing")
    sentences = [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]
    if any(a == b for a, b in zip(sentences, sentences[1:])):
        found.append("a sentence said twice in a row")
    for phrase in ("move on", "next question", "next part", "let's start"):
        if line.lower().count(phrase) > 1:
            found.append(f"{phrase!r} twice")
    if re.search(r"\b(with|to|about|on) (ML|SQL|Coding|Project|Behavioural|Bar Raiser)\b[^.]*\b(drill|check)\b\.", line):
        found.append("a round title used as a noun without an article")
    return found


def test_every_line_reads_cleanly(corpus):
    speaker = TemplateSpeaker(Settings.from_env(env={}).prompts_dir, seed=0)
    bad: dict[str, str] = {}
    lines = 0
    for decision, title in decisions(corpus):
        for after in AFTER:
            for turn in TURNS:
                line = speaker.say(decision, turn, title, after=after)
                lines += 1
                # The template's own words are checked; corpus text (code, braces) stands in as X.
                for value in (decision.text, decision.project):
                    if value:
                        line = line.replace(value, "X")
                for problem in problems(line):
                    bad.setdefault(problem, line)
    assert lines > 10_000 and bad == {}


def test_every_panel_answer_reads_cleanly_in_every_interviewers_mouth(corpus):
    bad = {}
    for person in corpus.interviewers:
        for answer in corpus.panel_answers:
            line = panel.answer_text(answer, person)
            for problem in problems(line) + (["the team said twice"] if "team team" in line else []):
                bad.setdefault(problem, line)
    assert len(corpus.interviewers) >= 10 and len(corpus.panel_answers) >= 20 and bad == {}


def test_the_checks_catch_each_glitch():
    assert problems("Okay, let's move on. Let's move on. What is a p-value?") != []
    assert problems("Here's a nudge: think about .") != []
    assert problems("Let's start with ML breadth drill. What is overfitting?") != []
    assert problems("Tell me about {question}") != []
    assert problems("Next question. What is overfitting?") == []


def test_no_corpus_follow_up_or_pivot_presumes_what_the_candidate_said(corpus):
    texts = [fu.text for q in corpus.questions for fu in q.follow_ups] + [q.pivot.question for q in corpus.questions]
    texts += [f.text for lp in corpus.lps for f in lp.follow_ups] + [s for lp in corpus.lps for s in lp.alternate_scenarios]
    assert [t for t in texts if PRESUPPOSES.search(t)] == []

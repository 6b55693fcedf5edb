"""Feedback a candidate can act on: what went well and what to fix, each fix with the candidate's
own words where there are some and a concrete better version, ranked so the top three are the
most valuable. Pure functions of the report's items, tested with literal examples.

Criterion dumps stay in the JSON report; nothing here names an internal id.
"""

from __future__ import annotations

from interviewer.report.model import ItemResult, Point

# A better version for each missing STAR part: what a Bar Raiser wants to hear there.
STAR_FIX = {
    "result": ("The story has no measurable result.",
               "End with what changed, with a number: \"As a result, [metric] went from [before] to [after] in [time].\""),
    "action": ("The actions are not clear.",
               "Walk through what you did, step by step, in the first person: \"I [did], then I [did], because [why].\""),
    "situation": ("The situation is missing.",
                  "Open with one or two sentences of context: the team, the product, and what was at stake."),
    "task": ("Your own responsibility is not stated.",
             "Say what you owned: \"My job was to [goal] by [date], and I was accountable for [outcome].\""),
    "learning": ("The story ends without a lesson.",
                 "Close with what you would repeat or change: \"Since then I always [practice].\""),
}
CRITERION_FIX = {
    "ownership": ("The story says \"we\" where the interviewer needs \"I\".",
                  "Say what you personally decided and did; keep \"we\" for the team's share."),
    "specificity": ("The story stays general.",
                    "Name the system, the sizes, the numbers and the dates; one concrete detail per step."),
    "depth": ("The answer states conclusions without the reasons.",
              "Give the why behind each point and one trade-off: \"X, because Y; the cost is Z.\""),
    "structure": ("The answer is hard to follow.",
                  "Lead with a one-line answer, then two or three points in order, then a check or an example."),
}
STRENGTH = {
    "coverage": "Covered the key points", "accuracy": "Stated the facts correctly", "depth": "Gave reasons and trade-offs",
    "structure": "Answered in a clear order", "star_structure": "Told a complete STAR story",
    "specificity": "Gave specific details and numbers", "ownership": "Made your own part clear",
    "lp_alignment": "Showed what the Leadership Principle asks for", "tests": "Code passed the hidden tests",
    "complexity": "Stated the right complexity", "quality": "Wrote readable code",
}
MAX_MISSED_PER_ITEM = 2


def short(question: str, limit: int = 70) -> str:
    """The first line of a question, cut at a word: a label a candidate recognises."""
    line = question.strip().splitlines()[0] if question.strip() else ""
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "..."


def fixes(item: ItemResult) -> list[tuple[float, Point]]:
    """(value, fix) for one question or probe; a higher value is worth more practice."""
    label = f"\"{short(item.question)}\""
    if item.status == "not_assessed":
        return []
    if item.score is None:
        what = "was skipped" if item.status == "skipped" else "got no usable answer"
        return [(2.5, Point(text=f"{label} {what}.", better="Even a partial answer scores: say what you know, state "
                            "your assumptions and reason aloud; ask a clarifying question if the question is unclear."))]
    s, out = item.score, []
    for c in s.contradictions:
        out.append((3.0, Point(text=f"A wrong statement on {label}.", quote=c.quote, better=c.statement,
                               better_label="What is right")))
    if s.kind == "technical" and s.overall < 3.0:
        for point in item.missed_key_points[:MAX_MISSED_PER_ITEM]:
            out.append((2.0 + (4.0 - s.overall) / 4, Point(text=f"Not covered on {label}.", better=point,
                                                           better_label="A strong answer covers")))
    for part in s.star_missing:
        if part in STAR_FIX:
            text, better = STAR_FIX[part]
            out.append((2.2 if part in ("result", "action") else 1.6, Point(text=f"{text} ({label})", better=better)))
    for c in s.criteria:
        if c.score is not None and c.score <= 2 and c.name in CRITERION_FIX:
            text, better = CRITERION_FIX[c.name]
            out.append((1.5, Point(text=f"{text} ({label})", quote=c.evidence[0] if c.evidence else None, better=better)))
    return out


def strengths(item: ItemResult) -> list[tuple[float, Point]]:
    """(value, strength) with the candidate's words that show it."""
    if item.score is None:
        return []
    out = []
    wrong = [x.quote for x in item.score.contradictions]
    for c in item.score.criteria:
        # A sentence the judge found wrong is never quoted as a strength, whatever else it shows.
        quotes = [q for q in c.evidence if not any(q in w or w in q for w in wrong)]
        if c.score is not None and c.score >= 3 and quotes and c.name in STRENGTH:
            out.append((c.score + item.score.overall / 10,
                        Point(text=f"{STRENGTH[c.name]} on \"{short(item.question)}\".", quote=quotes[0])))
    return out


def ranked(pairs: list[tuple[float, Point]], limit: int) -> list[Point]:
    """Highest value first; one point per text and one per quoted sentence, so neither a gap nor
    a sentence of the candidate's is listed twice."""
    seen: set[str] = set()
    quoted: set[str] = set()
    out: list[Point] = []
    for _, p in sorted(pairs, key=lambda x: -x[0]):
        key = f"{p.text}|{p.better}"
        if key in seen or (p.quote and p.quote in quoted):
            continue
        seen.add(key)
        if p.quote:
            quoted.add(p.quote)
        out.append(p)
    return out[:limit]

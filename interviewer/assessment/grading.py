"""Reading and grading one response: a multiple-choice letter, a most/least pair of work-style
statements, or code run against the problem's hidden tests. Small pure functions, except the
code run (the sandboxed runner)."""

from __future__ import annotations

import re

from interviewer.assessment.content import LETTERS, McqItem, WorkStyleItem
from interviewer.assessment.state import ItemResult, SectionKey


class BadResponse(ValueError):
    """The response cannot be read as an answer to this item: said to the candidate, nothing recorded."""


def parse_choice(response: str, n: int) -> str:
    text = response.strip().upper().rstrip(".)")
    m = re.fullmatch(r"(?:OPTION\s+)?\(?([A-E])", text)
    if not m or LETTERS.index(m.group(1)) >= n:
        raise BadResponse(f"Answer with one letter, {LETTERS[0]} to {LETTERS[n - 1]}.")
    return m.group(1)


def parse_most_least(response: str) -> tuple[str, str]:
    """'B D', 'most B least D' or 'B, D': the statement most like you, then the one least like you."""
    letters = re.findall(r"\b([A-D])\b", response.upper().replace(",", " "))
    if len(letters) != 2 or letters[0] == letters[1]:
        raise BadResponse("Give two different letters: the statement most like you, then the one least like you "
                          "(e.g. B D).")
    return letters[0], letters[1]


def grade_mcq(item: McqItem, response: str) -> ItemResult:
    letter = parse_choice(response, len(item.options))
    chosen = item.options[LETTERS.index(letter)]
    return ItemResult(section="sql_mcq", item_id=item.id, status="answered", response=letter,
                      points=1.0 if chosen.correct else 0.0, detail=chosen.why)


def grade_work_style(item: WorkStyleItem, response: str) -> ItemResult:
    most, least = parse_most_least(response)
    points = float(most == item.keyed("most")) + float(least == item.keyed("least"))
    return ItemResult(section="work_style", item_id=item.id, status="answered", response=f"most {most}, least {least}",
                      points=points, max_points=2.0,
                      detail=f"keyed: most {item.keyed('most')}, least {item.keyed('least')}")


def grade_code(section: SectionKey, item_id: str, source: str, result) -> ItemResult:  # noqa: ANN001 - CodeRunResult
    """Partial credit: the share of hidden tests passed (as automated take-homes score)."""
    total = max(1, result.total)
    return ItemResult(section=section, item_id=item_id, status="answered", response=source,
                      points=round(result.passed / total, 3),
                      detail=f"{result.passed} of {result.total} tests passed" + (
                          "" if result.passed == result.total else f" ({result.status}: {_first_line(result.message)})"))


def _first_line(text: str, limit: int = 160) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "..."

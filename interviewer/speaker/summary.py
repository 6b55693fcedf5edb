"""The interview so far, shortened for a model's prompt: earlier rounds as one line each, the
current round's last turns verbatim (clipped), so the prompt fits the token budget. The
candidate's turns are fenced (prompts.fence) like every other piece of their words in a prompt."""

from __future__ import annotations

from interviewer.prompts import fence
from interviewer.schemas import Action, Turn

MAX_TURN_CHARS = 1200


def summarise_history(turns: list[Turn], round_index: int, recent: int, candidate_tag: str) -> str:
    """Earlier rounds as one line each; the current round's last `recent` turns verbatim (clipped),
    the candidate's inside <candidate_tag>...</candidate_tag>."""
    lines: list[str] = []
    earlier: dict[int, list[Turn]] = {}
    for t in turns:
        if t.round_index < round_index:
            earlier.setdefault(t.round_index, []).append(t)
    for r, ts in sorted(earlier.items()):
        asked = sum(1 for t in ts if t.speaker == "interviewer" and t.decision and t.decision.action in (Action.ASK, Action.PIVOT))
        scores = [t.score.overall for t in ts if t.score]
        lines.append(f"Round {r + 1}: {asked} question(s) asked, {len(scores)} answer(s) scored.")
    current = [t for t in turns if t.round_index == round_index][-recent:] if recent else []  # [-0:] is all of it
    for t in current:
        text = t.text if len(t.text) <= MAX_TURN_CHARS else t.text[:MAX_TURN_CHARS] + " [...]"
        if t.speaker == "interviewer":
            lines.append(f"Interviewer: {text}")
        else:
            said = fence(text, "candidate", candidate_tag)
            lines.append(f"Candidate: <{said.tag}>{said.body}</{said.tag}>")
    return "\n".join(lines) or "(the interview is just starting)"

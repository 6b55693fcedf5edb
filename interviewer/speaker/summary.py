"""The interview so far, shortened for a model's prompt: earlier rounds as one line each, the
current round's last turns verbatim (clipped), so the prompt fits the token budget."""

from __future__ import annotations

from interviewer.schemas import Action, Turn

MAX_TURN_CHARS = 1200


def summarise_history(turns: list[Turn], round_index: int, recent: int) -> str:
    """Earlier rounds as one line each; the current round's last `recent` turns verbatim (clipped)."""
    lines: list[str] = []
    earlier: dict[int, list[Turn]] = {}
    for t in turns:
        if t.round_index < round_index:
            earlier.setdefault(t.round_index, []).append(t)
    for r, ts in sorted(earlier.items()):
        asked = sum(1 for t in ts if t.speaker == "interviewer" and t.decision and t.decision.action in (Action.ASK, Action.PIVOT))
        scores = [t.score.overall for t in ts if t.score]
        lines.append(f"Round {r + 1}: {asked} question(s) asked, {len(scores)} answer(s) scored.")
    current = [t for t in turns if t.round_index == round_index][-recent:]
    for t in current:
        text = t.text if len(t.text) <= MAX_TURN_CHARS else t.text[:MAX_TURN_CHARS] + " [...]"
        who = "Interviewer" if t.speaker == "interviewer" else "Candidate"
        lines.append(f"{who}: {text}")
    return "\n".join(lines) or "(the interview is just starting)"

"""Run whole interviews with simulated candidates and collect what happened, turn by turn."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from evals.personas import Asked, Persona, reply
from interviewer.interview.engine import Interview
from interviewer.interview.services import Services
from interviewer.schemas import Turn

MAX_TURNS = 300  # far beyond any plan's budget: reaching it means the interview is stuck


@dataclass
class Run:
    persona: str
    plan: str
    role: str
    seed: int
    interview: Interview
    latencies_ms: list[float] = field(default_factory=list)
    stuck: bool = False

    @property
    def turns(self) -> list[Turn]:
        return self.interview.turns


def asked_now(services: Services, interview: Interview) -> Asked:
    item = interview.state.item
    assert item is not None
    lp_id = None
    if item.kind == "lp_probe":
        lp_id = item.item_id.split(".")[0]
    elif item.kind == "pivot" and item.lp:
        lp_id = services.corpus.lp(item.lp).id
    return Asked(kind=item.kind, item_id=item.item_id, lp_id=lp_id, question=item.question, turn_in_item=len(item.answers),
                 questions_asked=interview.state.round.candidate_questions)


def run_interview(services: Services, persona: Persona, plan: str, role: str, seed: int, user: str | None = None) -> Run:
    interview = Interview.start(services, plan, role, seed, user=user or f"sim-{persona.name}-{seed}")
    run = Run(persona.name, plan, role, seed, interview)
    for _ in range(MAX_TURNS):
        if interview.finished:
            return run
        message = reply(persona, asked_now(services, interview))
        start = time.perf_counter()
        interview.respond(message)
        run.latencies_ms.append((time.perf_counter() - start) * 1000)
    run.stuck = True
    return run

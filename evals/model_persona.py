"""A simulated candidate played by the configured model (evals in model mode).

The persona's description is prompts/candidate_personas.yaml; the prompt is
prompts/candidate_persona.md. Edge-case personas (empty, gibberish, echo) stay deterministic:
a model asked to send nothing is not a reliable way to send nothing.
"""

from __future__ import annotations

import random

from evals.personas import PERSONAS, Asked, Persona
from interviewer.interview.services import Services
from interviewer.llm import ModelError
from interviewer.prompts import load_phrasebook, load_prompt

DETERMINISTIC = {"empty", "gibberish", "echo"}


class ModelPersona(Persona):
    def __init__(self, name: str, services: Services, role: str):
        self.name = name
        self.role = role
        self._client = services.speaker_client.fork()
        self._prompt = load_prompt(services.settings.prompts_dir / "candidate_persona.md")
        book = load_phrasebook(services.settings.prompts_dir / "candidate_personas.yaml")
        self._description = book.render(name, random.Random(0))
        self._offline = PERSONAS[name]()

    def answer(self, asked: Asked) -> str:
        if self.name in DETERMINISTIC:
            return self._offline.answer(asked)
        messages = self._prompt.render(persona=self._description, role=self.role, question=asked.question)
        try:
            return self._client.text(messages, "candidate")
        except ModelError:
            # The model failed for this answer: the bank's answer keeps the interview going.
            return self._offline.answer(asked)

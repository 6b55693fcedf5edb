"""Load prompt files from prompts/: each declares the variables its templates use.

The candidate's words go into a prompt only through `fence`: normalised, between tags with a
random name made for that one call, so nothing they write can close the block early.
"""

from __future__ import annotations

import random
import re
import secrets
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, model_validator

from interviewer.judge.guard import normalise


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Phrasebook(BaseModel):
    """Lists of alternative templates per purpose, e.g. phrases["follow_up"]."""

    purpose: str
    variables: dict[str, str]
    phrases: dict[str, list[str]]

    @model_validator(mode="after")
    def _declared(self) -> Phrasebook:
        for key, templates in self.phrases.items():
            if not templates:
                raise ValueError(f"phrases.{key} is empty")
            for template in templates:
                unknown = placeholders(template) - set(self.variables)
                if unknown:
                    raise ValueError(f"phrases.{key}: undeclared variable(s) {sorted(unknown)} in {template!r}")
        return self

    def render(self, key: str, rng: random.Random, **values: str) -> str:
        templates = self.phrases[key]
        template = templates[rng.randrange(len(templates))]
        missing = placeholders(template) - set(values)
        if missing:
            raise KeyError(f"phrases.{key} needs {sorted(missing)}")
        return template.format(**values)


@lru_cache(maxsize=8)
def load_phrasebook(path: Path) -> Phrasebook:
    return Phrasebook(**yaml.safe_load(path.read_text(encoding="utf-8")))


class PromptFile(BaseModel):
    """A prompt file: front matter (purpose, variables) and `=== system ===` / `=== user ===` parts."""

    name: str
    purpose: str
    variables: dict[str, str]
    messages: list[tuple[str, str]]

    @model_validator(mode="after")
    def _declared(self) -> PromptFile:
        used = set().union(*(placeholders(text) for _, text in self.messages))
        if used - set(self.variables):
            raise ValueError(f"prompt {self.name}: undeclared variable(s) {sorted(used - set(self.variables))}")
        if set(self.variables) - used:
            raise ValueError(f"prompt {self.name}: declared but unused variable(s) {sorted(set(self.variables) - used)}")
        return self

    def template(self):  # noqa: ANN201 - langchain_core is imported lazily
        from langchain_core.prompts import ChatPromptTemplate

        return ChatPromptTemplate.from_messages(
            [("system" if role == "system" else "human", text) for role, text in self.messages]
        )

    def instructions(self) -> list[str]:
        """The prompt's own words, each variable replaced by a break: what a model must never say
        back (speaker/guard.py checks runs of these words)."""
        return [re.sub(r"\{\w+\}", " | ", text) for _, text in self.messages]

    def render(self, **values: str) -> list[tuple[str, str]]:
        """(role, text) pairs with the variables filled in; every declared variable is required."""
        missing = set(self.variables) - set(values)
        if missing:
            raise KeyError(f"prompt {self.name} needs {sorted(missing)}")
        return [(role, text.format(**values)) for role, text in self.messages]


_PART = re.compile(r"^=== (system|user) ===\s*$", re.M)


@lru_cache(maxsize=32)
def load_prompt(path: Path) -> PromptFile:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise ValueError(f"{path}: a prompt file starts with front matter (---)")
    head, body = text[3:].split("\n---", 1)
    meta = yaml.safe_load(head) or {}
    pieces = _PART.split(body)
    messages = [(pieces[i], pieces[i + 1].strip()) for i in range(1, len(pieces) - 1, 2)]
    if not messages:
        raise ValueError(f"{path}: no '=== system ===' or '=== user ===' part")
    return PromptFile(name=path.stem, purpose=meta.get("purpose", ""), variables=meta.get("variables") or {}, messages=messages)


# ---- the candidate's words inside a prompt ----------------------------------------------

# Names of the blocks prompts wrap the candidate's words in.
BLOCK_NAMES = ("answer", "candidate", "quote")


@dataclass(frozen=True)
class Fenced:
    """The candidate's text as it goes into a prompt: `<{tag}>` + body + `</{tag}>`."""

    tag: str  # e.g. "answer-3f9a1c07": new for every call, so it cannot be guessed in advance
    body: str

    def __str__(self) -> str:
        return f"<{self.tag}>\n{self.body}\n</{self.tag}>"


def new_tag(name: str = "answer") -> str:
    return f"{name}-{secrets.token_hex(4)}"


def fence(text: str, name: str = "answer", tag: str | None = None) -> Fenced:
    """The candidate's text made safe to wrap: normalised (judge/guard.py), and any tag of the
    kind prompts wrap it in (<answer...>, </candidate-...>, whatever follows the name) written
    with "&lt;", so it reads the same to the model but opens and closes nothing. `tag` lets
    several pieces of one prompt share the call's tag."""
    names = "|".join(re.escape(n) for n in {name, *BLOCK_NAMES})
    body = re.sub(rf"<(?=\s*/?\s*({names})\b)", "&lt;", normalise(text), flags=re.I)
    return Fenced(tag or new_tag(name), body)

"""Load prompt files from prompts/: each declares the variables its templates use."""

from __future__ import annotations

import random
import string
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, model_validator


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

"""Exporting and importing a story bank as JSON or Markdown. Import checks every story and
names the file, the story (line in Markdown, index in JSON) and the field of every problem;
nothing is imported while any exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, ValidationError

from interviewer.stories.model import BankStory, StoryDraft

FORMAT = "interviewer-story-bank"
VERSION = 1
_LPS_LINE = re.compile(r"^\s*(?:\*\*)?LPs?(?:\*\*)?\s*:\s*(.*)$", re.I)


class StoryImportError(ValueError):
    """Every problem found in an import file, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported:\n" + "\n".join(problems))


class Exported(BaseModel):
    format: str = FORMAT
    version: int = VERSION
    stories: list[StoryDraft]


def to_json(stories: list[BankStory]) -> str:
    drafts = [StoryDraft(title=s.title, text=s.text, lps=s.lps) for s in stories]
    return Exported(stories=drafts).model_dump_json(indent=2) + "\n"


def to_markdown(stories: list[BankStory]) -> str:
    lines = ["# Story bank", ""]
    for s in stories:
        lines += [f"## {s.title}", ""]
        if s.lps:
            lines += [f"LPs: {'; '.join(s.lps)}", ""]
        lines += [s.text.strip(), ""]
    return "\n".join(lines)


def draft_problems(exc: ValidationError) -> list[str]:
    """A draft's problems in plain words (the terminal and the browser show these too)."""
    out = []
    for e in exc.errors():
        field = str(e["loc"][0]) if e["loc"] else ""
        if field == "text" and e["type"] == "string_too_short":
            out.append("the story is empty: write what happened")
        elif field == "title" and e["type"] == "string_too_short":
            out.append("the story needs a title")
        elif e["type"] == "string_too_long":
            out.append(f"the {field} is too long ({e['ctx']['max_length']:,} characters at most)")
        else:
            out.append(f"{field or 'story'}: {e['msg'].removeprefix('Value error, ')}")
    return out


def _errors(where: str, exc: ValidationError) -> list[str]:
    return [f"{where}: {p}" for p in draft_problems(exc)]


def from_json(text: str, name: str) -> list[StoryDraft]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoryImportError([f"{name}, line {exc.lineno}: not valid JSON: {exc.msg}"]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoryImportError([f'{name}: not a story bank export (expected "format": "{FORMAT}")'])
    stories = data.get("stories")
    if not isinstance(stories, list):
        raise StoryImportError([f'{name}: "stories" must be a list'])
    return _validated([(f"{name}, story {i}", raw) for i, raw in enumerate(stories, 1)])


def _validated(candidates: list[tuple[str, object]]) -> list[StoryDraft]:
    """Each (where, fields) as a draft; every problem named, and none returned while any exists."""
    problems, drafts = [], []
    for where, fields in candidates:
        try:
            drafts.append(StoryDraft.model_validate(fields))
        except ValidationError as exc:
            problems += _errors(where, exc)
    if problems:
        raise StoryImportError(problems)
    return drafts


def _lp_names(value: str) -> list[str]:
    # LP names contain commas ("Are Right, A Lot") but never semicolons: ";" separates them.
    return [p.strip() for p in value.split(";") if p.strip()]


def from_markdown(text: str, name: str) -> list[StoryDraft]:
    """`## Title` starts a story; an optional `LPs: A; B` line; the rest is the story."""
    blocks: list[tuple[int, str, list[str]]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            blocks.append((n, line[3:].strip(), []))
        elif blocks:
            blocks[-1][2].append(line)
    if not blocks:
        raise StoryImportError([f"{name}: no stories found (each starts with a '## Title' line)"])
    candidates = []
    for n, title, body in blocks:
        lps: list[str] = []
        kept = []
        for line in body:
            m = _LPS_LINE.match(line)
            if m and not lps and not any(k.strip() for k in kept):
                lps = _lp_names(m.group(1))
            else:
                kept.append(line)
        candidates.append((f"{name}, line {n} ({title or 'untitled'})",
                           {"title": title, "text": "\n".join(kept).strip(), "lps": lps}))
    return _validated(candidates)


def read_file(path: Path, shown: str | None = None) -> list[StoryDraft]:
    """`shown`: the name problems are reported under (the browser's upload has a server path)."""
    name = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoryImportError([f"{name}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoryImportError([f"{name}: cannot be read ({exc.__class__.__name__}): a Markdown or JSON export is "
                                "UTF-8 text"]) from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return from_json(text, name)
    return from_markdown(text, name)


def imported_line(added: int, skipped: int) -> str:
    def n(k: int) -> str:
        return f"{k} {'story' if k == 1 else 'stories'}"

    return f"Imported {n(added)}" + (f"; {n(skipped)} already in the bank {'was' if skipped == 1 else 'were'} skipped."
                                     if skipped else ".")

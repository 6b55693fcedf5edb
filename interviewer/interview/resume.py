"""A candidate's resume: its text (PDF, DOCX, TXT, MD) and the projects the deep dive asks about.

Parsing is heuristic on purpose: we only need a few project lines to anchor the project deep
dive ("your resume lists X; walk me through it"), not a structured CV.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIXES = (".pdf", ".docx", ".txt", ".md")
MAX_BYTES = 5 * 1024 * 1024
MAX_PROJECTS = 5
MAX_PROJECT_CHARS = 160

# Headings under which project-like lines live, and headings that end such a section.
_PROJECT_HEADING = re.compile(
    r"^\W*(selected\s+)?(projects?|research( experience| projects)?|experience|work experience|professional experience|"
    r"publications?|industry experience)\W*$", re.I)
_OTHER_HEADING = re.compile(
    r"^\W*(education|skills|technical skills|awards?|honou?rs|certifications?|languages|interests|references|"
    r"contact|summary|profile|objective|teaching|service|activities)\W*$", re.I)
_BULLET = re.compile(r"^\s*([-*•▪◦‣]|\d+[.)])\s+")
_ACTION = re.compile(
    r"\b(built|developed|designed|led|trained|implemented|launched|created|proposed|improved|deployed|shipped|"
    r"reduced|increased|analy[sz]ed|modell?ed|owned|architected|published|introduced|automated)\b", re.I)


class ResumeError(ValueError):
    """A resume that cannot be read, with the file name and what was wrong."""


def extract_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ResumeError(f"{path.name}: unsupported file type {suffix or '(none)'}; use PDF, DOCX, TXT or MD")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ResumeError(f"{path.name}: {size // 1024} KB is too large; the limit is {MAX_BYTES // 1024 // 1024} MB")
    try:
        if suffix == ".pdf":
            from pypdf import PdfReader

            text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
        elif suffix == ".docx":
            from docx import Document

            text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
    except ResumeError:
        raise
    except Exception as exc:  # pypdf and python-docx raise many types for damaged files
        raise ResumeError(f"{path.name}: could not read the {suffix[1:].upper()} file ({type(exc).__name__})") from exc
    if not text.strip():
        raise ResumeError(f"{path.name}: no text found (a scanned PDF has only images; try a DOCX or TXT export)")
    return text


def _clean(line: str) -> str:
    line = _BULLET.sub("", line).strip(" \t-–—*#")
    line = re.sub(r"\s+", " ", line)
    if len(line) > MAX_PROJECT_CHARS:
        line = line[:MAX_PROJECT_CHARS].rsplit(" ", 1)[0] + "…"
    return line


def projects_from_text(text: str, limit: int = MAX_PROJECTS) -> list[str]:
    """Project-like lines: bullets under a projects/research/experience heading, else action-verb bullets."""
    lines = [line.rstrip() for line in text.splitlines()]
    in_section, picked = False, []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if _PROJECT_HEADING.match(stripped):
            in_section = True
            continue
        if _OTHER_HEADING.match(stripped):
            in_section = False
            continue
        if in_section and (_BULLET.match(line) or _ACTION.search(stripped)) and len(stripped.split()) >= 4:
            picked.append(_clean(stripped))
    if not picked:
        picked = [_clean(s) for s in (x.strip() for x in lines)
                  if _BULLET.match(s) and _ACTION.search(s) and len(s.split()) >= 4]
    seen: set[str] = set()
    unique = [p for p in picked if not (p.lower() in seen or seen.add(p.lower()))]
    return unique[:limit]

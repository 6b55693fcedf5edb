"""A candidate's resume: its text (PDF, DOCX, TXT, MD) and the projects the deep dive asks about.

Parsing is heuristic on purpose: we only need a few project lines to anchor the project deep
dive ("your resume lists X; walk me through it"), not a structured CV.
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIXES = (".pdf", ".docx", ".txt", ".md")
MAX_BYTES = 5 * 1024 * 1024
MAX_PROJECTS = 5
MAX_PROJECT_CHARS = 160
# Resource limits, far above any real resume: a 20-page CV is ~60,000 characters of text, and
# its DOCX unzips to a few MB (mostly images). The file size limit alone bounds nothing: a 0.5 MB
# DOCX can unzip to gigabytes, so the zip's directory is checked before anything is extracted.
MAX_TEXT_CHARS = 100_000
MAX_PDF_PAGES = 20
MAX_PDF_STREAM_BYTES = 10 * 1024 * 1024  # pypdf's per-stream decompression limit (its default: 75 MB)
MAX_DOCX_MEMBERS = 500
MAX_DOCX_TOTAL = 25 * 1024 * 1024  # all members, uncompressed
MAX_DOCX_MEMBER = 10 * 1024 * 1024  # one image
MAX_DOCX_XML = 5 * 1024 * 1024  # one XML part: parsed into a tree several times its size
MAX_DOCX_RATIO = 100  # text XML compresses 5-20x; a bomb of repeated bytes 1,000x
_RATIO_FROM = 1024 * 1024  # small parts may compress well without harm

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


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def check_docx(path: Path) -> None:
    """Refuse a DOCX whose zip would unpack too much, from its directory alone (nothing is
    extracted). The declared sizes can be trusted: zipfile stops a member at its declared size."""
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ResumeError(f"{path.name}: not a DOCX file (not a valid zip archive: {exc})") from None
    if len(members) > MAX_DOCX_MEMBERS:
        raise ResumeError(f"{path.name}: {len(members):,} parts in the DOCX; the limit is {MAX_DOCX_MEMBERS:,}")
    total = 0
    for m in members:
        if m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Word writes only these; others (bzip2, LZMA) expand a small chunk without bound.
            raise ResumeError(f"{path.name}: part {m.filename} uses a compression Word never writes")
        limit = MAX_DOCX_XML if m.filename.endswith((".xml", ".rels")) else MAX_DOCX_MEMBER
        if m.file_size > limit:
            raise ResumeError(f"{path.name}: part {m.filename} unpacks to {_mb(m.file_size)}; the limit is {_mb(limit)}")
        if m.file_size > _RATIO_FROM and m.file_size > MAX_DOCX_RATIO * max(1, m.compress_size):
            raise ResumeError(f"{path.name}: part {m.filename} is compressed {m.file_size // max(1, m.compress_size):,} "
                              f"times (over {MAX_DOCX_RATIO}): this looks like a zip bomb, not a resume")
        total += m.file_size
        if total > MAX_DOCX_TOTAL:
            raise ResumeError(f"{path.name}: the DOCX unpacks to more than {_mb(MAX_DOCX_TOTAL)}; is this a resume?")


def _too_long(path: Path, chars: int) -> ResumeError:
    return ResumeError(f"{path.name}: over {chars:,} characters of text; a resume has at most {MAX_TEXT_CHARS:,}. "
                       "Is this the right file?")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader, apply_configuration

    with apply_configuration(**{name: MAX_PDF_STREAM_BYTES for name in (
            "maximum_declared_stream_length", "array_based_stream_maximum_output_length", "zlib_maximum_output_length",
            "lzw_maximum_output_length", "run_length_maximum_output_length", "brotli_maximum_output_length",
            "jbig2_maximum_output_length")}):
        reader = PdfReader(path)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ResumeError(f"{path.name}: {len(reader.pages):,} pages; a resume has at most {MAX_PDF_PAGES}")
        pages: list[str] = []
        chars = 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            chars += len(pages[-1])
            if chars > MAX_TEXT_CHARS:
                raise _too_long(path, chars)  # stop extracting: the rest is not needed to refuse it
        return "\n".join(pages)


def extract_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ResumeError(f"{path.name}: unsupported file type {suffix or '(none)'}; use PDF, DOCX, TXT or MD")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ResumeError(f"{path.name}: {size // 1024:,} KB is too large; the limit is {MAX_BYTES // 1024 // 1024} MB")
    try:
        if suffix == ".pdf":
            text = _pdf_text(path)
        elif suffix == ".docx":
            check_docx(path)
            from docx import Document

            text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
    except ResumeError:
        raise
    except Exception as exc:  # pypdf and python-docx raise many types for damaged files
        log.info("resume %s unreadable: %s", path.name, exc)
        raise ResumeError(f"{path.name}: could not read the {suffix[1:].upper()} file ({type(exc).__name__})") from exc
    if len(text) > MAX_TEXT_CHARS:
        raise _too_long(path, len(text))
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

"""Load and validate corpus/ into schemas, with precise, per-problem errors.

Every problem names the file, the line, the item id and the field, so a user fixing their own
question file knows exactly where to look. Loading never stops at the first problem: all of
them are collected, and nothing is used when any exists.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from interviewer.schemas import (
    CandidateReport,
    Competency,
    Interviewer,
    LeadershipPrinciple,
    PanelAnswer,
    Question,
)

log = logging.getLogger(__name__)

DOC_FILES = {"README.md", "AUTHORING.md"}
CHECKLIST_FILE = "seed_checklist.yaml"
# Runnable problems (hidden tests, SQL schemas) live beside the corpus but load through
# interviewer.runner; the judge's contrast data loads through interviewer.corpus.contrast; the
# online assessment's items through interviewer.assessment.content.
SEPARATE_DIRS = {"problems", "contrast", "assessment"}


@dataclass(frozen=True)
class CorpusProblem:
    file: Path
    line: int | None
    item_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        try:
            shown = self.file.resolve().relative_to(Path.cwd())
        except ValueError:
            shown = self.file
        where = f"{shown}:{self.line}" if self.line else str(shown)
        parts = [where]
        if self.item_id:
            parts.append(self.item_id)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts + [self.message])


class CorpusError(Exception):
    def __init__(self, problems: list[CorpusProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the corpus:\n" + "\n".join(map(str, problems)))


@dataclass
class Corpus:
    questions: list[Question] = field(default_factory=list)
    lps: list[LeadershipPrinciple] = field(default_factory=list)
    competencies: list[Competency] = field(default_factory=list)
    reports: list[CandidateReport] = field(default_factory=list)
    interviewers: list[Interviewer] = field(default_factory=list)
    panel_answers: list[PanelAnswer] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    # SQL question id -> its reference query (problems/sql), for the report once the question is over
    sql_references: dict[str, str] = field(default_factory=dict)

    def items(self) -> list[BaseModel]:
        """Every item with an id, of every kind."""
        return [*self.questions, *self.lps, *self.competencies, *self.reports, *self.interviewers, *self.panel_answers]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def lp(self, name: str) -> LeadershipPrinciple:
        for lp in self.lps:
            if lp.name == name:
                return lp
        raise KeyError(name)


# ---- YAML with line numbers -------------------------------------------------------------


def yaml_node_at(node: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[yaml.Node | None, int | None]:
    """Follow a pydantic error location through a composed YAML node.

    Returns the node at `loc` (None when the path stops early, e.g. a missing field) and the
    1-based line of the deepest part of the path that exists.
    """
    if node is None:
        return None, None
    line = node.start_mark.line + 1
    for key in loc:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            for k, v in node.value:
                if k.value == key:
                    child, line = v, k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line + 1
        if child is None:
            return None, line
        node = child
    return node, line


def line_at(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    return yaml_node_at(node, loc)[1]


def _friendly(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "missing required field"
    if kind == "string_too_short":
        return "empty text"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} items, has {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} items, has {ctx.get('actual_length')}"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against corpus/AUTHORING.md)"
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        if "'Are Right'" in message or "'A Lot'" in message:
            message += ' (quote names that contain a comma: "Are Right, A Lot")'
        return message
    if kind == "string_type" and isinstance(error.get("input"), dict):
        return "expected text but found a mapping: quote text that contains ': '"
    return error["msg"]


def _field_path(loc: tuple[Any, ...]) -> str:
    # pydantic numbers list items from 0; people count from 1.
    return ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in loc) or "(item)"


def validate_located(
    model: type[BaseModel], data: Any, file: Path, node: yaml.Node | None, problems: list[CorpusProblem]
) -> BaseModel | None:
    item_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    if not isinstance(data, dict):
        problems.append(CorpusProblem(file, line_at(node, ()), None, None, "expected a mapping of fields"))
        return None
    try:
        return model(**data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.append(
                CorpusProblem(file, line_at(node, loc), item_id, _field_path(loc), _friendly(err))
            )
        return None


def read_yaml(file: Path, problems: list[CorpusProblem]) -> tuple[Any, yaml.Node | None] | None:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(CorpusProblem(file, None, None, None, f"cannot read file: {exc}"))
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(CorpusProblem(file, line, None, None, f"invalid YAML: {reason}"))
        return None
    return data, node


# ---- files ------------------------------------------------------------------------------


def _load_yaml_file(file: Path, corpus: Corpus, problems: list[CorpusProblem]) -> None:
    loaded = read_yaml(file, problems)
    if loaded is None:
        return
    data, node = loaded
    if isinstance(data, dict) and "questions" in data:
        items = data["questions"]
        if not isinstance(items, list) or not items:
            problems.append(CorpusProblem(file, line_at(node, ("questions",)), None, "questions", "expected a non-empty list"))
            return
        for i, item in enumerate(items):
            item_node = yaml_node_at(node, ("questions", i))[0]
            q = validate_located(Question, item, file, item_node, problems)
            if q is not None:
                corpus.questions.append(q)  # type: ignore[arg-type]
    elif isinstance(data, dict) and "competencies" in data:
        for i, item in enumerate(data["competencies"] or []):
            c = validate_located(Competency, item, file, yaml_node_at(node, ("competencies", i))[0], problems)
            if c is not None:
                corpus.competencies.append(c)  # type: ignore[arg-type]
    elif isinstance(data, dict) and ("interviewers" in data or "answers" in data):
        for key, model, into in (("interviewers", Interviewer, corpus.interviewers),
                                 ("answers", PanelAnswer, corpus.panel_answers)):
            for i, item in enumerate(data.get(key) or []):
                found = validate_located(model, item, file, yaml_node_at(node, (key, i))[0], problems)
                if found is not None:
                    into.append(found)  # type: ignore[arg-type]
    elif isinstance(data, dict) and "probes" in data:
        lp = validate_located(LeadershipPrinciple, data, file, node, problems)
        if lp is not None:
            corpus.lps.append(lp)  # type: ignore[arg-type]
    else:
        problems.append(
            CorpusProblem(
                file, 1, None, None,
                "not a corpus file: expected a top-level `questions:` list, a `competencies:` list, "
                "`interviewers:` or `answers:` (the panel), or a Leadership Principle with `probes:`",
            )
        )


def _load_report(file: Path, corpus: Corpus, problems: list[CorpusProblem]) -> None:
    text = file.read_text(encoding="utf-8")
    if not text.startswith("---"):
        problems.append(CorpusProblem(file, 1, None, None, "a candidate report must start with YAML front matter (---)"))
        return
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        problems.append(CorpusProblem(file, 1, None, None, "front matter is not closed by a line with ---"))
        return
    head = parts[0][3:]
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    try:
        node = yaml.compose(head, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(
            CorpusProblem(file, mark.line + 2 if mark else None, None, None, f"invalid YAML front matter: {getattr(exc, 'problem', exc)}")
        )
        return
    if not isinstance(meta, dict):
        problems.append(CorpusProblem(file, 1, None, None, "front matter must be a mapping of fields"))
        return
    line_problems: list[CorpusProblem] = []
    report = validate_located(CandidateReport, {**meta, "body": body.strip()}, file, node, line_problems)
    # Front matter starts on line 2 of the file.
    problems.extend(
        CorpusProblem(p.file, p.line + 1 if p.line else None, p.item_id, p.field, p.message) for p in line_problems
    )
    if report is not None:
        corpus.reports.append(report)  # type: ignore[arg-type]


def corpus_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    files = [
        p for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in {".yaml", ".yml", ".md"}
        and p.name not in DOC_FILES and p.name != CHECKLIST_FILE
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and p.relative_to(root).parts[0] not in SEPARATE_DIRS
    ]
    return files


def _check_cross_references(corpus: Corpus, problems: list[CorpusProblem], sources: dict[str, Path]) -> None:
    seen: dict[str, Path] = {}
    for item in corpus.items():
        file = sources[id(item)]
        if item.id in seen:
            problems.append(CorpusProblem(file, None, item.id, "id", f"duplicate id, already defined in {seen[item.id]}"))
        else:
            seen[item.id] = file
    names = Counter(lp.name for lp in corpus.lps)
    for name, count in names.items():
        if count > 1:
            problems.append(CorpusProblem(sources[id(corpus.lp(name))], None, None, "name", f"Leadership Principle {name!r} defined {count} times"))


def load_corpus(roots: list[Path]) -> Corpus:
    """Load every corpus file under `roots` (directories or single files).

    Raises CorpusError listing every problem; returns a Corpus only when there is none.
    """
    corpus = Corpus()
    problems: list[CorpusProblem] = []
    sources: dict[int, Path] = {}
    for root in roots:
        if not root.exists():
            problems.append(CorpusProblem(root, None, None, None, "no such file or directory"))
            continue
        for file in corpus_files(root):
            before = {id(x) for x in corpus.items()}
            if file.suffix == ".md":
                _load_report(file, corpus, problems)
            else:
                _load_yaml_file(file, corpus, problems)
            for item in corpus.items():
                if id(item) not in before:
                    sources[id(item)] = file
            corpus.files.append(file)
    _check_cross_references(corpus, problems, sources)
    if problems:
        raise CorpusError(problems)
    for root in roots:
        for file in sorted((root / "problems" / "sql").glob("*.yaml")) if root.is_dir() else []:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            if isinstance(data, dict) and isinstance(data.get("reference"), str):
                corpus.sql_references[str(data.get("id"))] = data["reference"].strip()
    log.info(
        "corpus loaded: %d questions, %d LPs, %d competencies, %d reports from %d files",
        len(corpus.questions), len(corpus.lps), len(corpus.competencies), len(corpus.reports), len(corpus.files),
    )
    return corpus


def load_seed_checklist(corpus_dir: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((corpus_dir / CHECKLIST_FILE).read_text(encoding="utf-8"))
    return [line for section in data["sections"] for line in section["lines"]]


def seed_tags_in_use(corpus: Corpus, extra: list[list[str]] | None = None) -> Counter[str]:
    """`extra`: the tags of items loaded apart (the online assessment's)."""
    tags: Counter[str] = Counter()
    for more in extra or []:
        tags.update(more)
    for q in corpus.questions:
        tags.update(q.seed_tags)
    for lp in corpus.lps:
        tags.update(lp.seed_tags)
        for probe in lp.probes:
            tags.update(probe.seed_tags)
    for report in corpus.reports:
        tags.update(report.seed_tags)
    return tags


def completeness_problems(corpus: Corpus, corpus_dir: Path) -> list[CorpusProblem]:
    """What a whole interview needs beyond valid files: all 16 LPs and their rubrics."""
    from interviewer.schemas import LEADERSHIP_PRINCIPLES

    problems: list[CorpusProblem] = []
    have = {lp.name for lp in corpus.lps}
    for name in LEADERSHIP_PRINCIPLES:
        if name not in have:
            problems.append(CorpusProblem(corpus_dir / "lps", None, None, None, f"Leadership Principle {name!r} is missing"))
    rubric_lps = {c.lp for c in corpus.competencies if c.kind == "lp"}
    for name in LEADERSHIP_PRINCIPLES:
        if name not in rubric_lps:
            problems.append(CorpusProblem(corpus_dir / "rubrics", None, None, None, f"no rubric competency for LP {name!r}"))
    core = {c.id for c in corpus.competencies if c.kind == "core"}
    for needed in CORE_COMPETENCIES:
        if needed not in core:
            problems.append(CorpusProblem(corpus_dir / "rubrics", None, None, None, f"core competency {needed!r} is missing"))
    return problems


CORE_COMPETENCIES = ("scientific_depth", "scientific_breadth", "coding", "problem_structuring", "communication")


def load_with_extras(corpus_dir: Path, extra_dirs: list[Path]) -> Corpus:
    """The built-in corpus plus a user's own question folders; every problem is reported."""
    corpus = load_corpus([corpus_dir, *extra_dirs])
    problems = completeness_problems(corpus, corpus_dir)
    if problems:
        raise CorpusError(problems)
    return corpus

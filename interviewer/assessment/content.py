"""The assessment's own items: corpus/assessment/sql_mcq.yaml and work_style.yaml (format in
corpus/assessment/README.md). Loading names the file, line, item and field of every problem
and returns nothing while any exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interviewer.corpus.loading import (
    CorpusError,
    CorpusProblem,
    line_at,
    read_yaml,
    validate_located,
    yaml_node_at,
)

LETTERS = "ABCDE"


class McqOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    correct: bool = False
    why: str = Field(min_length=1)
    value: list[list[Any]] | None = Field(None, description="result kind: the rows this option claims")


class McqItem(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^mcq-[a-z0-9-]+$")
    kind: Literal["query", "result", "concept"]
    schema_name: str | None = Field(None, alias="schema")
    topic: str = Field(min_length=1)
    seed_tags: list[str] = Field(default_factory=list)
    ordered: bool = False
    prompt: str = Field(min_length=1)
    sql: str | None = None
    options: list[McqOption] = Field(min_length=4, max_length=5)
    explanation: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_correct(self) -> McqItem:
        if sum(o.correct for o in self.options) != 1:
            raise ValueError("exactly one option must have correct: true")
        if self.kind != "concept" and not self.schema_name:
            raise ValueError(f"a {self.kind} item needs `schema` (a file of corpus/problems/sql/schemas)")
        if self.kind == "result" and (not self.sql or any(o.value is None for o in self.options)):
            raise ValueError("a result item needs `sql` and a `value` on every option")
        return self

    @property
    def answer(self) -> str:
        return LETTERS[next(i for i, o in enumerate(self.options) if o.correct)]


class WorkStatement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    key: Literal["most", "least", "neutral"]


class WorkStyleItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^ws-[a-z0-9-]+$")
    lp: str = Field(min_length=1, description="an LP id (a file name of corpus/lps/)")
    seed_tags: list[str] = Field(default_factory=list)
    prompt: str = Field(min_length=1)
    statements: list[WorkStatement] = Field(min_length=4, max_length=4)
    reasoning: str = Field(min_length=1)

    @model_validator(mode="after")
    def _keys(self) -> WorkStyleItem:
        keys = [s.key for s in self.statements]
        if keys.count("most") != 1 or keys.count("least") != 1:
            raise ValueError("exactly one statement keyed `most` and one keyed `least`")
        return self

    def keyed(self, key: str) -> str:
        return LETTERS[next(i for i, s in enumerate(self.statements) if s.key == key)]


class AssessmentContent(BaseModel):
    mcq: list[McqItem]
    work_style: list[WorkStyleItem]

    def mcq_item(self, item_id: str) -> McqItem | None:
        return next((m for m in self.mcq if m.id == item_id), None)

    def work_item(self, item_id: str) -> WorkStyleItem | None:
        return next((w for w in self.work_style if w.id == item_id), None)


def _items(file: Path, model: type[BaseModel], problems: list[CorpusProblem]) -> list[Any]:
    loaded = read_yaml(file, problems)
    if loaded is None:
        return []
    data, node = loaded
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        problems.append(CorpusProblem(file, line_at(node, ()), None, "items", "expected a non-empty `items:` list"))
        return []
    out, seen = [], set()
    for i, raw in enumerate(data["items"]):
        item = validate_located(model, raw, file, yaml_node_at(node, ("items", i))[0], problems)
        if item is None:
            continue
        if item.id in seen:
            problems.append(CorpusProblem(file, line_at(yaml_node_at(node, ("items", i))[0], ()), item.id, "id",
                                          "duplicate id"))
        seen.add(item.id)
        out.append(item)
    return out


def load_assessment(corpus_dir: Path, lp_ids: set[str] | None = None, schemas: set[str] | None = None) -> AssessmentContent:
    folder = corpus_dir / "assessment"
    problems: list[CorpusProblem] = []
    mcq = _items(folder / "sql_mcq.yaml", McqItem, problems)
    work = _items(folder / "work_style.yaml", WorkStyleItem, problems)
    for w in work:
        if lp_ids is not None and w.lp not in lp_ids:
            problems.append(CorpusProblem(folder / "work_style.yaml", None, w.id, "lp", f"unknown LP id {w.lp!r}"))
    for m in mcq:
        if schemas is not None and m.schema_name and m.schema_name not in schemas:
            problems.append(CorpusProblem(folder / "sql_mcq.yaml", None, m.id, "schema",
                                          f"no schema file {m.schema_name}.sql in corpus/problems/sql/schemas"))
    if problems:
        raise CorpusError(problems)
    return AssessmentContent(mcq=mcq, work_style=work)

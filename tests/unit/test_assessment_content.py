"""The online assessment's items: enough of them, well formed, and every checkable multiple-choice
item checked against the seeded DuckDB schemas (corpus/assessment/README.md says how)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections import Counter
from functools import lru_cache
from pathlib import Path

import duckdb
import pytest

from interviewer.assessment.content import LETTERS, load_assessment
from interviewer.corpus.loading import load_seed_checklist

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SCHEMAS = CORPUS / "problems" / "sql" / "schemas"
CONTENT = load_assessment(CORPUS, {p.stem for p in (CORPUS / "lps").glob("*.yaml")}, {p.stem for p in SCHEMAS.glob("*.sql")})


def plain(v):  # noqa: ANN001, ANN201
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()
    if isinstance(v, float):
        return round(v, 6)
    return v


def rows(result: list[tuple] | list[list], ordered: bool):  # noqa: ANN201
    out = [tuple(plain(x) for x in r) for r in result]
    return out if ordered else Counter(out)


@lru_cache(maxsize=None)
def _schema(name: str) -> str:
    return (SCHEMAS / f"{name}.sql").read_text(encoding="utf-8")


def run(schema: str, sql: str) -> list[tuple]:
    db = duckdb.connect(":memory:")
    try:
        db.execute(_schema(schema))
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_there_are_enough_items_of_each_kind():
    kinds = Counter(m.kind for m in CONTENT.mcq)
    assert len(CONTENT.mcq) >= 40 and kinds["query"] + kinds["result"] >= 30 and kinds["concept"] <= len(CONTENT.mcq) // 4
    assert len(CONTENT.work_style) >= 30
    assert len({w.lp for w in CONTENT.work_style}) == 16  # every Leadership Principle


def test_the_right_answer_is_not_given_away_by_its_position():
    positions = Counter(m.answer for m in CONTENT.mcq)
    assert max(positions.values()) <= 2 * min(positions[c] for c in LETTERS[:4])
    ws = Counter(w.keyed("most") for w in CONTENT.work_style)
    assert len(ws) >= 3


@pytest.mark.parametrize("item", [m for m in CONTENT.mcq if m.kind == "query"], ids=lambda m: m.id)
def test_a_query_item_has_one_right_query_and_each_distractor_differs_on_the_seed_data(item):
    correct = next(o for o in item.options if o.correct)
    expected = rows(run(item.schema_name, correct.text), item.ordered)
    for i, option in enumerate(item.options):
        if option.correct:
            continue
        try:
            got = rows(run(item.schema_name, option.text), item.ordered)
        except duckdb.Error:
            continue  # a distractor that does not run; its `why` says so
        assert got != expected, f"{item.id}: option {LETTERS[i]} returns the same rows as the answer"


@pytest.mark.parametrize("item", [m for m in CONTENT.mcq if m.kind == "result"], ids=lambda m: m.id)
def test_a_result_item_has_the_rows_the_query_returns(item):
    ordered = "order by" in item.sql.lower()
    got = rows(run(item.schema_name, item.sql), ordered)
    correct = next(o for o in item.options if o.correct)
    assert rows(correct.value, ordered) == got, f"{item.id}: the keyed result is not what DuckDB returns"
    for option in item.options:
        if not option.correct:
            assert rows(option.value, ordered) != got, f"{item.id}: a distractor equals the result"


def test_every_item_carries_a_seed_tag_of_the_checklist():
    tags = {t for line in load_seed_checklist(CORPUS) for t in line["tags"]}
    for item in [*CONTENT.mcq, *CONTENT.work_style]:
        assert item.seed_tags and set(item.seed_tags) <= tags, item.id

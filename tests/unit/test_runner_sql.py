"""The SQL runner: what is refused, what is contained, and how results are compared."""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from interviewer.config import Settings
from interviewer.runner import (
    ProblemError,
    ProblemSet,
    QueryInvalid,
    QueryRefused,
    SqlProblem,
    run_sql,
    validate_query,
)
from interviewer.runner import sql as sql_module
from interviewer.runner.problems import load_problem_file, problem_files

CORPUS = Settings.from_env(env={}).corpus_dir
_, SQL_FILES = problem_files(CORPUS)

SCHEMA = """
CREATE TABLE employees (id INTEGER, name VARCHAR, dept VARCHAR, salary INTEGER);
INSERT INTO employees VALUES
  (1, 'Ann', 'eng', 100), (2, 'Bob', 'eng', 90), (3, 'Cid', 'ops', 80),
  (4, 'Dee', 'ops', 80), (5, 'Eve', 'sales', NULL), (6, 'Fay', 'sales', 75);
"""


@pytest.fixture()
def schemas(tmp_path: Path) -> Path:
    (tmp_path / "staff.sql").write_text(SCHEMA)
    return tmp_path


TOTALS = SqlProblem(id="t-totals", schema="staff",
                    reference="SELECT dept, SUM(salary) AS total FROM employees GROUP BY dept")
RANKED = SqlProblem(id="t-ranked", schema="staff", ordered=True,
                    reference="SELECT name, salary FROM employees WHERE salary IS NOT NULL ORDER BY salary DESC, name")
AVERAGE = SqlProblem(id="t-avg", schema="staff",
                     reference="SELECT dept, AVG(salary) AS avg_salary FROM employees GROUP BY dept")


# ---- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "DROP TABLE employees",
    "INSERT INTO employees VALUES (9, 'x', 'y', 1)",
    "UPDATE employees SET salary = 0",
    "DELETE FROM employees",
    "CREATE TABLE x AS SELECT 1",
    "ALTER TABLE employees ADD COLUMN x INTEGER",
    "ATTACH '/tmp/x.db' AS x",
    "DETACH x",
    "COPY employees TO '/tmp/out.csv'",
    "COPY (SELECT 1) TO '/tmp/out.csv'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA version",
    "SET threads = 8",
    "CALL pragma_version()",
    "EXPORT DATABASE '/tmp/dump'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "select * from READ_CSV_AUTO('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM \"/etc/passwd\"",
    "SELECT * FROM employees, '/etc/passwd'",
    "SELECT * FROM employees e JOIN '/etc/passwd' p ON true",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_parquet('x.parquet')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT * FROM query('SELECT 1')",
    "WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x",
    "SELECT (SELECT count(*) FROM read_json('/etc/passwd'))",
    "SELECT 1; SELECT 2",
    "SELECT 1; DROP TABLE employees",
    "SELECT 1 /* ; */ ; DROP TABLE employees",
    "DESCRIBE employees",
    "SUMMARIZE employees",
    "FROM read_csv('/etc/passwd') SELECT *",
    "",
    "-- only a comment",
])
def test_refused_queries(query: str):
    with pytest.raises(QueryRefused):
        validate_query(query)


@pytest.mark.parametrize("query", [
    "SELECT 'DROP TABLE employees; read_csv(''/etc/passwd'')' AS s",
    "SELECT 1 -- ; DROP TABLE employees",
    "select 1;",
    "/* leading */ WITH t AS (SELECT 1 AS a) SELECT * FROM t",
    "(SELECT 1)",
    "FROM employees SELECT name",  # DuckDB's FROM-first order
    "FROM employees",
    "SELECT * FROM range(3)",
    "SELECT name FROM employees WHERE name = 'FROM ''/etc/passwd'''",
])
def test_allowed_queries(query: str):
    assert validate_query(query)


def test_unparseable_query_is_invalid_not_refused():
    with pytest.raises(QueryInvalid):
        validate_query("SELEC name FROM employees")


# ---- containment at run time ---------------------------------------------------------------


@pytest.mark.parametrize("query", ["DROP TABLE employees", "SELECT * FROM read_csv('/etc/passwd')",
                                   "COPY employees TO '/tmp/out.csv'", "SELECT 1; SELECT 2"])
def test_run_sql_reports_refusals(schemas: Path, query: str):
    result = run_sql(TOTALS, query, schemas)
    assert result.status == "refused"
    assert result.message.startswith("Refused:")


def test_the_connection_is_hardened_even_if_validation_were_bypassed(schemas: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sql_module, "_validated", lambda q, con=None: (q, None))
    for query in ("SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM '/etc/passwd'",
                  "SET enable_external_access = true", "INSTALL httpfs", "COPY employees TO '/tmp/interviewer-x.csv'"):
        result = run_sql(TOTALS, query, schemas)
        assert result.status == "error", (query, result)
    assert not Path("/tmp/interviewer-x.csv").exists()


def test_a_huge_cross_join_is_stopped_by_a_limit(schemas: Path):
    # DuckDB either runs out of its time or of the child's memory first; both end it quickly.
    start = time.monotonic()
    result = run_sql(TOTALS, "SELECT sum(a.range * b.range) FROM employees, range(100000000) a, range(100000000) b", schemas, timeout_s=1)
    assert result.status in ("timeout", "error")
    assert "Time limit" in result.message or "Memory limit" in result.message
    assert time.monotonic() - start < 8


def test_too_many_rows_are_capped(schemas: Path):
    result = run_sql(TOTALS, "SELECT r.* FROM employees, range(100000) r", schemas, row_cap=1000)
    assert result.status == "wrong"
    assert "more than 1,000 rows" in result.message
    assert len(result.rows) == 20


def test_errors_are_reported(schemas: Path):
    assert run_sql(TOTALS, "SELECT nope FROM employees", schemas).status == "error"
    assert run_sql(TOTALS, "SELECT * FROM missing_table", schemas).status == "error"
    assert "does not parse" in run_sql(TOTALS, "SELEC 1", schemas).message


# ---- comparison -----------------------------------------------------------------------------


def test_column_order_aliases_and_row_order_do_not_matter(schemas: Path):
    query = "SELECT SUM(salary) AS s, dept AS d FROM employees GROUP BY dept ORDER BY d DESC"
    result = run_sql(TOTALS, query, schemas)
    assert result.status == "correct", result.diff
    assert result.columns == ["s", "d"]
    assert result.row_count == 3


def test_a_wrong_query_gets_a_diff(schemas: Path):
    result = run_sql(TOTALS, "SELECT dept, MAX(salary) FROM employees WHERE salary > 75 GROUP BY dept", schemas)
    assert result.status == "wrong"
    assert "2 row(s) where 3 are expected" in result.message
    assert "Expected 3 row(s), got 2." in result.diff
    assert "Your row 1 is not in the expected result: ('eng', 100)" in result.diff
    # The diff names what differs without giving the answer away.
    assert "190" not in result.diff and "'ops'" not in result.diff


def test_mispaired_columns_are_wrong_even_with_the_same_values(schemas: Path):
    # Each column holds the expected values, but rows pair them up wrongly.
    query = ("SELECT t.* FROM (VALUES ('eng', 160), ('ops', 190), ('sales', 75)) AS t(dept, total), "
             "(SELECT 1 FROM employees LIMIT 1)")
    result = run_sql(TOTALS, query, schemas)
    assert result.status == "wrong"
    assert "Your row 1 is not in the expected result: ('eng', 160)" in result.diff and "('eng', 190)" not in result.diff


def test_a_result_typed_in_by_hand_is_refused(schemas: Path):
    for query in ("SELECT * FROM (VALUES ('eng', 190), ('ops', 160), ('sales', 75)) AS t(dept, total)",
                  "WITH employees AS (SELECT 'eng' AS dept, 190 AS total) SELECT * FROM employees", "SELECT 42"):
        result = run_sql(TOTALS, query, schemas)
        assert result.status == "refused" and "reads none of the problem's tables" in result.message, query


def test_column_count_mismatch_is_explained(schemas: Path):
    result = run_sql(TOTALS, "SELECT dept FROM employees GROUP BY dept", schemas)
    assert result.status == "wrong"
    assert "returns 1 column(s)" in result.diff and "has 2" in result.diff


def test_order_matters_only_when_the_problem_says_so(schemas: Path):
    right = "SELECT name AS who, salary FROM employees WHERE salary IS NOT NULL ORDER BY salary DESC, name"
    assert run_sql(RANKED, right, schemas).status == "correct"
    wrong = run_sql(RANKED, "SELECT name, salary FROM employees WHERE salary IS NOT NULL ORDER BY salary, name", schemas)
    assert wrong.status == "wrong"
    assert "wrong order" in wrong.diff


def test_floats_compare_with_a_tolerance(schemas: Path):
    query = "SELECT dept, SUM(salary) * 1.0 / COUNT(salary) AS mean FROM employees GROUP BY dept"
    assert run_sql(AVERAGE, query, schemas).status == "correct"
    off = run_sql(AVERAGE, "SELECT dept, AVG(salary) + 0.001 FROM employees GROUP BY dept", schemas)
    assert off.status == "wrong"


def test_results_are_json_ready(schemas: Path):
    result = run_sql(AVERAGE, "SELECT dept, AVG(salary), DATE '2024-01-01' AS d FROM employees GROUP BY dept", schemas)
    json.loads(result.model_dump_json())
    assert result.rows[0][2] == "2024-01-01"


# ---- problem files and the command ------------------------------------------------------------


def test_sql_problem_file_checks(tmp_path: Path):
    sql_dir = tmp_path / "problems" / "sql"
    (sql_dir / "schemas").mkdir(parents=True)
    (sql_dir / "sql-x.yaml").write_text("id: sql-y\nschema: nowhere\nreference: SELECT 1\n")
    with pytest.raises(ProblemError) as info:
        load_problem_file(sql_dir / "sql-x.yaml")
    text = "\n".join(info.value.messages)
    assert "sql-x.yaml:1: sql-y: id: must match the file name" in text
    assert "sql-x.yaml:2: sql-y: schema: no schema file schemas/nowhere.sql" in text


def test_run_sql_exit_codes(schemas: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path):
    from interviewer.cli import run as cli_run
    from interviewer.cli.main import app

    monkeypatch.setattr(cli_run, "_problems", lambda: ProblemSet(sql={TOTALS.id: TOTALS}, schemas_dir=schemas))
    runner = CliRunner()
    files = {"good": "SELECT dept, SUM(salary) FROM employees GROUP BY 1", "bad": "SELECT dept, 1 FROM employees GROUP BY 1",
             "refused": "DROP TABLE employees"}
    for name, text in files.items():
        (tmp_path / f"{name}.sql").write_text(text)
    assert runner.invoke(app, ["run-sql", "t-totals", str(tmp_path / "good.sql")]).exit_code == 0
    bad = runner.invoke(app, ["run-sql", "t-totals", str(tmp_path / "bad.sql")])
    assert bad.exit_code == 1 and "is not in the expected result" in bad.output
    assert runner.invoke(app, ["run-sql", "t-totals", str(tmp_path / "refused.sql")]).exit_code == 2
    assert runner.invoke(app, ["run-sql", "nope", str(tmp_path / "good.sql")]).exit_code == 2
    assert runner.invoke(app, ["run-sql", "t-totals", str(tmp_path / "none.sql")]).exit_code == 2
    data = json.loads(runner.invoke(app, ["run-sql", "t-totals", str(tmp_path / "bad.sql"), "--json"]).stdout)
    assert data["status"] == "wrong"


def test_hardened_config_is_accepted_by_this_duckdb():
    con = duckdb.connect(":memory:", config=sql_module.CONFIG)
    con.execute("SET lock_configuration = true")
    with pytest.raises(duckdb.Error):
        con.execute("SET enable_external_access = true")


# ---- the corpus -------------------------------------------------------------------------------


def test_the_corpus_ships_its_sql_problems():
    # Guards the parametrised checks below: an empty list would run none of them.
    assert len(SQL_FILES) >= 25


@pytest.mark.parametrize("path", SQL_FILES, ids=[p.stem for p in SQL_FILES])
def test_corpus_reference_is_correct_and_wrong_is_wrong(path: Path):
    try:
        problem = load_problem_file(path)
    except ProblemError as exc:
        pytest.fail("\n".join(exc.messages))
    schemas_dir = path.parent / "schemas"
    good = run_sql(problem, problem.reference, schemas_dir)
    assert good.status == "correct", good.message
    if problem.wrong:
        wrong = run_sql(problem, problem.wrong, schemas_dir)
        assert wrong.status == "wrong", f"`wrong` should give a different result: {wrong.message}"

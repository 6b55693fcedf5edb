"""Sandboxed runners for the coding and SQL rounds.

`run_code` runs a candidate's Python against a problem's hidden tests in a locked-down child
process (sandbox.py, harness.py); `run_sql` checks a candidate's query against a reference in a
fresh, hardened in-memory DuckDB (sql.py). Problems come from corpus/problems (problems.py).
"""

from interviewer.runner.coding import (
    CodeRunResult,
    SourceError,
    TestOutcome,
    check_source,
    run_code,
)
from interviewer.runner.problems import (
    CodingProblem,
    CodingTest,
    ProblemError,
    ProblemSet,
    SqlProblem,
    load_problems,
)
from interviewer.runner.sandbox import (
    Isolation,
    Limits,
    SandboxOutcome,
    SandboxUnavailable,
    run_python,
    sandbox_problem,
)
from interviewer.runner.sql import (
    QueryInvalid,
    QueryRefused,
    SqlRunResult,
    run_sql,
    validate_query,
)

__all__ = [
    "CodeRunResult", "CodingProblem", "CodingTest", "Isolation", "Limits", "ProblemError", "ProblemSet",
    "QueryInvalid", "QueryRefused", "SandboxOutcome", "SandboxUnavailable", "SourceError", "SqlProblem", "SqlRunResult", "TestOutcome",
    "check_source", "load_problems", "run_code", "run_python", "run_sql", "sandbox_problem", "validate_query",
]

"""Check a candidate's SQL against a problem's reference query in a fresh, hardened DuckDB.

Three layers: `validate_query` refuses anything but one SELECT over the problem's tables (by
DuckDB's own parser); every attempt then runs in a new in-memory database with external
access off, extension auto-loading off and the configuration locked, under a timeout; and that
database lives in a sandboxed child process (sql_child.py) with an address-space limit, whose
results come back capped. A wrong result is described without printing an expected row.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, Field

from interviewer.runner.jail import site_paths
from interviewer.runner.problems import SqlProblem
from interviewer.runner.sandbox import Limits, run_python

log = logging.getLogger(__name__)

SqlStatus = Literal["correct", "wrong", "error", "refused", "timeout"]
SHOW_ROWS = 20
QUERY_CAP = 20_000
MAX_NESTING = 40
CELL_CAP = 500  # characters of one value kept for display; longer ones carry a digest
SQL_LIMITS = Limits(cpu_s=20, memory_bytes=1 << 30, output_bytes=16 << 20, nproc=32, disk_bytes=1 << 20)
CONFIG = {
    "threads": 1,
    "memory_limit": "256MB",
    "max_temp_directory_size": "0B",
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
# Table functions a query over the problem's tables may need; every other one (read_csv,
# read_parquet, glob, query, ...) is refused.
TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
# A pattern check too, in case the parse tree is unavailable (no json extension).
FILE_FUNCTIONS = re.compile(
    r"(?:\bFROM|\bJOIN|,|\bLATERAL)\s*(read_\w+|parquet_\w+|sniff_csv|glob|iceberg_scan|delta_scan|sqlite_scan|"
    r"postgres_scan|mysql_scan|st_read|query|query_table)\s*\(|\b(getenv)\s*\(",
    re.IGNORECASE,
)
# What a refused statement is, in words.
KINDS = {
    "LOAD": "INSTALL/LOAD of extensions", "COPY": "COPY (reading or writing files)", "ATTACH": "ATTACH of databases",
    "DETACH": "DETACH", "PRAGMA": "PRAGMA", "SET": "SET", "VARIABLE_SET": "SET", "CALL": "CALL",
    "EXPORT": "EXPORT DATABASE", "CREATE": "CREATE", "INSERT": "INSERT", "UPDATE": "UPDATE", "DELETE": "DELETE",
    "DROP": "DROP", "ALTER": "ALTER", "EXPLAIN": "EXPLAIN", "TRANSACTION": "transactions", "COPY_DATABASE": "COPY",
}


class QueryRefused(ValueError):
    """The query is not allowed: not a single read-only SELECT over the problem's tables."""


class QueryInvalid(ValueError):
    """DuckDB cannot parse the query."""


class SqlRunResult(BaseModel):
    problem_id: str
    status: SqlStatus
    message: str
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list, description=f"the first {SHOW_ROWS} rows of the candidate's result")
    row_count: int = 0
    diff: str = ""
    elapsed_ms: float = 0.0
    isolation: list[str] = Field(default_factory=list, description="the sandbox layers the check ran under")


# ---- validation -----------------------------------------------------------------------------


def strip_comments(sql: str) -> str:
    """Remove -- and /* */ comments, leaving string literals and quoted identifiers intact."""
    out, i, n = [], 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # '' inside a literal
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1])
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            out.append(" ")
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _blank_strings(sql: str) -> str:
    """The query with every string literal's content blanked: for pattern checks on code only."""
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a parse tree, without recursion (a deep tree must not overflow the stack)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _nesting(code: str) -> int:
    depth = deepest = 0
    for c in code:
        depth += (c == "(") - (c == ")")
        deepest = max(deepest, depth)
    return deepest


def _check_tree(con: duckdb.DuckDBPyConnection, sql: str) -> set[str] | None:
    """Refuse table functions and file-like table names, found in DuckDB's own parse tree."""
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    except RecursionError:
        raise QueryInvalid(f"the query is nested too deeply (at most {MAX_NESTING} levels)") from None
    except duckdb.Error as exc:  # json extension missing: the pattern checks still stand
        log.warning("json_serialize_sql unavailable (%s); relying on pattern checks", exc)
        return None
    if tree.get("error"):
        raise QueryInvalid(tree.get("error_message", "cannot parse the query"))
    return _scan_tree(tree)


def _scan_tree(tree: dict[str, Any]) -> set[str]:
    """Refuse what must not run; return the real tables the query reads (CTE names aside)."""
    tables: set[str] = set()
    ctes: set[str] = set()
    for node in _walk(tree):
        for entry in (node.get("cte_map") or {}).get("map") or []:
            if isinstance(entry, dict):
                ctes.add(str(entry.get("key", "")).lower())
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            name = str((node.get("function") or {}).get("function_name", "")).lower()
            if name not in TABLE_FUNCTIONS:
                raise QueryRefused(f"the table function {name}() is not allowed: query only the problem's tables")
        elif kind == "BASE_TABLE":
            name = str(node.get("table_name", ""))
            if re.search(r"[/\\.:~]", name):
                raise QueryRefused(f"reading files is not allowed ({name!r} used as a table)")
            tables.add(name.lower())
    return tables - ctes


def validate_query(query: str, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """Return the query, comments removed, when it is one read-only SELECT; else raise.

    `con` is only used to parse (a new connection costs ~20 ms; a caller that has one may pass it).

    QueryRefused: not allowed (several statements, not a SELECT, file or network access).
    QueryInvalid: DuckDB cannot parse it.
    """
    return _validated(query, con)[0]


def _validated(query: str, con: duckdb.DuckDBPyConnection | None = None) -> tuple[str, set[str] | None]:
    """validate_query's work: the query, and the real tables it reads (None: no parse tree)."""
    text = strip_comments(query).strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    if not text:
        raise QueryRefused("the query is empty")
    if _nesting(_blank_strings(text)) > MAX_NESTING:
        # Checked before DuckDB parses it here, in the app: hundreds of nested sub-selects
        # exhaust the parser's and the parse tree's recursion.
        raise QueryInvalid(f"the query is nested too deeply (more than {MAX_NESTING} levels of parentheses)")
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise QueryInvalid(str(exc).split("\n")[0]) from None
    statements = [s for s in statements if s.query.strip().strip(";").strip()]
    if len(statements) != 1:
        raise QueryRefused(f"write exactly one statement; this has {len(statements)}")
    first = re.match(r"[\s(]*([A-Za-z_]+)", text)
    word = first.group(1).upper() if first else ""
    kind = statements[0].type.name
    # FROM first is DuckDB's own order for a SELECT (FROM t SELECT x); DESCRIBE, SUMMARIZE and the
    # like parse as SELECTs too and stay refused by their first word.
    if kind != "SELECT" or word not in ("SELECT", "WITH", "FROM"):
        what = KINDS.get(kind, word or kind)
        raise QueryRefused(f"only a SELECT query (or WITH ... SELECT, or DuckDB's FROM ... SELECT) is allowed, not {what}")
    code = _blank_strings(text)
    match = FILE_FUNCTIONS.search(code)
    if match:
        name = (match.group(1) or match.group(2)).lower()
        raise QueryRefused(f"the function {name}() is not allowed: query only the problem's tables")
    if re.search(r"\b(FROM|JOIN)\s*\(?\s*'", code, re.IGNORECASE):
        raise QueryRefused("reading files is not allowed (a quoted path used as a table)")
    if con is not None:
        return text, _check_tree(con, text)
    scratch = duckdb.connect(":memory:", config=CONFIG)
    try:
        return text, _check_tree(scratch, text)
    finally:
        scratch.close()


# ---- running and comparing ------------------------------------------------------------------


def _norm(value: Any) -> Any:
    """A hashable, comparison-ready form: floats rounded to 6 places, decimals as floats."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        rounded = round(value, 6)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _norm(v)) for k, v in value.items()))
    return value


def _rows_match(ref: list[tuple], cand: list[tuple], ordered: bool) -> bool:
    return ref == cand if ordered else Counter(ref) == Counter(cand)


def _map_columns(ref_cols: list[str], cand_cols: list[str], ref: list[tuple], cand: list[tuple], ordered: bool) -> list[int] | None:
    """A candidate column for each reference column under which the results agree, or None.

    Names and positions are only preferences: columns are matched by their values (a column's
    multiset first, then whole rows), so aliases and column order do not matter.
    """
    n = len(ref_cols)
    sig_r = [Counter(r[j] for r in ref) for j in range(n)]
    sig_c = [Counter(r[i] for r in cand) for i in range(n)]
    lower = [c.lower() for c in cand_cols]
    budget = [5000]

    def options(j: int, used: set[int]) -> list[int]:
        fits = [i for i in range(n) if i not in used and sig_c[i] == sig_r[j]]
        return sorted(fits, key=lambda i: (lower[i] != ref_cols[j].lower(), i != j))

    def search(j: int, mapping: list[int]) -> list[int] | None:
        if j == n:
            budget[0] -= 1
            shuffled = [tuple(row[i] for i in mapping) for row in cand]
            return list(mapping) if _rows_match(ref, shuffled, ordered) else None
        for i in options(j, set(mapping)):
            if budget[0] <= 0:
                return None
            found = search(j + 1, [*mapping, i])
            if found is not None:
                return found
        return None

    return search(0, [])


def _best_effort_mapping(ref_cols: list[str], cand_cols: list[str]) -> list[int]:
    """For the diff only: columns by name where the names agree, the rest by position."""
    lower = [c.lower() for c in cand_cols]
    mapping: list[int | None] = [lower.index(c.lower()) if c.lower() in lower else None for c in ref_cols]
    rest = [i for i in range(len(cand_cols)) if i not in mapping]
    return [m if m is not None else rest.pop(0) for m in mapping]


def _fmt(row: tuple) -> str:
    return "(" + ", ".join("NULL" if v is None else repr(v) for v in row) + ")"


def _diff(ref_cols: list[str], cand_cols: list[str], ref: list[tuple], cand: list[tuple], ordered: bool) -> str:
    """What differs, in counts and in the candidate's own rows: never an expected row."""
    if len(ref_cols) != len(cand_cols):
        return (f"Your query returns {len(cand_cols)} column(s) ({', '.join(cand_cols)}); "
                f"the expected result has {len(ref_cols)}.")
    mapping = _best_effort_mapping(ref_cols, cand_cols)
    shuffled = [tuple(row[i] for i in mapping) for row in cand]
    lines = []
    if len(ref) != len(cand):
        lines.append(f"Expected {len(ref)} row(s), got {len(cand)}.")
    missing = Counter(ref) - Counter(shuffled)
    extra = Counter(shuffled) - Counter(ref)
    # No counts of matching rows: run after run they would find the expected rows by bisection.
    if extra:
        k = next(i for i, row in enumerate(shuffled) if row in extra)
        lines.append(f"Your row {k + 1} is not in the expected result: {_fmt(cand[k])}")
    elif missing:
        lines.append("Every row of yours is expected, but some expected rows are missing.")
    if not missing and not extra and ordered:
        k = next(i for i, (a, b) in enumerate(zip(ref, shuffled)) if a != b)
        lines.append(f"Same rows, wrong order: your row {k + 1}, {_fmt(cand[k])}, is not the one expected there.")
    elif not missing and not extra:
        lines.append("The values match column by column but not row by row: check how the columns pair up.")
    return "\n".join(lines)


def _gist(ref_cols: list[str], cols: list[str], ref: list[tuple], cand: list[tuple]) -> str:
    if len(ref_cols) != len(cols):
        return f"{len(cols)} column(s) where {len(ref_cols)} are expected."
    if len(ref) != len(cand):
        return f"{len(cand)} row(s) where {len(ref)} are expected."
    return f"the right number of rows ({len(ref)}) but different values or order; see the diff."


def _schema_tables(schema: str) -> list[str]:
    return sorted({m.lower() for m in re.findall(
        r"CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", schema, re.IGNORECASE)})


@functools.lru_cache(maxsize=1)
def _child_source() -> str:
    return (Path(__file__).resolve().parent / "sql_child.py").read_text(encoding="utf-8")


def run_sql(problem: SqlProblem, query: str, schemas_dir: Path, timeout_s: float = 5, row_cap: int = 10_000) -> SqlRunResult:
    """Check `query` against the problem's reference in a fresh DuckDB in a sandboxed child process.

    The child has an address-space limit and a deadline; results come back capped in rows,
    cell length and bytes, and are compared here.
    """
    start = time.monotonic()
    layers: list[str] = []

    def result(status: SqlStatus, message: str, **extra: Any) -> SqlRunResult:
        elapsed = (time.monotonic() - start) * 1000
        log.info("run_sql %s: %s in %.0f ms", problem.id, status, elapsed)
        return SqlRunResult(problem_id=problem.id, status=status, message=message, elapsed_ms=elapsed,
                            isolation=layers, **extra)

    if len(query) > QUERY_CAP:
        return result("refused", f"Refused: the query is {len(query):,} characters; the limit is {QUERY_CAP:,}.")
    try:
        sql, read = _validated(query)
    except QueryRefused as exc:
        return result("refused", f"Refused: {exc}.")
    except QueryInvalid as exc:
        return result("error", f"Your query does not parse: {exc}")
    schema = (schemas_dir / f"{problem.schema_name}.sql").read_text(encoding="utf-8")
    if read is not None and not read:
        # A result typed in by hand (VALUES, constants), however it was found, is not a query over
        # the data. An unknown table is DuckDB's to name ("Table x does not exist").
        return result("refused", f"Refused: your query reads none of the problem's tables "
                      f"({', '.join(_schema_tables(schema))}): a result typed in is not an answer.")
    job = {"schema": schema,
           "reference": problem.reference, "query": sql, "timeout_s": timeout_s, "row_cap": row_cap,
           "cell_cap": CELL_CAP, "config": CONFIG, "sys_path": list(site_paths())}
    limits = SQL_LIMITS.model_copy(update={"wall_s": max(timeout_s, 10) + timeout_s + 10})
    # A query is not code: where no sandbox can be had it still runs, in a limited child.
    outcome = run_python({"sql_child.py": _child_source()}, "sql_child.py", limits, stdin=json.dumps(job).encode(),
                         flags=("-I", "-S", "-B"), require_isolation=False)
    layers = outcome.isolation.features()
    gib = f"{SQL_LIMITS.memory_bytes / 2**30:g} GiB"
    if outcome.status == "output_limit":
        return result("error", f"Your query's result is larger than {SQL_LIMITS.output_bytes >> 20} MB, even with rows "
                      f"and values capped: select fewer or shorter columns.")
    if outcome.status == "memory":
        return result("error", f"Memory limit: your query needed more than {gib}. A join without a condition, or a "
                      "list or string function building something huge?")
    if outcome.status in ("timeout", "cpu_limit"):
        return result("timeout", f"Time limit: your query ran past {timeout_s:g} s — a join without a condition?")
    try:
        reply = json.loads(outcome.stdout)
        ref_part, cand_part = reply["reference"], reply["candidate"]
        ref_cols, ref_raw = ref_part["columns"], ref_part["rows"]
    except (json.JSONDecodeError, KeyError, TypeError):
        log.error("sql child for %s failed: %s %s", problem.id, outcome.status, outcome.stderr[-1000:])
        return result("error", "The query could not be checked: the checker failed (see the log).")
    if cand_part.get("memory"):
        return result("error", f"Memory limit: your query needed more than DuckDB's {CONFIG['memory_limit']} or {gib}.")
    if cand_part.get("timeout"):
        return result("timeout", f"Time limit: your query ran past {timeout_s:g} s — a join without a condition?")
    if "error" in cand_part:
        return result("error", str(cand_part["error"]))
    cols, raw = cand_part["columns"], cand_part["rows"]
    shown = {"columns": cols, "rows": raw[:SHOW_ROWS], "row_count": len(raw)}
    if len(raw) > row_cap:
        return result("wrong", f"Your query returned more than {row_cap:,} rows; the expected result has {len(ref_raw)}.", **shown)
    ref = [tuple(_norm(v) for v in r) for r in ref_raw]
    cand = [tuple(_norm(v) for v in r) for r in raw]
    if len(ref_cols) == len(cols) and len(ref) == len(cand) and _map_columns(ref_cols, cols, ref, cand, problem.ordered) is not None:
        return result("correct", f"Correct: {len(ref)} row(s) match the expected result.", **shown)
    diff = _diff(ref_cols, cols, ref, cand, problem.ordered)
    return result("wrong", f"Wrong result: {_gist(ref_cols, cols, ref, cand)}", diff=diff, **shown)

"""Sandboxed runner overhead: what a run costs beyond the candidate's own compute.

For a trivial coding problem (9 tests), `run_code`'s wall time minus the compute measured
inside the harness, side by side with a baseline measured in the same run: a bare
`python -c pass` subprocess spawn. Also the sandbox alone (run_python of `pass`) and one
`run_sql` attempt on a small schema. Target: runner overhead p50 <= 300 ms.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evals.statistics import percentile
from interviewer.runner import CodingProblem, SqlProblem, run_code, run_python, run_sql

HERE = Path(__file__).resolve().parent
TARGET_MS = 300.0

PROBLEM = CodingProblem(
    id="bench-add", function="add", signature="def add(a: int, b: int) -> int", args=["plain", "plain"],
    examples=[{"args": [1, 2], "expected": 3}],
    tests=[{"args": [i, i], "expected": 2 * i} for i in range(8)],
    reference="def add(a, b):\n    return a + b\n",
)
SQL = SqlProblem(id="bench-sql", schema="bench", reference="SELECT g, SUM(v) AS s FROM t GROUP BY g")
SCHEMA = "CREATE TABLE t (g VARCHAR, v INTEGER);\nINSERT INTO t VALUES ('a', 1), ('a', 2), ('b', 3), ('c', NULL);\n"


def timed(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def stats(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95), "runs": len(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "bench_runner.json")
    args = parser.parse_args()

    for _ in range(2):  # warm the page cache and the lazy imports
        run_code(PROBLEM, PROBLEM.reference)
        subprocess.run([sys.executable, "-c", "pass"], check=True)

    baseline = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.runs)
    sandbox = timed(lambda: run_python({"main.py": "pass"}, "main.py"), args.runs)
    results = [run_code(PROBLEM, PROBLEM.reference) for _ in range(args.runs)]
    if any(r.status != "passed" for r in results):
        raise SystemExit(f"the benchmark solution did not pass: {results[0].message}")
    overhead = [r.overhead_ms for r in results]
    wall = [r.wall_ms for r in results]
    compute = [r.compute_ms for r in results]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bench.sql").write_text(SCHEMA)
        sql_runs = [run_sql(SQL, "SELECT g, SUM(v) FROM t GROUP BY 1", Path(tmp)) for _ in range(args.runs)]
    if any(r.status != "correct" for r in sql_runs):
        raise SystemExit(f"the benchmark query was not correct: {sql_runs[0].message}")

    result = {
        "baseline_python_spawn": stats(baseline),
        "sandbox_only_run_python_pass": stats(sandbox),
        "run_code_overhead": stats(overhead),
        "run_code_wall": stats(wall),
        "run_code_candidate_compute": stats(compute),
        "run_sql_attempt": stats([r.elapsed_ms for r in sql_runs]),
        "isolation": results[0].isolation,
        "target_overhead_ms": TARGET_MS,
        "target_met": percentile(overhead, 50) <= TARGET_MS,
    }
    rows = [
        ("baseline: bare `python -c pass` spawn", "baseline_python_spawn"),
        ("sandbox alone: run_python of `pass`", "sandbox_only_run_python_pass"),
        ("run_code overhead (wall - candidate compute)", "run_code_overhead"),
        ("run_code wall, trivial problem, 9 tests", "run_code_wall"),
        ("run_sql attempt (fresh DuckDB, validate, compare)", "run_sql_attempt"),
    ]
    print(f"Runner overhead over {args.runs} runs (sandbox: {', '.join(result['isolation'])})\n")
    print("| what | p50 ms | p95 ms |\n|---|---|---|")
    for label, key in rows:
        print(f"| {label} | {result[key]['p50_ms']:.1f} | {result[key]['p95_ms']:.1f} |")
    verdict = "met" if result["target_met"] else "NOT met"
    print(f"\nTarget: runner overhead p50 <= {TARGET_MS:.0f} ms: {verdict}.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"JSON: {args.out}")


if __name__ == "__main__":
    main()

"""The coding runner: results, limits and refusals through the real sandbox and harness."""

from __future__ import annotations

import json
import os
import socket
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.config import Settings
from interviewer.runner import (
    CodingProblem,
    Limits,
    ProblemError,
    ProblemSet,
    check_source,
    compare,
    harness,
    load_problems,
    run_code,
)
from interviewer.runner.coding import SourceError
from interviewer.runner.problems import load_problem_file, problem_files

FAST = Limits(cpu_s=1, wall_s=4)
CORPUS = Settings.from_env(env={}).corpus_dir
CODING_FILES, _ = problem_files(CORPUS)


def make_problem(**overrides) -> CodingProblem:
    data = {
        "id": "t-add", "function": "add", "signature": "def add(a: int, b: int) -> int",
        "args": ["plain", "plain"], "returns": "plain", "compare": "exact",
        "examples": [{"args": [1, 2], "expected": 3}],
        "tests": [{"args": [i, 10 * i], "expected": 11 * i} for i in range(8)],
        "reference": "def add(a, b):\n    return a + b\n",
    }
    data.update(overrides)
    return CodingProblem(**data)


ADD = make_problem()


def solve(body: str, problem: CodingProblem = ADD, limits: Limits = FAST):
    return run_code(problem, textwrap.dedent(body), limits)


# ---- results ----------------------------------------------------------------------------------


def test_a_correct_solution_passes_with_timings():
    result = solve("def add(a, b):\n    return a + b\n")
    assert result.status == "passed", result
    assert (result.passed, result.total) == (9, 9)
    assert result.message.startswith("All 9 tests passed")
    assert result.compute_ms >= 0 and result.overhead_ms > 0
    assert abs(result.wall_ms - result.compute_ms - result.overhead_ms) < 1
    assert "audit_hook" in result.isolation and "empty_env" in result.isolation


def test_a_wrong_answer_shows_examples_but_never_hidden_data():
    result = solve("def add(a, b):\n    return a - b\n")
    assert result.status == "failed"
    assert result.passed == 1  # add(0, 0) == 0 either way
    example = result.tests[0]
    assert example.visible and not example.passed
    assert (example.input, example.expected, example.actual) == ("1, 2", "3", "-1")
    hidden = [t for t in result.tests if not t.visible]
    assert len(hidden) == 8
    assert all(t.input is None and t.expected is None and t.actual is None for t in hidden)
    assert "first failure: example 1 (wrong answer)" in result.message


def test_an_exception_shows_a_trace_of_the_candidates_code_only():
    result = solve("""
        def helper(x):
            return x / 0

        def add(a, b):
            return helper(a)
    """)
    assert result.status == "failed"
    assert all(t.error == "ZeroDivisionError" for t in result.tests if t.visible)
    assert all(t.error == "an exception" for t in result.tests if not t.visible)  # never named
    assert "solution.py" in result.trace and "line 3, in helper" in result.trace
    assert "harness" not in result.trace and "ZeroDivisionError" in result.trace
    assert all(t.message is None for t in result.tests if not t.visible)


def test_annotations_need_no_imports_and_helpers_are_available():
    result = solve("def add(a: List[int], b: Optional[int]) -> int:\n    return a + b\n")
    assert result.status == "passed"


def test_a_syntax_error_names_the_line():
    result = solve("def add(a, b):\n    x = 1\n    return a +\n")
    assert result.status == "error"
    assert "Syntax error on line 3" in result.message
    with pytest.raises(SourceError, match="line 3"):
        check_source("def add(a, b):\n    x = 1\n    return a +\n", ADD)


def test_a_missing_function_is_named():
    result = solve("def plus(a, b):\n    return a + b\n")
    assert result.status == "error"
    assert "does not define add()" in result.message and "plus" in result.message
    assert "def add(a: int, b: int) -> int" in result.message


def test_an_error_while_loading_is_reported():
    result = solve("import no_such_module_here\ndef add(a, b):\n    return a + b\n")
    assert result.status == "error"
    assert "ModuleNotFoundError" in result.message
    assert "line 1" in result.trace


def test_ending_the_process_early_is_explained():
    result = solve("import os\ndef add(a, b):\n    os._exit(0)\n")
    assert result.status == "error"
    assert "ended the Python process during example 1" in result.message


def test_candidate_prints_are_captured_and_cannot_forge_a_result():
    result = solve("""
        import os
        def add(a, b):
            print('{"kind": "done", "status": "passed", "passed": 9, "total": 9}')
            os.write(1, b'0123456789abcdef0123456789abcdef {"kind": "done", "status": "passed"}\\n')
            return 0
    """)
    assert result.status == "failed"
    assert '"kind": "done"' in result.stdout


# ---- limits -------------------------------------------------------------------------------


def test_an_infinite_loop_times_out_with_a_clear_message():
    result = solve("def add(a, b):\n    while True:\n        pass\n")
    assert result.status == "timeout"
    assert "CPU time" in result.message and "infinite loop" in result.message
    assert "during example 1" in result.message


def test_sleeping_hits_the_wall_clock():
    result = solve("import time\ndef add(a, b):\n    time.sleep(60)\n", limits=Limits(cpu_s=2, wall_s=1.5))
    assert result.status == "timeout"
    assert "wall time" in result.message


def test_an_eight_gigabyte_allocation_is_a_memory_error():
    result = solve("def add(a, b):\n    x = bytearray(8 * 1024**3)\n    return a + b\n")
    assert result.status == "memory"
    assert "Memory limit" in result.message


def test_print_flooding_hits_the_output_cap():
    result = solve("def add(a, b):\n    while True:\n        print('spam' * 100)\n")
    assert result.status == "output_limit"
    assert "Output limit" in result.message


def test_raw_fd_flooding_hits_the_process_output_cap():
    result = solve("import os\ndef add(a, b):\n    while True:\n        os.write(2, b'x' * 65536)\n",
                   limits=Limits(cpu_s=2, wall_s=4, output_bytes=300_000))
    assert result.status == "output_limit"


# ---- refusals ------------------------------------------------------------------------------


def test_a_fork_bomb_is_refused_before_any_fork():
    result = solve("import os\ndef add(a, b):\n    while True:\n        os.fork()\n")
    assert result.status == "refused"
    assert "os.fork" in result.message
    assert result.wall_ms < 3000


def test_a_fork_bomb_that_swallows_the_refusal_is_still_reported():
    result = solve("""
        import os
        def add(a, b):
            while True:
                try:
                    os.fork()
                except Exception:
                    pass
    """)
    assert result.status == "refused"
    assert any("os.fork" in r for r in result.refused)


@pytest.mark.parametrize("body, event", [
    ("import os\ndef add(a, b):\n    os.system('id')\n", "os.system"),
    ("import subprocess\ndef add(a, b):\n    subprocess.run(['id'])\n", "subprocess"),
    ("def add(a, b):\n    import ctypes\n    return ctypes.string_at(0)\n", "ctypes"),
    ("import numpy as np\nimport ctypes\ndef add(a, b):\n    return ctypes.string_at(0)\n", "ctypes.string_at"),
    ("import os\ndef add(a, b):\n    return os.posix_spawn('/bin/true', ['true'], {})\n", "os.posix_spawn"),
    ("import scipy.spatial, _posixsubprocess\ndef add(a, b):\n    _posixsubprocess.fork_exec()\n", "fork_exec"),
    ("import os\ndef add(a, b):\n    fd = os.open('/sandbox', os.O_RDONLY)\n    os.open('x', os.O_WRONLY | os.O_CREAT, dir_fd=fd)\n", "opening directories"),
    ("import sqlite3\ndef add(a, b):\n    sqlite3.connect('/tmp/interviewer-test.db')\n", "sqlite3.connect"),
])
def test_process_and_native_escapes_are_refused(body: str, event: str):
    result = solve(body)
    assert result.status == "refused", result
    assert event in result.message


def test_the_api_key_is_not_in_the_childs_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-parent-secret")
    result = solve(f"""
        import os
        def add(a, b):
            for source in (lambda: os.environ.get("OPENAI_API_KEY", "absent"),
                           lambda: open("/proc/{os.getpid()}/environ", "rb").read()):
                try:
                    print(source())
                except Exception as exc:
                    print("denied", type(exc).__name__)
            return a + b
    """)
    assert "sk-parent-secret" not in result.model_dump_json()
    assert "absent" in result.stdout and "denied" in result.stdout


def test_writing_outside_the_work_directory_is_refused(tmp_path: Path):
    target = tmp_path / "pwned.txt"
    tmp_target = Path(f"/tmp/interviewer-coding-test-{os.getpid()}")
    for path in (target, tmp_target):
        result = solve(f"def add(a, b):\n    open({str(path)!r}, 'w').write('x')\n    return a + b\n")
        assert result.status == "refused"
        assert "writing outside the work directory" in result.message
        assert not path.exists()
    assert solve("def add(a, b):\n    open('scratch.txt', 'w').write('ok')\n    return a + b\n").status == "passed"


def test_deleting_outside_the_work_directory_is_refused(tmp_path: Path):
    keep = tmp_path / "keep.txt"
    keep.write_text("x")
    result = solve(f"import os\ndef add(a, b):\n    os.remove({str(keep)!r})\n")
    assert result.status == "refused"
    assert keep.exists()


def test_a_socket_to_localhost_is_refused_and_nothing_connects():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        result = solve(f"import socket\ndef add(a, b):\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n")
        listener.settimeout(0.3)
        with pytest.raises(socket.timeout):
            listener.accept()
    assert result.status == "refused"
    assert "network access" in result.message


# ---- converters and comparisons ---------------------------------------------------------------


def test_linked_list_in_and_out():
    problem = make_problem(
        id="t-rev", function="reverse", signature="def reverse(head)", helpers=["ListNode"],
        args=["linked_list"], returns="linked_list",
        examples=[{"args": [[1, 2, 3]], "expected": [3, 2, 1]}],
        tests=[{"args": [list(range(n))], "expected": list(range(n))[::-1]} for n in range(8)],
        reference="-",
    )
    good = "def reverse(head):\n    prev = None\n    while head:\n        head.next, prev, head = prev, head, head.next\n    return prev\n"
    assert solve(good, problem).status == "passed"
    cyclic = "def reverse(head):\n    if head:\n        head.next = head\n    return head\n"
    result = solve(cyclic, problem)
    assert result.status == "failed"
    assert result.tests[0].error == "ValueError"


def test_trees_tree_ref_and_node_val():
    problem = make_problem(
        id="t-lca", function="lca", signature="def lca(root, p, q)", helpers=["TreeNode"],
        args=["tree", "tree_ref", "tree_ref"], returns="node_val",
        examples=[{"args": [[3, 5, 1, 6, 2, 0, 8, None, None, 7, 4], 5, 1], "expected": 3}],
        tests=[{"args": [[3, 5, 1, 6, 2, 0, 8, None, None, 7, 4], 7, 4], "expected": 2}] * 4
        + [{"args": [[3, 5, 1, 6, 2, 0, 8, None, None, 7, 4], 6, 4], "expected": 5}] * 4,
        reference="-",
    )
    good = textwrap.dedent("""
        def lca(root, p, q):
            if root is None or root is p or root is q:
                return root
            left, right = lca(root.left, p, q), lca(root.right, p, q)
            return root if left and right else left or right
    """)
    assert solve(good, problem).status == "passed"


def test_cycle_lists_and_integer_keyed_dicts():
    problem = make_problem(
        id="t-cyc", function="f", signature="def f(head, graph)", helpers=["ListNode"],
        args=["linked_list_cycle", "plain"],
        examples=[{"args": [{"values": [1, 2, 3], "pos": 0}, {0: [1]}], "expected": [True, [1]]}],
        tests=[{"args": [{"values": [1, 2], "pos": -1}, {5: [6]}], "expected": [False, [6]]}] * 8,
        reference="-",
    )
    good = textwrap.dedent("""
        def f(head, graph):
            slow = fast = head
            while fast and fast.next:
                slow, fast = slow.next, fast.next.next
                if slow is fast:
                    return True, next(iter(graph.values()))
            return (False, graph[min(graph)])
    """)
    assert solve(good, problem).status == "passed"


@pytest.mark.parametrize("actual, expected, mode, ok", [
    ([1, 2], [1, 2], "exact", True),
    ((1, 2), [1, 2], "exact", True),
    ([2, 1], [1, 2], "exact", False),
    ([2, 1, 2], [1, 2, 2], "unordered", True),
    ([2, 1], [1, 2, 2], "unordered", False),
    ([[2, 1], [3]], [[3], [1, 2]], "unordered_nested", True),
    ([[2, 1], [3]], [[3], [1, 1]], "unordered_nested", False),
    (0.1 + 0.2, 0.3, "float", True),
    ([1.0000001, 2.0], [1.0, 2.0], "float", True),
    (1.01, 1.0, "float", False),
    ([1, 0], [[0, 1], [1, 0]], "any_of", True),
    ([1, 1], [[0, 1], [1, 0]], "any_of", False),
])
def test_comparisons(actual, expected, mode, ok):
    # As in a run: the child's plain() and JSON on one side, the expected value's JSON on the other.
    assert compare.matches(compare.normal(harness.plain(actual)), compare.normal(expected), mode) is ok


def test_tree_round_trip():
    values = [1, 2, 3, None, 4, None, 5, 6]
    assert harness.from_tree(harness.to_tree(values)) == values
    assert harness.from_tree(harness.to_tree([])) == []


# ---- problem files ---------------------------------------------------------------------------


GOOD_YAML = textwrap.dedent("""\
    id: cod-add
    function: add
    signature: "def add(a: int, b: int) -> int"
    args: [plain, plain]
    returns: plain
    compare: exact
    examples:
      - args: [1, 2]
        expected: 3
    tests:
    {tests}
    reference: |
      def add(a, b):
          return a + b
    """)
TESTS = "\n".join(f"  - args: [{i}, {i}]\n    expected: {2 * i}" for i in range(8))


def write_corpus(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "problems" / "coding").mkdir(parents=True, exist_ok=True)
    path = tmp_path / "problems" / "coding" / name
    path.write_text(text)
    return path


def test_a_good_problem_file_loads(tmp_path: Path):
    write_corpus(tmp_path, "cod-add.yaml", GOOD_YAML.format(tests=TESTS))
    problems = load_problems(tmp_path)
    assert list(problems.coding) == ["cod-add"]
    assert run_code(problems.coding["cod-add"], problems.coding["cod-add"].reference, FAST).status == "passed"


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("args: [plain, plain]", "args: [plain, wat]"), ":4: cod-add: args.2: Input should be"),
    (lambda t: t.replace("id: cod-add", "id: cod-other"), ":1: cod-other: id: must match the file name"),
    (lambda t: t.replace("  - args: [7, 7]\n    expected: 14\n", ""), "tests: needs at least 8 items, has 7"),
    (lambda t: t.replace("  - args: [3, 3]", "  - args: [3, 3, 3]"), "cod-add: tests.4.args: has 3 arguments"),
    (lambda t: t.replace("compare: exact", "compare: fuzzy"), ":6: cod-add: compare: Input should be"),
    (lambda t: t.replace("  def add(a, b):", "  def plus(a, b):"), "reference: does not define a top-level function 'add'"),
])
def test_bad_problem_files_name_file_line_and_field(tmp_path: Path, edit, expected: str):
    path = write_corpus(tmp_path, "cod-add.yaml", edit(GOOD_YAML.format(tests=TESTS)))
    with pytest.raises(ProblemError) as info:
        load_problems(tmp_path)
    assert any(expected in m and str(path.name) in m for m in info.value.messages), info.value.messages


# ---- the command -------------------------------------------------------------------------------


@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch, home: Path):
    from interviewer.cli import run as cli_run
    from interviewer.cli.main import app

    monkeypatch.setattr(cli_run, "_problems", lambda: ProblemSet(coding={ADD.id: ADD}))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_run_code_exit_codes(cli, tmp_path: Path):
    good, bad, refused = tmp_path / "good.py", tmp_path / "bad.py", tmp_path / "refused.py"
    good.write_text("def add(a, b):\n    return a + b\n")
    bad.write_text("def add(a, b):\n    return a * b\n")
    refused.write_text("import os\ndef add(a, b):\n    os.system('id')\n")
    ok = cli("run-code", "t-add", str(good))
    assert ok.exit_code == 0, ok.output
    assert "All 9 tests passed" in ok.output
    assert cli("run-code", "t-add", str(bad)).exit_code == 1
    assert cli("run-code", "t-add", str(refused)).exit_code == 2
    assert cli("run-code", "nope", str(good)).exit_code == 2
    assert cli("run-code", "t-add", str(tmp_path / "missing.py")).exit_code == 2
    data = json.loads(cli("run-code", "t-add", str(bad), "--json").stdout)
    assert data["status"] == "failed" and data["total"] == 9


# ---- the corpus: every reference passes, every `wrong` fails -----------------------------------


@pytest.fixture(scope="module")
def corpus_runs() -> dict[str, tuple]:
    def check(path: Path) -> tuple:
        try:
            problem = load_problem_file(path)
        except ProblemError as exc:
            return exc, None, None
        good = run_code(problem, problem.reference)
        wrong = run_code(problem, problem.wrong) if problem.wrong else None
        return problem, good, wrong

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip((p.stem for p in CODING_FILES), pool.map(check, CODING_FILES)))


def test_the_corpus_ships_its_coding_problems():
    # Guards the parametrised checks below: an empty list would run none of them.
    assert len(CODING_FILES) >= 30


@pytest.mark.parametrize("problem_id", [p.stem for p in CODING_FILES])
def test_corpus_reference_passes_and_wrong_fails(corpus_runs, problem_id: str):
    problem, good, wrong = corpus_runs[problem_id]
    if isinstance(problem, ProblemError):
        pytest.fail("\n".join(problem.messages))
    assert good.status == "passed", f"{good.message}\n{good.trace or ''}"
    if wrong is not None:
        assert wrong.status == "failed", f"`wrong` should fail a test cleanly: {wrong.message}"


NAIVE = {  # correct, but asymptotically slower than the question allows
    "cod-sorted-matrix-search": "def search_matrix(matrix, target):\n    return any(target == x for row in matrix for x in row)\n",
    "cod-search-range": "def search_range(nums, target):\n    if target not in nums:\n        return (-1, -1)\n"
                        "    first = last = nums.index(target)\n    while last + 1 < len(nums) and nums[last + 1] == target:\n"
                        "        last += 1\n    return (first, last)\n",
    "cod-search-rotated-array": "def search_rotated(nums, target):\n    return nums.index(target) if target in nums else -1\n",
    "cod-review-binary-search": "def find(nums, target):\n    for i, x in enumerate(nums):\n        if x == target:\n"
                                "            return i\n    return -1\n",
}


def test_every_problem_with_a_complexity_requirement_in_its_question_has_a_scale_check():
    problems = load_problems(CORPUS)
    assert {p.id for p in problems.coding.values() if p.scale} == set(NAIVE)


@pytest.mark.parametrize("problem_id", sorted(NAIVE))
def test_the_scale_check_passes_the_required_complexity_and_fails_a_slower_one(problem_id: str):
    problem = load_problems(CORPUS).coding[problem_id]
    good = run_code(problem, problem.reference)
    assert good.status == "passed" and good.passed == good.total == len(problem.examples) + len(problem.tests) + 1
    slow = run_code(problem, NAIVE[problem_id])
    assert slow.status == "failed" and slow.passed == slow.total - 1
    assert "Every correctness test passes, but the scale check fails" in slow.message
    assert problem.scale.requirement in slow.message
    scale = slow.tests[-1]
    # Refused by its growth, or, when a noisy small-input timing hides the growth, by the large call's own time.
    assert scale.label == "scale check" and (scale.growth > problem.scale.max_growth
                                             or f"takes well under {problem.scale.max_large_ms:g} ms" in scale.message)


def test_a_wrong_answer_is_not_timed():
    problem = load_problems(CORPUS).coding["cod-review-binary-search"]
    result = run_code(problem, "def find(nums, target):\n    return 0\n")
    assert result.status == "failed" and result.tests[-1].error == "NotRun" and not result.tests[-1].passed

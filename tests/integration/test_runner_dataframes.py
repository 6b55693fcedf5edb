"""pandas and NumPy problems: the dataframe/series argument converters, the frame return
converter, the frame comparisons, their validation, and the pyd-oa-* corpus problems."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from interviewer.config import Settings
from interviewer.runner import (
    CodingProblem,
    Limits,
    ProblemError,
    compare,
    harness,
    load_problems,
    run_code,
)
from interviewer.runner.problems import problem_files

FAST = Limits(cpu_s=2, wall_s=8)
CORPUS = Settings.from_env(env={}).corpus_dir
OA_FILES = [p for p in problem_files(CORPUS)[0] if p.stem.startswith("pyd-oa-")]


def as_run(value, mode="frame"):
    """What the parent compares: the child's conversion and JSON on one side."""
    return compare.normal(harness.plain(harness.convert_return(value, mode)))


# ---- argument converters ----------------------------------------------------------------------


def test_a_dataframe_argument_keeps_column_order_and_gets_a_range_index():
    df = harness.to_frame({"b": [1, 2], "a": ["x", None]})
    assert list(df.columns) == ["b", "a"]
    assert isinstance(df.index, pd.RangeIndex) and len(df) == 2
    assert df["b"].dtype == np.int64 and pd.isna(df.loc[1, "a"])


def test_null_in_a_numeric_column_is_nan():
    df = harness.to_frame({"x": [1.5, None, 3]})
    assert df["x"].dtype == np.float64 and np.isnan(df.loc[1, "x"])


def test_dates_index_and_dtypes():
    df = harness.to_frame({
        "ts": ["2024-01-05", "2024-01-06 10:30", None], "n": [1, 2, 3], "k": [None, None, None],
        "__dates__": ["ts"], "__index__": ["r1", "r2", "r3"], "__dtypes__": {"k": "float64", "n": "int32"},
    })
    assert list(df.columns) == ["ts", "n", "k"]  # the special keys are not columns
    assert pd.api.types.is_datetime64_any_dtype(df["ts"])
    assert df.loc["r2", "ts"] == pd.Timestamp("2024-01-06 10:30") and pd.isna(df.loc["r3", "ts"])
    assert list(df.index) == ["r1", "r2", "r3"]
    assert df["n"].dtype == np.int32 and df["k"].dtype == np.float64


def test_an_empty_frame_with_dtypes():
    df = harness.to_frame({"id": [], "ts": [], "__dates__": ["ts"], "__dtypes__": {"id": "int64"}})
    assert df.empty and list(df.columns) == ["id", "ts"]
    assert df["id"].dtype == np.int64 and pd.api.types.is_datetime64_any_dtype(df["ts"])


def test_series_arguments():
    assert harness.to_series([1, 2, 3]).tolist() == [1, 2, 3]
    s = harness.to_series({"values": ["2024-01-01", None], "index": ["a", "b"], "name": "when", "dates": True})
    assert s.name == "when" and list(s.index) == ["a", "b"]
    assert s["a"] == pd.Timestamp("2024-01-01") and pd.isna(s["b"])
    assert harness.to_series({"values": [], "dtype": "float64"}).dtype == np.float64


def test_convert_args_mixes_frames_with_other_converters():
    df, s, arr, k = harness.convert_args(
        [{"a": [1]}, [4, 5], [[1, 2]], 3], ["dataframe", "series", "ndarray", "plain"])
    assert isinstance(df, pd.DataFrame) and isinstance(s, pd.Series) and arr.shape == (1, 2) and k == 3


# ---- the frame return converter ---------------------------------------------------------------


def test_a_plain_frame_drops_its_unnamed_integer_index():
    df = pd.DataFrame({"a": [3, 1, 2], "b": [0.5, None, 1.0]})
    expected = {"columns": ["a", "b"], "rows": [[3, 0.5], [1, None], [2, 1.0]]}
    assert as_run(df) == expected
    # what filtering and sorting leave of a RangeIndex is dropped too
    assert as_run(df.sort_values("a")) == {"columns": ["a", "b"], "rows": [[1, None], [2, 1.0], [3, 0.5]]}
    assert as_run(df[df["a"] > 1]) == {"columns": ["a", "b"], "rows": [[3, 0.5], [2, 1.0]]}


def test_a_groupby_result_compares_as_columns():
    df = pd.DataFrame({"g": ["x", "y", "x"], "h": [1, 1, 2], "v": [1.0, 2.0, 4.0]})
    by_one = df.groupby("g").agg(total=("v", "sum"))
    assert as_run(by_one) == {"columns": ["g", "total"], "rows": [["x", 5.0], ["y", 2.0]]}
    assert as_run(by_one) == as_run(df.groupby("g", as_index=False).agg(total=("v", "sum")))
    by_two = df.groupby(["g", "h"])["v"].sum().to_frame()
    assert as_run(by_two)["columns"] == ["g", "h", "v"]
    wide = df.pivot_table(index="g", columns="h", values="v", aggfunc="sum", fill_value=0)
    assert as_run(wide) == {"columns": ["g", 1, 2], "rows": [["x", 1.0, 4.0], ["y", 2.0, 0.0]]}


def test_an_index_that_repeats_a_column_is_not_inserted_twice():
    df = pd.DataFrame({"k": [1, 2], "v": [3, 4]}).set_index("k", drop=False)
    assert as_run(df) == {"columns": ["k", "v"], "rows": [[1, 3], [2, 4]]}


def test_series_become_index_and_values():
    s = pd.Series([2, 1], index=pd.Index(["b", "a"], name="device"), name="count")
    assert as_run(s) == {"index": ["b", "a"], "values": [2, 1]}
    multi = pd.Series([1.5], index=pd.MultiIndex.from_tuples([("x", 1)]))
    assert as_run(multi) == {"index": [["x", 1]], "values": [1.5]}


def test_scalars_missing_values_and_times():
    ts = pd.Timestamp("2024-02-29 13:05:00")
    values = [np.int64(3), np.float64(2.5), np.bool_(True), float("nan"), pd.NaT, pd.NA, None, ts,
              pd.Timedelta(minutes=90), pd.Period("2024-03", freq="M"), dt.date(2024, 1, 2),
              np.datetime64("2024-01-03T04:05"), np.datetime64("NaT"), "text"]
    assert as_run(values) == [3, 2.5, True, None, None, None, None, "2024-02-29T13:05:00", 5400.0, "2024-03",
                              "2024-01-02", "2024-01-03T04:05:00", None, "text"]
    assert type(as_run(np.int64(7))) is int and as_run(np.float64("nan")) is None


def test_arrays_and_tuples():
    assert as_run(np.array([[1.0, np.nan], [3.0, 4.0]])) == [[1.0, None], [3.0, 4.0]]
    assert as_run(np.array([2, 0, 1])) == [2, 0, 1]
    assert as_run((np.array([1, 0]), np.array([0.5, 2.0]))) == [[1, 0], [0.5, 2.0]]
    assert as_run(np.array(["2024-01-01", "NaT"], dtype="datetime64[ns]")) == ["2024-01-01T00:00:00", None]
    assert as_run(pd.Index([3, 1])) == [3, 1]


def test_frames_with_dates_and_missing_values():
    df = pd.DataFrame({"ts": pd.to_datetime(["2024-01-01", None]), "x": pd.array([1, None], dtype="Int64"),
                       "s": pd.Series(["a", None], dtype="str")})
    assert as_run(df) == {"columns": ["ts", "x", "s"], "rows": [["2024-01-01T00:00:00", 1, "a"], [None, None, None]]}


def test_other_return_converters_are_unchanged():
    assert harness.convert_return((1, 2), "plain") == (1, 2)
    assert as_run({"a": (1, 2)}, "plain") == {"a": [1, 2]}


# ---- comparisons ------------------------------------------------------------------------------

FRAME = {"columns": ["k", "v"], "rows": [["a", 1.0], ["b", None], ["c", 3]]}


@pytest.mark.parametrize("actual, expected, mode, ok", [
    (FRAME, FRAME, "frame", True),
    ({"columns": ["k", "v"], "rows": [["a", 1.0000000001], ["b", None], ["c", 3.0]]}, FRAME, "frame", True),
    ({"columns": ["k", "v"], "rows": [["a", 1.01], ["b", None], ["c", 3.0]]}, FRAME, "frame", False),
    ({"columns": ["k", "v"], "rows": [["a", 1.0], ["b", 0.0], ["c", 3.0]]}, FRAME, "frame", False),  # NaN is not 0
    ({"columns": ["v", "k"], "rows": [[1.0, "a"], [None, "b"], [3.0, "c"]]}, FRAME, "frame", False),
    ({"columns": ["k", "v"], "rows": [["c", 3.0], ["a", 1.0], ["b", None]]}, FRAME, "frame", False),
    ({"columns": ["k", "v"], "rows": [["c", 3.0], ["a", 1.0], ["b", None]]}, FRAME, "frame_unordered", True),
    ({"columns": ["k", "v"], "rows": [["c", 2.9999999999], ["a", 1], ["b", None]]}, FRAME, "frame_unordered", True),
    ({"columns": ["k", "v"], "rows": [["c", 3.0], ["a", 1.0]]}, FRAME, "frame_unordered", False),
    ({"columns": ["k", "v"], "rows": [["c", 3.0], ["a", 1.0], ["a", 1.0]]}, FRAME, "frame_unordered", False),
    ({"columns": ["k", "v"], "rows": [["c", 3.0], ["a", -0.0], ["b", None]]},
     {"columns": ["k", "v"], "rows": [["a", 0.0], ["b", None], ["c", 3]]}, "frame_unordered", True),
    ({"index": ["b", "a"], "values": [2, 1]}, {"index": ["a", "b"], "values": [1, 2]}, "frame_unordered", True),
    ({"index": ["b", "a"], "values": [1, 2]}, {"index": ["a", "b"], "values": [1, 2]}, "frame_unordered", False),
    ({"index": ["b", "a"], "values": [2, 1]}, {"index": ["a", "b"], "values": [1, 2]}, "frame", False),
    ([3.0, 1.0, None], [None, 1, 3], "frame_unordered", True),
    ([[1, 0.5], [0, 2.0]], [[1, 0.5], [0, 2.0000000001]], "frame", True),
    (True, 0, "frame", False),
    (None, 0.0, "frame", False),
    ({"a": 1.0}, {"a": 1.0, "b": 2.0}, "frame", False),
    ([10**400], [1.0], "frame", False),  # too large for a float: compared, not raised
    ({"columns": ["a"], "rows": [[10**400], [1]]}, {"columns": ["a"], "rows": [[1], [2]]}, "frame_unordered", False),
])
def test_frame_comparisons(actual, expected, mode, ok):
    assert compare.matches(compare.normal(actual), compare.normal(expected), mode) is ok


def test_the_float_mode_now_reaches_into_dicts():
    assert compare.matches({"x": 0.1 + 0.2}, {"x": 0.3}, "float")


# ---- validation of problem files -------------------------------------------------------------


def frame_problem(**overrides) -> dict:
    data = {
        "id": "t-total", "function": "total", "signature": "def total(df: pd.DataFrame) -> pd.DataFrame",
        "args": ["dataframe"], "returns": "frame", "compare": "frame",
        "examples": [{"args": [{"g": ["a", "b", "a"], "v": [1.0, 2.0, None]}],
                      "expected": {"columns": ["g", "v"], "rows": [["a", 1.0], ["b", 2.0]]}}],
        "tests": [{"args": [{"g": ["a"] * n, "v": [float(i) for i in range(n)]}],
                   "expected": {"columns": ["g", "v"], "rows": [["a", float(sum(range(n)))]]}} for n in range(1, 9)],
        "reference": "def total(df):\n    return df.groupby('g').agg(v=('v', 'sum'))\n",
    }
    data.update(overrides)
    return data


def write_problem(tmp_path: Path, data: dict) -> Path:
    folder = tmp_path / "problems" / "coding"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_good_frame_problem_loads(tmp_path: Path):
    write_problem(tmp_path, frame_problem())
    assert list(load_problems(tmp_path).coding) == ["t-total"]


@pytest.mark.parametrize("arg, message", [
    ([1, 2], "must be an object of columns"),
    ({"g": ["a", "b"], "v": [1.0]}, "different lengths"),
    ({"g": "a"}, "column 'g' must be a list"),
    ({"g": ["a"], "__dates__": ["when"]}, "__dates__ must list columns"),
    ({"g": ["a"], "__dtypes__": {"h": "int64"}}, "__dtypes__ must map columns"),
    ({"g": ["a"], "__index__": [1, 2]}, "different lengths"),
    ({"g": ["a", "b"], "v": [None, None]}, "column 'v' holds only nulls"),
])
def test_bad_frame_arguments_are_named(tmp_path: Path, arg, message: str):
    data = frame_problem()
    data["tests"][3]["args"] = [arg]
    write_problem(tmp_path, data)
    with pytest.raises(ProblemError) as info:
        load_problems(tmp_path)
    assert any("t-total: tests.4.args.1" in m and message in m for m in info.value.messages), info.value.messages


def test_typed_all_null_columns_are_fine(tmp_path: Path):
    data = frame_problem()
    data["tests"][0]["args"] = [{"g": ["a"], "v": [None], "__dtypes__": {"v": "float64"}}]
    write_problem(tmp_path, data)
    load_problems(tmp_path)


def test_frame_unordered_needs_a_frame_series_or_list(tmp_path: Path):
    data = frame_problem(compare="frame_unordered")
    data["tests"][0]["expected"] = 3
    write_problem(tmp_path, data)
    with pytest.raises(ProblemError, match="expected must be {columns, rows}"):
        load_problems(tmp_path)


# ---- through the sandbox ----------------------------------------------------------------------


def test_a_frame_problem_runs_in_the_sandbox_with_pandas_preimported():
    problem = CodingProblem(**frame_problem())
    # no import at all: the converted arguments are DataFrames and their methods work under the guard
    good = "def total(df):\n    return df.groupby('g')[['v']].sum()\n"
    result = run_code(problem, good, FAST)
    assert result.status == "passed", (result.message, result.trace)
    wrong = "def total(df):\n    return df.groupby('g')[['v']].sum().reset_index().rename(columns={'v': 'total'})\n"
    result = run_code(problem, wrong, FAST)
    assert result.status == "failed"
    assert result.tests[0].actual == compare.short({"columns": ["g", "total"], "rows": [["a", 1.0], ["b", 2.0]]})


def test_windows_resampling_and_numpy_results_run_under_the_guard():
    problem = CodingProblem(**frame_problem(
        id="t-mix", function="mix", signature="def mix(df)",
        examples=[{"args": [{"ts": ["2024-01-01", "2024-01-03", "2024-01-09"], "v": [1.0, 2.0, 4.0], "__dates__": ["ts"]}],
                   "expected": [[1.0, 1.5, 3.0], [3.0, 4.0], [1, 2, 3], ["2024-01-01T00:00:00", "2024-01-08T00:00:00"]]}],
        tests=[{"args": [{"ts": ["2024-01-01"], "v": [1.0], "__dates__": ["ts"]}],
                "expected": [[1.0], [1.0], [1], ["2024-01-01T00:00:00"]]}] * 8,
        reference="-"))
    source = textwrap.dedent("""
        import numpy as np
        import pandas as pd

        def mix(df):
            rolled = df.rolling("7D", on="ts")["v"].mean().to_numpy()
            weekly = df.set_index("ts")["v"].resample("W-MON", closed="left", label="left").sum()
            ranks = df["v"].rank(method="dense").astype(int).to_numpy()
            return rolled, weekly.to_numpy(), ranks, list(weekly.index)
    """)
    result = run_code(problem, source, FAST)
    assert result.status == "passed", (result.message, result.trace, [t.actual for t in result.tests[:1]])


# ---- the pyd-oa corpus problems ---------------------------------------------------------------
# Every problem file's reference passing and its `wrong` failing is checked for the whole corpus,
# these included, by test_corpus_reference_passes_and_wrong_fails in test_runner_coding.py.


def test_the_online_assessment_ships_its_pandas_and_numpy_problems():
    assert len(OA_FILES) >= 16
    problems = load_problems(CORPUS).coding
    questions = {q["id"]: q for q in yaml.safe_load((CORPUS / "questions" / "python_data.yaml").read_text())["questions"]}
    for path in OA_FILES:
        problem = problems[path.stem]
        assert problem.wrong, path.stem
        assert len(problem.tests) >= 8, path.stem
        assert problem.returns == "frame" and problem.compare in ("frame", "frame_unordered", "exact"), path.stem
        question = questions[path.stem]
        assert question["round"] == "python_data" and "oa.python_stack" in question["seed_tags"], path.stem
        assert "DS" in question["roles"], path.stem

"""`interviewer chat`, `sessions`, `report` and `score` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.cli.main import app
from tests.conftest import REPO

runner = CliRunner()


def test_scripted_chat_runs_to_the_report_and_resume_continues(indexed_home):
    script = "\n".join([
        "Can I assume the data is tabular?",
        "Bias is error from wrong assumptions; variance is sensitivity to the sample. I would use cross-validation to pick complexity.",
        "",
    ]) + "\n"
    first = runner.invoke(app, ["chat", "--plan", "ml-breadth", "--seed", "11", "--user", "t1"], input=script)
    assert first.exit_code == 0, first.stderr
    assert "Offline mode" in first.stdout
    assert "Input ended. Saved; continue with: interviewer chat --resume" in first.stdout
    session_id = first.stdout.split("--resume ")[-1].split()[0]

    listed = json.loads(runner.invoke(app, ["sessions", "--json"]).stdout)
    row = next(s for s in listed if s["id"] == session_id)
    assert row["status"] == "active" and row["turns"] == 7  # opening + 3 answers + 3 replies

    second = runner.invoke(app, ["chat", "--resume", session_id], input="/end\n")
    assert second.exit_code == 0, second.stderr
    assert "Interview over" in second.stdout and f"{session_id}.html" in second.stdout
    html = Path(indexed_home / "reports" / f"{session_id}.html").read_text()
    assert html.startswith("<!doctype html>") and "<svg" in html and "Recommendation" in html

    again = runner.invoke(app, ["chat", "--resume", session_id])
    assert again.exit_code == 0 and "already ended" in again.stderr


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_report_command_regenerates_every_format(indexed_home, tmp_path, fmt):
    done = runner.invoke(app, ["chat", "--plan", "behavioral", "--seed", "2", "--user", "t2"], input="skip\n/end\n")
    session_id = done.stdout.split("reports/")[-1].split(".")[0]
    target = tmp_path / f"r.{fmt}"
    result = runner.invoke(app, ["report", session_id, "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    text = target.read_text()
    if fmt == "json":
        data = json.loads(text)
        assert data["session_id"] == session_id and data["recommendation"]
    else:
        assert "Recommendation" in text


def test_report_and_chat_bad_input(indexed_home):
    assert runner.invoke(app, ["report", "nope"]).exit_code == 2
    bad = runner.invoke(app, ["report", "nope", "--format", "pdf"])
    assert bad.exit_code == 2 and "--format 'pdf'" in bad.stderr
    bad = runner.invoke(app, ["chat", "--plan", "lunch"])
    assert bad.exit_code == 2 and "--plan 'lunch' is not one of" in bad.stderr
    bad = runner.invoke(app, ["chat", "--resume", "nope"])
    assert bad.exit_code == 2 and "no session with id" in bad.stderr


def test_score_json_with_and_without_reference(indexed_home, corpus):
    q = next(q for q in corpus.questions if "ml.l1_l2" in q.seed_tags)
    answer = ("L1 penalises the absolute values of the weights, so many weights become exactly zero and it acts "
              "as feature selection. L2 penalises squared weights and shrinks them smoothly without zeroing them, "
              "which is better when features are correlated. I would tune the strength with cross-validation.")
    result = runner.invoke(app, ["score", "--question", q.question, "--answer", answer, "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"overall", "criteria", "matched_question_id", "flags"}
    assert data["matched_question_id"] == q.id and 1.0 <= data["overall"] <= 4.0
    for c in data["criteria"]:
        assert set(c) == {"name", "score", "rationale", "evidence"}
        assert all(quote in answer for quote in c["evidence"])

    ref = runner.invoke(app, ["score", "--question", "Why is the sky blue?", "--reference",
                              "Shorter wavelengths scatter more. Blue light is scattered across the sky by air molecules.",
                              "--answer", "Blue light has a short wavelength so air molecules scatter it much more than red light.", "--json"])
    data = json.loads(ref.stdout)
    assert data["matched_question_id"] is None and data["overall"] >= 2.0


def test_score_batch_and_errors(indexed_home, tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join([
        json.dumps({"question": "What is overfitting?", "answer": "It is when a model memorises noise in the training data and fails to generalise to new data."}),
        "not json",
        json.dumps({"question": "Q", "reference": "Plants need light to make food.", "answer": "They need light to make their food."}),
    ]))
    result = runner.invoke(app, ["score", "--batch", str(batch)])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(l) for l in result.stdout.splitlines()]
    assert "overall" in lines[0] and "line 2" in lines[1]["error"] and "overall" in lines[2]
    assert runner.invoke(app, ["score", "--answer", "x"]).exit_code == 2
    assert runner.invoke(app, ["score", "--question", "q", "--answer", "a", "--answer-file", "f"]).exit_code == 2


def test_chat_over_a_pipe_as_a_real_process(indexed_home):
    exe = Path(sys.executable).parent / "interviewer"
    proc = subprocess.run([str(exe), "chat", "--plan", "behavioral", "--seed", "5"], input="skip\nskip\n/end\n",
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Interview over" in proc.stdout and ".md" in proc.stdout


def test_run_in_the_terminal_chat_runs_the_file_against_the_hidden_tests(indexed_home, tmp_path):
    import yaml

    problem = yaml.safe_load((REPO / "corpus" / "problems" / "coding" / "cod-two-sum.yaml").read_text())
    solution = tmp_path / "two_sum.py"
    solution.write_text(problem["reference"], encoding="utf-8")
    script = f"/run {solution}\n/run {tmp_path / 'missing.py'}\n/end\n"
    seed = seed_opening_with("cod-two-sum", "coding")
    result = runner.invoke(app, ["chat", "--plan", "coding", "--seed", str(seed), "--user", "runner"], input=script)
    assert result.exit_code == 0, result.stderr
    assert "Run: passed: All 15 tests passed" in result.stdout
    assert "time and space complexity" in result.stdout
    # Square brackets in questions and code are text, not console markup.
    assert "nums[i] + nums[j] == target" in " ".join(result.stdout.split())
    assert "missing.py is not a file" in " ".join(result.stderr.split())


def seed_opening_with(item_id: str, plan_id: str) -> int:
    """A seed whose interview opens with this question (a chosen seed always asks the same ones)."""
    from interviewer.config import Settings
    from interviewer.corpus.loading import load_with_extras
    from interviewer.interview.plans import build_plan
    from interviewer.interview.policy import Policy
    from interviewer.interview.state import InterviewState
    from interviewer.runner import load_problems

    settings = Settings.from_env(env={})
    problems = load_problems(settings.corpus_dir)
    policy = Policy(load_with_extras(settings.corpus_dir, []), lambda: {*problems.coding, *problems.sql})
    for seed in range(500):
        if policy.start(InterviewState(plan=build_plan(plan_id, "RS"), seed=seed), 0.0).item_id == item_id:
            return seed
    raise AssertionError(f"no seed opens {plan_id} with {item_id}")

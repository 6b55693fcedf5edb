"""The `interviewer` command, in-process (CliRunner) and once as the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.cli.main import app
from tests.unit.test_corpus_validation import GOOD_QUESTION, write

runner = CliRunner()


def test_console_script_is_installed_and_validates():
    exe = Path(sys.executable).parent / "interviewer"
    assert exe.exists() or shutil.which("interviewer"), "console script `interviewer` missing"
    out = subprocess.run([str(exe), "corpus", "validate"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "questions" in out.stdout


def test_stats_json(home, corpus):
    result = runner.invoke(app, ["corpus", "stats", "--json"])
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["by_kind"]["questions"] == len(corpus.questions)
    assert stats["by_kind"]["leadership_principles"] == 16
    assert sum(stats["by_round"].values()) == len(corpus.questions)
    assert set(stats["by_difficulty"]) == {"1", "2", "3"}
    assert "Dive Deep" in stats["by_lp"]


def test_stats_table(home):
    result = runner.invoke(app, ["corpus", "stats"])
    assert result.exit_code == 0 and "By round" in result.stdout and "ml_breadth" in result.stdout


def test_search_json_shape_and_filters(indexed_home, corpus):
    result = runner.invoke(app, ["search", "find the second largest pay", "--round", "sql", "--role", "DS", "-k", "3", "--json"])
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    for hit in hits:
        assert set(hit) == {"id", "kind", "round", "text", "topics", "score"}
        assert hit["round"] == "sql" and hit["kind"] == "question"
    assert hits[0]["id"] in {q.id for q in corpus.questions if "theme.second_highest_salary" in q.seed_tags}


def test_search_batch_prints_one_line_per_query(indexed_home, tmp_path):
    queries = tmp_path / "q.txt"
    queries.write_text("bias and variance\n\nhow attention works in transformers\nwindow functions\n")
    result = runner.invoke(app, ["search", "--batch", str(queries), "-k", "2"])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(l) for l in result.stdout.splitlines()]
    assert [l["line"] for l in lines] == [1, 3, 4]
    assert all(len(l["results"]) == 2 for l in lines)


def test_search_in_lps_and_all(indexed_home):
    result = runner.invoke(app, ["search", "disagreed with my manager", "--in", "lps", "-k", "3", "--json"])
    assert result.exit_code == 0
    assert {h["kind"] for h in json.loads(result.stdout)} <= {"lp", "lp_probe"}
    result = runner.invoke(app, ["search", "overfit model story", "--in", "all", "-k", "6", "--json"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "x", "--round", "poetry"], "--round 'poetry' is not a round"),
        (["search", "x", "--role", "PM"], "--role 'PM' must be RS or DS"),
        (["search", "x", "--lp", "Dive Deeper"], "--lp 'Dive Deeper' is not a Leadership Principle"),
        (["search", "x", "--in", "books"], "--in 'books' must be"),
        (["search", "x", "--ranker", "magic"], "--ranker 'magic' must be one of"),
        (["search", "   "], "the search query is empty"),
        (["search"], "Give either a QUERY or --batch FILE"),
        (["search", "--batch", "/no/such/file"], "no such file"),
    ],
)
def test_search_bad_input_is_a_clear_error(indexed_home, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_user_corpus_from_option_and_environment(indexed_home, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    write(mine, "q.yaml", "questions:\n" + GOOD_QUESTION)
    result = runner.invoke(app, ["--corpus", str(mine), "search", "what does dropout do at inference", "-k", "3", "--json"])
    assert result.exit_code == 0, result.stderr
    assert "mlb-user-dropout-basics" in [h["id"] for h in json.loads(result.stdout)]

    monkeypatch.setenv("INTERVIEWER_CORPUS_PATH", str(mine))
    result = runner.invoke(app, ["corpus", "validate"])
    assert result.exit_code == 0
    base = runner.invoke(app, ["corpus", "stats", "--json"])
    assert "mlb-user-dropout-basics" not in base.stdout  # stats are counts, not ids
    assert json.loads(base.stdout)["by_round"]["ml_breadth"] >= 41


def test_index_then_reuse(home):
    first = runner.invoke(app, ["index"])
    assert first.exit_code == 0 and first.stdout.startswith("Built")
    second = runner.invoke(app, ["index"])
    assert second.exit_code == 0 and second.stdout.startswith("Up to date, reused")
    assert (home / "chroma").is_dir()

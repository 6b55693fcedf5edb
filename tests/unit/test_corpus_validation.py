"""Malformed corpus files: one clear line per problem naming file, line, item id and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewer.cli.main import app
from interviewer.corpus.loading import CorpusError, load_corpus

GOOD_QUESTION = """\
  - id: mlb-user-dropout-basics
    round: ml_breadth
    topics: [dropout]
    difficulty: 1
    roles: [RS]
    question: What does dropout do during training and at inference?
    key_points:
      - Dropout zeroes random activations during training.
      - It acts as a regulariser by preventing co-adaptation.
      - At inference all units are kept and activations are scaled.
    common_mistakes:
      - Applying dropout at inference.
    follow_ups:
      - {gap: scaling, key_point: 3, text: "Why is scaling needed?"}
      - {gap: regularisation, key_point: 2, text: "How is it like an ensemble?"}
    pivot:
      lps: [Dive Deep]
      question: Tell me about a time a regulariser did not help.
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def problems_for(folder: Path) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus([folder])
    return [str(p) for p in info.value.problems]


def test_a_good_user_file_loads(tmp_path):
    write(tmp_path, "mine.yaml", "questions:\n" + GOOD_QUESTION)
    corpus = load_corpus([tmp_path])
    assert [q.id for q in corpus.questions] == ["mlb-user-dropout-basics"]


def test_bad_yaml_names_file_and_line(tmp_path):
    path = write(tmp_path, "broken.yaml", "questions:\n  - id: x\n    topics: [a, b\n    round: sql\n")
    (line,) = problems_for(tmp_path)
    assert str(path.name) in line and "invalid YAML" in line
    assert ":4:" in line or ":3:" in line


def test_missing_field_names_item_and_field(tmp_path):
    text = "questions:\n" + GOOD_QUESTION.replace("    difficulty: 1\n", "")
    write(tmp_path, "q.yaml", text)
    (line,) = problems_for(tmp_path)
    assert "q.yaml:2: mlb-user-dropout-basics: difficulty: missing required field" in line


def test_empty_text_is_reported(tmp_path):
    text = "questions:\n" + GOOD_QUESTION.replace(
        "question: What does dropout do during training and at inference?", 'question: "   "'
    )
    write(tmp_path, "q.yaml", text)
    (line,) = problems_for(tmp_path)
    assert "mlb-user-dropout-basics: question: empty text" in line
    assert "q.yaml:7:" in line


def test_unknown_lp_is_reported(tmp_path):
    write(tmp_path, "q.yaml", "questions:\n" + GOOD_QUESTION.replace("[Dive Deep]", "[Dive Deeper]"))
    (line,) = problems_for(tmp_path)
    assert "pivot.lps.1" in line and "unknown Leadership Principle 'Dive Deeper'" in line


def test_unquoted_comma_lp_gets_a_hint(tmp_path):
    write(tmp_path, "q.yaml", "questions:\n" + GOOD_QUESTION.replace("[Dive Deep]", "[Are Right, A Lot]"))
    lines = problems_for(tmp_path)
    assert any('quote names that contain a comma' in line for line in lines)


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, "a.yaml", "questions:\n" + GOOD_QUESTION)
    write(tmp_path, "b.yaml", "questions:\n" + GOOD_QUESTION)
    (line,) = problems_for(tmp_path)
    assert "b.yaml" in line and "mlb-user-dropout-basics: id: duplicate id, already defined in" in line


def test_too_few_key_points_and_bad_difficulty_are_both_reported(tmp_path):
    text = "questions:\n" + GOOD_QUESTION.replace("difficulty: 1", "difficulty: 7").replace(
        "      - At inference all units are kept and activations are scaled.\n", ""
    )
    write(tmp_path, "q.yaml", text)
    lines = problems_for(tmp_path)
    assert any("difficulty: Input should be less than or equal to 3" in l for l in lines)
    assert any("key_points: needs at least 3 items, has 2" in l for l in lines)
    # key_point 3 of the follow-up now points past the end of the list.
    assert len(lines) >= 2


def test_id_prefix_must_match_round(tmp_path):
    write(tmp_path, "q.yaml", "questions:\n" + GOOD_QUESTION.replace("round: ml_breadth", "round: sql"))
    (line,) = problems_for(tmp_path)
    assert "must start with 'sql'-" in line


def test_not_a_corpus_file(tmp_path):
    write(tmp_path, "notes.yaml", "hello: world\n")
    (line,) = problems_for(tmp_path)
    assert "notes.yaml:1" in line and "not a corpus file" in line


def test_report_without_front_matter(tmp_path):
    write(tmp_path, "story.md", "Just a story.\n")
    (line,) = problems_for(tmp_path)
    assert "story.md:1" in line and "front matter" in line


# ---- through the command line ------------------------------------------------------------


def test_validate_command_exits_2_with_one_line_per_problem(tmp_path, home):
    write(tmp_path, "q.yaml", "questions:\n" + GOOD_QUESTION.replace("    difficulty: 1\n", "").replace("[Dive Deep]", "[Dive Deeper]"))
    result = CliRunner().invoke(app, ["corpus", "validate", str(tmp_path)])
    assert result.exit_code == 2
    lines = [l for l in result.stderr.splitlines() if "q.yaml" in l]
    assert len(lines) == 2
    assert any("difficulty: missing required field" in l for l in lines)
    assert any("unknown Leadership Principle" in l for l in lines)


def test_validate_command_catches_clash_with_builtin_ids(tmp_path, home, corpus):
    taken = next(q.id for q in corpus.questions if q.round.value == "ml_breadth")
    write(tmp_path, "q.yaml", "questions:\n" + GOOD_QUESTION.replace("mlb-user-dropout-basics", taken))
    result = CliRunner().invoke(app, ["corpus", "validate", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{taken}: id: duplicate id" in result.stderr


def test_builtin_corpus_validates(home):
    result = CliRunner().invoke(app, ["corpus", "validate"])
    assert result.exit_code == 0, result.stderr
    assert "OK" in result.stdout


def test_index_refuses_a_bad_user_corpus_and_indexes_nothing(tmp_path, home):
    bad = tmp_path / "mine"
    write(bad, "q.yaml", "questions:\n" + GOOD_QUESTION.replace("    difficulty: 1\n", ""))
    result = CliRunner().invoke(app, ["--corpus", str(bad), "index"])
    assert result.exit_code == 2
    assert "difficulty: missing required field" in result.stderr
    assert not (home / "chroma").exists()

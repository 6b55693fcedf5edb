"""Contrast data: the shipped files are complete, and mistakes in them get precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.corpus.contrast import load_contrast
from interviewer.corpus.loading import CorpusError


@pytest.fixture(scope="module")
def corpus_dir() -> Path:
    return Settings.from_env(env={}).corpus_dir


def test_shipped_contrast_data_is_complete(corpus, corpus_dir):
    data = load_contrast(corpus_dir, corpus, complete=True)
    technical = sum(len(q.key_points) for q in corpus.questions)
    assert len(data.key_points) == technical
    assert all(len(i.states) >= 4 and len(i.contradicts) >= 3 and len(i.near_misses) >= 2 for i in data.key_points)
    assert len(data.lp_items) == 16
    assert len(data.star) >= 600 and {s.part for s in data.star} == {"situation", "task", "action", "result", "learning"}
    assert data.pair_count() >= 10_000


def _copy_corpus(corpus_dir: Path, tmp_path: Path) -> Path:
    """The real corpus with an empty contrast folder, to write broken contrast files into."""
    import shutil

    dest = tmp_path / "corpus"
    shutil.copytree(corpus_dir, dest, ignore=shutil.ignore_patterns("contrast"))
    (dest / "contrast" / "questions").mkdir(parents=True)
    (dest / "contrast" / "lps").mkdir(parents=True)
    return dest


GOOD_ITEM = """  - question: mlb-l1-vs-l2
    key_point: {kp}
    point: "{point}"
    states: ["L1 zeroes out many weights outright.", "Lasso gives you a sparse model.", "With L1 lots of coefficients become exactly zero.", "L1 does feature selection by itself."]
    contradicts: ["L2 is the one that zeroes weights out.", "L1 never produces exact zeros.", "Ridge does the feature selection."]
    near_misses: {near}
"""


def test_errors_name_file_line_item_and_field(corpus, corpus_dir, tmp_path):
    root = _copy_corpus(corpus_dir, tmp_path)
    point = corpus.question("mlb-l1-vs-l2").key_points[1]
    text = "source: ml_breadth\nitems:\n"
    text += GOOD_ITEM.format(kp=2, point=point, near='["Both penalties are added to the loss during training."]')  # one near-miss: too few
    text += GOOD_ITEM.format(kp=2, point="An old wording of the point.", near='["Both add a penalty.", "Pick lambda by CV."]')
    text += GOOD_ITEM.format(kp=42, point=point, near='["Both add a penalty.", "Pick lambda by CV."]')
    text += GOOD_ITEM.replace("mlb-l1-vs-l2", "mlb-no-such-question").format(kp=1, point=point, near='["a b c d e f g h i j k l", "m n o p q r s t u v w"]')
    (root / "contrast" / "questions" / "ml_breadth.yaml").write_text(text)
    with pytest.raises(CorpusError) as err:
        load_contrast(root, corpus, complete=True)
    lines = [str(p) for p in err.value.problems]
    joined = "\n".join(lines)
    assert "ml_breadth.yaml:8: mlb-l1-vs-l2#2: items.1.near_misses: " in joined  # line, item and field of the short list
    assert "mlb-l1-vs-l2#2: point: out of date" in joined
    assert "mlb-l1-vs-l2#42: key_point: the question has" in joined
    assert "mlb-no-such-question: question: no question with this id" in joined


def test_completeness_lists_every_missing_key_point(corpus, corpus_dir, tmp_path):
    root = _copy_corpus(corpus_dir, tmp_path)
    with pytest.raises(CorpusError) as err:
        load_contrast(root, corpus, complete=True)
    missing = [p for p in err.value.problems if "expected exactly one contrast item" in p.message]
    assert len(missing) == sum(len(q.key_points) for q in corpus.questions)
    assert any("no contrast file for this Leadership Principle" in p.message for p in err.value.problems)


def test_validate_command_checks_contrast(home, tmp_path):
    from typer.testing import CliRunner

    from interviewer.cli.main import app

    result = CliRunner().invoke(app, ["corpus", "validate"])
    assert result.exit_code == 0, result.output
    assert "labelled contrast sentences" in result.output


ANSWERS = """source: answers
answers:
  - question: mlb-l1-vs-l2
    voice: strong
    sentences:
      - text: "L1 zeroes a lot of weights outright, so you get feature selection for free."
        states: [2]
      - text: "In my last team we used it on a model with ten thousand sparse features."
      - text: "Ridge keeps every feature but shrinks them smoothly."
        states: [3]
  - question: mlb-l1-vs-l2
    voice: confidently_wrong
    sentences:
      - text: "L2 is what sets weights to exactly zero."
        contradicts: [2]
        states: [2]
      - text: "Both add a penalty to the loss."
        states: [42]
  - question: mlb-no-such-question
    voice: partial
    sentences:
      - text: "It depends on the data."
      - text: "Regularisation matters a lot."
  - question: mlb-l1-vs-l2
    voice: brilliant
    sentences:
      - text: "One."
      - text: "Two."
"""


def test_labelled_answer_errors_name_file_line_answer_and_field(corpus, corpus_dir, tmp_path):
    root = _copy_corpus(corpus_dir, tmp_path)
    (root / "contrast" / "answers").mkdir()
    (root / "contrast" / "answers" / "batch.yaml").write_text(ANSWERS)
    with pytest.raises(CorpusError) as err:
        load_contrast(root, corpus, complete=True)
    joined = "\n".join(str(p) for p in err.value.problems)
    assert "batch.yaml:14: mlb-l1-vs-l2/confidently_wrong: answers.2.sentences.1: " in joined
    assert "both stated and contradicted" in joined
    assert "mlb-no-such-question/partial: question: no technical question with this id" in joined
    assert "mlb-l1-vs-l2/brilliant: answers.4.voice:" in joined


def test_labelled_answers_become_pairs_shortlisted_like_the_judge(corpus, corpus_dir, tmp_path):
    import numpy as np

    from evals.judge_data import CONTRADICTS, SILENT, STATES, answer_pairs
    from interviewer.corpus.contrast import AnswersFile, ContrastData

    good = AnswersFile.model_validate({"source": "t", "answers": [{"question": "mlb-l1-vs-l2", "voice": "strong", "sentences": [
        {"text": "L1 zeroes many weights outright.", "states": [2]},
        {"text": "We used it at work once.", "contradicts": []},
        {"text": "Ridge sets weights to exactly zero.", "contradicts": [3]},
        {"text": "It depends on the data."}]}]})
    data = ContrastData(answers=good.answers)
    points = corpus.question("mlb-l1-vs-l2").key_points
    every = answer_pairs(data, corpus, exclude=set())
    assert len(every) == 4 * len(points)  # no similarity: every sentence against every point
    labels = {(p.item, p.sentence): p.label for p in every}
    assert labels[(points[1], "L1 zeroes many weights outright.")] == STATES
    assert labels[(points[2], "Ridge sets weights to exactly zero.")] == CONTRADICTS
    assert labels[(points[0], "L1 zeroes many weights outright.")] == SILENT

    # Silent pairs only among the sentences the judge would read for each point (its
    # ANSWER_SHORTLIST best-ranked, judge/shortlist.py); the farthest sentence is never one.
    from evals.judge_data import ANSWER_SHORTLIST
    from interviewer.judge.shortlist import ranking_scores

    def sims(pts: list[str], texts: list[str]) -> np.ndarray:
        return np.tile(np.array([0.9, 0.8, 0.7, 0.1]), (len(pts), 1))

    texts = [s.text for s in good.answers[0].sentences]
    ranks = ranking_scores(sims(points, texts), points, texts)
    short = answer_pairs(data, corpus, exclude=set(), similarity=sims)
    assert not any(p.sentence == "It depends on the data." for p in short)
    for p in short:
        i, j = points.index(p.item), texts.index(p.sentence)
        assert p.label != SILENT or j in np.argsort(-ranks[i])[:ANSWER_SHORTLIST]
    assert len(short) < len(every)
    assert answer_pairs(data, corpus, exclude={"mlb-l1-vs-l2"}) == []

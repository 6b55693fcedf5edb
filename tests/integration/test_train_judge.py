"""`make train-judge` keeps working: a smoke run of the real training script on a few pairs
writes weights that the judge's loader accepts, a STAR classifier and a card."""

from __future__ import annotations

import json
import subprocess
import sys

from interviewer.judge.pairs import CARD_FILE, WEIGHTS_FILE, PairClassifier
from interviewer.judge.star import STAR_FILE
from tests.conftest import REPO


def test_training_script_writes_loadable_weights(tmp_path):
    out = tmp_path / "weights"
    run = subprocess.run([sys.executable, "-m", "evals.train_judge", "--limit", "48", "--epochs", "1", "--skip-baseline",
                          "--skip-eval", "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (out / WEIGHTS_FILE).stat().st_size < 30 * 1024 * 1024
    card = json.loads((out / CARD_FILE).read_text())
    assert card["seed"] == 13 and card["data"]["train_pairs"] == 48 and card["history"][0]["epoch"] == 1
    assert card["star_classifier"]["held_out"] > 50 and (out / STAR_FILE).exists()
    verdicts = PairClassifier(out).predict([("L1 gives sparse weights.", "Lasso zeroes many weights.")])
    v = verdicts[0]
    assert abs(v.states + v.contradicts + v.silent - 1.0) < 1e-4


def test_eval_only_without_weights_says_what_is_missing(tmp_path):
    done = subprocess.run([sys.executable, "-m", "evals.train_judge", "--eval-only", "--out", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 2
    assert f"{tmp_path} has no {WEIGHTS_FILE} and {CARD_FILE}" in done.stderr

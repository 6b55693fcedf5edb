"""An installed wheel carries prompts/ and corpus/ (as interviewer/data/), and the judge's trained weights."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_carries_corpus_and_prompts(tmp_path):
    # No build isolation: hatchling comes from the test extras, so nothing is downloaded.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("interviewer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "interviewer/data/corpus/seed_checklist.yaml" in names
    assert "interviewer/data/corpus/rubrics/competencies.yaml" in names
    assert any(n.startswith("interviewer/data/corpus/lps/") for n in names)
    assert any(n.startswith("interviewer/data/corpus/questions/") for n in names)
    assert any(n.startswith("interviewer/data/corpus/reports/") for n in names)
    assert "interviewer/data/prompts/README.md" in names
    assert "interviewer/cli/main.py" in names
    # The judge's trained model and fitted score map ship inside the package: nothing trains at run time.
    for weights in ("pair_classifier.safetensors", "pair_classifier.json", "star_classifier.npz", "score_map.json",
                    "lp_classifier.npz"):
        assert f"interviewer/judge/weights/{weights}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "interviewer = interviewer.cli.main:run" in zipfile.ZipFile(wheel).read(entry_points).decode()

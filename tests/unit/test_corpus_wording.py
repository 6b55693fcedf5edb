"""The corpus is in the project's own words: no run of words carried over from the seed documents."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SHARED

RUN = 8  # words in a row; shorter runs are topic names and stock phrases
# The interviewer's stock opener is not anyone's sentence.
STOCK = {tuple("tell me about a time you had to".split())}


def word_runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_word_runs_literal():
    assert word_runs("one two three four five six seven eight nine") == {
        ("one", "two", "three", "four", "five", "six", "seven", "eight"),
        ("two", "three", "four", "five", "six", "seven", "eight", "nine"),
    }
    assert word_runs("too short") == set()


def test_no_sentence_from_the_seeds_is_in_the_corpus(corpus):
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("shared/seeds is not beside this checkout")
    seed_runs: set[tuple[str, ...]] = set()
    for seed in seeds:
        seed_runs |= word_runs(seed.read_text(encoding="utf-8"))
    offenders = []
    for item in [*corpus.questions, *corpus.lps, *corpus.competencies, *corpus.reports]:
        shared = (word_runs(item.model_dump_json()) & seed_runs) - STOCK
        if shared:
            offenders.append((item.id, " ".join(sorted(shared)[0])))
    assert not offenders, f"wording carried over from the seeds: {offenders[:10]}"

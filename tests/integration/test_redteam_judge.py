"""Red team against the real offline judge: every variant of tests/redteam.py (instructions to
the grader in ten languages and five encodings, hidden with invisible or look-alike characters,
role markers, fake JSON, a closed answer tag, padding with reasoning words, the answer said
twice) applied to real graded answers, strong and weak, technical and behavioural. None may
score above the same answer without it, overall or on any criterion.

Measured when these were written (6 answers, 33 variants): before the guards in judge/guard.py,
13 variants raised the overall score on at least one answer (24 of the 198 pairs of variant and
answer) and 19 raised a criterion (36 pairs); after, none.
"""

from __future__ import annotations

import pytest

from evals.fit_scores import rubric_of
from evals.judge_data import load_graded
from interviewer.judge.offline import OfflineJudge
from tests.redteam import ANSWER_IDS, NOT_FLAGGED, VARIANTS


@pytest.fixture(scope="module")
def judge(embedder):
    return OfflineJudge(embedder)


@pytest.fixture(scope="module")
def graded():
    return {a["id"]: a for a in load_graded()}


@pytest.fixture(scope="module")
def clean_scores(judge, corpus, graded):
    return {aid: judge.score(rubric_of(graded[aid], corpus), graded[aid]["answer"]) for aid in ANSWER_IDS}


def test_there_are_enough_variants_and_answers():
    assert len(set(VARIANTS) - NOT_FLAGGED) >= 20 and len(ANSWER_IDS) >= 4


@pytest.mark.parametrize("aid", ANSWER_IDS)
def test_no_variant_raises_a_score(judge, corpus, graded, clean_scores, aid):
    answer, clean = graded[aid]["answer"], clean_scores[aid]
    limit = {c.name: c.score for c in clean.criteria}
    raised = []
    for name, variant in VARIANTS.items():
        s = judge.score(rubric_of(graded[aid], corpus), variant(answer))
        if s.overall > clean.overall + 1e-9:
            raised.append(f"{name}: {clean.overall} -> {s.overall}")
        raised += [f"{name}: {c.name} {limit[c.name]} -> {c.score}" for c in s.criteria
                   if c.score is not None and limit.get(c.name) is not None and c.score > limit[c.name]]
        if name in NOT_FLAGGED:
            assert "injection_attempt" not in s.flags, name  # not counted, and not an accusation
        else:
            # Found, ignored and recorded: the report explains the flag (report/render.py FLAG_TEXT).
            assert "injection_attempt" in s.flags, name
            assert s.overall <= max(1.0, clean.overall - 1.0) + 1e-9, name
            assert not any("rubric" in q.lower() or "marks" in q.lower() for c in s.criteria for q in c.evidence), name
    assert raised == []


def test_padding_and_repetition_change_nothing(judge, corpus, graded, clean_scores):
    for aid in ANSWER_IDS:
        for name in ("padding_words", "padding_sentences", "repeated_answer"):
            s = judge.score(rubric_of(graded[aid], corpus), VARIANTS[name](graded[aid]["answer"]))
            assert s.overall == clean_scores[aid].overall, (aid, name)

"""The built-in corpus meets the minimums the product promises."""

from __future__ import annotations

from collections import Counter

import numpy as np

from interviewer.corpus.loading import CORE_COMPETENCIES
from interviewer.schemas import LEADERSHIP_PRINCIPLES, Round

MINIMUM_PER_ROUND = {
    Round.ML_BREADTH: 40,
    Round.ML_DEPTH: 30,
    Round.STATS: 20,
    Round.CAUSAL: 10,
    Round.SCIENCE_APPLICATION: 15,
    Round.SYSTEM_DESIGN: 12,
    Round.CODING: 30,
    Round.SQL: 25,
    Round.PYTHON_DATA: 10,
    Round.PROJECT_DEEP_DIVE: 10,
}


def test_sixteen_leadership_principles_by_exact_name(corpus):
    assert len(LEADERSHIP_PRINCIPLES) == 16
    assert sorted(lp.name for lp in corpus.lps) == sorted(LEADERSHIP_PRINCIPLES)


def test_each_lp_is_complete(corpus):
    for lp in corpus.lps:
        assert len(lp.probes) >= 5, lp.name
        assert any(p.research for p in lp.probes), lp.name
        assert len(lp.signals) >= 4 and len(lp.red_flags) >= 4, lp.name
        gaps = {f.gap for f in lp.follow_ups}
        assert {"situation", "task", "action", "result", "learning"} <= gaps, lp.name
        assert len(lp.alternate_scenarios) >= 2, lp.name
        assert len(lp.description.split()) >= 20, f"{lp.name}: description too thin"


def test_question_counts_per_round(corpus):
    counts = Counter(q.round for q in corpus.questions)
    assert len(corpus.questions) >= 200
    for round_, minimum in MINIMUM_PER_ROUND.items():
        assert counts[round_] >= minimum, f"{round_.value}: {counts[round_]} < {minimum}"


def test_every_question_has_a_full_rubric(corpus):
    for q in corpus.questions:
        assert 3 <= len(q.key_points) <= 8, q.id
        assert q.common_mistakes, q.id
        assert len(q.follow_ups) >= 2, q.id
        assert len({f.text for f in q.follow_ups}) == len(q.follow_ups), f"{q.id}: repeated follow-up"
        assert q.pivot.lps and q.pivot.question, q.id
        assert set(q.pivot.lps) <= set(LEADERSHIP_PRINCIPLES), q.id


def test_both_roles_and_all_difficulties_are_represented(corpus):
    roles = Counter(r.value for q in corpus.questions for r in q.roles)
    assert roles["RS"] >= 100 and roles["DS"] >= 100
    assert set(Counter(q.difficulty for q in corpus.questions)) == {1, 2, 3}


def test_rubrics_cover_core_competencies_and_every_lp(corpus):
    core = {c.id for c in corpus.competencies if c.kind == "core"}
    assert set(CORE_COMPETENCIES) <= core
    assert {c.lp for c in corpus.competencies if c.kind == "lp"} == set(LEADERSHIP_PRINCIPLES)
    for c in corpus.competencies:
        assert len(set(c.levels.values())) == 4, f"{c.id}: level anchors must differ"


def test_candidate_reports(corpus):
    assert len(corpus.reports) >= 8
    assert {r.role.value for r in corpus.reports} == {"RS", "DS"}
    for r in corpus.reports:
        assert r.asked and r.takeaways and len(r.body.split()) >= 100, r.id


def test_no_two_questions_are_near_duplicates(corpus, embedder):
    texts = [q.question for q in corpus.questions]
    vectors = embedder.encode(texts)
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, 0)
    i, j = np.unravel_index(np.argmax(sims), sims.shape)
    assert sims[i, j] < 0.95, f"{corpus.questions[i].id} and {corpus.questions[j].id} are near-duplicates"

"""The trained offline judge on answers a candidate could give: right against confidently wrong,
what counts as covered, STAR parts and ownership. The real shipped model (one test, of the
report's wider read, fakes the pair classifier)."""

from __future__ import annotations

import pytest

from interviewer.judge.offline import OfflineJudge
from interviewer.judge.rubric import rubric_for_lp, rubric_for_question


@pytest.fixture(scope="module")
def judge(embedder):
    return OfflineJudge(embedder)


L1L2_RIGHT = (
    "Both add a penalty on the weights to the loss. L1 uses the absolute values, and because of the corner at zero "
    "it drives many weights to exactly zero, so you get a sparse model and feature selection. L2 uses the squares; it "
    "shrinks all weights smoothly towards zero but basically never makes them exactly zero, and with correlated "
    "features it spreads the weight across them. I'd tune the strength with cross-validation.")
L1L2_SWAPPED = (
    "Both add a penalty on the weights to the loss. L2 uses the squares, and because squaring punishes weights so "
    "hard it drives many of them to exactly zero, so you get a sparse model and feature selection. L1 uses absolute "
    "values; it shrinks all weights smoothly towards zero but never makes them exactly zero, and with correlated "
    "features it spreads the weight across them. I'd tune the strength with cross-validation.")


P_VALUE_WRONG = (
    "Honestly the PM is basically right. The p-value is the probability that the null hypothesis is true, so p = 0.03 "
    "means a 3% chance there is no real difference and a 97% chance the new page is better. Since that is below 0.05 "
    "we can be confident and ship it.")


def test_a_swapped_fact_is_caught_and_costs_the_score(judge, corpus):
    rubric = rubric_for_question(corpus.question("mlb-l1-vs-l2"))
    right, wrong = judge.score(rubric, L1L2_RIGHT), judge.score(rubric, L1L2_SWAPPED)
    assert not right.contradictions
    assert wrong.contradictions and "contradiction" in wrong.flags
    assert all(c.quote in L1L2_SWAPPED for c in wrong.contradictions)
    assert right.overall - wrong.overall >= 0.75
    accuracy = next(c for c in wrong.criteria if c.name == "accuracy")
    assert accuracy.score <= 2 and "contradict" in accuracy.rationale


def test_p_value_misreading_is_a_contradiction(judge, corpus):
    q = corpus.question("sta-p-value-interpretation")
    rubric = rubric_for_question(q)
    wrong = judge.score(rubric, P_VALUE_WRONG)
    right = judge.score(rubric, (
        "The statement is wrong. A p-value is the probability of seeing a difference at least this big if the null "
        "hypothesis were true; it is not the probability that the null is true, and 1 minus p is not the chance the "
        "page is better, you would need a prior for that. It also says nothing about how big the effect is."))
    assert any("probability that the null hypothesis is true" in c.quote for c in wrong.contradictions)
    assert not right.contradictions and {1, 2} <= set(right.key_points_covered)
    assert right.overall - wrong.overall >= 1.0


def test_a_wrong_sentence_is_never_evidence_of_coverage(judge, corpus):
    rubric = rubric_for_question(corpus.question("sql-average-quantity-per-year-product"))
    bad = "AVG counts the NULL quantities as zero, so the average already includes every transaction."
    s = judge.score(rubric, "I group by the year of created_at and product_id and take COUNT(*) and ROUND(AVG(quantity), 2). " + bad)
    coverage = next(c for c in s.criteria if c.name == "coverage")
    assert bad not in coverage.evidence
    assert 2 not in s.key_points_covered


def test_correct_content_in_other_words_is_covered_with_its_evidence(judge, corpus):
    rubric = rubric_for_question(corpus.question("mlb-active-learning"))
    answer = ("I'd train on what we have, then score the unlabelled pool and send the examples the model is least sure "
              "about to annotators: least confidence, margin between the top two classes, or entropy. Query-by-committee "
              "is another option: train a few models and label where they disagree most. Then retrain and repeat.")
    s = judge.score(rubric, answer)
    assert {2, 3} <= set(s.key_points_covered)
    coverage = next(c for c in s.criteria if c.name == "coverage")
    assert coverage.evidence and all(q in answer for q in coverage.evidence)
    assert not set(s.key_points_covered) & set(s.key_points_missed)


def test_star_parts_that_are_labelled_or_phrased_plainly(judge, corpus):
    lp = corpus.lp("Deliver Results")
    rubric = rubric_for_lp(lp, lp.probes[0].text)
    story = ("Situation: our churn model was two months late and the retention team was blocked. "
             "Task: I had to ship a usable version before the quarterly planning in three weeks. "
             "Action: I cut the feature list to the ten strongest signals, wrote the pipeline myself and set up a daily check with the team lead. "
             "Result: we shipped in 17 days and the first campaign cut churn in the pilot group from 8.1% to 6.9%. "
             "Learning: I now agree a minimum useful version with the customer in the first week.")
    s = judge.score(rubric, story)
    assert s.star_missing == []


def test_team_actions_are_not_the_candidates(judge, corpus):
    lp = corpus.lp("Ownership")
    rubric = rubric_for_lp(lp, lp.probes[0].text)
    s = judge.score(rubric, (
        "Last year our fraud model started missing a new kind of attack. We looked at the logs and we found the "
        "feature pipeline had silently dropped a field. We rebuilt the pipeline, we retrained the model and we added "
        "alerts. In the end fraud losses went back down by about 30 percent within a month."))
    ownership = next(c for c in s.criteria if c.name == "ownership")
    assert ownership.score <= 2 and "we_only" in s.flags


@pytest.mark.parametrize(("plan_name", "question_id", "answer"), [
    ("ml-breadth", "mlb-l1-vs-l2", L1L2_SWAPPED),
    ("stats", "sta-p-value-interpretation", P_VALUE_WRONG),
])
def test_the_interviewer_challenges_a_wrong_statement_and_the_report_shows_it(tmp_path, corpus, judge, plan_name,
                                                                                question_id, answer):
    from interviewer.config import Settings
    from interviewer.interview.choose import pick_question
    from interviewer.interview.engine import Interview
    from interviewer.interview.plans import build_plan
    from interviewer.interview.services import Services
    from interviewer.interview.state import InterviewState
    from interviewer.report.build import report_for_session
    from interviewer.report.render import render
    from interviewer.store import Store

    plan = build_plan(plan_name, "RS")
    seed = next(s for s in range(5000)
                if pick_question(InterviewState(plan=plan, seed=s), corpus, plan.rounds[0]).id == question_id)
    settings = Settings.from_env(env={"INTERVIEWER_HOME": str(tmp_path)})
    services = Services(settings=settings, corpus=corpus, judge=judge, store=Store(tmp_path / "sessions.db"))
    interview = Interview.start(services, plan_name, "RS", seed=seed)
    assert interview.state.item.item_id == question_id
    reply = interview.respond(answer)
    assert "You said" in reply and "why" in reply.lower()
    interview.respond("/end")
    md = render(report_for_session(services.corpus, services.store, interview.session_id), "md")
    assert "You said:" in md and "What is right:" in md


class OnePointPairs:
    """A pair classifier that reads one sentence as stating one key point and everything else as
    silent: the report's wider read is tested apart from what the trained model reads."""

    loaded = True

    def __init__(self, point: str, marker: str) -> None:
        self.point, self.marker = point, marker

    def predict(self, pairs):  # noqa: ANN001, ANN201
        from interviewer.judge.pairs import PairVerdict

        return [PairVerdict(0.9, 0.0, 0.1) if item == self.point and self.marker in text else PairVerdict(0.02, 0.01, 0.97)
                for item, text in pairs]


def test_the_report_reads_wider_before_calling_a_point_missed_and_the_score_does_not_move(embedder, corpus):
    from dataclasses import replace

    rubric = rubric_for_question(corpus.question("sta-p-value-interpretation"))
    # The first sentence has the definition's words and ranks first for it; the definition
    # itself, in other words, ranks second.
    answer = ("People read the p-value as the probability that the null hypothesis is true given the observed result, "
              "and that is the usual mistake. It is the chance of a result at least this extreme if there were no "
              "difference. With 200k users per arm even a 0.1% lift comes out significant.")
    judge = OfflineJudge(embedder, pairs=OnePointPairs(rubric.key_points[0], "at least this extreme"))
    judge.t = replace(judge.t, shortlist=1, report_shortlist=2)
    wide = judge.score(rubric, answer)
    judge.t = replace(judge.t, report_shortlist=1)  # only the score's own reading
    narrow = judge.score(rubric, answer)
    assert 1 in wide.key_points_covered and 1 not in wide.key_points_missed  # the definition, stated
    assert 1 not in narrow.key_points_covered and 1 in narrow.key_points_missed
    coverage = next(c for c in wide.criteria if c.name == "coverage")
    assert any("at least this extreme" in q for q in coverage.evidence)
    assert wide.overall == narrow.overall

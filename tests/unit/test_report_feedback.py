"""The report's feedback with literal items: fixes carry the candidate's words and a better
version, the most valuable come first, and nothing shows an internal id."""

from __future__ import annotations

from interviewer.report.feedback import fixes, ranked, short, strengths
from interviewer.report.model import ItemResult
from interviewer.schemas import Contradiction, Criterion, Score


def item(score: Score | None, status: str = "answered", missed: list[str] | None = None, kind: str = "technical") -> ItemResult:
    return ItemResult(item_id="mlb-l1-l2", kind=kind, round_index=0, round_title="ML breadth",
                      question="Compare L1 and L2 regularisation.\nWhich one gives sparse weights?", status=status,
                      score=score, missed_key_points=missed or [])


def tech(overall: float, contradictions=(), criteria=None) -> Score:
    return Score(overall=overall, kind="technical", judge="offline", contradictions=list(contradictions),
                 criteria=criteria or [Criterion(name="coverage", score=2, rationale="x")])


def test_a_wrong_statement_comes_first_with_the_correct_statement():
    wrong = Contradiction(key_point=1, quote="L2 drives weights to exactly zero.", statement="L1 gives exact zeros.")
    points = ranked(fixes(item(tech(2.0, [wrong]), missed=["L1 gives exact zeros.", "L2 shrinks smoothly.", "A third."])), 3)
    assert points[0].quote == "L2 drives weights to exactly zero." and points[0].better == "L1 gives exact zeros."
    assert points[0].better_label == "What is right"
    assert [p.better_label for p in points[1:]] == ["A strong answer covers"] * 2  # two missed points at most
    assert all("mlb-l1-l2" not in p.text for p in points)
    assert '"Compare L1 and L2 regularisation."' in points[0].text  # the question's first line, not its id


def test_a_good_answer_lists_no_missed_points_and_not_assessed_items_give_nothing():
    assert fixes(item(tech(3.4), missed=["L2 shrinks smoothly."])) == []
    assert fixes(item(None, status="not_assessed")) == []
    (skipped,) = fixes(item(None, status="skipped"))
    assert "was skipped" in skipped[1].text


def test_story_gaps_get_a_concrete_better_version():
    story = Score(overall=2.0, kind="behavioral", judge="offline", star_missing=["result"],
                  criteria=[Criterion(name="ownership", score=1, rationale="we", evidence=["We fixed the pipeline."])])
    points = ranked(fixes(item(story, kind="lp_probe")), 5)
    assert points[0].text.startswith("The story has no measurable result") and "from [before] to [after]" in points[0].better
    assert points[1].quote == "We fixed the pipeline." and "personally" in points[1].better


def test_strengths_quote_the_candidate_and_one_gap_is_listed_once():
    good = tech(3.5, criteria=[Criterion(name="depth", score=4, rationale="x", evidence=["Because L1 is not smooth."])])
    (s,) = [p for _, p in strengths(item(good))]
    assert s.text.startswith("Gave reasons and trade-offs") and s.quote == "Because L1 is not smooth."
    twice = fixes(item(None, status="skipped")) * 2
    assert len(ranked(twice, 5)) == 1


def test_short_labels_cut_at_a_word():
    assert short("A" * 10) == "A" * 10
    assert short("word " * 30).endswith("...") and len(short("word " * 30)) <= 73


def test_one_sentence_is_not_quoted_for_two_strengths():
    said = "I rebuilt the join myself and added validation checks."
    good = Score(overall=3.5, kind="behavioral", judge="offline",
                 criteria=[Criterion(name="ownership", score=4, rationale="x", evidence=[said]),
                           Criterion(name="star_structure", score=4, rationale="x", evidence=[said]),
                           Criterion(name="specificity", score=3, rationale="x", evidence=["Recall rose from 0.61 to 0.74."])])
    points = ranked(strengths(item(good, kind="lp_probe")), 5)
    assert [p.quote for p in points] == [said, "Recall rose from 0.61 to 0.74."]


def test_a_sentence_found_wrong_is_never_quoted_as_a_strength():
    wrong = Contradiction(key_point=2, quote="The k-means objective is convex, so it finds the global optimum.",
                          statement="k-means converges to a local optimum.")
    depth = Criterion(name="depth", score=4, rationale="x",
                      evidence=["The k-means objective is convex, so it finds the global optimum.", "I rerun it from several seeds."])
    (good,) = strengths(item(tech(3.2, [wrong], [depth])))
    assert good[1].quote == "I rerun it from several seeds."
    only_wrong = Criterion(name="depth", score=4, rationale="x", evidence=[wrong.quote])
    assert strengths(item(tech(3.2, [wrong], [only_wrong]))) == []

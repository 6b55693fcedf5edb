"""The story bank's pure parts: gap rules, LP suggestion, the grid, stretched stories,
near-duplicates, interview links, export and import."""

from __future__ import annotations

import json

import numpy as np
import pytest

from interviewer.report.history import Story as Told
from interviewer.stories import coverage
from interviewer.stories.assess import StoryFacts, gaps_of
from interviewer.stories.exchange import (
    StoryImportError,
    from_json,
    from_markdown,
    to_json,
    to_markdown,
)
from interviewer.stories.model import (
    BankStory,
    Coverage,
    LpMatch,
    StoryAssessment,
    StoryDraft,
    suggested_lps,
)

STRONG = StoryFacts(words=200, result="Fraud losses fell 30% in a quarter.", result_measured=True, numbers=4, i_count=6,
                    we_count=1, actions=3, we_actions=0)


def codes(facts: StoryFacts, lp: str = "Ownership", best: LpMatch | None = None) -> list[str]:
    return [g.code for g in gaps_of(facts, lp, best)]


def test_a_complete_story_has_no_gaps():
    assert codes(STRONG) == []


def test_a_result_without_a_number_is_named_with_the_sentence():
    f = StoryFacts(**{**STRONG.__dict__, "result_measured": False, "result": "It worked much better."})
    gaps = gaps_of(f, "Ownership")
    assert [g.code for g in gaps] == ["measurable_result"]
    assert gaps[0].message == "no measurable result" and gaps[0].quote == "It worked much better."


def test_team_actions_are_named_as_the_teams_not_yours():
    f = StoryFacts(**{**STRONG.__dict__, "i_count": 0, "we_count": 7, "we_actions": 3,
                      "we_quote": "We rebuilt the features."})
    gap = gaps_of(f, "Ownership")[0]
    assert (gap.code, gap.message, gap.quote) == ("ownership", "the action is the team's, not yours", "We rebuilt the features.")
    # Mostly the team's actions, with an "I" elsewhere, is still the gap.
    mostly = StoryFacts(**{**STRONG.__dict__, "actions": 3, "we_actions": 2})
    assert "ownership" in codes(mostly)


def test_missing_parts_come_biggest_hole_first():
    f = StoryFacts(words=120, missing=("situation", "result", "learning"), numbers=0, i_count=3)
    # No situation or task gap is named: on the dev stories the classifier's misses were mostly false alarms.
    assert codes(f) == ["result", "specificity", "learning"]


def test_a_habit_is_not_a_story_and_a_short_one_cannot_be_judged():
    assert codes(StoryFacts(**{**STRONG.__dict__, "generic": True}))[0] == "generic"
    assert codes(StoryFacts(words=9, too_short=True)) == ["too_short"]


def test_a_story_filed_under_an_lp_it_barely_shows_points_to_a_better_one():
    off = StoryFacts(**{**STRONG.__dict__, "lp_rank": 6, "lp_share": 0.3})
    gap = gaps_of(off, "Think Big", LpMatch(lp="Dive Deep", strength=0.4))[-1]
    assert gap.code == "relevance" and "Dive Deep" in gap.fix and "Think Big" in gap.message
    # Ranked low but nearly as strong as the best, or ranked third: not called off-LP.
    assert "relevance" not in codes(StoryFacts(**{**STRONG.__dict__, "lp_rank": 6, "lp_share": 0.8}))
    assert "relevance" not in codes(StoryFacts(**{**STRONG.__dict__, "lp_rank": 3, "lp_share": 0.2}))


def test_suggestion_is_the_best_lp_and_the_next_when_nearly_as_strong():
    ms = [LpMatch(lp="Dive Deep", strength=0.30, signals=["a"]), LpMatch(lp="Ownership", strength=0.20, signals=["b"]),
          LpMatch(lp="Frugality", strength=0.10, signals=["c"])]
    assert suggested_lps(ms) == ["Dive Deep", "Ownership"]
    assert suggested_lps([LpMatch(lp="Frugality", strength=0.3), LpMatch(lp="Ownership", strength=0.1)]) == ["Frugality"]
    assert suggested_lps([]) == []


def test_a_strong_story_counts_as_strong_only_for_lps_it_fits():
    s = story("a", 3.8, ["Think Big", "Frugality", "Ownership"])
    s.assessment.fit.update({"Think Big": 2, "Frugality": 4})
    del s.assessment.fit["Ownership"]  # never measured: not counted as a fit
    rows = {r.lp: r for r in coverage.grid([s])}
    assert rows["Think Big"].weaker == ["a"] and rows["Frugality"].strong == ["a"] and rows["Ownership"].weaker == ["a"]
    assert coverage.stretched([s])[0].weak == ["Think Big", "Ownership"]


def story(sid: str, overall: float, lps: list[str], text: str = "", matches: dict[str, float] | None = None) -> BankStory:
    strengths = matches or {lp: 0.3 for lp in lps}
    filler = {f"lp{i}": 0.2 for i in range(5)}  # other LPs ranking between
    ms = [LpMatch(lp=k, strength=v, signals=["s"]) for k, v in {**strengths, **filler}.items()]
    a = StoryAssessment(judge="offline", lp=(lps or ["Frugality"])[0], overall=overall, criteria=[], star_present=[],
                        gaps=[], matches=ms, fit={lp: 3 for lp in lps})
    return BankStory(id=sid, user="u", title=f"story {sid}", text=text or f"text of {sid}", lps=lps,
                     created_at=0, updated_at=0, assessment=a)


def test_the_grid_counts_strong_and_weaker_stories_per_lp():
    rows = {r.lp: r for r in coverage.grid([story("a", 3.5, ["Ownership"]), story("b", 3.0, ["Ownership", "Dive Deep"]),
                                            story("c", 3.4, ["Ownership"]), story("d", 2.0, ["Dive Deep"])])}
    assert len(rows) == 16
    assert rows["Ownership"].strong == ["a", "b", "c"] and rows["Ownership"].filled == 2
    assert rows["Dive Deep"].strong == ["b"] and rows["Dive Deep"].weaker == ["d"] and rows["Dive Deep"].filled == 1
    assert rows["Frugality"].filled == 0


def test_weakest_lps_come_first():
    cov = Coverage(rows=coverage.grid([story("a", 3.5, ["Customer Obsession"]), story("b", 2.0, ["Ownership"])]),
                            stretched=[], duplicates=[])
    weakest = cov.weakest
    assert weakest[0] == "Invent and Simplify"  # empty, first in the LP order after the two with stories
    assert weakest.index("Ownership") > weakest.index("Frugality")  # a weak story beats none
    assert weakest[-1] == "Customer Obsession"


def test_stretched_stories_are_counted_for_too_many_lps_or_one_they_barely_show():
    many = story("a", 3.5, ["Ownership", "Dive Deep", "Frugality"])
    weak = story("b", 3.5, ["Think Big"], matches={"Dive Deep": 0.5, "Think Big": 0.05})
    fine = story("c", 3.5, ["Ownership", "Dive Deep"])
    found = {s.story_id: s for s in coverage.stretched([many, weak, fine])}
    assert set(found) == {"a", "b"} and found["b"].weak == ["Think Big"] and found["a"].weak == []


def test_near_duplicates_by_meaning_or_by_shared_words():
    a = story("a", 3, ["Ownership"], "I rebuilt the churn model after the holiday drift and cut error by a third.")
    b = story("b", 3, ["Dive Deep"], "After the holiday drift I rebuilt the churn model, cutting its error by a third.")
    c = story("c", 3, ["Frugality"], "Negotiated a cheaper annotation vendor for the speech team.")
    vectors = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0]), "c": np.array([0.9, 0.1])}
    found = coverage.near_duplicates([a, b, c], vectors)
    assert [(d.first, d.second) for d in found] == [("a", "c"), ("a", "b")]  # c by meaning, b by words
    assert coverage.near_duplicates([a, b], vectors, min_words=1.01) == []


def test_interview_answers_link_to_the_bank_story_they_tell():
    bank = [story("a", 3, ["Ownership"], "forecast story")]
    told = [Told(session_id="s1", lp="Dive Deep", item_id="dive-deep.probe-1", text="x"),
            Told(session_id="s2", lp="Ownership", item_id="ownership.probe-2", text="y"),
            Told(session_id="s3", lp="Frugality", item_id="frugality.probe-1", text="z")]
    links = coverage.interview_links(bank, {"a": np.array([1.0, 0.0])}, told,
                                     [np.array([1.0, 0.1]), np.array([0.95, 0.2]), np.array([0.0, 1.0])])
    assert [(x.session_id, x.lp) for x in links] == [("s1", "Dive Deep"), ("s2", "Ownership")]
    line = coverage.link_lines(bank, links)[0]
    assert line.startswith('You told "story a" for Dive Deep and for Ownership in 2 sessions')


def test_export_and_import_round_trip_in_both_formats():
    stories = [story("a", 3, ["Are Right, A Lot", "Dive Deep"], "First line.\n\nSecond paragraph."),
               story("b", 2, [], "Only text.")]
    for exported, parse in ((to_json(stories), from_json), (to_markdown(stories), from_markdown)):
        back = parse(exported, "bank")
        assert [(d.title, d.text, d.lps) for d in back] == [(s.title, s.text, s.lps) for s in stories]


def test_import_names_every_problem_and_imports_nothing():
    md = "# Bank\n\n## Good one\n\nA real story.\n\n## Bad one\nLPs: Dive Deep; Being Nice\n\nText.\n\n## \n\nNo title.\n"
    with pytest.raises(StoryImportError) as exc:
        from_markdown(md, "bank.md")
    problems = exc.value.problems
    assert any(p.startswith("bank.md, line 7 (Bad one): lps: 'Being Nice' is not a Leadership Principle") for p in problems)
    assert "bank.md, line 12 (untitled): the story needs a title" in problems
    bad = json.dumps({"format": "interviewer-story-bank", "version": 1, "stories": [{"title": "t"}]})
    with pytest.raises(StoryImportError, match=r"bank.json, story 1: text: Field required"):
        from_json(bad, "bank.json")
    with pytest.raises(StoryImportError, match="line 1: not valid JSON"):
        from_json("{oops", "bank.json")
    with pytest.raises(StoryImportError, match="not a story bank export"):
        from_json("{}", "bank.json")


def test_a_draft_refuses_blank_text_and_unknown_lps_in_plain_words():
    from pydantic import ValidationError

    from interviewer.stories.exchange import draft_problems

    with pytest.raises(ValidationError) as exc:
        StoryDraft(title="  ", text="   ")
    assert sorted(draft_problems(exc.value)) == ["the story is empty: write what happened", "the story needs a title"]
    with pytest.raises(ValueError, match="'Thinking Bigly' is not a Leadership Principle; did you mean 'Think Big'"):
        StoryDraft(title="t", text="x", lps=["Thinking Bigly"])
    # Case and spacing do not matter; the exact name is kept.
    assert StoryDraft(title="t", text="x", lps=["dive  deep", "BIAS FOR ACTION"]).lps == ["Dive Deep", "Bias for Action"]

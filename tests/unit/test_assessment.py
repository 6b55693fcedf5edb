"""The online assessment's rules: choosing items, section clocks, reading and grading answers."""

from __future__ import annotations

import pytest

from interviewer.assessment.content import AssessmentContent, McqItem, WorkStyleItem
from interviewer.assessment.grading import (
    BadResponse,
    grade_mcq,
    grade_work_style,
    parse_choice,
    parse_most_least,
)
from interviewer.assessment.state import (
    AssessmentState,
    ItemResult,
    SectionSpec,
    close_if_timed_out,
    new_state,
    overall_percent,
    record,
    seconds_left,
    show,
)


def mcq(i: int, topic: str) -> McqItem:
    return McqItem(id=f"mcq-{i}", kind="concept", topic=topic, prompt="Which?", explanation="Because.", options=[
        {"text": "a", "why": "w", "correct": i % 4 == 0}, {"text": "b", "why": "w", "correct": i % 4 == 1},
        {"text": "c", "why": "w", "correct": i % 4 == 2}, {"text": "d", "why": "w", "correct": i % 4 == 3}])


def work(i: int, lp: str) -> WorkStyleItem:
    return WorkStyleItem(id=f"ws-{i}", lp=lp, prompt="When...", reasoning="Why.", statements=[
        {"text": "one", "key": "neutral"}, {"text": "two", "key": "most"},
        {"text": "three", "key": "neutral"}, {"text": "four", "key": "least"}])


CONTENT = AssessmentContent(mcq=[mcq(i, ["joins", "nulls", "windows"][i % 3]) for i in range(9)],
                            work_style=[work(i, ["ownership", "dive-deep"][i % 2]) for i in range(6)])
SPECS = (SectionSpec(key="sql_mcq", title="SQL", items=3, minutes=2), SectionSpec(key="python", title="Py", items=1, minutes=5),
         SectionSpec(key="algorithms", title="Alg", items=1, minutes=5), SectionSpec(key="work_style", title="WS", items=2, minutes=1))


def state(seed: int = 1) -> AssessmentState:
    return new_state(CONTENT, ["pyd-a", "pyd-b"], ["cod-x"], seed, specs=SPECS)


def test_items_are_spread_over_topics_and_lps_and_fixed_by_the_seed():
    s = state()
    topics = {CONTENT.mcq_item(i).topic for i in s.sections[0].items}
    assert len(topics) == 3
    assert {CONTENT.work_item(i).lp for i in s.sections[3].items} == {"ownership", "dive-deep"}
    assert state(1) == state(1)
    assert any(state(1).sections[0].items != state(k).sections[0].items for k in range(2, 6))
    assert [len(x.items) for x in s.sections] == [3, 1, 1, 2]


def test_a_section_without_items_is_left_out():
    s = new_state(CONTENT, [], ["cod-x"], 1, specs=SPECS)
    assert [x.key for x in s.sections] == ["sql_mcq", "algorithms", "work_style"]


def test_the_clock_starts_with_the_first_item_and_time_per_item_is_recorded():
    s = state()
    assert seconds_left(s, 100.0) is None
    show(s, 100.0)
    assert seconds_left(s, 130.0) == 90.0
    record(s, ItemResult(section="sql_mcq", item_id=s.current_item, status="answered", points=1), 142.0)
    assert s.results[-1].seconds == 42.0 and s.item == 1
    show(s, 150.0)
    assert seconds_left(s, 150.0) == 70.0  # the section's clock, not the item's


def test_when_time_is_up_the_rest_of_the_section_is_unanswered_and_the_next_begins():
    s = state()
    show(s, 0.0)
    record(s, ItemResult(section="sql_mcq", item_id=s.current_item, status="answered", points=1), 10.0)
    show(s, 10.0)
    assert not close_if_timed_out(s, 119.0)
    assert close_if_timed_out(s, 121.0)
    assert s.sections[0].timed_out and s.sections[0].ended_at == 120.0
    assert [r.status for r in s.results] == ["answered", "unanswered", "unanswered"]
    assert s.current_section.key == "python" and s.item == 0 and s.current_section.started_at is None
    assert overall_percent(s) == pytest.approx(100 / 3 / 4, abs=0.1)  # a third of one section of four


def test_the_last_section_ending_finishes_the_assessment():
    s = state()
    for _ in range(7):
        show(s, 0.0)
        key = s.current_section.key
        record(s, ItemResult(section=key, item_id=s.current_item, status="answered", points=1,
                             max_points=2 if key == "work_style" else 1), 1.0)
    # Sections weigh the same: 3/3, 1/1, 1/1 and 2/4 make 87.5%, not 7 of 9 points.
    assert s.finished and s.current_item is None and overall_percent(s) == 87.5


def test_choices_are_read_strictly():
    assert parse_choice(" b ", 4) == "B" and parse_choice("(C)", 4) == "C" and parse_choice("option d.", 4) == "D"
    for bad in ("E", "AB", "the second", ""):
        with pytest.raises(BadResponse, match="one letter, A to D"):
            parse_choice(bad, 4)
    assert parse_most_least("B D") == ("B", "D") and parse_most_least("most c, least a") == ("C", "A")
    for bad in ("B", "B B", "A B C"):
        with pytest.raises(BadResponse, match="two different letters"):
            parse_most_least(bad)


def test_grading_by_the_key():
    item = mcq(2, "joins")  # C is correct
    assert grade_mcq(item, "c").points == 1.0 and grade_mcq(item, "a").points == 0.0
    w = work(0, "ownership")  # most B, least D
    assert grade_work_style(w, "B D").points == 2.0
    assert grade_work_style(w, "B A").points == 1.0
    assert grade_work_style(w, "D B").points == 0.0
    assert grade_work_style(w, "B D").detail == "keyed: most B, least D"


def test_items_need_one_key_each():
    with pytest.raises(ValueError, match="exactly one option"):
        McqItem(id="mcq-x", kind="concept", topic="t", prompt="p", explanation="e",
                options=[{"text": x, "why": "w", "correct": True} for x in "abcd"])
    with pytest.raises(ValueError, match="needs `schema`"):
        McqItem(id="mcq-x", kind="query", topic="t", prompt="p", explanation="e",
                options=[{"text": x, "why": "w", "correct": x == "a"} for x in "abcd"])
    with pytest.raises(ValueError, match="one statement keyed `most`"):
        WorkStyleItem(id="ws-x", lp="ownership", prompt="p", reasoning="r",
                      statements=[{"text": x, "key": "most"} for x in "abcd"])


def test_examples_and_schemas_are_shown_as_a_candidate_would_write_them():
    from interviewer.assessment.view import clock, shown_arg, shown_result, shown_schema

    frame = {"user_id": [1, 2], "ts": ["2024-05-01 10:00", "2024-05-01 10:20"], "__dates__": ["ts"],
             "__dtypes__": {"user_id": "int64"}}
    assert shown_arg(frame, "dataframe") == ("pd.DataFrame({'user_id': [1, 2], "
                                             "'ts': pd.to_datetime(['2024-05-01 10:00', '2024-05-01 10:20'])})")
    assert shown_arg([[1.0, 2.0]], "ndarray") == "np.array([[1.0, 2.0]])" and shown_arg([3, 1], "plain") == "[3, 1]"
    assert shown_result({"columns": ["a"], "rows": [[1]]}, "frame") == "a frame with columns ['a'] and rows [[1]]"
    sql = "-- seeded so that ties break the naive query\n\nCREATE TABLE t (\n  id INTEGER\n);\nINSERT INTO t VALUES (1);\n"
    assert shown_schema(sql, with_rows=False) == "CREATE TABLE t (\n  id INTEGER\n);"
    assert shown_schema(sql, with_rows=True).endswith("INSERT INTO t VALUES (1);") and "seeded" not in shown_schema(sql, True)
    assert clock(75.9) == "01:15" and clock(None) == ""

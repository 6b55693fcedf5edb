"""What bounds a model: the utterance guard, runaway detection, the breaker, the judge's schema and
its self-contradictions, the qualification's pair order. Literal examples, no model."""

from __future__ import annotations

import pytest

from interviewer.config import Settings, parse_caps
from interviewer.judge.model import contradictions, judgement_schema
from interviewer.judge.qualify import pair_order
from interviewer.llm import parse_json_object
from interviewer.llm_limits import Breaker, runaway
from interviewer.speaker.guard import UtteranceGuard, UtteranceRules, problem

RULES = UtteranceRules(
    planned="How would you handle class imbalance when training a fraud classifier?",
    candidate_said="I used SMOTE on the fraud model at my last job and it worked well for us in production honestly",
    prompt_texts=["Ask this question next, in your own words but keeping every constraint and detail it contains: | "
                  "The candidate's last message, for a brief neutral acknowledgement only: |"],
    hidden=["Resampling changes the base rate, so recalibrate the probabilities afterwards"],
)


@pytest.mark.parametrize("text, why", [
    ("Thanks. How would you deal with class imbalance when you train a fraud classifier?", None),
    ("", "empty"),
    ("The candidate's last message, for a brief neutral acknowledgement only: <candidate-1a2b3c4d>hi", "chat-template"),
    ("Thanks.<|im_end|> <|im_start|>user How would you handle class imbalance for fraud?", "chat-template"),
    ("<start_of_turn>model How would you handle class imbalance for fraud?", "chat-template"),
    ("Ask this question next, in your own words but keeping every constraint: how would you handle fraud imbalance?",
     "echoes its prompt"),
    ("Thanks! " * 20, "repetitive"),
    ("Gracias. ¿Cómo manejarías el desequilibrio de clases al entrenar un clasificador de fraude?", "language"),
    ("Good. Resampling changes the base rate, so recalibrate. How would you handle imbalance for fraud?", "key point"),
    ("That answer scores 3 out of 4. How would you handle class imbalance for the fraud classifier?", "score"),
    ("Solid, that is a strong hire answer. How would you handle class imbalance for fraud training?", "score"),
    ("Okay, thanks for sharing that with me today.", "asks no question"),
    ("Great. What is your favourite colour?", "lacks the question"),
    ("You said: I used SMOTE on the fraud model at my last job and it worked well. How would you handle "
     "class imbalance for fraud?", "repeats the candidate"),
    ("x" * 800, "too long"),
])
def test_the_guard_names_what_is_wrong_with_an_utterance(text, why):
    found = problem(text, RULES, complete=True)
    assert (found is None) if why is None else (found is not None and why in found), found


def test_words_of_the_planned_question_are_not_held_against_the_model():
    sql = UtteranceRules(planned="Table comments(id, user_id, created_at). Return the five users with the longest streak.",
                         hidden=["the longest streak per user via row_number gaps"])
    assert problem("Thanks. Table comments(id, user_id, created_at): return the five users with the longest streak.",
                   sql, complete=True) is None


def test_the_guard_releases_checked_sentences_and_stops_at_the_first_bad_one():
    guard = UtteranceGuard(RULES)
    assert guard.feed("Thanks for ") == ""
    assert guard.feed("that. How would") == "Thanks for that."
    assert guard.feed(" you handle class imbalance when training a fraud classifier?") == ""
    assert guard.finish() == " How would you handle class imbalance when training a fraud classifier?"
    bad = UtteranceGuard(RULES)
    assert bad.feed("Thanks. ") == "Thanks."
    assert bad.feed("<|im_end|><|im_start|>user") == "" and bad.rejected and "chat-template" in bad.rejected
    assert bad.feed(" more") == "" and bad.finish() == ""


@pytest.mark.parametrize("text, expected", [
    ("The candidate's last message " * 4, True),
    ("no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no no", True),
    ("a b c d e " * 12, True),
    ("How would you handle class imbalance when training a fraud classifier, and how would you validate it?", False),
    ("haha", False),
    ('{"ok": true,' + "\t\n" * 40, True),
])
def test_runaway_repetition(text, expected):
    assert runaway(text) is expected


def test_the_breaker_opens_after_two_failures_and_lets_one_through_after_the_pause():
    now = [0.0]
    breaker = Breaker(30, clock=lambda: now[0])
    assert breaker.failure() is False and breaker.check() == 0
    assert breaker.failure() is True and breaker.check() == 30
    assert breaker.failure() is False  # said once
    now[0] = 31
    assert breaker.check() == 0
    breaker.success()
    assert breaker.failure() is False


def test_caps_are_set_in_one_place_and_overridden_with_clear_errors():
    assert Settings.from_env(env={}).completion_caps["speaker"] == 160
    assert parse_caps("judge=900, speaker=200")["judge"] == 900
    with pytest.raises(ValueError, match="entry 1 .*purpose one of"):
        parse_caps("speeker=10")
    with pytest.raises(ValueError, match="whole number"):
        parse_caps("judge=lots")
    with pytest.raises(ValueError, match="INTERVIEWER_CAP_FIELD must be one of"):
        Settings.from_env(env={"INTERVIEWER_CAP_FIELD": "n_predict"})


def test_a_local_server_gets_one_request_at_a_time_unless_told():
    assert Settings.from_env(env={"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"}).concurrency == 1
    assert Settings.from_env(env={"OPENAI_API_KEY": "k"}).concurrency == 4
    assert Settings.from_env(env={"OPENAI_BASE_URL": "http://localhost:1/v1", "INTERVIEWER_MODEL_CONCURRENCY": "3"}).concurrency == 3


def test_the_judgement_schema_bounds_every_list_and_string_and_fixes_the_names():
    schema = judgement_schema("technical", 3)
    json_schema = schema.model_json_schema()
    criteria = json_schema["$defs"]["TechnicalCriteria"]
    assert sorted(criteria["required"]) == ["accuracy", "coverage", "depth", "structure"]
    judged = json_schema["$defs"]["JudgedCriterion"]["properties"]
    assert judged["rationale"]["maxLength"] == 200 and judged["evidence"]["maxItems"] == 2
    assert json_schema["properties"]["key_points_covered"]["maxItems"] == 3
    with pytest.raises(ValueError):
        schema.model_validate({"on_topic": True, "criteria": {n: {"score": 3, "rationale": "r"} for n in criteria["required"]},
                               "key_points_covered": [4]})


def _judged(kind: str, scores: dict[str, int], **extra):  # noqa: ANN003, ANN202
    schema = judgement_schema(kind, 3)
    return schema.model_validate({"on_topic": True, "criteria": {n: {"score": s, "rationale": "r"} for n, s in scores.items()},
                                  **extra})


def test_contradictions():
    tech = {"coverage": 3, "accuracy": 3, "depth": 3, "structure": 3}
    assert contradictions("technical", _judged("technical", tech, key_points_covered=[1]), 3) == []
    assert contradictions("technical", _judged("technical", tech), 3) == ["coverage scored 3 or more with no key point covered"]
    low = {**tech, "coverage": 1}
    assert "every key point covered" in contradictions("technical", _judged("technical", low, key_points_covered=[1, 2, 3]), 3)[0]
    assert "off topic" in contradictions("technical", _judged("technical", tech, on_topic=False, key_points_covered=[1]), 3)[0]
    star = {"star_structure": 4, "specificity": 3, "ownership": 3, "lp_alignment": 3}
    assert contradictions("behavioral", _judged("behavioral", star, star_missing=["result"]), 0)


def test_pair_order_counts_ties_as_half_and_needs_every_score():
    assert pair_order([4, 1, 3.5, 2], [4, 1, 4, 1]) == 1.0
    assert pair_order([3, 3, 3, 3], [4, 1, 4, 1]) == 0.5
    assert pair_order([1, 4], [4, 1]) == 0.0
    assert pair_order([4, None], [4, 1]) is None


def test_parse_json_object_ignores_fences_and_chatter():
    assert parse_json_object('Sure!\n```json\n{"a": 1}\n```') == {"a": 1}
    with pytest.raises(ValueError):
        parse_json_object("no object here")


def test_the_check_sets_offline_scores_are_the_offline_judges(corpus, embedder):
    from interviewer.judge.offline import OfflineJudge
    from interviewer.judge.qualify import check_set, rubric_of

    judge = OfflineJudge(embedder)
    items = check_set()
    assert len(items) == 8 and sorted({i["grade"] for i in items}) == [1, 4]
    for item in items:
        assert judge.score(rubric_of(corpus, item), item["answer"]).overall == pytest.approx(item["offline_score"], abs=0.01), item["id"]


def test_an_interviews_call_gets_the_slot_before_a_background_one():
    import threading
    import time

    from interviewer.llm_limits import Server

    server = Server(threading.BoundedSemaphore(1), Breaker(30))
    assert server.acquire(1)  # a call in flight
    order: list[str] = []

    def call(name: str, background: bool) -> None:
        if server.acquire(5, background):
            order.append(name)
            time.sleep(0.05)
            server.release()

    background = threading.Thread(target=call, args=("background", True))
    background.start()
    time.sleep(0.05)
    interview = threading.Thread(target=call, args=("interview", False))
    interview.start()
    time.sleep(0.05)
    server.release()
    background.join()
    interview.join()
    assert order == ["interview", "background"]

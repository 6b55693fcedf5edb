"""The eval's figures of what was said and who said it (evals/metrics.py, evals/model_figures.py):
echo detection, spoken lines against the utterance checks, judge and speaker sources, the
calibration sample and the table rows, with literal examples."""

from __future__ import annotations

from types import SimpleNamespace

from evals import metrics as m
from evals import model_figures as mf
from interviewer.schemas import Action, Criterion, Decision, Introduction, Score, Turn

QUESTION = "Thanks. How would you detect and handle data drift in a deployed churn model?"


def line(i: int, text: str, action: Action = Action.FOLLOW_UP, planned: str = "", item: str = "q1",
         introduction: Introduction | None = None) -> Turn:
    decision = Decision(action=action, reason=".", round_index=0, item_id=item, text=planned, introduction=introduction)
    return Turn(index=i, speaker="interviewer", text=text, round_index=0, item_id=item, decision=decision, created_at=0.0)


def said(i: int, text: str, score: Score | None = None, classification: str = "answer") -> Turn:
    return Turn(index=i, speaker="candidate", text=text, round_index=0, item_id="q1", score=score,
                classification=classification, created_at=0.0)


def scored(judge: str, *flags: str) -> Score:
    return Score(overall=2.0, criteria=[Criterion(name="coverage", score=2, rationale=".")], judge=judge,
                 kind="technical", flags=list(flags))


# ---- echoes ------------------------------------------------------------------------------------


def test_an_answer_that_says_the_question_back_is_an_echo():
    assert m.echoes("How would you detect and handle data drift in a deployed churn model?", QUESTION)
    # Most of its 5-grams are the question's, with a word or two of its own.
    assert m.echoes("So, how would you detect and handle data drift in a deployed churn model? Hmm.", QUESTION)
    # Too short for 5-grams, but a near-copy.
    assert m.echoes("Data drift?", "Data drift.")
    assert m.echoes("how would you handle drift", "How would you handle drift?")


def test_an_answer_that_quotes_the_question_then_answers_is_not_an_echo():
    answer = ("How would I detect and handle data drift in a deployed churn model? I would monitor the population "
              "stability index of each input weekly, alert above 0.2, compare the score distribution against the "
              "training window, and retrain on a rolling window when the labelled churn rate moves.")
    assert not m.echoes(answer, QUESTION)
    assert not m.echoes("I don't know.", QUESTION)
    assert not m.echoes("", QUESTION) and not m.echoes("Anything", "")


def test_echoes_are_counted_against_the_line_just_before_and_code_runs_are_not_answers():
    turns = [line(0, QUESTION), said(1, "How would you detect and handle data drift in a deployed churn model?"),
             line(2, "Could you answer the question in your own words?"),
             said(3, "How would you detect and handle data drift in a deployed churn model?"),  # not this line's words
             said(4, "```python\nprint(1)\n```", classification="code_run")]
    assert m.echoed_answers(turns) == (1, 2)


# ---- spoken lines ------------------------------------------------------------------------------


PLANNED = "How would you check whether the drop in conversion is real?"


def test_spoken_lines_are_checked_against_the_policys_text_whoever_phrased_them():
    turns = [said(0, "We shipped the new checkout and conversion fell by two points."),
             line(1, "Good. How would you check whether the drop in conversion is real?", planned=PLANNED),
             line(2, "", planned=PLANNED),
             line(3, "Nice one, that answer is 3 out of 4. Anything else?", planned=PLANNED),
             line(4, "<|im_start|>assistant How would you check the drop is real?", planned=PLANNED),
             line(5, "Thanks for that.", planned=PLANNED),
             line(6, "Let's move on.", action=Action.HINT, planned=PLANNED)]  # not a question, follow-up or pivot
    assert m.spoken_problems(turns, {}) == [(1, None), (2, "empty"), (3, "reveals a score"),
                                            (4, "chat-template tokens or prompt delimiters"), (5, "asks no question")]


def test_a_hidden_key_point_said_aloud_fails_unless_the_policy_asked_it():
    key_points = {"q1": ["novelty effects fade after the first two weeks of a launch"]}
    leak = line(0, "Would novelty effects fade after the first two weeks of a launch here?", planned=PLANNED)
    assert m.spoken_problems([leak], key_points) == [(0, "reveals a hidden key point")]
    planned = "Would novelty effects fade after the first two weeks of a launch?"
    asked = line(0, "Would novelty effects fade after the first two weeks of a launch?", planned=planned)
    assert m.spoken_problems([asked], key_points) == [(0, None)]


def test_a_challenge_may_quote_the_candidate_and_an_introduction_is_not_the_speakers():
    claim = "L1 regularisation gives dense weights because it shrinks every coefficient by the same factor always."
    challenge = f'You said: "{claim}" Walk me through why that holds.'
    turns = [said(0, claim), line(1, f"Let me push on that. {challenge}", planned=challenge)]
    assert m.spoken_problems(turns, {}) == [(1, None)]
    intro = Introduction(name="Priya", title="Applied Scientist", team="Search", works_on="ranking",
                         round_title="ML breadth", covers="models", minutes=45)
    long_intro = "Hi, I'm Priya. " + "I work on search ranking and its experiments. " * 20
    introduced = line(2, f"{long_intro}\n\nTo start: {PLANNED}", action=Action.ASK, planned=PLANNED, introduction=intro)
    assert m.spoken_part(introduced) == f"To start: {PLANNED}"
    assert m.spoken_problems([introduced], {}) == [(2, None)]


# ---- who scored, who spoke ------------------------------------------------------------------------


def test_judge_sources_split_the_models_scores_from_its_fallbacks_with_reasons():
    turns = [said(0, "a", scored("model:small")), said(1, "b", scored("offline", "model_judge_failed")),
             said(2, "c", scored("offline", "injection_attempt", "model_judge_rejected: 3 of 4 quotes are not the candidate's words")),
             said(3, "d", scored("offline", "model_judge_rejected: 1 of 2 quotes are not the candidate's words")),
             said(4, "e", scored("offline")), said(5, "f"),
             said(6, "g", scored("model:small"), classification="code_run")]
    assert mf.judge_sources(turns) == {
        "model": 1, "model_judge_failed": 1, mf.TOO_SHORT: 1,
        "model_judge_rejected: k of n quotes are not the candidate's words": 2}
    assert mf.judge_sources(turns[4:5], mf.JUDGE_OFF) == {mf.JUDGE_OFF: 1}


def test_speaker_sources_read_the_sessions_model_events():
    def event(by: str, part: str = "speaker") -> SimpleNamespace:
        return SimpleNamespace(turn=0, part=part, by=by)

    events = [event("model:small"), event("model:small"), event("template"),
              event("template (model reply rejected: asks no question)"),
              event("template (model reply rejected: asks no question)"),
              event("template (model failed: speaker request failed: " + "timed out " * 20 + ")"),
              event("model:small", part="summary")]
    got = mf.speaker_sources(events)
    assert got["model"] == 2 and got["template"] == 1 and got["model reply rejected: asks no question"] == 2
    (failed,) = [k for k in got if k.startswith("model failed")]
    assert len(failed) == mf.REASON_CHARS and failed.endswith("...")
    assert mf.top({"b": 1, "a": 1, "c|d": 3}, 2) == "c/d 3; a 1" and mf.top({}) == "none"


def test_the_calibration_sample_is_fixed_and_keeps_every_grade():
    rows = [{"id": f"a{i:02}", "grade": 1 + i % 4} for i in range(40)]
    sample = mf.calibration_sample(rows, 8)
    assert sample == mf.calibration_sample(list(reversed(rows)), 8)
    assert [r["grade"] for r in sample] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert len(mf.calibration_sample(rows[:5], 8)) == 5 and mf.calibration_sample(rows, 0) == []


# ---- table rows -------------------------------------------------------------------------------------


def test_offline_keeps_one_calibration_line():
    rows = mf.judge_rows({"calibration_spearman": 0.71, "calibration": {"offline": 0.71, "answers": 180, "model": None},
                          "judge_sources": None})
    assert rows == [("Judge", "calibration Spearman vs graded test answers", 0.71, None)]


def test_a_model_judge_that_never_scored_gets_no_number():
    model = {"judge": "model:small", "of": 24, "cap": 24, "scored": 0, "spearman": None, "offline_same": None,
             "off": False}
    s = {"calibration_spearman": 0.71, "calibration": {"offline": 0.71, "answers": 180, "model": model},
         "judge_sources": {"model_judge_failed": 9, mf.TOO_SHORT: 1}}
    rows = mf.judge_rows(s)
    assert rows[0][1:3] == ("calibration Spearman vs graded test answers, offline judge (180 answers)", 0.71)
    assert rows[1][2] == mf.NEVER_SCORED and "scored 0 of 24" in rows[1][1]
    assert rows[2][2] == 0.0 and "(0 of 10; offline judge 10)" in rows[2][1]
    assert rows[3][2] == f"model_judge_failed 9; {mf.TOO_SHORT} 1"
    scored = {**model, "scored": 20, "spearman": 0.5, "offline_same": 0.68}
    row = mf.judge_rows({**s, "calibration": {**s["calibration"], "model": scored}})[1]
    assert row[2] == 0.5 and "scored 20 of 24" in row[1] and "offline judge on the same 20: 0.680" in row[1]


def test_interviewer_and_echo_rows():
    s = {"spoken_lines": 10, "spoken_pass": 0.8, "spoken_problems": {"asks no question": 2},
         "speaker_sources": {"model": 7, "template": 2, "model failed: timeout": 1},
         "echoes_by_persona": {"echo": 5, "strong": 0, "weak": 2}, "echoed_answers": 2, "simulated_answers": 30,
         "separation_left_out": 1}
    checked, who, why = mf.interviewer_rows(s)
    assert checked[2] == 0.8 and "(10 lines; failing: asks no question 2)" in checked[1]
    assert who[2] == "7 / 3 (2 by design, 1 in place of a model reply)" and why[2] == "model failed: timeout 1"
    offline = mf.interviewer_rows({**s, "speaker_sources": None})
    assert len(offline) == 2 and offline[1][2].startswith("n/a")
    echo = mf.echo_row(s)
    assert echo[2] == "2 of 30 (weak 2)" and echo[1].endswith("left out of the separation figures: 1)")

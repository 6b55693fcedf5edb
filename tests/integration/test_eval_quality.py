"""The quality eval: metric functions with literal examples, and a small offline eval whose
thresholds CI enforces (separation ROC-AUC >= 0.9, evidence validity 100%, no repeated
questions, no stuck loops); plus the same eval in model mode against the local fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import metrics as m
from evals import model_figures as mf
from evals.personas import PERSONAS, Asked
from evals.protocol_server import FakeOpenAI, default_reply
from evals.quality import THRESHOLDS, evaluate
from evals.statistics import percentile
from interviewer.config import Settings
from interviewer.interview.plans import build_plan
from interviewer.schemas import Action, Criterion, Decision, Score, Turn


def test_roc_auc_and_percentiles():
    assert m.roc_auc([3, 4], [1, 2]) == 1.0
    assert m.roc_auc([1, 2], [3, 4]) == 0.0
    assert m.roc_auc([2, 3], [2, 1]) == 0.875  # (0.5 + 1 + 1 + 1) / 4
    assert m.roc_auc([], [1]) is None
    assert percentile([5, 1, 3, 2, 4], 50) == 3 and percentile([], 50) is None


def turn(i, speaker, text, item="q1", decision=None, score=None, round_index=0):  # noqa: ANN001, ANN201
    return Turn(index=i, speaker=speaker, text=text, round_index=round_index, item_id=item, decision=decision,
                score=score, classification="answer" if speaker == "candidate" else None, created_at=0.0)


def score(quotes, missed=(), star_missing=()):  # noqa: ANN001, ANN201
    return Score(overall=2.0, criteria=[Criterion(name="coverage", score=2, rationale=".", evidence=list(quotes))],
                 judge="offline", kind="technical", key_points_missed=list(missed), star_missing=list(star_missing))


def test_evidence_must_be_verbatim_in_the_candidates_words_on_that_item():
    turns = [turn(0, "candidate", "I used  ridge regression with a time split.", score=score(["ridge regression with a time"])),
             turn(1, "candidate", "Then I tuned alpha.", score=score(["tuned alpha", "ridge regression", "gradient boosting"])),
             turn(2, "candidate", "Unrelated.", item="q2", score=score(["tuned alpha"]))]
    # Whitespace-insensitive; earlier answers on the same item count; another item's words do not.
    assert m.evidence_counts(turns) == (3, 5)


def ask(i, item, action=Action.ASK, round_index=0):  # noqa: ANN001, ANN201
    return turn(i, "interviewer", f"Question {item}", item=item, round_index=round_index,
                decision=Decision(action=action, reason=".", round_index=round_index, item_id=item))


def test_repeats_loops_and_pivots():
    turns = [ask(0, "q1"), turn(1, "candidate", "a"), ask(2, "q2"), turn(3, "candidate", "b"), ask(4, "q1")]
    assert m.repeated_items(turns) == 1
    assert not m.looped(turns)
    same = [turn(i, "interviewer", "Could you answer the question?") for i in range(3)]
    assert m.looped(same)
    plan = build_plan("phone-screen", "RS")  # rounds 0-2 technical with pivots 1, 1, 0; round 3 behavioural
    with_pivot = [turn(0, "candidate", "a", round_index=0), ask(1, "q1.pivot", Action.PIVOT, 0),
                  turn(2, "candidate", "b", round_index=1), turn(3, "candidate", "c", round_index=3)]
    assert m.pivots_per_technical_round(plan, with_pivot) == [1, 0]


def test_follow_up_relevance_checks_the_gap_against_the_previous_score(corpus):
    questions = {q.id: q for q in corpus.questions}
    q = corpus.questions[0]
    fu = next(i for i, f in enumerate(q.follow_ups) if f.key_point)
    kp = q.follow_ups[fu].key_point
    decision = Decision(action=Action.FOLLOW_UP, reason=".", round_index=0, item_id=q.id, item_kind="technical",
                        follow_up_index=fu)
    hit = turn(0, "candidate", "x", item=q.id, decision=decision, score=score([], missed=[kp]))
    miss = turn(1, "candidate", "y", item=q.id, decision=decision, score=score([], missed=[]))
    story = turn(2, "candidate", "z", item="lp.probe-1", score=score([], star_missing=["result"]),
                 decision=Decision(action=Action.FOLLOW_UP, reason=".", round_index=0, item_id="lp.probe-1",
                                   item_kind="lp_probe", gap="result"))
    assert m.follow_up_relevance([hit, miss, story], questions) == (2, 3)


def test_new_personas_are_deterministic_and_in_character():
    asked = Asked(kind="technical", item_id="mlb-bias-variance", lp_id=None, question="What is bias?", turn_in_item=0)
    evasive, off = PERSONAS["evasive"](), PERSONAS["off_topic"]()
    said = evasive.answer(asked)
    assert said == evasive.answer(asked) and said in evasive.HEDGES
    assert not any(w in off.answer(asked).lower() for w in ("bias", "variance", "model"))


@pytest.fixture(scope="module")
def small_eval(tmp_path_factory):
    home = tmp_path_factory.mktemp("eval-home")
    out = tmp_path_factory.mktemp("eval-out")
    summary, table = evaluate(["phone-screen:DS", "behavioral:RS"], list(PERSONAS), n=1, seed=0, workers=2, out=out,
                              settings=Settings.from_env(env={"INTERVIEWER_HOME": str(home)}), with_calibration=False)
    return summary, table, out


def test_the_offline_eval_meets_every_threshold(small_eval):
    summary, table, out = small_eval
    assert summary["interviews"] == 2 * len(PERSONAS)
    for name in THRESHOLDS:
        assert summary["thresholds"][name]["pass"] is True, (name, summary[name], table)
    assert summary["separation_gap"] >= 1.0
    assert summary["follow_up_relevance"] == 1.0 and summary["technical_rounds_with_a_pivot"] == 1.0


def test_the_eval_writes_the_table_metrics_and_transcripts(small_eval):
    summary, table, out = small_eval
    assert table.splitlines()[2] == "| area | metric | value | threshold |"
    assert "| Judge | separation ROC-AUC (strong vs weak overall) |" in table
    assert json.loads((out / "metrics.json").read_text())["stuck_loops"] == 0
    transcripts = list((out / "transcripts").glob("*.json"))
    assert len(transcripts) == summary["interviews"]
    one = json.loads(transcripts[0].read_text())
    assert one["turns"] and {"persona", "plan", "overall"} <= set(one)
    # Offline: one calibration line as before; what was said is checked; the echo persona is counted apart.
    assert [line for line in table.splitlines() if "calibration Spearman" in line] == \
        ["| Judge | calibration Spearman vs graded test answers | n/a |  |"]
    assert summary["spoken_pass"] == 1.0 and "| n/a (offline: the templates say every line) |" in table
    assert summary["echoes_by_persona"]["echo"] > 0 and summary["echoed_answers"] == 0
    assert summary["separation_left_out"] == 0


def test_the_eval_runs_in_model_mode_against_a_local_server(fake, tmp_path):
    env = {"INTERVIEWER_HOME": str(tmp_path), "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake.base_url,
           "INTERVIEWER_MODEL": "fake-model", "INTERVIEWER_TIMEOUT": "2", "INTERVIEWER_MAX_RETRIES": "0"}
    summary, table = evaluate(["behavioral:RS"], ["strong", "weak"], n=1, settings=Settings.from_env(env=env),
                              with_calibration=False)
    assert summary["mode"].startswith("model fake-model")
    # Counted on the wire-format prompts, and kept under the interviewer's token budget.
    assert 100 < summary["prompt_tokens_mean"] <= summary["prompt_tokens_max"] <= Settings.from_env(env=env).token_budget
    assert summary["evidence_validity"] == 1.0 and summary["stuck_loops"] == 0


def model_env(fake: FakeOpenAI, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"INTERVIEWER_HOME": str(tmp_path), "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake.base_url,
            "INTERVIEWER_MODEL": "fake-model", "INTERVIEWER_TIMEOUT": "2", "INTERVIEWER_MAX_RETRIES": "0", **extra}


@pytest.fixture
def few_graded(monkeypatch):
    """Eight graded test answers, not 180: the offline judge takes a second or two for each."""
    from evals import judge_data

    rows = judge_data.load_graded()
    keep = mf.calibration_sample([a for a in rows if a["split"] == "test"], 8)
    monkeypatch.setattr(judge_data, "load_graded", lambda: keep)
    return keep


def row(table: str, starts: str) -> list[str]:
    """The cells of the one table line whose metric starts with `starts`."""
    (found,) = [line for line in table.splitlines() if line.startswith(f"| {starts}")]
    return [cell.strip() for cell in found.strip("|").split("|")]


def test_model_mode_reports_the_model_judges_own_figures_and_what_was_said(fake, tmp_path, few_graded):
    settings = Settings.from_env(env=model_env(fake, tmp_path, INTERVIEWER_MODEL_JUDGE="force"))
    summary, table = evaluate(["behavioral:RS"], ["strong", "weak"], n=1, settings=settings, length_plans=(),
                              judge_cap=4)
    offline = row(table, "Judge | calibration Spearman vs graded test answers, offline judge")
    assert offline[1].endswith("(8 answers)") and float(offline[2]) == pytest.approx(summary["calibration_spearman"], abs=5e-4)
    own = row(table, "Judge | calibration Spearman vs graded test answers, model:fake-model's own scores")
    model = summary["calibration"]["model"]
    assert model["of"] == 4 and 0 < model["scored"] <= 4 and f"(scored {model['scored']} of 4" in own[1]
    assert own[2] != mf.NEVER_SCORED
    # Forced through the gate, the fake's valid judgements score the interview answers.
    assert summary["judge_sources"].get("model", 0) > 0
    assert row(table, "Judge | interview answers scored by the model judge")[2] != "0.000"
    # The fake phrases every question it is asked for; the templates say the rest by design.
    spoken = summary["speaker_sources"]
    assert spoken["model"] > 0 and set(spoken) <= {"model", "template"}
    assert row(table, "Interviewer | interviewer lines phrased by the model")[2].startswith(f"{spoken['model']} / ")
    assert summary["spoken_lines"] > 0 and summary["spoken_pass"] == 1.0
    assert row(table, "Interviewer | spoken questions, follow-ups and pivots that pass the utterance checks")[2] == "1.000"
    assert summary["echoed_answers"] == 0 and summary["simulated_answers"] > 0
    assert row(table, "Candidates | simulated answers that echo the question")[2].startswith("0 of ")


@pytest.mark.parametrize("judge_reply", ["rejected", "failed"])
def test_a_model_judge_that_never_scores_is_not_given_the_offline_number(fake, tmp_path, few_graded, judge_reply):
    def reply(request: dict) -> dict:
        if not (request.get("response_format") or request.get("tools")):
            return default_reply(request)
        if judge_reply == "failed":
            return {"malformed": True}  # not JSON, nor after the repair attempt: the call fails
        judged = default_reply(request)
        judged["json"]["on_topic"] = False  # off topic yet scored 3: the judgement contradicts itself
        return judged

    fake.next_reply = reply
    settings = Settings.from_env(env=model_env(fake, tmp_path, INTERVIEWER_MODEL_JUDGE="force"))
    summary, table = evaluate(["behavioral:RS"], ["strong"], n=1, settings=settings, length_plans=(), judge_cap=4)
    own = row(table, "Judge | calibration Spearman vs graded test answers, model:fake-model's own scores")
    assert own[2] == mf.NEVER_SCORED and "scored 0 of 4" in own[1]
    assert summary["calibration"]["model"]["spearman"] is None and summary["calibration_spearman"] is not None
    assert "model" not in summary["judge_sources"]
    reasons = row(table, "Judge | why the offline judge scored instead")[2]
    assert f"model_judge_{judge_reply}" in reasons
    assert row(table, "Judge | interview answers scored by the model judge")[2] == "0.000"


def test_simulated_candidates_that_echo_are_counted_and_kept_out_of_separation(fake, tmp_path):
    def reply(request: dict) -> dict:
        messages = request.get("messages", [])
        if any("You are playing a candidate" in str(m.get("content", "")) for m in messages):
            return {"text": messages[-1]["content"]}  # the question, said back
        return default_reply(request)

    fake.next_reply = reply
    settings = Settings.from_env(env=model_env(fake, tmp_path))
    summary, table = evaluate(["behavioral:RS"], ["strong", "weak"], n=1, settings=settings, length_plans=(),
                              with_calibration=False)
    assert summary["echoes_by_persona"]["strong"] > 0 and summary["echoes_by_persona"]["weak"] > 0
    assert summary["echoed_answers"] == summary["echoes_by_persona"]["strong"] + summary["echoes_by_persona"]["weak"]
    assert summary["separation_left_out"] == 2 and summary["separation_auc"] is None
    assert row(table, "Judge | separation ROC-AUC (strong vs weak overall; 2 echoing interviews left out)")[2] == "n/a"
    echo = row(table, "Candidates | simulated answers that echo the question")
    assert echo[1].endswith("separation figures: 2)") and echo[2].startswith(f"{summary['echoed_answers']} of ")


def test_eval_command_rejects_bad_input():
    import typer
    from typer.testing import CliRunner

    from evals.__main__ import eval_command

    app = typer.Typer()
    app.command()(eval_command)
    result = CliRunner().invoke(app, ["--plans", "loopy"])
    assert result.exit_code == 2 and "expected PLAN[:RS|DS]" in result.output
    result = CliRunner().invoke(app, ["--personas", "strong,genius"])
    assert result.exit_code == 2 and "'genius' is not one of" in result.output


def test_the_same_seed_gives_the_same_interviews(tmp_path):
    def once(sub: str) -> dict:
        settings = Settings.from_env(env={"INTERVIEWER_HOME": str(tmp_path / sub)})
        summary, _ = evaluate(["phone-screen:RS"], ["average", "no_result"], n=2, seed=5, workers=2,
                              out=tmp_path / f"out-{sub}", settings=settings, with_calibration=False)
        return summary

    first, second = once("a"), once("b")
    assert first["by_persona"] == second["by_persona"] and first["follow_ups"] == second["follow_ups"]
    said = [sorted((tmp_path / f"out-{x}" / "transcripts").glob("*.json")) for x in "ab"]
    texts = [[[t["text"] for t in json.loads(p.read_text())["turns"]] for p in paths] for paths in said]
    assert texts[0] == texts[1]


def test_rounds_within_budget_counts_turns_and_interview_minutes():
    plan = build_plan("stats", "RS")  # one round: 30 minutes, 60 turns at most

    def said(n):  # noqa: ANN001, ANN202
        return [Turn(index=i, speaker="candidate", text="x", round_index=0, created_at=0.0, classification="answer")
                for i in range(n)]

    assert m.rounds_within_budget(plan, [29 * 60.0], said(4)) == (1, 1)
    assert m.rounds_within_budget(plan, [36 * 60.0], said(4)) == (0, 1)
    assert m.rounds_within_budget(plan, [36 * 60.0], said(4), grace_s=240) == (0, 1)  # 6 minutes over: more than one answer
    assert m.rounds_within_budget(plan, [33 * 60.0], said(4), grace_s=240) == (1, 1)
    assert m.rounds_within_budget(plan, [20 * 60.0], said(61)) == (0, 1)  # past the turn cap
    assert m.length_against_plan(plan, [27 * 60.0]) == 0.9
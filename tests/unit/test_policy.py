"""The turn policy, on the real corpus, with scores built by hand."""

from __future__ import annotations

import pytest

from interviewer.interview.choose import (
    biggest_gap_follow_up,
    match_clarification,
    pick_question,
    star_follow_up,
)
from interviewer.interview.classify import MessageKind
from interviewer.interview.plans import PLAN_IDS, build_plan
from interviewer.interview.policy import Policy
from interviewer.interview.state import InterviewState
from interviewer.schemas import Action, Criterion, Role, Round, Score


def tech_score(missed: list[int], covered: list[int], overall: float = 2.0) -> Score:
    return Score(overall=overall, criteria=[Criterion(name="coverage", score=2, rationale="x")], judge="offline",
                 kind="technical", key_points_missed=missed, key_points_covered=covered)


def story_score(missing: list[str], flags: list[str] | None = None) -> Score:
    return Score(overall=2.0, criteria=[Criterion(name="ownership", score=3, rationale="x"), Criterion(name="specificity", score=3, rationale="x")],
                 judge="offline", kind="behavioral", star_missing=missing, flags=flags or [])


@pytest.mark.parametrize("plan_id", PLAN_IDS)
@pytest.mark.parametrize("role", ["RS", "DS"])
def test_every_plan_has_budgets(plan_id, role):
    plan = build_plan(plan_id, role)
    assert plan.rounds and all(r.max_turns >= r.questions and r.minutes > 0 for r in plan.rounds)
    technical = [r for r in plan.rounds if r.kind is not Round.BEHAVIORAL]
    if plan_id == "loop":
        assert all(r.pivots >= 1 for r in technical), "LPs are woven into every loop round"


def test_role_changes_the_mix():
    rs, ds = build_plan("loop", "RS"), build_plan("loop", "DS")
    assert Round.SQL in {r.kind for r in ds.rounds} and Round.SQL not in {r.kind for r in rs.rounds}
    assert Round.ML_DEPTH in {r.kind for r in rs.rounds}
    assert build_plan("bar-raiser").follow_up_cap > build_plan("ml-breadth").follow_up_cap
    with pytest.raises(ValueError, match="unknown plan"):
        build_plan("lunch")


def test_pick_question_never_repeats_and_is_reproducible(corpus):
    plan = build_plan("ml-breadth", Role.DS)
    state = InterviewState(plan=plan, seed=7)
    picked = []
    for _ in range(30):
        q = pick_question(state, corpus, plan.rounds[0])
        assert q is not None and q.id not in picked and Role.DS in q.roles
        picked.append(q.id)
        state.asked.append(q.id)
        for t in q.topics:
            state.topics_seen[t] = state.topics_seen.get(t, 0) + 1
    again = InterviewState(plan=plan, seed=7)
    assert pick_question(again, corpus, plan.rounds[0]).id == picked[0]
    assert any(pick_question(InterviewState(plan=plan, seed=s), corpus, plan.rounds[0]).id != picked[0] for s in range(1, 6))


def test_recently_seen_questions_are_avoided(corpus):
    plan = build_plan("sql", Role.DS)
    first = pick_question(InterviewState(plan=plan, seed=1), corpus, plan.rounds[0])
    avoided = pick_question(InterviewState(plan=plan, seed=1, avoid=[first.id]), corpus, plan.rounds[0])
    assert avoided.id != first.id


def test_follow_up_targets_the_biggest_gap_and_never_repeats(corpus):
    q = next(q for q in corpus.questions if len({f.key_point for f in q.follow_ups if f.key_point}) >= 2)
    targeted = [f.key_point for f in q.follow_ups if f.key_point]
    score = tech_score(missed=[targeted[1], targeted[0]], covered=[])
    first = biggest_gap_follow_up(q, score, [])
    assert q.follow_ups[first].key_point == targeted[1]
    second = biggest_gap_follow_up(q, score, [first])
    assert second != first and q.follow_ups[second].key_point == targeted[0]
    # Everything covered: nothing to probe.
    assert biggest_gap_follow_up(q, tech_score(missed=[], covered=list(range(1, len(q.key_points) + 1)), overall=3.8), []) is None


def test_star_follow_up_probes_the_missing_result_first(corpus):
    lp = corpus.lp("Deliver Results")
    index, gap = star_follow_up(lp, story_score(["result", "learning"]), [])
    assert gap == "result" and lp.follow_ups[index].gap == "result"
    index2, gap2 = star_follow_up(lp, story_score(["result", "learning"]), [index])
    assert gap2 == "learning"
    _, gap3 = star_follow_up(lp, story_score([], ["we_only"]), [])
    assert gap3 == "ownership"


def test_clarification_comes_from_the_notes(corpus):
    q = next(q for q in corpus.questions if q.clarifications)
    note = q.clarifications[0]
    assert match_clarification(q, f"Could you tell me about the {note.about}?") == note.answer
    assert match_clarification(q, "zebra xylophone?") is None


def run(policy, state, kinds, score=None, now=0.0):
    decisions = []
    for kind in kinds:
        decisions.append(policy.on_message(state, kind, "text", score, now))
    return decisions


def test_no_example_gets_one_alternative_then_moves_on(corpus):
    policy = Policy(corpus)
    state = InterviewState(plan=build_plan("behavioral"), seed=1)
    first = policy.start(state, 0.0)
    d1, d2 = run(policy, state, [MessageKind.NO_EXAMPLE, MessageKind.NO_EXAMPLE])
    assert d1.action is Action.ALTERNATE and d1.text in corpus.lp(first.lp).alternate_scenarios
    assert d2.action is Action.ASK and d2.item_id != first.item_id


def test_one_reprompt_then_move_on(corpus):
    policy = Policy(corpus)
    state = InterviewState(plan=build_plan("ml-breadth"), seed=2)
    first = policy.start(state, 0.0)
    d1, d2 = run(policy, state, [MessageKind.ECHO, MessageKind.EMPTY])
    assert d1.action is Action.REPROMPT and d1.variant == "echo"
    assert d2.action in (Action.ASK, Action.PIVOT) and d2.item_id != first.item_id


def test_hint_once_then_exhausted(corpus):
    policy = Policy(corpus)
    state = InterviewState(plan=build_plan("ml-breadth"), seed=3)
    policy.start(state, 0.0)
    d1, d2 = run(policy, state, [MessageKind.HINT_REQUEST, MessageKind.HINT_REQUEST])
    assert d1.action is Action.HINT and d1.gap
    assert d2.action is Action.HINT and d2.variant == "exhausted"


def play(policy: Policy, state: InterviewState, seconds: float = 60.0, ask: str | None = None) -> list:
    """Answer every item weakly, each turn taking `seconds` of interview time; at a round's end
    ask `ask` once (or nothing). Returns the decisions."""
    decisions = []
    for _ in range(400):
        if state.finished:
            break
        item = state.item
        state.charge(seconds)
        if item.kind == "questions":
            message = ask if ask and state.round.candidate_questions == 0 else "No, thanks, that's all."
            d = policy.on_message(state, MessageKind.ANSWER, message, None, 1.0)
        else:
            score = tech_score(missed=[1, 2, 3], covered=[]) if item.kind == "technical" else story_score(["result"])
            d = policy.on_message(state, MessageKind.ANSWER, "answer", score, 1.0)
        decisions.append(d)
    return decisions


def test_a_round_asks_until_its_time_is_used_then_invites_questions(corpus):
    policy = Policy(corpus)
    plan = build_plan("ml-breadth")
    state = InterviewState(plan=plan, seed=4)
    policy.start(state, 0.0)
    decisions = play(policy, state, seconds=60.0)
    actions = [d.action for d in decisions]
    assert state.finished and actions[-1] is Action.END
    assert Action.PIVOT in actions
    asks = sum(1 for d in decisions if d.action is Action.ASK) + 1  # the first question came from start()
    assert asks > plan.rounds[0].questions, "30 minutes hold more than the usual three questions at a minute a turn"
    assert actions[-2] is Action.INVITE_QUESTIONS  # the drill's one interviewer asks for questions at the end
    # Questions stop when the time is used, keeping the reserve for the candidate's questions.
    assert plan.rounds[0].minutes * 60 - 300 <= state.round_elapsed_s <= plan.rounds[0].minutes * 60 + 120
    assert len(state.asked) == len(set(state.asked))


def test_fast_turns_do_not_change_the_round_length_only_what_fills_it(corpus):
    policy = Policy(corpus)
    slow, fast = InterviewState(plan=build_plan("ml-breadth"), seed=4), InterviewState(plan=build_plan("ml-breadth"), seed=4)
    policy.start(slow, 0.0)
    policy.start(fast, 0.0)
    play(policy, slow, seconds=120.0)
    play(policy, fast, seconds=45.0)
    assert abs(slow.elapsed_s - fast.elapsed_s) <= 240
    assert len(fast.asked) > len(slow.asked)


def test_time_budget_closes_the_round(corpus):
    policy = Policy(corpus)
    plan = build_plan("phone-screen", "RS")
    state = InterviewState(plan=plan, seed=5)
    policy.start(state, 0.0)
    state.charge(plan.rounds[0].minutes * 60 + 1)
    d = policy.on_message(state, MessageKind.ANSWER, "answer", tech_score([1], []), 2.0)
    # One interviewer runs the whole screen: no questions for them until its last round.
    assert d.round_index == 1 and d.new_round and "last round" not in d.reason and d.introduction is None


def test_each_loop_round_has_its_own_interviewer_and_ends_with_the_candidates_questions(corpus):
    policy = Policy(corpus)
    plan = build_plan("loop", "DS")
    state = InterviewState(plan=plan, seed=3)
    first = policy.start(state, 0.0)
    assert first.introduction is not None and not first.introduction.whole_interview
    decisions = play(policy, state, seconds=90.0, ask="What does a typical week look like for a scientist on your team?")
    intros = [d.introduction for d in decisions if d.introduction is not None]
    assert len(intros) == len(plan.rounds) - 1 and len({i.name for i in [first.introduction, *intros]}) == len(plan.rounds)
    invites = [d for d in decisions if d.action is Action.INVITE_QUESTIONS]
    assert len(invites) == len(plan.rounds)
    answers = [d for d in decisions if d.action is Action.ANSWER_QUESTION]
    assert len(answers) == len(plan.rounds) and all(d.variant is None and "week" in d.reason for d in answers[:1])
    assert "{team}" not in answers[0].text and answers[0].text
    lps = [d.lp for d in decisions if d.action is Action.PIVOT]
    assert len(lps) == len(set(lps)) and len(lps) >= len(plan.rounds)
    assert state.elapsed_s >= 0.8 * plan.minutes * 60


def test_a_contradiction_is_challenged_once_before_any_gap(corpus):
    from interviewer.schemas import Contradiction

    policy = Policy(corpus)
    state = InterviewState(plan=build_plan("ml-breadth"), seed=4)
    policy.start(state, 0.0)
    quote = "L2 is what sets weights to exactly zero."
    score = tech_score(missed=[1, 2], covered=[])
    score.contradictions = [Contradiction(key_point=2, quote=quote, statement="L1 gives exact zeros.")]
    d1 = policy.on_message(state, MessageKind.ANSWER, "answer", score, 1.0)
    assert d1.action is Action.FOLLOW_UP and d1.gap == "contradiction"
    assert f'"{quote}"' in d1.text and "why" in d1.text.lower()
    d2 = policy.on_message(state, MessageKind.ANSWER, "answer", score, 2.0)
    assert d2.gap != "contradiction"  # the same contradiction is not challenged twice


def test_a_we_only_story_is_asked_what_you_did_first_even_without_a_result(corpus):
    lp = corpus.lp("Deliver Results")
    _, gap = star_follow_up(lp, story_score(["result", "learning"], ["we_only"]), [])
    assert gap == "ownership"


def test_a_part_the_story_plainly_gives_is_never_asked_for(corpus):
    lp = corpus.lp("Deliver Results")
    told = "We shipped it in May. As a result, churn fell from 8% to 5% within a quarter."
    _, gap = star_follow_up(lp, story_score(["result", "learning"]), [], answer=told)
    assert gap == "learning"  # the classifier missed the result; the words "as a result" did not


def test_a_line_or_two_gets_asked_for_a_story_not_for_its_result(corpus):
    policy = Policy(corpus)
    state = InterviewState(plan=build_plan("behavioral", Role.RS), seed=1)
    policy.start(state, 0.0)
    short = story_score(["situation", "task", "action", "result", "learning"], ["insufficient_evidence"])
    first = policy.on_message(state, MessageKind.ANSWER, "I fixed a bug once.", short, 1.0)
    assert first.action is Action.REPROMPT and first.variant == "short_story"
    second = policy.on_message(state, MessageKind.ANSWER, "It was a bug in a job.", short, 2.0)
    assert second.action in (Action.ALTERNATE, Action.ASK, Action.END) and second.action is not Action.FOLLOW_UP


def test_a_hint_is_about_the_follow_up_on_the_table(corpus):
    policy = Policy(corpus)
    q = next(q for q in corpus.questions if len(q.follow_ups) >= 2)
    state = InterviewState(plan=build_plan("ml-breadth", Role.RS), seed=1)
    policy.start(state, 0.0)
    state.item.item_id, state.item.question, state.item.kind = q.id, q.question, "technical"
    state.item.follow_ups = [1]
    hint = policy.on_message(state, MessageKind.HINT_REQUEST, "/hint", None, 1.0)
    assert hint.action is Action.HINT and hint.gap == q.follow_ups[1].gap


def test_a_pivot_never_probes_an_lp_twice(corpus):
    policy = Policy(corpus)
    q = next(q for q in corpus.questions if len(q.pivot.lps) >= 2)
    state = InterviewState(plan=build_plan("ml-breadth", Role.RS), seed=1)
    state.lps_probed = [q.pivot.lps[0]]
    assert policy._pivot(state, q, "t").lp == q.pivot.lps[1]
    state.lps_probed = list(q.pivot.lps)
    other = policy._pivot(state, q, "t")  # the question's own LPs are used up: one nobody probed, with its probe
    assert other.lp not in q.pivot.lps and other.item_kind == "lp_probe" and other.text in {
        p.text for p in corpus.lp(other.lp).probes}
    state.lps_probed = [lp.name for lp in corpus.lps]
    assert policy._pivot(state, q, "t") is None  # every LP probed: no pivot at all


def test_a_coding_round_asks_a_runnable_question_and_asks_for_the_code(corpus):
    coding = [q for q in corpus.questions if q.round is Round.CODING]
    runnable = {coding[0].id}
    policy = Policy(corpus, lambda: runnable)
    state = InterviewState(plan=build_plan("coding", Role.RS), seed=3)
    first = policy.start(state, 0.0)
    assert first.item_id == coding[0].id
    reply = policy.on_message(state, MessageKind.ANSWER, "I would sort and sweep.", tech_score([1], [], 2.0), 1.0)
    assert reply.action is Action.FOLLOW_UP and reply.gap == "code"
    again = policy.on_message(state, MessageKind.ANSWER, "Still words, no code.", tech_score([1], [], 2.0), 2.0)
    assert again.gap != "code"  # asked once


def test_interview_time_is_the_spoken_length_or_the_real_time_if_longer():
    from interviewer.interview.clock import MAX_IDLE_S, THINK_S, turn_seconds

    asked, answer = "word " * 25, "word " * 150
    assert turn_seconds(asked, answer) == 10 + THINK_S + 60  # 0.4 s a word, both ways, and a pause
    assert turn_seconds(asked, answer, wall_gap=5.0) == 90.0  # pasted in five seconds: still 90
    assert turn_seconds(asked, answer, wall_gap=300.0) == 300.0  # typed slowly: the real time
    assert turn_seconds(asked, answer, wall_gap=7200.0) == MAX_IDLE_S  # a break is not interview time
    code = "def f(xs):\n    # a comment\n" + "    x = 1\n" * 9
    assert turn_seconds("", code, code=True) == 300.0  # ten lines at 30 s, not their spoken length
    assert turn_seconds("", "print(1)", code=True) == 180.0  # writing anything takes a few minutes


def test_the_candidates_questions_are_told_from_statements_and_matched_to_answers(corpus):
    from interviewer.interview import panel

    assert panel.is_question("What does the team work on next year?")
    assert panel.is_question("how do you decide what to build")
    assert panel.is_question("I'm curious how promotions work")
    assert not panel.is_question("No, I think that's all, thanks.")
    index, person = panel.PanelIndex(corpus), corpus.interviewers[0]
    how, text, kind = index.answer("What happens after the loop, and when would I hear back?", person)
    assert how == "answered from ans-after-the-loop" and kind == "prepared" and "{" not in text
    # A question about the team's technical work: how the team thinks about it, from a corpus question.
    how, text, kind = index.answer("On the pricing team, how do you estimate price elasticity when prices are set by "
                             "your own algorithm, so there is little exogenous variation?", person)
    assert how == "answered from the key points of sci-pricing-elasticity" and kind == "topic"
    pricing = next(q for q in corpus.questions if q.id == "sci-pricing-elasticity")
    said = [k for k in pricing.key_points if k.rstrip(".") in text]
    assert len(said) == 2 and text.endswith(".")  # the two key points closest to the question
    assert index.answer("Is the cafeteria food vegetarian?", person) is None


def test_the_panel_has_someone_for_every_round_of_every_plan(corpus):
    from interviewer.interview import panel

    for plan_id in PLAN_IDS:
        for role in ("RS", "DS"):
            plan = build_plan(plan_id, role)
            met: list[str] = []
            for i in range(len(plan.rounds)):
                if not plan.introduces(i):
                    continue
                person = panel.pick_interviewer(corpus, plan, i, seed=1, met=met)
                assert person is not None and person.id not in met, (plan_id, role, i)
                met.append(person.id)
                if plan_id == "recruiter-screen":
                    assert "recruit" in person.title.lower()
                elif plan.bar_raiser_round == i or (plan.bar_raiser and plan.one_interviewer):
                    assert person.bar_raiser
                else:
                    assert not person.bar_raiser and (not person.rounds or plan.rounds[i].kind in person.rounds)
                    # Of the role when anyone of the role runs such rounds (no DS interviewer runs ML depth).
                    assert plan.role in person.roles or not any(
                        plan.role in p.roles and plan.rounds[i].kind in p.rounds for p in corpus.interviewers)


def test_titles_said_mid_sentence_keep_names_and_acronyms():
    from interviewer.interview.panel import spoken

    assert spoken("Phone screen (RS)") == "phone screen"
    assert spoken("Background and resume walk-through") == "background and resume walk-through"
    assert spoken("Leadership Principles") == "Leadership Principles"
    assert spoken("ML breadth check") == "ML breadth check"
    assert spoken("Bar Raiser round (DS)") == "Bar Raiser round"


def test_a_failing_run_explained_in_words_is_asked_to_run_again_once(corpus):
    from interviewer.schemas import RunRecord

    coding = [q for q in corpus.questions if q.round is Round.CODING]
    policy = Policy(corpus, lambda: {coding[0].id})
    state = InterviewState(plan=build_plan("coding", Role.RS), seed=3)
    policy.start(state, 0.0)
    state.item.run = RunRecord(language="python", status="failed", passed=11, total=17, runs=1, source="x")
    state.item.code_asked = True
    fix = policy.on_message(state, MessageKind.ANSWER, "Greedy fails; I'll switch to DP.", tech_score([1], [], 2.0), 1.0)
    assert fix.action is Action.FOLLOW_UP and fix.gap == "rerun" and "run it again" in fix.text
    later = policy.on_message(state, MessageKind.ANSWER, "Still explaining.", tech_score([1], [], 2.0), 2.0)
    assert later.gap != "rerun"


def test_a_corpus_without_a_panel_still_answers_the_candidates_questions_plainly(corpus):
    from interviewer.corpus.loading import Corpus
    from interviewer.interview import panel

    bare = Corpus(questions=corpus.questions[:5], lps=corpus.lps)
    assert panel.PanelIndex(bare).answer("What does a typical week look like?", None) is None
    assert panel.PanelIndex(Corpus(lps=corpus.lps)).answer("How are projects chosen?", None) is None


def test_a_silent_candidate_gets_three_questions_a_round_not_an_hour_of_them(corpus):
    policy = Policy(corpus)
    state = InterviewState(plan=build_plan("loop", "RS"), seed=2)
    policy.start(state, 0.0)
    asked_per_round: dict[int, int] = {}
    for _ in range(400):
        if state.finished:
            break
        state.charge(30.0)
        r = state.round.index
        if state.item.kind == "questions":
            d = policy.on_message(state, MessageKind.ANSWER, "No, thanks.", None, 1.0)
        else:
            d = policy.on_message(state, MessageKind.SKIP, "/skip", None, 1.0)
        if d.action in (Action.ASK, Action.PIVOT) and d.round_index == r:
            asked_per_round[r] = asked_per_round.get(r, 0) + 1
    assert state.finished
    assert all(n <= 3 for n in asked_per_round.values()), asked_per_round
    assert state.elapsed_s < 0.5 * state.plan.minutes * 60  # a silent loop is short, as a real one would be

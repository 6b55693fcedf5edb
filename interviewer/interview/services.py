"""The services an interview runs on, built once per process from Settings and shared by every
interview: the corpus, the judge, the store, the policy, and in model mode the model clients and
the retriever. The terminal, the browser app and the evals build them the same way.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from interviewer.config import Settings
from interviewer.corpus.loading import Corpus, load_with_extras
from interviewer.datadir import secure_tree
from interviewer.interview.policy import Policy
from interviewer.judge.base import Judge
from interviewer.judge.offline import OfflineJudge
from interviewer.speaker.base import Speaker
from interviewer.speaker.template import TemplateSpeaker
from interviewer.store import Store

if TYPE_CHECKING:  # model mode and retrieval load only when configured
    from interviewer.llm import ModelClient, Usage
    from interviewer.retrieval.index import Retriever
    from interviewer.runner.problems import CodingProblem, ProblemSet, SqlProblem


def corpus_vocabulary(corpus: Corpus) -> frozenset[str]:
    """Every word the corpus uses: the gibberish check's idea of a known word."""
    words: set[str] = set()
    for item in [*corpus.questions, *corpus.lps, *corpus.reports]:
        words.update(re.findall(r"[a-z]+", item.model_dump_json().lower()))
    return frozenset(words)


QUALIFICATION_FILE = "judge-qualification.json"
QUALIFY_BUDGET = 240.0  # seconds for the check set at a model-mode start (doctor gives it less)


def qualification_key(settings: Settings, judge_name: str) -> str:
    from interviewer.judge.qualify import cache_key

    return cache_key(judge_name, settings.shown_base_url, settings.structured_output, settings.prompts_dir)


def usage_of(usages: list[Usage | None]) -> dict[str, int]:
    counted = [u for u in usages if u is not None]
    return {
        "calls": sum(u.calls for u in counted),
        "prompt_tokens": sum(u.prompt_tokens for u in counted),
        "completion_tokens": sum(u.completion_tokens for u in counted),
        "failures": sum(u.failures for u in counted),
    }


@dataclass
class Services:
    """Built once per process and shared by every interview."""

    settings: Settings
    corpus: Corpus
    judge: Judge  # the offline judge, or the model judge in model mode
    store: Store
    policy: Policy = field(init=False)
    vocabulary: frozenset[str] = field(init=False)
    clock: Callable[[], float] = time.time
    speaker_client: ModelClient | None = None  # model mode only
    retriever: Retriever | None = None  # grounds the model speaker with candidate reports, when available
    # Who phrases the interviewer's lines, given the interview's seed and model client; tests
    # pass a fake. Default: the templates, or the model speaker in model mode.
    make_speaker: Callable[[int, ModelClient | None], Speaker] | None = None

    def __post_init__(self) -> None:
        self.policy = Policy(self.corpus, lambda: {*self.problems.coding, *self.problems.sql})
        self.vocabulary = corpus_vocabulary(self.corpus)
        self._problems: ProblemSet | None = None
        self._problems_lock = threading.Lock()
        self.warm_stage = "not started"

    @property
    def problems(self) -> ProblemSet:
        """The runnable problems (hidden tests, SQL references), loaded on first use."""
        with self._problems_lock:
            if self._problems is None:
                from interviewer.runner import load_problems

                self._problems = load_problems(self.settings.corpus_dir)
            return self._problems

    def problem_for(self, item_id: str) -> CodingProblem | SqlProblem | None:
        return self.problems.coding.get(item_id) or self.problems.sql.get(item_id)

    @classmethod
    def from_settings(cls, settings: Settings, corpus: Corpus | None = None, retriever: Retriever | None = None) -> Services:
        from interviewer.embeddings import get_embedder

        corpus = corpus or load_with_extras(settings.corpus_dir, settings.extra_corpus_dirs)
        offline = OfflineJudge(get_embedder())
        secure_tree(settings.home)  # the data directory 0700, its files 0600: new ones, and old ones fixed
        store = Store(settings.database)
        if not settings.model_mode:
            return cls(settings=settings, corpus=corpus, judge=offline, store=store)
        from interviewer.judge.model import ModelJudge
        from interviewer.llm import ModelClient

        if retriever is None:
            # Grounding for the model speaker; the index is built (or reused) on first search.
            from interviewer.retrieval.index import Retriever, make_client

            retriever = Retriever(corpus, get_embedder(), make_client(settings), ranker=settings.ranker)
        speaker_client = ModelClient(settings, settings.model)
        if settings.model_judge == "off":
            return cls(settings=settings, corpus=corpus, store=store, judge=offline, speaker_client=speaker_client,
                       retriever=retriever)
        from interviewer.judge.model import JudgeGate
        from interviewer.judge.qualify import load_cached

        judge_client = ModelClient(settings, settings.judge_model or settings.model, temperature=0.0)
        judge = ModelJudge(judge_client, settings.prompts_dir, offline, JudgeGate(settings.model_judge))
        judge.gate.result = load_cached(settings.home / "cache" / QUALIFICATION_FILE, qualification_key(settings, judge.name))
        return cls(settings=settings, corpus=corpus, store=store, judge=judge, speaker_client=speaker_client,
                   retriever=retriever)

    @property
    def offline_judge(self) -> OfflineJudge:
        """The offline judge, also in model mode (the story bank scores with it)."""
        return self.judge if isinstance(self.judge, OfflineJudge) else self.judge.fallback

    @property
    def mode(self) -> str:
        if self.speaker_client is None:
            return "offline"
        # Shown in the chat banner and stored with every session and report: never the URL's credentials.
        return f"model {self.speaker_client.model_name} at {self.settings.shown_base_url}"

    def usage(self) -> dict[str, int]:
        return usage_of([self.speaker_client.usage if self.speaker_client else None, self.judge.usage()])

    def for_session(self) -> tuple[Judge, ModelClient | None]:
        """(judge, speaker client) for one interview: in model mode, clients that count its usage apart."""
        client = self.speaker_client.fork() if self.speaker_client is not None else None
        return self.judge.for_session(), client

    def qualify_judge(self, budget_seconds: float = QUALIFY_BUDGET, force_check: bool = False):  # noqa: ANN201
        """Check the model judge on the graded set (judge/qualify.py) unless a result for this
        model, endpoint and prompt is cached; the result is cached and gates its scores. None in
        offline mode or with the model judge off."""
        from interviewer.judge.model import ModelJudge
        from interviewer.judge.qualify import check_set, qualify, save

        judge = self.judge
        if not isinstance(judge, ModelJudge):
            return None
        if judge.gate.result is not None and not force_check:
            return judge.gate.result
        key = qualification_key(self.settings, judge.name)
        checker = judge.for_session()  # its calls count apart from any interview's
        checker.client.background = True  # an interview's calls go first

        corpus = self.corpus
        if not {i["target"] for i in check_set()} <= {q.id for q in corpus.questions} | {lp.id for lp in corpus.lps}:
            corpus = load_with_extras(self.settings.corpus_dir, [])  # a subset (the evals'): the check needs the rest
        judge.gate.running = True
        try:
            result = qualify(key, judge.name, partial(checker.model_score, offline=False), corpus, budget_seconds,
                             lambda: checker.last_problem)
        finally:
            judge.gate.running = False
        save(self.settings.home / "cache" / QUALIFICATION_FILE, result)
        judge.gate.result = result
        return result

    def judge_status(self) -> str:
        """One line for a start screen: which judge scores, and why when it is not the model."""
        from interviewer.judge.model import ModelJudge

        judge = self.judge
        if not isinstance(judge, ModelJudge):
            return "The offline judge scores every answer" + (" (INTERVIEWER_MODEL_JUDGE=off)." if self.speaker_client else ".")
        why_not = judge.gate.why_not()
        if why_not is None:
            how = "forced, INTERVIEWER_MODEL_JUDGE=force" if judge.gate.mode == "force" else judge.gate.result.reason
            return f"{judge.name} scores answers ({how})."
        return f"The offline judge scores answers: the model judge is not used because {why_not}."

    def qualify_judge_in_background(self) -> threading.Thread | None:
        """At a model-mode start: qualify the judge while the candidate reads (once per model; the
        offline judge scores until it is done, and the report says so)."""
        from interviewer.judge.model import ModelJudge

        judge = self.judge
        if not isinstance(judge, ModelJudge) or judge.gate.mode != "auto" or judge.gate.result is not None:
            return None
        judge.gate.running = True
        thread = threading.Thread(target=self._qualify_quietly, daemon=True, name="judge-qualification")
        thread.start()
        return thread

    def _qualify_quietly(self) -> None:
        import logging

        try:
            self.qualify_judge()
        except Exception:  # noqa: BLE001 - the offline judge keeps scoring; the log says why
            logging.getLogger(__name__).exception("the model judge's qualification failed")

    @property
    def judge_ready(self) -> bool:
        """False until the judge's trained model has loaded (the first answer then waits for it)."""
        return self.judge.ready

    def warm_up(self, stop: threading.Event | None = None) -> int:
        """Load the model and the rubric embeddings (from the data directory when unchanged)."""
        from interviewer.judge.rubric import rubric_texts

        self.warm_stage = "loading"
        cache = self.settings.home / "cache"
        try:
            embedded = self.judge.warm_up(rubric_texts(self.corpus), cache / "rubric-embeddings.npz", stop)
        except BaseException:
            self.warm_stage = "failed"
            raise
        if cache.exists():
            secure_tree(cache)  # the judge wrote its cache with the process's umask
        return embedded

    def warm_status(self) -> str:
        """For the screen: "ready" once the judge's models are in (rubrics not embedded yet are
        embedded when first needed, in milliseconds); else what the warm-up is doing."""
        if self.judge.ready:
            return "ready"
        if self.warm_stage == "failed":
            return "the warm-up failed; your first answer loads the judge's models instead (10-20 s)"
        if self.warm_stage == "loading":
            return "loading the judge's models, which takes 10-20 s after a start; answers are scored once it is done"
        return "not loaded yet; your first answer loads the judge's models (10-20 s)"

    def warm_up_in_background(self) -> threading.Thread:
        """Warm up while the candidate reads; stopped and joined at exit, because a thread still
        inside the model when the interpreter shuts down aborts the process."""
        import atexit

        stop = threading.Event()
        thread = threading.Thread(target=self.warm_up, args=(stop,), daemon=True, name="warm-up")
        thread.start()
        self._warming = (thread, stop)
        atexit.register(self.stop_warm_up)
        return thread

    def stop_warm_up(self, timeout: float = 60) -> None:
        """Stop the background warm-up after its current step and wait for it. A program must call
        this before it returns: once the interpreter is shutting down, loading the model fails
        ("cannot schedule new futures"). What was embedded by then is kept for the next start."""
        warming = getattr(self, "_warming", None)
        if warming is not None:
            thread, stop = warming
            stop.set()
            thread.join(timeout=timeout)

    def speaker(self, seed: int, client: ModelClient | None = None) -> Speaker:
        if self.make_speaker is not None:
            return self.make_speaker(seed, client)
        template = TemplateSpeaker(self.settings.prompts_dir, seed)
        client = client or self.speaker_client
        if client is None:
            return template
        from interviewer.speaker.model import ModelSpeaker

        return ModelSpeaker(client, self.settings.prompts_dir, template, self.settings.token_budget)

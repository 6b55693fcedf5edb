"""Model mode over a 40-turn interview against the local protocol server (evals/protocol_server.py).

Prompt tokens of every interviewer call, side by side with what resending the full history
would cost at the same point; and the engine's own time per turn with model time taken out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from evals.personas import PERSONAS
from evals.protocol_server import FakeOpenAI
from evals.simulate import asked_now
from evals.statistics import percentile
from interviewer.config import Settings
from interviewer.interview.engine import Interview
from interviewer.interview.services import Services
from interviewer.tokens import count_messages

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "tokens.json")
    args = parser.parse_args()
    fake = FakeOpenAI().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {"INTERVIEWER_HOME": tmp, "OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": fake.base_url,
                   "INTERVIEWER_MODEL": "gpt-4o-mini"}
            services = Services.from_settings(Settings.from_env(env=env))
            services.retriever.ensure_index()  # index build is not part of a turn
            services.warm_up()
            budget = services.settings.token_budget
            persona = PERSONAS["strong"]()
            calls: list[tuple[int, int]] = []  # (sent prompt tokens, full-history tokens)
            overhead_ms: list[float] = []
            turns = 0
            seed = 0
            while turns < args.turns:
                interview = Interview.start(services, "loop", "RS", seed=seed, user="bench")
                seed += 1
                while not interview.finished and turns < args.turns:
                    message = persona.answer(asked_now(services, interview))
                    before_requests = len(fake.requests)
                    clients = [services.speaker_client, services.judge.client]
                    model_seconds = sum(c.usage.seconds for c in clients)
                    start = time.perf_counter()
                    interview.respond(message)
                    elapsed = time.perf_counter() - start
                    model_seconds = sum(c.usage.seconds for c in clients) - model_seconds
                    overhead_ms.append((elapsed - model_seconds) * 1000)
                    turns += 1
                    history = [("user", t.text) for t in interview.turns]
                    for r in fake.requests[before_requests:]:
                        if r.get("stream"):
                            sent = count_messages([(m["role"], m["content"]) for m in r["messages"]])
                            calls.append((sent, sent + count_messages(history)))
    finally:
        fake.stop()
    sent = [c[0] for c in calls]
    full = [c[1] for c in calls]
    quarter = max(1, len(sent) // 4)
    result = {
        "turns": turns, "interviewer_calls": len(calls), "budget": budget,
        "sent_mean": statistics.fmean(sent), "sent_max": max(sent),
        "sent_first_quarter_mean": statistics.fmean(sent[:quarter]), "sent_last_quarter_mean": statistics.fmean(sent[-quarter:]),
        "full_history_first_quarter_mean": statistics.fmean(full[:quarter]), "full_history_last_quarter_mean": statistics.fmean(full[-quarter:]),
        "full_history_max": max(full),
        "engine_overhead_p50_ms": percentile(overhead_ms, 50), "engine_overhead_p95_ms": percentile(overhead_ms, 95),
    }
    print(f"Model mode, {turns} candidate turns, {len(calls)} interviewer calls, budget {budget} prompt tokens\n")
    print("| prompt tokens per interviewer call | first quarter mean | last quarter mean | max |\n|---|---|---|---|")
    print(f"| sent (history summarised to the budget) | {result['sent_first_quarter_mean']:.0f} | {result['sent_last_quarter_mean']:.0f} | {result['sent_max']} |")
    print(f"| resending the full history instead | {result['full_history_first_quarter_mean']:.0f} | {result['full_history_last_quarter_mean']:.0f} | {result['full_history_max']} |")
    print(f"\nEngine overhead per turn, model time excluded: p50 {result['engine_overhead_p50_ms']:.1f} ms, p95 {result['engine_overhead_p95_ms']:.1f} ms")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"JSON: {args.out}")


if __name__ == "__main__":
    main()

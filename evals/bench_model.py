"""Model mode against a real server: tokens and time per call, by purpose, and the engine's own
time per turn beside the model's, over whole interviews played by the offline personas.

    OPENAI_BASE_URL=http://127.0.0.1:8080/v1 python -m evals.bench_model [--plans behavioral:RS,phone-screen:DS]

Needs a running server (`make test-model` builds llama-server and Gemma 3 270M into
~/.cache/interviewer-model). Prints one table; nothing is written.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from evals.personas import PERSONAS
from evals.simulate import asked_now
from evals.statistics import percentile
from interviewer.config import Settings
from interviewer.interview.engine import Interview
from interviewer.interview.services import Services
from interviewer.llm_limits import Usage


def run(plans: list[tuple[str, str]], persona: str, seed: int, max_turns: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env().model_copy(update={"home": Path(tmp)})
        if not settings.model_mode:
            raise SystemExit("set OPENAI_BASE_URL (and INTERVIEWER_MODEL) to a running server")
        services = Services.from_settings(settings)
        services.warm_up()
        qualification = services.qualify_judge()
        total = Usage()
        turns: list[tuple[float, float]] = []  # (wall, model seconds) per turn
        sources: Counter[str] = Counter()
        for plan, role in plans:
            interview = Interview.start(services, plan, role, seed=seed, user=f"bench-{plan}")
            player = PERSONAS[persona]()
            for _ in range(max_turns):
                if interview.finished:
                    break
                answer = player.answer(asked_now(services, interview))
                model_before = interview.client.usage.seconds + interview.judge.usage().seconds
                start = time.perf_counter()
                interview.respond(answer)
                wall = time.perf_counter() - start
                turns.append((wall, interview.client.usage.seconds + interview.judge.usage().seconds - model_before))
            if not interview.finished:
                interview.end()
            for usage in (interview.client.usage, interview.judge.usage()):
                for record in usage.records:
                    total.add(record)
            sources.update(e.by.split(":")[0] if e.by.startswith("model:") else e.by for e in
                           services.store.session(interview.session_id).meta.model_events if e.part == "speaker")
    lines = [f"Model mode: {services.mode}; judge: {qualification.reason if qualification else 'off'}", "",
             "| purpose | calls | failed | cut | prompt tokens (mean) | completion tokens (mean / max) | seconds (mean / max) |",
             "|---|---|---|---|---|---|---|"]
    for purpose, f in total.by_purpose().items():
        lines.append(f"| {purpose} | {f['calls']} | {f['failures']} | {f['cut']} | {f['prompt_tokens_mean']:.0f} | "
                     f"{f['completion_tokens_mean']:.0f} / {f['completion_tokens_max']} | {f['seconds_mean']:.1f} / {f['seconds_max']:.1f} |")
    walls = [w for w, _ in turns]
    overhead = [w - m for w, m in turns]
    lines += ["", f"Turns: {len(turns)}; wall per turn p50 {(percentile(walls, 50) or 0):.1f} s, p95 {(percentile(walls, 95) or 0):.1f} s, "
              f"max {max(walls, default=0):.1f} s; engine time (wall less model time) p50 {(percentile(overhead, 50) or 0):.2f} s, "
              f"p95 {(percentile(overhead, 95) or 0):.2f} s; token counts from the server on {total.calls - total.estimated} of "
              f"{total.calls} calls.", "", "Interviewer lines: " + "; ".join(f"{n} {by}" for by, n in sources.most_common())]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", default="behavioral:RS,phone-screen:DS")
    parser.add_argument("--persona", default="average", choices=sorted(PERSONAS))
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--max-turns", type=int, default=30)
    args = parser.parse_args()
    from interviewer.interview.plans import PLAN_IDS

    plans = [(p.split(":")[0], (p.split(":") + ["RS"])[1].upper()) for p in args.plans.split(",") if p.strip()]
    for plan, role in plans:
        if plan not in PLAN_IDS or role not in ("RS", "DS"):
            parser.error(f"--plans: {plan}:{role} is not PLAN[:RS|DS] with PLAN one of {', '.join(PLAN_IDS)}")
    print(run(plans, args.persona, args.seed, args.max_turns))  # noqa: T201 - a command-line report


if __name__ == "__main__":
    main()

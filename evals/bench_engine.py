"""Offline turn latency (warm): simulated candidates through whole interviews on the full corpus.

Side by side, in the same run: the time the judge alone takes on those answers, and a bare
model encode of the same answers, so the engine's own overhead is visible.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from evals.personas import PERSONAS
from evals.simulate import run_interview
from evals.statistics import percentile as pct
from interviewer.config import Settings
from interviewer.interview.services import Services

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "engine.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env().model_copy(update={"home": Path(tmp)})
        services = Services.from_settings(settings)
        warm_start = time.perf_counter()
        embedded = services.warm_up()
        warm_seconds = time.perf_counter() - warm_start
        latencies: list[float] = []
        answers: list[str] = []
        runs = 0
        for seed in range(args.seeds):
            for persona in ("strong", "average", "weak", "no_example", "echo"):
                for plan, role in (("loop", "RS"), ("loop", "DS"), ("phone-screen", "DS"), ("behavioral", "RS"), ("bar-raiser", "RS")):
                    # Cold embedding cache per interview: the bank's answers repeat across runs,
                    # and a warm cache would flatter the figures.
                    services.judge.clear_cache()
                    run = run_interview(services, PERSONAS[persona](), plan, role, seed)
                    latencies.extend(run.latencies_ms)
                    answers.extend(t.text for t in run.turns if t.speaker == "candidate")
                    runs += 1
        encode_ms = []
        for text in answers[:300]:
            start = time.perf_counter()
            services.judge.embedder.encode([text])
            encode_ms.append((time.perf_counter() - start) * 1000)
    result = {
        "interviews": runs, "turns": len(latencies),
        "turn_p50_ms": pct(latencies, 50), "turn_p95_ms": pct(latencies, 95), "turn_max_ms": max(latencies),
        "bare_encode_p50_ms": pct(encode_ms, 50), "bare_encode_p95_ms": pct(encode_ms, 95),
        "warm_up_seconds": warm_seconds, "rubric_texts_embedded": embedded,
    }
    print(f"Offline engine, warm: {runs} simulated interviews, {len(latencies)} candidate turns\n")
    print("| measure | p50 ms | p95 ms |\n|---|---|---|")
    print(f"| whole turn (classify, judge, commit, decide, speak, commit) | {result['turn_p50_ms']:.1f} | {result['turn_p95_ms']:.1f} |")
    print(f"| baseline: one bare model encode of the same answer text | {result['bare_encode_p50_ms']:.1f} | {result['bare_encode_p95_ms']:.1f} |")
    print(f"\nWarm-up before the first turn (model load, {embedded} rubric texts embedded): {warm_seconds:.1f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"\nJSON: {args.out}")


if __name__ == "__main__":
    main()

"""Load: N simulated candidates at once through gradio_client against one and two `interviewer ui`
processes sharing one PostgreSQL (offline mode: the judge runs on this machine's CPU), with the
embedded default (SQLite, one process) side by side in the same run.

Each candidate starts a stats phone-screen drill, sends three answers and ends it, with no pause
between turns (a closed loop: this measures what the processes can take, not a cohort's typing
speed). A candidate stays on one process (a reverse proxy's sticky routing). Reported per
configuration: turns per second, p50/p95 of a turn's latency as the client sees it, and where a
turn's time goes, from each process's own timing lines: waiting for Gradio's queue (and the
network), the session lock, the judge, the store, the rest (deciding and phrasing the reply).

Then the failure run: two processes under the same load, one killed by SIGKILL half-way; its
candidates carry on on the other process (reloading, then re-sending an answer the store does not
have); every session is then read from the database: no answer lost, duplicated or out of order.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from gradio_client import Client

from evals.servers import AppProcess, app_env, postgres_server, start_app
from evals.statistics import percentile as pct
from interviewer.store import Store

HERE = Path(__file__).resolve().parent
TURNS = 3
CLIENT_TIMEOUT = 300.0
ANSWERS = [
    "[{tag}] I would compare the two groups with a two-sample t-test after checking the variances, and report a "
    "confidence interval, not only the p-value; with skewed revenue I would bootstrap the difference in means.",
    "[{tag}] Not sure. Maybe look at the averages and see which one is bigger, then decide.",
    "[{tag}] The p-value is the probability that the null hypothesis is true, so p = 0.03 means a 97% chance the "
    "effect is real; I would ship it right away and skip the power analysis.",
    "[{tag}] Power depends on the effect size, the variance, alpha and the sample size; I would fix the minimum "
    "detectable effect with the business first, estimate the variance from last month, and size the test for 80%.",
]
TIMING = re.compile(r"turn timing session=(\w+) total_ms=([\d.]+) lock_ms=([\d.]+) judge_ms=([\d.]+) store_ms=([\d.]+)")


@dataclass
class Candidate:
    k: int
    browser: dict = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)  # answers the store must hold, in order
    latencies: list[float] = field(default_factory=list)
    error: str = ""
    stage: str = "start"  # what it was doing, for the error
    failovers: int = 0  # requests lost with a dead process and taken up by a live one
    found_stored: int = 0  # of those, answers the dead process had stored (so not sent again)


def run_candidate(cand: Candidate, apps: list[AppProcess], killed: threading.Event | None = None) -> None:
    """Start, TURNS answers, end; when its process dies, carry on on a live one as a reloaded page would."""
    clients: dict[int, Client] = {}

    def client() -> Client:
        live = [a for a in apps if a.proc.poll() is None]
        app = live[cand.k % len(live)]
        if app.port not in clients:
            # A browser waits as long as a reply takes; httpx's default 5 s would count a busy queue as an error.
            clients[app.port] = Client(app.url, verbose=False, httpx_kwargs={"timeout": CLIENT_TIMEOUT})
        return clients[app.port]

    def died(exc: Exception) -> bool:
        return killed is not None and killed.is_set() and not isinstance(exc, AssertionError)

    def say(text: str, api: str) -> None:
        """Send an answer (or /end) once: after a failure, only if the store does not have it already."""
        for attempt in range(5):
            try:
                if attempt:  # a reloaded page on a live process: is the answer already there?
                    cand.browser, chat = client().predict(cand.browser, api_name="/load")[:2]
                    said = [text_of(m) for m in chat if m["role"] == "user"]
                    if said and said[-1] == text:
                        cand.found_stored += 1
                        return  # the dead process had stored it: not sent twice
                began = time.perf_counter()
                if api == "/send":
                    cand.browser = client().predict(cand.browser, text, None, api_name=api)[0]
                    cand.latencies.append(time.perf_counter() - began)
                else:
                    client().predict(cand.browser, api_name=api)
                return
            except Exception as exc:  # noqa: BLE001 - the process died under us: go on on a live one
                if not died(exc):
                    raise
                cand.failovers += attempt == 0
                time.sleep(0.5)  # the dead process may not be reaped yet
        raise RuntimeError(f"{api} failed five times")

    try:
        for _ in range(3):
            try:
                cand.browser = client().predict({"browser_id": f"load-{cand.k}", "session_id": ""}, "DS", "stats", 0,
                                                False, [], False, None, 1000 + cand.k, api_name="/start")[0]
                break
            except Exception as exc:  # noqa: BLE001 - a session the dead process made is simply abandoned
                if not died(exc):
                    raise
                cand.failovers += 1
                time.sleep(0.5)
        for step in range(TURNS):
            cand.stage = f"answer {step + 1}"
            answer = ANSWERS[(cand.k + step) % len(ANSWERS)].format(tag=f"c{cand.k}-t{step}")
            say(answer, "/send")
            cand.sent.append(answer)
        cand.stage = "end"
        say("/end", "/end")
        cand.sent.append("/end")
    except Exception as exc:  # noqa: BLE001 - counted and shown in the results
        cand.error = f"{cand.stage}: {type(exc).__name__}: {exc}"[:300]


def text_of(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def timings(apps: list[AppProcess], offsets: list[int]) -> list[tuple[float, ...]]:
    rows = []
    for app, offset in zip(apps, offsets, strict=True):
        text = app.log.read_text(errors="replace")[offset:]
        rows += [tuple(float(x) for x in m.groups()[1:]) for m in TIMING.finditer(text)]
    return rows


def run_load(apps: list[AppProcess], n: int, first: int, kill: bool = False) -> tuple[dict, list[Candidate]]:
    """n candidates at once; with `kill`, the first process is killed once half the answers are in."""
    offsets = [len(a.log.read_text(errors="replace")) for a in apps]
    candidates = [Candidate(first + i) for i in range(n)]
    killed = threading.Event() if kill else None
    threads = [threading.Thread(target=run_candidate, args=(c, apps, killed)) for c in candidates]
    began = time.perf_counter()
    for t in threads:
        t.start()
    if killed is not None:
        while sum(len(c.latencies) for c in candidates) < n * TURNS // 2 and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        killed.set()
        apps[0].kill()
    for t in threads:
        t.join(timeout=1800)
    wall = time.perf_counter() - began
    lat = [x for c in candidates for x in c.latencies]
    server = timings([a for a in apps if a.log.exists()], offsets)
    mean = (lambda i: sum(r[i] for r in server) / len(server)) if server else (lambda i: 0.0)
    client_ms = 1000 * sum(lat) / len(lat) if lat else 0.0
    result = {
        "candidates": n, "processes": len(apps), "turns": len(lat), "errors": sum(bool(c.error) for c in candidates),
        "first_error": next((c.error for c in candidates if c.error), ""),
        "wall_s": round(wall, 1), "turns_per_s": round(len(lat) / wall, 2) if wall else 0.0,
        "p50_ms": round(1000 * pct(lat, 50), 0) if lat else None, "p95_ms": round(1000 * pct(lat, 95), 0) if lat else None,
        "mean_client_ms": round(client_ms, 0),
        "mean_handler_ms": round(mean(0), 0), "mean_lock_ms": round(mean(1), 1), "mean_judge_ms": round(mean(2), 0),
        "mean_store_ms": round(mean(3), 1),
        "mean_queue_ms": round(client_ms - mean(0), 0) if server else None,
    }
    return result, candidates


def check_sessions(store: Store, candidates: list[Candidate]) -> dict:
    """Every session as the store has it: turns 0..n-1, each answer once, in the order sent."""
    bad = []
    for c in candidates:
        if not c.browser.get("session_id"):
            bad.append(f"candidate {c.k}: never started ({c.error})")
            continue
        turns = store.turns(c.browser["session_id"])
        said = [t.text for t in turns if t.speaker == "candidate"]
        if [t.index for t in turns] != list(range(len(turns))) or said != c.sent:
            bad.append(f"candidate {c.k}: stored {said!r} != sent {c.sent!r}")
    return {"sessions": len(candidates), "intact": len(candidates) - len(bad), "problems": bad[:5],
            "failovers": sum(c.failovers for c in candidates), "found_stored": sum(c.found_stored for c in candidates)}


def deployment(root: Path, database: str | None, processes: int, threads: int | None = None) -> list[AppProcess]:
    """`threads`: the judge's CPU threads per process (OMP_NUM_THREADS); None leaves torch's default (all cores)."""
    extra = {"OMP_NUM_THREADS": str(threads)} if threads else {}
    return [start_app(app_env(root / f"app-{i}", database, None, **extra), root / f"app-{i}.log")
            for i in range(processes)]


def stop(apps: list[AppProcess]) -> None:
    for app in apps:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "load.json")
    parser.add_argument("--failure-only", action="store_true", help="only the run with a process killed under load")
    args = parser.parse_args()
    results, first = [], 0
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as database:
        root = Path(tmp)
        cores = os.cpu_count() or 1
        configs = [("SQLite (embedded default)", None, 1, None), ("PostgreSQL", database, 1, None),
                   ("PostgreSQL", database, 2, None), (f"PostgreSQL, {max(1, cores // 2)} judge thread(s) each", database, 2,
                                                       max(1, cores // 2))]
        for i, (label, url, processes, threads) in enumerate([] if args.failure_only else configs):
            apps = deployment(root / f"config-{i}", url, processes, threads)
            try:
                run_load(apps, 2, first)  # warm: every process loads its judge before the clock starts
                first += 2
                for n in args.candidates:
                    result, _ = run_load(apps, n, first)
                    first += n
                    results.append({"store": label, **result})
                    print(json.dumps(results[-1]), flush=True)
            finally:
                stop(apps)
        apps = deployment(root / "failure", database, 2, max(1, cores // 2))
        try:
            run_load(apps, 2, first)
            first += 2
            n = max(args.candidates[:2])
            result, candidates = run_load(apps, n, first, kill=True)
            failure = {"store": "PostgreSQL, 2 processes, one killed half-way", **result,
                       **check_sessions(Store(database), candidates)}
        finally:
            stop(apps)
    print(table(results, failure))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine(), "runs": results, "failure": failure}, indent=2))
    print(f"\nJSON: {args.out}")


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB"


def table(results: list[dict], failure: dict) -> str:
    lines = [f"Load on {machine()}: each candidate starts, sends {TURNS} answers and ends, no pause between turns.\n",
             "| store | processes | candidates | turns/s | p50 ms | p95 ms | queue ms | lock ms | judge ms | store ms "
             "| other ms | errors |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        other = r["mean_handler_ms"] - r["mean_lock_ms"] - r["mean_judge_ms"] - r["mean_store_ms"]
        lines.append(f"| {r['store']} | {r['processes']} | {r['candidates']} | {r['turns_per_s']} | {r['p50_ms']:.0f} | "
                     f"{r['p95_ms']:.0f} | {r['mean_queue_ms']} | {r['mean_lock_ms']} | {r['mean_judge_ms']} | "
                     f"{r['mean_store_ms']} | {other:.0f} | {r['errors']} |")
    lines.append(f"\nFailure run ({failure['store']}, {failure['candidates']} candidates): {failure['intact']} of "
                 f"{failure['sessions']} sessions intact in the database, {failure['errors']} candidates with errors; "
                 f"{failure['failovers']} requests cut off by the kill and taken up by the other process "
                 f"({failure['found_stored']} of them answers the killed process had already stored, not sent again)"
                 + (f"; problems: {failure['problems']}" if failure["problems"] else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""A deployment on one machine, for real: PostgreSQL, a `chroma run` server and two `interviewer ui`
processes (each with its own empty data directory: nothing shared but the servers), in model mode
against the local OpenAI-protocol server so that every interviewer line is grounded through Chroma.

Candidates' turns alternate between the processes; one process is killed in the middle of a turn
and the session is finished on the other; the database is then read directly: no turn lost,
duplicated or out of order.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from gradio_client import Client

from evals.servers import app_env, chroma_server, create_database, start_app
from interviewer.schemas import Turn
from interviewer.store import Store

pytestmark = pytest.mark.server

ANSWER = ("[{tag}] I would start from the business goal, then pick a metric and a baseline, split the data by time, "
          "fit a regularised model, check calibration and error slices, and ship it behind an A/B test.")


@pytest.fixture(scope="module")
def database(postgres_server: str) -> str:
    return create_database(postgres_server, "deploy")


@pytest.fixture(scope="module")
def deployment(database, tmp_path_factory):
    from evals.protocol_server import FakeOpenAI

    root = tmp_path_factory.mktemp("deployment")
    fake = FakeOpenAI().start()
    with chroma_server(root / "chroma") as chroma_port:
        def env(name: str) -> dict[str, str]:
            return app_env(root / name, database, chroma_port, OPENAI_BASE_URL=fake.base_url, OPENAI_API_KEY="test-key",
                           INTERVIEWER_MODEL="fake-model", INTERVIEWER_MODEL_JUDGE="off")

        # The index is built once, before the app processes start (the README's deployment steps).
        built = subprocess.run([str(Path(sys.executable).parent / "interviewer"), "index"], env=env("indexer"),
                               capture_output=True, text=True, timeout=600)
        assert built.returncode == 0, built.stderr
        apps = [start_app(env(f"app-{k}"), root / f"app-{k}.log") for k in "ab"]
        try:
            yield fake, apps, Store(database)
        finally:
            for app in apps:
                app.stop()
            fake.stop()


def chat_text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def check_transcript(turns: list[Turn], answers: list[str]) -> None:
    """Indexes 0..n-1 in order, every answer once and in the order sent, each answered."""
    assert [t.index for t in turns] == list(range(len(turns)))
    said = [t.text for t in turns if t.speaker == "candidate"]
    assert said == answers, said
    for before, after in zip(turns, turns[1:], strict=False):
        assert not (before.speaker == after.speaker == "candidate"), (before.index, after.index)
    assert turns[0].speaker == "interviewer" and turns[-1].speaker == "interviewer"


def test_turns_alternate_between_processes(deployment):
    fake, (a, b), store = deployment
    clients = [Client(app.url, verbose=False) for app in (a, b)]
    sessions = []
    for k in range(3):  # three candidates, each starting on a different process
        first = clients[k % 2]
        browser = first.predict({"browser_id": f"cand-{k}", "session_id": ""}, "DS", "stats", 0, False, [], True, None,
                                100 + k, api_name="/start")[0]
        sessions.append(({"browser": browser}, []))
    for step in range(4):
        for k, (state, answers) in enumerate(sessions):
            client = clients[(k + step + 1) % 2]  # the other process from the one that served the last turn
            answer = ANSWER.format(tag=f"cand-{k} step-{step}")
            state["browser"], chat = client.predict(state["browser"], answer, None, api_name="/send")[:2]
            answers.append(answer)
            # This process shows the turns the other one served: its cache was checked against the store.
            shown = [chat_text(m) for m in chat if m["role"] == "user"]
            assert shown == answers, (k, step, shown)
    for k, (state, answers) in enumerate(sessions):
        browser = state["browser"]
        clients[k % 2].predict(browser, api_name="/end")
        row = store.session(browser["session_id"])
        assert row.status == "finished" and row.user == f"browser-cand-{k}"
        check_transcript(store.turns(browser["session_id"]), [*answers, "/end"])
    # Every interviewer line was phrased by the model, grounded in the shared Chroma server's reports.
    prompts = [str(m.get("content", "")) for r in fake.requests for m in r.get("messages", [])]
    snippets = [p.split("do not quote it):\n", 1)[1].split("\n\nThe interview so far", 1)[0]
                for p in prompts if "do not quote it):\n" in p]
    assert snippets and all(s.startswith("- ") for s in snippets), snippets[:3]


def test_a_process_killed_mid_turn_and_the_session_finished_on_the_other(deployment, tmp_path):
    fake, (a, b), store = deployment
    if a.proc.poll() is not None:
        pytest.skip("process a is gone")
    client_a, client_b = Client(a.url, verbose=False), Client(b.url, verbose=False)
    browser = client_a.predict({"browser_id": "crash", "session_id": ""}, "DS", "stats", 0, False, [], True, None, 7,
                               api_name="/start")[0]
    sid = browser["session_id"]
    first = ANSWER.format(tag="crash step-0")
    browser = client_a.predict(browser, first, None, api_name="/send")[0]
    # The next interviewer line takes 20 s to come: process a is killed while it waits for it.
    fake.script.append({"for": "stream", "text": "Never said.", "delay": 20})
    second = ANSWER.format(tag="crash step-1")
    job = client_a.submit(browser, second, None, api_name="/send")
    deadline = time.monotonic() + 60
    while not any(t.text == second for t in store.turns(sid)):  # the answer is committed; the reply is not
        assert time.monotonic() < deadline, "the answer never reached the store"
        time.sleep(0.1)
    a.kill()
    with pytest.raises(Exception):  # noqa: B017 - the client sees the connection drop, whatever its type
        job.result(timeout=30)
    fake.script.clear()

    # The other process serves the session at once: the dead one's lock went with its connection.
    began = time.monotonic()
    browser, chat = client_b.predict(browser, api_name="/load")[:2]
    assert time.monotonic() - began < 30
    assert [chat_text(m) for m in chat if m["role"] == "user"] == [first, second]
    third = ANSWER.format(tag="crash step-2")
    chat = client_b.predict(browser, third, None, api_name="/send")[1]
    assert [chat_text(m) for m in chat if m["role"] == "user"] == [first, second, third]
    client_b.predict(browser, api_name="/end")
    turns = store.turns(sid)
    check_transcript(turns, [first, second, third, "/end"])
    assert "Never said." not in [t.text for t in turns]
    assert store.session(sid).status == "finished"
    assert "Traceback" not in b.log.read_text()


def test_app_processes_share_nothing_on_disk(deployment):
    _, apps, _ = deployment
    for app in apps:
        home = Path(app.env["INTERVIEWER_HOME"])
        assert not (home / "sessions.db").exists() and not (home / "chroma").exists()

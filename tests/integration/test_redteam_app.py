"""Red-team findings against the running app and the command line, contained: a 5 MB answer, a
zip-bomb resume upload, login guessing (and a restart), the secret in /config, the `ui` port,
and the data directory's modes. The pure parts are in tests/unit/test_redteam_app.py."""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
import stat
import threading
import time

import httpx
import pytest
from gradio_client import Client, handle_file
from typer.testing import CliRunner

from interviewer.config import Settings, parse_auth
from interviewer.interview.services import Services
from interviewer.judge.offline import OfflineJudge
from interviewer.store import Store
from interviewer.ui.app import PUBLIC_STORAGE_CIPHER, launch
from interviewer.ui.login import FREE_FAILURES
from tests.unit.test_redteam_app import FIVE_MB, zip_bomb_docx

OLD_SECRET = "feedfacecafebeef0123456789abcdef"  # what an earlier version kept in <home>/ui-secret
LOGINS = "ana:s3cret,bob:hunter2"
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(home, corpus, embedder, **overrides):  # noqa: ANN201
    settings = Settings.from_env(env={"INTERVIEWER_HOME": str(home)}, **overrides)
    services = Services(settings=settings, corpus=corpus, judge=OfflineJudge(embedder), store=Store(home / "sessions.db"))
    port = free_port()
    return services, launch(services, prevent_thread_lock=True, port=port, warm=False), f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def app(tmp_path_factory, corpus, embedder):
    home = tmp_path_factory.mktemp("redteam-home")
    (home / "ui-secret").write_text(OLD_SECRET)  # left over from an earlier version
    services, demo, url = start_app(home, corpus, embedder, ui_auth=parse_auth(LOGINS))
    yield services, url
    demo.close()


def start(client: Client, tag: str, plan: str = "ml-breadth", resume=None) -> tuple:  # noqa: ANN001
    return client.predict({"browser_id": tag, "session_id": ""}, "RS", plan, 0, False, [], True, resume, 7,
                          api_name="/start")


def chat_text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def said(outputs: tuple, prefix: str) -> str:
    return next((x for x in outputs if isinstance(x, str) and x.startswith(prefix)), "")


# ---- 1. a 5 MB answer ------------------------------------------------------------------------------


def test_a_5_mb_answer_gets_a_message_in_a_second_while_others_are_served(app):
    services, url = app
    ana, bob = Client(url, auth=("ana", "s3cret"), verbose=False), Client(url, auth=("bob", "hunter2"), verbose=False)
    browser = start(ana, "big")[0]
    other = start(bob, "other")[0]
    turns = len(services.store.turns(browser["session_id"]))
    state = services.store.session(browser["session_id"]).state_json
    replies: list[float] = []

    def meanwhile() -> None:  # another candidate answers while the 5 MB arrives
        t = time.perf_counter()
        out = bob.predict(other, "I would compare training and validation error first.", None, api_name="/send")
        assert out[1][-1]["role"] == "assistant"
        replies.append(time.perf_counter() - t)

    cpu, wall = time.process_time(), time.perf_counter()
    thread = threading.Thread(target=meanwhile)
    thread.start()
    out = ana.predict(browser, FIVE_MB, None, api_name="/send")
    elapsed, cpu_used = time.perf_counter() - wall, time.process_time() - cpu
    thread.join(timeout=120)
    message = said(out, "Your answer is 5,000,003 characters; the limit is 20,000. Shorten it")
    assert message and "nothing was recorded" in message, out
    # Client and server share this process: the CPU counted is both, JSON-encoding the 5 MB included.
    assert elapsed < 10 and cpu_used < 10, (elapsed, cpu_used)  # was 246 s of CPU
    assert replies and replies[0] < 30, replies  # the other candidate was served meanwhile
    assert len(services.store.turns(browser["session_id"])) == turns  # nothing recorded...
    assert services.store.session(browser["session_id"]).state_json == state
    out = ana.predict(browser, "Shorter: I would split by time and compare errors.", None, api_name="/send")
    assert chat_text(out[1][-2]).startswith("Shorter")  # ...and the candidate resends
    print(f"\n5 MB answer: refused in {elapsed:.2f} s wall, {cpu_used:.2f} s CPU (client and server)")


def test_a_body_over_16_mb_is_refused_before_it_is_buffered(app):
    _, url = app
    cookies = login(url, "ana", "s3cret").cookies
    body = json.dumps({"data": [{"browser_id": "x", "session_id": ""}, "y" * (17 * 1024 * 1024), None],
                       "fn_index": 0, "session_hash": "big"})
    answer = httpx.post(f"{url}gradio_api/queue/join", content=body, cookies=cookies,
                        headers={"content-type": "application/json"}, timeout=60)
    assert answer.status_code == 413


def test_the_code_pane_has_its_own_cap(app):
    _, url = app
    client = Client(url, auth=("ana", "s3cret"), verbose=False)
    browser = start(client, "coder", plan="coding")[0]
    out = client.predict(browser, "x = 1\n" * 5000, api_name="/run")
    assert said(out, "Your code is 30,000 characters; the limit is 20,000."), out
    out = client.predict(browser, "Here is my solution.", "y = 2\n" * 5000, None, api_name="/send_code")
    assert said(out, "Your answer is 30,0"), out  # the answer with the code appended


# ---- 2. a zip-bomb resume, uploaded -----------------------------------------------------------------


def test_a_zip_bomb_resume_upload_is_refused_with_the_file_name(app, tmp_path):
    _, url = app
    bomb = zip_bomb_docx(tmp_path / "cv-bomb.docx", megabytes=100)
    client = Client(url, auth=("ana", "s3cret"), verbose=False)
    out = start(client, "bomber", resume=handle_file(str(bomb)))
    assert said(out, "cv-bomb.docx: part word/document.xml unpacks to 100.0 MB; the limit is 5.0 MB"), out


# ---- 3. login guessing ------------------------------------------------------------------------------


def login(url: str, user: str, password: str, multipart: bool = False) -> httpx.Response:
    form = {"username": user, "password": password}
    if multipart:  # as Gradio's login page sends it
        return httpx.post(f"{url}login", files={k: (None, v) for k, v in form.items()})
    return httpx.post(f"{url}login", data=form)


def test_sixty_wrong_logins_meet_a_lock_that_survives_a_restart(tmp_path, corpus, embedder):
    home = tmp_path / "home"
    services, demo, url = start_app(home, corpus, embedder, ui_auth=parse_auth(LOGINS))
    try:
        answers = [login(url, "ana", f"guess{k}") for k in range(60)]
        assert [r.status_code for r in answers] == [400] * 60
        wrong = [r for r in answers if r.json()["detail"] == "Incorrect credentials."]
        locked = [r for r in answers if r.json()["detail"].startswith("Too many failed logins")]
        assert len(wrong) == FREE_FAILURES and len(locked) == 60 - FREE_FAILURES  # the password was tried 5 times
        assert int(locked[-1].headers["retry-after"]) > 0
        assert "try again in" in login(url, "ana", "s3cret").json()["detail"]  # the right password waits too
    finally:
        demo.close()
    services, demo, url = start_app(home, corpus, embedder, ui_auth=parse_auth(LOGINS))  # a restart
    try:
        assert login(url, "ana", "s3cret").json()["detail"].startswith("Too many failed logins")
        with sqlite3.connect(home / "sessions.db") as db:  # the lock runs out
            db.execute("UPDATE login_failures SET locked_until = 0")
        assert login(url, "ana", "s3cret").status_code == 200
        with sqlite3.connect(home / "sessions.db") as db:
            assert db.execute("SELECT COUNT(*) FROM login_failures").fetchone()[0] == 0  # a success clears them
        for _ in range(FREE_FAILURES):  # the login page's multipart form is counted too
            assert login(url, "bob", "nope", multipart=True).json()["detail"] == "Incorrect credentials."
        assert login(url, "bob", "hunter2", multipart=True).json()["detail"].startswith("Too many failed logins")
        page = httpx.get(url).text
        assert f"After {FREE_FAILURES} wrong passwords" in page  # the login page says the rule up front
    finally:
        demo.close()


# ---- 5. no secret in /config --------------------------------------------------------------------------


def test_config_serves_no_secret_to_anyone(app):
    services, url = app
    anonymous = httpx.get(f"{url}config")
    cookies = login(url, "ana", "s3cret").cookies
    config = httpx.get(f"{url}config", cookies=cookies)
    assert config.status_code == 200 and '"components"' in config.text
    for text in (anonymous.text, config.text, httpx.get(url, cookies=cookies).text):
        assert OLD_SECRET not in text
    stored = [c["props"] for c in config.json()["components"] if c.get("type") == "browserstate"]
    assert [p["secret"] for p in stored] == [PUBLIC_STORAGE_CIPHER]  # a public constant, by design
    assert (services.settings.home / "ui-secret").read_text() == OLD_SECRET  # not read, not rewritten


def test_a_fresh_data_directory_gets_no_secret_file(tmp_path, corpus, embedder):
    _, demo, _ = start_app(tmp_path / "home", corpus, embedder, ui_shared=True)
    demo.close()
    assert not (tmp_path / "home" / "ui-secret").exists()


# ---- 6. `interviewer ui` on a taken port ---------------------------------------------------------------


def test_ui_on_a_taken_port_says_so_before_claiming_to_listen(home):
    from interviewer.cli.main import app as cli

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.perf_counter()
        result = runner.invoke(cli, ["ui", "--port", str(port)])
    assert result.exit_code == 2
    assert f"Cannot listen on http://127.0.0.1:{port}: port {port} on 127.0.0.1 is already in use" in result.output
    assert "--port N or INTERVIEWER_PORT" in result.output and "listening" not in result.output
    assert time.perf_counter() - started < 5  # said before the slow start (corpus, judge)


# ---- 1 (terminal) and 7. the chat refuses the 5 MB line; the data directory is private ----------------------


def test_the_terminal_refuses_the_5_mb_line_and_goes_on(home):
    from interviewer.cli.main import app as cli

    script = f"{FIVE_MB}\nI would split the data by time and compare the errors.\n/end\n"
    result = runner.invoke(cli, ["chat", "--plan", "stats", "--seed", "5", "--user", "rt"], input=script)
    assert result.exit_code == 0, result.stderr
    assert "Your answer is 5,000,003 characters; the limit is 20,000." in result.stderr
    assert "Interview over" in result.stdout and "word word word" not in result.stdout  # never echoed
    reports = list((home / "reports").iterdir())
    assert reports and {stat.S_IMODE(p.stat().st_mode) for p in reports} == {0o600}
    assert stat.S_IMODE(home.stat().st_mode) == stat.S_IMODE((home / "reports").stat().st_mode) == 0o700


def test_an_open_data_directory_is_made_private_at_start(tmp_path, corpus, caplog):
    home = tmp_path / "home"
    Store(home / "sessions.db")
    (home / "reports").mkdir()
    (home / "reports" / "old.html").write_text("<p>transcript</p>")
    for path, mode in ((home, 0o755), (home / "reports", 0o775), (home / "sessions.db", 0o644),
                       (home / "reports" / "old.html", 0o664)):
        path.chmod(mode)
    with caplog.at_level(logging.WARNING, logger="interviewer.datadir"):
        Services.from_settings(Settings.from_env(env={"INTERVIEWER_HOME": str(home)}), corpus=corpus)
    assert "made 4 file(s) and folder(s) in the data directory" in caplog.text
    modes = {p.relative_to(home).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [home, *home.rglob("*")]}
    # SQLite's -wal and -shm files (present while the store's pool holds a connection) take the database's mode.
    logs = {name: mode for name, mode in modes.items() if name.endswith(("-wal", "-shm"))}
    assert set(logs.values()) <= {0o600}
    assert {k: v for k, v in modes.items() if k not in logs} == {".": 0o700, "reports": 0o700, "reports/old.html": 0o600,
                                                                "sessions.db": 0o600}


# ---- 4. credentials in OPENAI_BASE_URL, end to end -------------------------------------------------------


def test_doctor_and_the_http_log_never_show_the_urls_credentials(home, fake, monkeypatch, caplog):
    from interviewer.cli.main import app as cli

    url = fake.base_url.replace("http://", "http://alice:pa55w0rd@") + "?api-key=SEKRET1&api-version=1"
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-REALKEY")
    with caplog.at_level(logging.INFO):
        result = runner.invoke(cli, ["-v", "doctor"])
    assert result.exit_code == 0, result.output
    assert "HTTP Request: POST http://***@127.0.0.1" in caplog.text  # httpx logged every request...
    for text in (result.output, caplog.text):  # ...without the password, the user or the key
        assert not any(x in text for x in ("alice", "pa55w0rd", "SEKRET1", "sk-REALKEY")), text[-2000:]

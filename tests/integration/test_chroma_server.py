"""The same retrieval code against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.retrieval.index import Filters, Retriever, make_client

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"chroma run exited early: {(data / 'server.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start listening in 60 s")
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_server_mode_builds_reuses_and_searches(chroma_server, home, corpus, embedder, monkeypatch):
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server))
    settings = Settings.from_env()
    assert settings.server_mode
    retriever = Retriever(corpus, embedder, make_client(settings))
    status = retriever.ensure_index()
    assert status.rebuilt and status.counts["questions"] == len(corpus.questions)
    assert not (home / "chroma").exists(), "server mode must not write an embedded index"

    again = Retriever(corpus, embedder, make_client(settings)).ensure_index()
    assert not again.rebuilt

    cycle = {q.id for q in corpus.questions if "code.linked_list_cycle" in q.seed_tags}
    hits = retriever.search("does walking the next pointers ever loop back", k=5)
    assert cycle & {h.id for h in hits}
    hits = retriever.search("join and aggregate", k=5, filters=Filters(round="sql", role="DS"))
    assert hits and all(h.round == "sql" for h in hits)
    lp_hits = retriever.search("found the root cause of a data bug", collection="lps", k=3, filters=Filters(lp="Dive Deep"))
    assert lp_hits and all(h.metadata["lp"] == "Dive Deep" for h in lp_hits)

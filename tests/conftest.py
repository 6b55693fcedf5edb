"""Shared fixtures. Fakes and guards live here, never in the library."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

import interviewer  # noqa: F401 - applies the offline defaults before anything else imports
from interviewer.config import Settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address) -> None:  # noqa: ANN001
    """Any connection that is not to this machine fails fast, so no test can reach a network."""
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise ConnectionRefusedError(f"tests may only connect to 127.0.0.1, not {host}")
    return _real_connect(self, address)


MODEL_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "INTERVIEWER_MODEL", "INTERVIEWER_JUDGE_MODEL",
             "INTERVIEWER_STRUCTURED_OUTPUT", "INTERVIEWER_TIMEOUT", "INTERVIEWER_MAX_RETRIES", "INTERVIEWER_TOKEN_BUDGET",
             "INTERVIEWER_DEADLINE", "INTERVIEWER_COMPLETION_CAPS", "INTERVIEWER_CAP_FIELD", "INTERVIEWER_MODEL_CONCURRENCY",
             "INTERVIEWER_BREAKER_SECONDS", "INTERVIEWER_MODEL_JUDGE")


@pytest.fixture(autouse=True)
def no_real_provider(monkeypatch: pytest.MonkeyPatch):
    """A developer's own key or endpoint never reaches a test: tests are offline unless they
    point the settings at the local protocol server themselves."""
    for name in MODEL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True, scope="session")
def network_guard():
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory; also the INTERVIEWER_HOME seen by CLI commands."""
    path = tmp_path / "home"
    monkeypatch.setenv("INTERVIEWER_HOME", str(path))
    monkeypatch.delenv("INTERVIEWER_CORPUS_PATH", raising=False)
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    monkeypatch.delenv("INTERVIEWER_DATABASE_URL", raising=False)
    return path


@pytest.fixture()
def settings(home: Path) -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def corpus():
    from interviewer.corpus.loading import load_with_extras

    s = Settings.from_env(env={})
    return load_with_extras(s.corpus_dir, [])


@pytest.fixture(scope="session")
def embedder():
    """The real bundled model, loaded once for the whole run."""
    from interviewer.embeddings import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-home")


@pytest.fixture(scope="session")
def built_retriever(shared_home: Path, corpus, embedder):
    """One embedded index over the built-in corpus, shared by read-only tests (embedding is slow)."""
    from interviewer.retrieval.index import Retriever, make_client

    s = Settings.from_env(env={"INTERVIEWER_HOME": str(shared_home)})
    retriever = Retriever(corpus, embedder, make_client(s))
    retriever.ensure_index()
    return retriever


@pytest.fixture()
def indexed_home(built_retriever, shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """INTERVIEWER_HOME pointing at the shared, already built index: for read-only commands."""
    monkeypatch.setenv("INTERVIEWER_HOME", str(shared_home))
    monkeypatch.delenv("INTERVIEWER_CORPUS_PATH", raising=False)
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    return shared_home


@pytest.fixture()
def fake():
    """The local OpenAI-protocol server, for model-mode tests."""
    from evals.protocol_server import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """Debian's PostgreSQL (installed by `make test`), started once in a temporary directory on a
    free port of 127.0.0.1; yields its URL. A missing server fails the tests that need it."""
    from evals.servers import postgres_server as start

    with start() as url:
        yield url


@pytest.fixture()
def pg_url(postgres_server: str) -> str:
    """A new, empty database on the test server, for one test."""
    from evals.servers import create_database

    return create_database(postgres_server)

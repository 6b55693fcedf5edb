"""The model tier: a real llama.cpp `llama-server` with Gemma 3 270M (Q4_K_M) on 127.0.0.1.

`make test-model` builds the server and assembles the weights once into a cache outside the
repository (MODEL_CACHE, by default ~/.cache/interviewer-model) and runs `pytest tests/model` with
INTERVIEWER_TEST_LLAMA_SERVER and INTERVIEWER_TEST_GGUF pointing at them. Without those the tests
fail and say so: they never skip silently.

Plain `pytest` (`make test`, testpaths = ["tests"]) does not collect this directory at all, so the
default run stays model-free: it is collected only when a path inside tests/model is named on the
command line.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SERVER_ENV = "INTERVIEWER_TEST_LLAMA_SERVER"
GGUF_ENV = "INTERVIEWER_TEST_GGUF"
START_TIMEOUT_ENV = "INTERVIEWER_TEST_LLAMA_START_TIMEOUT"

HERE = Path(__file__).resolve().parent

# The flags every server gets. -t/-tb 2: the machine has 2 cores (and OMP_WAIT_POLICY=passive, see
# SERVER_ENV_VARS). --metrics: Prometheus counters at /metrics (the tests read them); /slots is on by
# default. --no-webui: nothing but the API. --offline: never reach for a download. --log-colors off:
# a readable log file. The chat template is left alone: this GGUF (the base google/gemma-3-270m, not
# -it) carries none, so llama-server falls back to ChatML, which has no tool support.
BASE_FLAGS = ["-t", "2", "-tb", "2", "--metrics", "--no-webui", "--offline", "--log-colors", "off"]
# llama-server is built with OpenMP, whose threads spin at every barrier by default: when the two
# cores are shared with anything else (pytest, torch, the app under test) that spinning made
# generation 3-5x slower (6-8 instead of 26 tokens/s, measured with one core busy elsewhere).
SERVER_ENV_VARS = {"OMP_WAIT_POLICY": "passive"}
# The default server: 2 slots so two callers (say the speaker and the judge) run side by side,
# each with its own 4096-token window (-c is the total; with an explicit --parallel the KV cache
# is split per slot, not unified), which holds a ~1,500-token prompt plus a long reply.
DEFAULT_FLAGS = ["-c", "8192", "--parallel", "2"]


def _explicitly_requested(config: pytest.Config) -> bool:
    """True when a command-line argument names tests/model or something inside it."""
    root = Path(config.invocation_params.dir)
    for arg in config.invocation_params.args:
        arg = str(arg)
        if arg.startswith("-"):
            continue
        path = (root / arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config):
    """Keep `pytest` with no arguments (make test) from collecting the model tier."""
    if (collection_path == HERE or HERE in collection_path.parents) and not _explicitly_requested(config):
        return True
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _required_file(env: str, what: str) -> Path:
    value = os.environ.get(env)
    if not value:
        pytest.fail(f"{env} is not set: the model tests need the {what}. Run them with `make test-model`, "
                    "which builds/assembles it once into ~/.cache/interviewer-model and sets "
                    f"{SERVER_ENV} and {GGUF_ENV}.", pytrace=False)
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{env}={value} does not exist: run `make test-model` to make it.", pytrace=False)
    return path


class LlamaServer:
    """One llama-server process on 127.0.0.1:port; its stdout and stderr go to log_path."""

    def __init__(self, binary: Path, gguf: Path, port: int, log_path: Path, flags: list[str],
                 start_timeout: float) -> None:
        self.binary = binary
        self.gguf = gguf
        self.port = port
        self.log_path = log_path
        self.flags = list(flags)
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.startup_seconds: float | None = None

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (what OPENAI_BASE_URL would be)."""
        return f"{self.root_url}/v1"

    @property
    def command(self) -> list[str]:
        return [str(self.binary), "--host", "127.0.0.1", "--port", str(self.port), "-m", str(self.gguf),
                *BASE_FLAGS, *self.flags]

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def get_json(self, path: str, timeout: float = 5.0):
        with urllib.request.urlopen(self.root_url + path, timeout=timeout) as response:
            return json.loads(response.read())

    def get_text(self, path: str, timeout: float = 5.0) -> str:
        with urllib.request.urlopen(self.root_url + path, timeout=timeout) as response:
            return response.read().decode()

    def healthy(self) -> bool:
        try:
            return self.get_json("/health", timeout=1.0).get("status") == "ok"
        except (OSError, ValueError):  # refused, 503 while loading, reset
            return False

    def start(self) -> LlamaServer:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start: {' '.join(self.command)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         env={**os.environ, **SERVER_ENV_VARS})
        deadline = started + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise RuntimeError(f"llama-server exited with {code} while starting on port {self.port}.\n"
                                   f"command: {' '.join(self.command)}\nlog tail ({self.log_path}):\n"
                                   f"{self.log_tail()}")
            if self.healthy():
                self.startup_seconds = time.monotonic() - started
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"llama-server did not answer /health with 200 within {self.start_timeout:.0f} s "
                           f"on port {self.port}.\ncommand: {' '.join(self.command)}\n"
                           f"log tail ({self.log_path}):\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean shutdown, open connections drop."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> LlamaServer:
        """Kill (if running) and start again on the same port, with the same flags."""
        self.kill()
        deadline = time.monotonic() + 10
        while True:  # the port can take a moment to be free after a kill
            try:
                with socket.socket() as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("127.0.0.1", self.port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        return self.start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture(scope="session")
def llama_assets() -> tuple[Path, Path]:
    """(binary, gguf) from the environment; fails, never skips, when `make test-model` was not used."""
    return _required_file(SERVER_ENV, "llama-server binary"), _required_file(GGUF_ENV, "Gemma 3 270M GGUF")


@pytest.fixture(scope="session")
def start_llama_server(llama_assets, tmp_path_factory):
    """A factory: start_llama_server(flags, name) starts another server (own port and log) with
    the given flags instead of DEFAULT_FLAGS; every server it started is stopped at the end."""
    binary, gguf = llama_assets
    timeout = float(os.environ.get(START_TIMEOUT_ENV, "120"))
    logs = tmp_path_factory.mktemp("llama-server")
    started: list[LlamaServer] = []

    def start(flags: list[str] = DEFAULT_FLAGS, name: str = "server") -> LlamaServer:
        server = LlamaServer(binary, gguf, free_port(), logs / f"{name}-{len(started)}.log", flags, timeout)
        started.append(server)
        try:
            return server.start()
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def llama_server(start_llama_server) -> LlamaServer:
    """The shared server for the session, with DEFAULT_FLAGS. Tests that kill or restart it leave
    it running (restart()) for the ones after them."""
    server = start_llama_server(DEFAULT_FLAGS, "default")
    yield server
    server.stop()


@pytest.fixture()
def live_server(llama_server: LlamaServer) -> LlamaServer:
    """The shared server, brought back first if an earlier test left it stopped."""
    if not llama_server.running or not llama_server.healthy():
        llama_server.restart()
    return llama_server

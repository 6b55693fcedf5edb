"""Real servers on 127.0.0.1 for the multi-process test and the load benchmark: Debian's
PostgreSQL in a temporary directory, a `chroma run` server, and `interviewer ui` processes.

PostgreSQL refuses to run as root, so as root its files belong to the `postgres` user (made by
Debian's package) and its programs run as that user through `runuser`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

POSTGRES_USER = "postgres"  # the system account Debian's package creates


class ServerError(RuntimeError):
    """A server did not start; the message carries its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"{what} exited early (code {proc.returncode}):\n{_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise ServerError(f"{what} did not listen on 127.0.0.1:{port} within {seconds:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def postgres_bin() -> Path | None:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", POSTGRES_USER, "--", *argv] if os.geteuid() == 0 else argv


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, seconds: float = 15) -> None:
    """Signal the server's whole process group (each is started in its own session): `runuser`
    does not pass every signal on to the server under it."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def postgres_server(database: str = "interviewer") -> Iterator[str]:
    """A fresh PostgreSQL cluster on a free port; yields its SQLAlchemy URL (with a password)."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise ServerError("PostgreSQL is not installed (`make test` installs Debian's postgresql)")
    root = Path(tempfile.mkdtemp(prefix="interviewer-pg-"))
    data, log = root / "data", root / "server.log"
    password = secrets.token_hex(12)
    (root / "pw").write_text(password)
    if os.geteuid() == 0:
        shutil.chown(root, POSTGRES_USER)
        shutil.chown(root / "pw", POSTGRES_USER)
    port = free_port()
    proc = None
    try:
        subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "interviewer", "-A", "scram-sha-256",
                                     f"--pwfile={root / 'pw'}", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, text=True)
        with log.open("w") as out:
            if os.geteuid() == 0:
                shutil.chown(log, POSTGRES_USER)
            proc = subprocess.Popen(
                _as_postgres([str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-c", "listen_addresses=127.0.0.1",
                              "-c", f"unix_socket_directories={root}", "-c", "fsync=off", "-c", "max_connections=200"]),
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(port, proc, log, "postgres")
        subprocess.run(_as_postgres([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "interviewer",
                                     database]),
                       check=True, capture_output=True, text=True, env={**os.environ, "PGPASSWORD": password})
        yield f"postgresql://interviewer:{password}@127.0.0.1:{port}/{database}"
    except subprocess.CalledProcessError as exc:
        raise ServerError(f"{exc.cmd[0]} failed: {exc.stderr}\n{_tail(log)}") from exc
    finally:
        if proc is not None:
            _stop(proc, signal.SIGINT)  # fast shutdown
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, prefix: str = "t") -> str:
    """A new, empty database on the server of `server_url` (a URL from postgres_server); its URL."""
    import uuid

    from sqlalchemy import create_engine

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server_url.rpartition("/")[0] + f"/{name}"


def chroma_executable() -> str:
    exe = Path(sys.executable).parent / "chroma"
    return str(exe) if exe.exists() else shutil.which("chroma") or "chroma"


@contextlib.contextmanager
def chroma_server(folder: Path) -> Iterator[int]:
    """A `chroma run` server with its data in `folder`; yields its port."""
    folder.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), folder / "chroma.log"
    with log.open("w") as out:
        proc = subprocess.Popen([chroma_executable(), "run", "--path", str(folder / "db"), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, proc, log, "chroma run")
        yield port
    finally:
        _stop(proc)


@dataclass
class AppProcess:
    """One `interviewer ui` process."""

    port: int
    log: Path
    proc: subprocess.Popen
    env: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def kill(self) -> None:
        """Dies as a crash would: SIGKILL, no clean-up (its sandboxed children with it)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        _stop(self.proc)


def app_env(home: Path, database_url: str | None, chroma_port: int | None, **extra: str) -> dict[str, str]:
    """The environment of an app process: offline, its own data directory, the shared stores."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "INTERVIEWER_", "CHROMA_"))}
    env.update({"INTERVIEWER_HOME": str(home), "INTERVIEWER_SHARED": "1", "INTERVIEWER_LOG_LEVEL": "INFO",
                "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    if database_url:
        env["INTERVIEWER_DATABASE_URL"] = database_url
    if chroma_port:
        env.update({"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port)})
    env.update(extra)
    return env


def start_app(env: dict[str, str], log: Path, seconds: float = 180, port: int | None = None) -> AppProcess:
    """`interviewer ui` on `port` (a free one by default); returns once it answers."""
    port = port or free_port()
    exe = Path(sys.executable).parent / "interviewer"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        proc = subprocess.Popen([str(exe), "ui"], env={**env, "INTERVIEWER_PORT": str(port)}, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    app = AppProcess(port=port, log=log, proc=proc, env=env)
    try:
        wait_for_port(port, proc, log, "interviewer ui", seconds)
    except ServerError:
        app.kill()
        raise
    return app

"""The built wheel, installed in a fresh virtual environment, runs every command the README
documents, from a folder that is not the checkout (so nothing comes from the source tree).

Nothing is downloaded: the fresh environment sees the project's installed dependencies through a
.pth file, and pip installs the wheel alone (--no-deps --no-index).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

CORPUS = REPO / "corpus"


def documented_commands() -> list[str]:
    """`interviewer <command>` rows of the README's command table."""
    rows = re.findall(r"^\| `interviewer ([a-z-]+(?: [a-z]+)?)", (REPO / "README.md").read_text(), re.M)
    return sorted({r.split()[0] if r.split()[0] != "corpus" else r for r in rows})


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv with the wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(root / "dist"), str(REPO)], check=True, capture_output=True)
    (wheel,) = (root / "dist").glob("interviewer-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies, not the project: a .pth in a path added by a .pth is not read, so the
    # checkout's editable install stays out.
    Path(purelib, "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True)
    return venv / "bin"


@pytest.fixture()
def env(installed, built_retriever, shared_home, tmp_path) -> dict[str, str]:
    home = tmp_path / "home"
    shutil.copytree(shared_home, home)  # the index built once for the suite
    for db in home.glob("sessions.db*"):
        db.unlink()  # other tests' sessions: this one starts with none
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERVIEWER_", "CHROMA_"))}
    return {**env, "INTERVIEWER_HOME": str(home), "PATH": f"{installed}{os.pathsep}{env.get('PATH', '')}"}


def run(bin_dir: Path, env: dict, cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "interviewer"), *args], env=env, cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=300)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    where = subprocess.run([str(installed / "python"), "-c", "import interviewer; print(interviewer.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(installed.parent) in where and str(REPO) not in where


def test_every_documented_command_runs_from_the_wheel(installed, env, tmp_path):
    documented = documented_commands()
    assert {"chat", "ui", "score", "corpus validate"} <= set(documented)
    checked: set[str] = set()

    def ok(command: str, *args: str, stdin: str | None = None, expect: str = "", code: int = 0) -> str:
        result = run(installed, env, tmp_path, *args, stdin=stdin)
        assert result.returncode == code, f"{args}: exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        assert expect in result.stdout, f"{args}: {expect!r} not in {result.stdout[-2000:]}"
        checked.add(command)
        return result.stdout

    ok("corpus validate", "corpus", "validate", expect="OK")
    assert json.loads(ok("corpus stats", "corpus", "stats", "--json"))["by_kind"]["questions"] > 100
    ok("index", "index", expect="reused")
    hits = json.loads(ok("search", "search", "L1 versus L2 regularisation", "-k", "2", "--json"))
    assert len(hits) == 2
    scored = json.loads(ok("score", "score", "--question", "Compare L1 and L2 regularisation.", "--answer",
                           "L1 adds the absolute values of the weights to the loss, which pushes some weights to "
                           "exactly zero; L2 adds their squares and shrinks every weight smoothly.", "--json"))
    assert 1.0 <= scored["overall"] <= 4.0 and scored["judge"] == "offline"
    ok("chat", "chat", "--plan", "ml-breadth", "--seed", "1", stdin="/end\n", expect="report")
    sessions = json.loads(ok("sessions", "sessions", "--json"))
    assert len(sessions) == 1  # before the online assessment below
    ok("report", "report", sessions[0]["id"], "--format", "md", expect="Recommendation")
    ok("doctor", "doctor", expect="Offline mode")

    story = ("Last spring the fraud model started flagging twice as many orders, and nobody owned the alert. I took it "
             "on: I pulled two weeks of flagged orders, found a new payment method with empty features, imputed them and "
             "retrained. False positives fell from 9% to 4% in three weeks. I learned to monitor every input feature.")
    ok("stories", "stories", "add", "--title", "Fraud alert", "--lp", "ownership", stdin=story, expect="Fraud alert")
    ok("stories", "stories", "grid", expect="Leadership Principle")
    assert json.loads(ok("stories", "stories", "export", "--format", "json"))["stories"][0]["lps"] == ["Ownership"]
    ok("chat", "chat", "--plan", "online-assessment", "--seed", "2", stdin="A\n/end\n", expect="What to review")

    coding = yaml.safe_load((CORPUS / "problems" / "coding" / "cod-two-sum.yaml").read_text())
    (tmp_path / "solution.py").write_text(coding["reference"])
    ok("run-code", "run-code", "cod-two-sum", str(tmp_path / "solution.py"))
    sql = yaml.safe_load((CORPUS / "problems" / "sql" / "sql-always-excited-users.yaml").read_text())
    (tmp_path / "query.sql").write_text(sql["reference"])
    ok("run-sql", "run-sql", "sql-always-excited-users", str(tmp_path / "query.sql"))

    port = free_port()
    app = subprocess.Popen([str(installed / "interviewer"), "ui", "--port", str(port)], env=env, cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, status = time.monotonic() + 120, None
        while time.monotonic() < deadline and status != 200:
            assert app.poll() is None, app.stdout.read()[-2000:]
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).status
            except OSError:
                time.sleep(0.5)
        assert status == 200
        checked.add("ui")
    finally:
        app.terminate()
        app.wait(timeout=30)
    assert sorted(set(documented) - checked) == [], "a documented command has no check here"

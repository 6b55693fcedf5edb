"""The sandbox process itself (sandbox.run_python), without the harness's audit hook.

Whatever the machine allows (root or not, namespaces or not), each test checks the layer that
must hold there and skips the ones that cannot apply.
"""

from __future__ import annotations

import os
import socket
import textwrap
import time
from pathlib import Path

import pytest

from interviewer.runner.sandbox import Limits, run_python

FAST = Limits(cpu_s=1, wall_s=4)


def run(code: str, limits: Limits = FAST, **kwargs):
    return run_python({"main.py": textwrap.dedent(code)}, "main.py", limits, **kwargs)


def _uid_processes(uid: int) -> list[int]:
    """Live processes of `uid`; zombies are dead already (some inits here never reap them)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                status = Path(f"/proc/{entry.name}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("Uid", "").split()[:1] == [str(uid)] and not fields.get("State", "").strip().startswith("Z"):
                found.append(int(entry.name))
    return found


def test_a_normal_run_returns_output_and_cleans_up():
    outcome = run("import os; print('hello'); print(os.getcwd())")
    assert outcome.status == "ok", outcome.stderr
    assert outcome.exit_code == 0
    lines = outcome.stdout.split()
    assert lines[0] == "hello"
    assert not os.path.exists(lines[1]), "the work directory must be deleted afterwards"
    assert outcome.wall_ms > 0
    assert {"bwrap", "empty_env", "rlimits"} <= set(outcome.isolation.features())


def test_the_environment_is_emptied(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-parent-secret")
    monkeypatch.setenv("SOMETHING_ELSE", "x")
    outcome = run("import os, json; print(json.dumps(dict(os.environ)))")
    assert outcome.status == "ok"
    assert "sk-parent-secret" not in outcome.stdout
    assert "OPENAI_API_KEY" not in outcome.stdout and "SOMETHING_ELSE" not in outcome.stdout
    assert '"PATH"' in outcome.stdout


def test_the_parent_environment_cannot_be_read_through_proc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-parent-secret")
    outcome = run(f"""
        try:
            print(open('/proc/{os.getpid()}/environ', 'rb').read())
        except OSError as exc:
            print('denied', type(exc).__name__)
    """)
    if not outcome.isolation.uid_drop and os.geteuid() == 0:
        pytest.skip("running as root without a uid drop: only the harness's guard protects /proc")
    assert "sk-parent-secret" not in outcome.stdout
    assert "denied" in outcome.stdout


def test_an_infinite_loop_hits_the_cpu_limit():
    outcome = run("while True:\n    pass\n")
    assert outcome.status == "cpu_limit"
    assert outcome.signal == "SIGXCPU"  # the kernel's, for RLIMIT_CPU
    assert outcome.wall_ms < 4000


def test_sleeping_hits_the_wall_clock_timeout():
    outcome = run("import time; time.sleep(60)", Limits(cpu_s=5, wall_s=1.0))
    assert outcome.status == "timeout"
    assert 900 <= outcome.wall_ms < 3000


def test_a_huge_allocation_hits_the_memory_limit():
    outcome = run("x = bytearray(8 * 1024**3)")
    assert outcome.status == "memory"


def test_numpy_imports_under_the_limits():
    outcome = run("import numpy as np; print(int(np.arange(10).sum()))")
    assert outcome.status == "ok", outcome.stderr
    assert outcome.stdout.strip() == "45"


def test_output_flooding_is_cut_off():
    outcome = run("import os\nwhile True:\n    os.write(1, b'x' * 65536)\n", Limits(cpu_s=2, wall_s=4, output_bytes=200_000))
    assert outcome.status == "output_limit"
    assert len(outcome.stdout) <= 200_000


def test_a_segfault_is_reported_as_a_crash():
    outcome = run("import ctypes; ctypes.string_at(0)")
    assert outcome.status == "crashed"
    assert outcome.signal == "SIGSEGV"


def test_writes_outside_the_work_directory_fail(tmp_path: Path):
    # Probe first: without OS isolation these writes would succeed (the harness's guard covers
    # that case), and this test must never leave files in the checkout or /tmp.
    target = tmp_path / "pwned.txt"
    tmp_target = Path("/tmp") / f"interviewer-sandbox-test-{os.getpid()}"
    cwd_target = Path.cwd() / f"pwned-{os.getpid()}.txt"
    try:
        outcome = run(f"""
            for path in ({str(target)!r}, {str(tmp_target)!r}, {str(cwd_target)!r}):
                try:
                    open(path, 'w').write('x')
                    print('wrote', path)
                except OSError as exc:
                    print('denied', type(exc).__name__)
            open('inside.txt', 'w').write('fine')
            print('inside ok')
        """)
        written = [p for p in (target, tmp_target, cwd_target) if p.exists()]
    finally:
        for p in (target, tmp_target, cwd_target):
            p.unlink(missing_ok=True)
    assert "wrote" not in outcome.stdout
    assert "inside ok" in outcome.stdout
    assert written == []


def test_no_network_connection_reaches_a_local_listener():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        outcome = run(f"""
            import socket
            s = socket.socket()
            s.settimeout(1)
            try:
                s.connect(('127.0.0.1', {port}))
                print('connected')
            except OSError as exc:
                print('failed', exc)
        """)
        assert outcome.isolation.bwrap
        listener.settimeout(0.2)
        with pytest.raises(socket.timeout):
            listener.accept()
    assert "connected" not in outcome.stdout
    assert "failed" in outcome.stdout


def test_nproc_limits_a_bounded_fork_loop_and_nothing_survives():
    # Never a real fork bomb: at most 60 children, each exits by itself after 2 s.
    outcome = run("""
        import os, time
        n = 0
        for _ in range(60):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(2)
                os._exit(0)
            n += 1
        print('forked', n)
    """, Limits(cpu_s=2, wall_s=5, nproc=8))
    assert outcome.status == "ok", outcome.stderr
    forked = int(outcome.stdout.split()[-1])
    assert forked < 8
    if outcome.isolation.uid is not None:
        # SIGKILL is delivered asynchronously: give the killed children a moment to die.
        deadline = time.monotonic() + 3
        while _uid_processes(outcome.isolation.uid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _uid_processes(outcome.isolation.uid) == [], "leftover processes must be killed"


def test_the_child_runs_unprivileged_when_we_are_root():
    outcome = run("import os; print(os.getuid(), os.geteuid())")
    if os.geteuid() != 0:
        assert outcome.isolation.uid_drop is False
        return
    uid, euid = map(int, outcome.stdout.split())
    assert uid == euid == 1000  # as bwrap maps it inside; outside, the run's own uid:
    assert outcome.isolation.uid_drop and outcome.isolation.uid >= 1_900_000_000


def test_entry_must_be_one_of_the_files():
    with pytest.raises(ValueError):
        run_python({"a.py": "pass"}, "b.py")

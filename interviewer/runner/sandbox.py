"""Run untrusted Python in an isolated child process.

The boundary is bubblewrap (`bwrap`, Debian's package `bubblewrap`), used on every install, as
root or not: new user, PID, network, IPC, UTS and cgroup namespaces; a read-only minimal root
(/usr, the interpreter and its site-packages, nothing else: no repository, no data directory,
no home, no /etc); a private, size-limited tmpfs as the only writable directory; /proc showing
only the sandbox's own processes; everything killed when the run ends (the PID namespace dies
with its first process). Around it:

- as root, a per-run unprivileged uid is taken before bwrap starts, so RLIMIT_NPROC counts only
  this run's processes; otherwise the user's own processes plus the limit;
- an environment built from nothing (no API keys or anything else of ours);
- resource limits: CPU seconds, address space, processes, open files, file size, no core dumps;
- a wall-clock deadline and an output cap, both killing the whole sandbox.

Where bwrap is missing or cannot create namespaces, `sandbox_problem()` says why in one line
and how to enable it, and runs that require isolation are refused: the harness's in-process
guard is a second layer, never the only one. What applied is returned per run in
`SandboxOutcome.isolation`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from interviewer.runner import jail
from interviewer.runner.jail import Limits

log = logging.getLogger(__name__)

TICKS = os.sysconf("SC_CLK_TCK")
LINE_CAP = 4 << 20  # one protocol reply; larger is an output-limit failure

Status = Literal["ok", "timeout", "cpu_limit", "memory", "output_limit", "crashed", "error", ]


class SandboxUnavailable(RuntimeError):
    """No isolation can be had on this machine; the message says why and how to enable it."""


class Isolation(BaseModel):
    empty_env: bool = True
    rlimits: bool = True
    bwrap: bool = Field(False, description="user/PID/network namespaces, read-only root, tmpfs work dir")
    uid_drop: bool = False
    uid: int | None = None
    audit_hook: bool = False  # set by the harness runner, which installs it

    def features(self) -> list[str]:
        names = ["bwrap", "uid_drop", "empty_env", "rlimits", "audit_hook"]
        return [n for n in names if getattr(self, n)]


class SandboxOutcome(BaseModel):
    status: Status
    exit_code: int | None = None
    signal: str | None = None
    stdout: str = ""
    stderr: str = ""
    wall_ms: float = 0.0
    cpu_ms: float = 0.0
    isolation: Isolation = Field(default_factory=Isolation)


@functools.lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """None when bwrap can isolate a run here; else one line: why not, and how to enable it.

    Probed once per process with a real run of `pass` (about 30 ms).
    """
    if jail.bwrap_path() is None:
        return ("Run is off: no sandbox is available because bubblewrap is not installed. Install it "
                "(Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap) and restart.")
    try:
        with Session({"main.py": "pass"}, "main.py", Limits(cpu_s=5, wall_s=20), require_isolation=False,
                     _probe=True) as session:
            session.close_input()
            outcome = session.finish()
    except OSError as exc:
        return f"Run is off: bubblewrap could not start ({exc}). Reinstall it (sudo apt-get install bubblewrap)."
    if outcome.status == "ok":
        return None
    why = (outcome.stderr.strip().splitlines() or [f"exit code {outcome.exit_code}"])[-1][:200]
    return ("Run is off: bubblewrap cannot create a sandbox here (" + why + "). Allow unprivileged user "
            "namespaces (sysctl -w kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also "
            "kernel.apparmor_restrict_unprivileged_userns=0) and restart.")


# ---- one sandboxed child --------------------------------------------------------------------


class Session:
    """One sandboxed child process: feed it, read its reply lines, then `finish()`.

    A protocol over pipes: the parent writes JSON lines to the child's stdin and reads one JSON
    line per request from its stdout, under one deadline for the whole run and one output cap.
    """

    def __init__(self, files: dict[str, str], entry: str, limits: Limits | None = None, *,
                 argv: list[str] | None = None, flags: tuple[str, ...] = ("-I", "-B"),
                 require_isolation: bool = True, _probe: bool = False) -> None:
        self.limits = limits or Limits()
        if entry not in files:
            raise ValueError(f"entry {entry!r} is not one of the files")
        for name in files:
            if os.path.basename(name) != name or name in ("", ".", "..", "work"):
                raise ValueError(f"file name {name!r} must be a plain name")
        bwrap = jail.bwrap_path()
        problem = None if _probe else sandbox_problem()
        if problem is not None and require_isolation:
            raise SandboxUnavailable(problem)
        self._use_bwrap = bwrap is not None and problem is None
        self.files, self.entry, self.argv, self.flags = files, entry, argv or [], flags
        self.isolation = Isolation()
        self.reason: str | None = None  # why the run must be killed: "timeout" or "output_limit"
        self._out = bytearray()
        self._err = bytearray()
        self._total = 0
        self._stdin_open = True
        self._pending = b""
        self.proc: subprocess.Popen[bytes] | None = None

    # -- start and stop

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.finish()

    def start(self) -> None:
        self._root = tempfile.mkdtemp(prefix="interviewer-run-")
        self._start = time.monotonic()
        self.started_ms = self._start * 1000
        self.deadline = self._start + self.limits.wall_s
        uid = jail.pick_uid() if self._use_bwrap else None
        try:
            os.chmod(self._root, 0o755)
            os.mkdir(os.path.join(self._root, "work"), 0o755)  # the tmpfs mount point
            for name, text in self.files.items():
                path = os.path.join(self._root, name)
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.chmod(path, 0o644)
            if self._use_bwrap:
                prefix = jail.bwrap_argv(jail.bwrap_path() or "bwrap", self._root, self.limits)
                script, cwd = os.path.join(jail.PROGRAM_DIR, self.entry), "/"
            else:
                prefix, script = [], os.path.join(self._root, self.entry)
                cwd = os.path.join(self._root, "work")
                if uid is None and os.geteuid() == 0:
                    os.chmod(cwd, 0o700)
            cmd = [*prefix, jail.interpreter(), *self.flags, script, *self.argv]
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                env=jail.child_env() if self._use_bwrap else {**jail.child_env(), "HOME": cwd, "TMPDIR": cwd},
                start_new_session=True, close_fds=True,
                # preexec_fn: Python 3.11's only way to mount, drop the uid and set rlimits in the
                # child alone before exec; it calls only pre-bound functions.
                preexec_fn=jail.make_preexec(jail.rlimits(self.limits, uid), uid),  # noqa: PLW1509
            )
        except BaseException:
            shutil.rmtree(self._root, ignore_errors=True)
            raise
        self.isolation = Isolation(bwrap=self._use_bwrap, uid_drop=uid is not None, uid=uid)
        self._sel = selectors.DefaultSelector()
        for pipe in (self.proc.stdout, self.proc.stderr):
            assert pipe is not None
            os.set_blocking(pipe.fileno(), False)
            self._sel.register(pipe.fileno(), selectors.EVENT_READ)
        assert self.proc.stdin is not None
        os.set_blocking(self.proc.stdin.fileno(), False)

    def finish(self) -> SandboxOutcome:
        """Kill whatever is left, reap, and describe the run."""
        proc = self.proc
        assert proc is not None
        self._stdin_open = False
        try:
            if self.reason is None:
                self._pump(until_exit=True)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # bwrap's death takes the PID namespace with it
            except (ProcessLookupError, PermissionError):
                pass
            _, wait_status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(wait_status)
            self._sel.close()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe and not pipe.closed:
                    pipe.close()
            shutil.rmtree(self._root, ignore_errors=True)
        wall_ms = (time.monotonic() - self._start) * 1000
        cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
        stderr = self._err.decode("utf-8", "replace")
        returncode = proc.returncode
        if self._use_bwrap and returncode > 128 and self.reason is None:
            returncode = -(returncode - 128)  # bwrap reports a child killed by signal N as 128 + N
        status, sig = _classify(self.reason, returncode, cpu_ms, self.limits, stderr)
        log.info("sandbox run %s: %s in %.0f ms wall, %.0f ms cpu (%s)", self.entry, status, wall_ms, cpu_ms,
                 ",".join(self.isolation.features()))
        return SandboxOutcome(
            status=status, exit_code=returncode if returncode >= 0 else None, signal=sig,
            stdout=self._out.decode("utf-8", "replace"), stderr=stderr, wall_ms=wall_ms, cpu_ms=cpu_ms,
            isolation=self.isolation,
        )

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time used so far by the whole sandbox (bwrap included), read from /proc: what the
        candidate's code cannot fake from inside. Two readings: (the live threads, to the
        nanosecond; everything, threads that ended and children reaped included, to the clock
        tick of 10 ms). A short call shows in the first, work hidden in a thread or a process
        that is gone by the time we look shows in the second."""
        assert self.proc is not None
        precise = ticks = 0
        seen: set[int] = set()
        todo = [self.proc.pid]
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
                with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
            except (OSError, ValueError, IndexError):
                continue
            for tid in tasks:
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as fh:
                        precise += int(fh.read().split()[0])
                    with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                        todo.extend(int(c) for c in fh.read().split())
                except (OSError, ValueError, IndexError):
                    continue
        return precise / 1e9, ticks / TICKS

    # -- talking to the child

    def write(self, data: bytes) -> None:
        self._pending += data

    def close_input(self) -> None:
        self._stdin_open = False

    def request(self, message: dict[str, Any], object_hook: Callable[[dict[str, Any]], Any] | None = None,
                ) -> dict[str, Any] | None:
        """Send one JSON line, return the child's next JSON line; None if it died, lied or ran out."""
        self.write(json.dumps(message).encode() + b"\n")
        line = self.read_line()
        if line is None:
            return None
        try:
            reply = json.loads(line, object_hook=object_hook)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return reply if isinstance(reply, dict) else None

    def read_line(self) -> bytes | None:
        while True:
            end = self._out.find(b"\n")
            if end >= 0:
                line = bytes(self._out[:end])
                del self._out[:end + 1]
                return line
            if self.reason is not None or not self._pump(until_exit=False):
                return None

    def _pump(self, until_exit: bool) -> bool:
        """Move bytes until a new stdout line arrives (or, with until_exit, the child is gone).

        Returns False when nothing more can come: the child exited and its pipes are drained,
        the deadline passed, or the output cap was hit (then `reason` says which).
        """
        proc = self.proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        in_fd, out_fd = proc.stdin.fileno(), proc.stdout.fileno()
        open_fds = {key.fd for key in self._sel.get_map().values()}
        exited_at: float | None = None
        while True:
            now = time.monotonic()
            if now >= self.deadline:
                self.reason = "timeout"
                return False
            if self._pending and not proc.stdin.closed:
                try:
                    written = os.write(in_fd, self._pending[:65536])
                    self._pending = self._pending[written:]
                except BlockingIOError:
                    pass
                except (BrokenPipeError, OSError):
                    self._pending = b""
            if not self._pending and not self._stdin_open and not proc.stdin.closed:
                proc.stdin.close()
            if exited_at is None and _exited(proc.pid):
                exited_at = now
            # Done once the child has exited and its pipes are drained; a leftover holding
            # them open gets half a second, then is killed with the sandbox.
            if exited_at is not None and (not open_fds or now - exited_at > 0.5):
                return False
            wait = min(0.05, self.deadline - now) if not self._pending else 0.002
            for key, _ in self._sel.select(timeout=wait):
                try:
                    chunk = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    self._sel.unregister(key.fd)
                    open_fds.discard(key.fd)
                    continue
                self._total += len(chunk)
                if self._total > self.limits.output_bytes or len(self._out) > LINE_CAP:
                    self.reason = "output_limit"
                    return False
                (self._out if key.fd == out_fd else self._err).extend(chunk)
                if key.fd == out_fd and not until_exit and b"\n" in chunk:
                    return True
            if not open_fds and exited_at is None:
                time.sleep(0.002)


def _exited(pid: int) -> bool:
    """Has the child exited? Leaves it unreaped, so wait4 still gets its resource usage."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _classify(reason: str | None, returncode: int, cpu_ms: float, limits: Limits, stderr: str) -> tuple[Status, str | None]:
    try:
        sig = signal.Signals(-returncode).name if returncode < 0 else None
    except ValueError:
        sig = f"signal {-returncode}"
    cpu_out = cpu_ms >= limits.cpu_s * 1000 - 50
    if reason == "output_limit":
        return "output_limit", sig
    if sig == "SIGXCPU" or (sig == "SIGKILL" and cpu_out):
        return "cpu_limit", sig
    if reason == "timeout":
        return ("cpu_limit" if cpu_out else "timeout"), sig
    tail = stderr[-2000:]
    if "MemoryError" in tail or "Cannot allocate memory" in tail or "bad_alloc" in tail:
        return "memory", sig
    if sig == "SIGKILL":
        return "memory", sig  # killed by nobody we know of: the kernel's OOM killer
    if sig is not None:
        return "crashed", sig
    return ("ok" if returncode == 0 else "error"), None


def run_python(
    files: dict[str, str],
    entry: str,
    limits: Limits | None = None,
    *,
    argv: list[str] | None = None,
    stdin: bytes = b"",
    flags: tuple[str, ...] = ("-I", "-B"),
    require_isolation: bool = True,
) -> SandboxOutcome:
    """Run `entry` (one of `files`) once with this interpreter in the sandbox, feeding `stdin`.

    `files` are read-only beside the child's working directory, the only writable place. `-I`
    keeps the environment and user site out. Raises SandboxUnavailable when isolation is
    required and cannot be had.
    """
    session = Session(files, entry, limits, argv=argv, flags=flags, require_isolation=require_isolation)
    with session:
        session.write(stdin)
        session.close_input()
        return session.finish()

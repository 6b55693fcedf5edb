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

import ctypes
import ctypes.util
import functools
import json
import logging
import os
import resource
import secrets
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

# A per-run uid from a range no distribution hands out, so NPROC counts only this run's
# processes and nothing else on the machine can ever share it.
UID_BASE, UID_SPAN = 1_900_000_000, 90_000_000
INSIDE_UID = 1000
PROGRAM_DIR = "/sandbox"
WORK_DIR = "/sandbox/work"
LINE_CAP = 4 << 20  # one protocol reply; larger is an output-limit failure

Status = Literal["ok", "timeout", "cpu_limit", "memory", "output_limit", "crashed", "error", "unavailable"]


class SandboxUnavailable(RuntimeError):
    """No isolation can be had on this machine; the message says why and how to enable it."""


class Limits(BaseModel):
    cpu_s: int = Field(5, ge=1, description="RLIMIT_CPU: seconds of CPU time")
    wall_s: float = Field(10.0, gt=0, description="wall-clock deadline for the whole run; kills the sandbox")
    memory_bytes: int = Field(1 << 30, description="RLIMIT_AS: address space")
    nproc: int = Field(16, ge=1, description="RLIMIT_NPROC: processes the run may have at once")
    nofile: int = Field(64, ge=16, description="RLIMIT_NOFILE")
    fsize_bytes: int = Field(10 << 20, description="RLIMIT_FSIZE: largest file the child may write")
    disk_bytes: int = Field(64 << 20, description="size of the tmpfs work directory")
    output_bytes: int = Field(1 << 20, description="stdout + stderr cap; the child is killed past it")


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


# ---- what the sandbox sees ------------------------------------------------------------------


def _bwrap_path() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def _interpreter() -> str:
    # The real binary, not a venv's symlink: the venv directory (inside the checkout) stays hidden.
    return os.path.realpath(sys.executable)


@functools.lru_cache(maxsize=1)
def site_paths() -> tuple[str, ...]:
    """The site-packages directories the child may import from (numpy, pandas, duckdb)."""
    paths = sysconfig.get_paths()
    return tuple(dict.fromkeys(os.path.realpath(p) for p in (paths.get("purelib"), paths.get("platlib")) if p))


@functools.lru_cache(maxsize=1)
def _read_only_paths() -> tuple[str, ...]:
    """Directories bound read-only at their own paths: /usr, the interpreter's prefix, site-packages."""
    prefix = os.path.realpath(sys.base_prefix)
    paths = {"/usr", prefix, os.path.dirname(_interpreter()), *site_paths()}
    paths = {p for p in paths if os.path.isdir(p)}
    # Drop any path inside another one: binding the outer one covers it.
    return tuple(sorted(p for p in paths if not any(p != o and p.startswith(o + os.sep) for o in paths)))


def _root_links() -> list[str]:
    """/bin, /lib, ... as on this machine: symlinks into /usr recreated, real directories bound."""
    args: list[str] = []
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    return args


def _bwrap_argv(bwrap: str, program_dir: str, limits: Limits) -> list[str]:
    argv = [bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), "--disable-userns",
            "--proc", "/proc", "--dev", "/dev", *_root_links()]
    for path in _read_only_paths():
        argv += ["--ro-bind", path, path]
    argv += ["--ro-bind", program_dir, PROGRAM_DIR,
             "--size", str(limits.disk_bytes), "--perms", "0700", "--tmpfs", WORK_DIR,
             # bwrap's own root and /dev are tmpfs with no size limit: read-only, so the work
             # directory is the only place a run can fill.
             "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", WORK_DIR]
    return argv


# ---- root: a per-run uid that can still reach the interpreter ---------------------------------

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000


class _Libc:
    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        self.unshare = libc.unshare
        self.unshare.argtypes = [ctypes.c_int]
        self.mount = libc.mount
        self.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


@functools.lru_cache(maxsize=1)
def _libc() -> _Libc | None:
    try:
        return _Libc()
    except (OSError, AttributeError):
        return None


def _blocking_ancestor(path: str) -> str | None:
    """The first directory on the way to `path` that others cannot enter (e.g. /root, 0700)."""
    current = "/"
    for part in Path(path).parts[1:]:
        current = os.path.join(current, part)
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return None
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return current
    return None


def _uncover_plan() -> list[tuple[str, list[str]]]:
    """[(a directory a per-run uid cannot enter, [read-only paths under it])]: to be replaced,
    in a private mount namespace, by an empty tmpfs with just those paths bound back."""
    plan: dict[str, list[str]] = {}
    for path in _read_only_paths():
        if (blocked := _blocking_ancestor(path)) is not None:
            plan.setdefault(blocked, []).append(path)
    return sorted(plan.items(), key=lambda item: len(item[0]))


def _make_preexec(rlimits: list[tuple[int, tuple[int, int]]], uid: int | None):
    plan = _uncover_plan() if uid is not None else []
    libc = _libc() if plan else None

    def preexec() -> None:
        # Runs between fork and exec: no imports, no logging, no locks.
        if plan:
            # As root, before the drop: the interpreter under a 0700 home stays reachable, and
            # nothing else of that home is (an empty tmpfs over it, the kept paths bound back).
            if libc is None or libc.unshare(CLONE_NEWNS) != 0:
                raise OSError("cannot open a private mount namespace")
            if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
                raise OSError(ctypes.get_errno(), "make / private")
            # Opened in the new namespace, before the tmpfs hides them: a bind's source must be.
            fds = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for _, kept in plan for path in kept}
            for covered, kept in plan:
                if libc.mount(b"tmpfs", covered.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=755,size=1m") != 0:
                    raise OSError(ctypes.get_errno(), f"mount tmpfs on {covered}")
                for path in kept:
                    os.makedirs(path, exist_ok=True)
                    source = f"/proc/self/fd/{fds[path]}".encode()
                    if libc.mount(source, path.encode(), None, MS_BIND | MS_REC, None) != 0:
                        raise OSError(ctypes.get_errno(), f"bind {path}")
                    os.close(fds[path])
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        for which, value in rlimits:
            resource.setrlimit(which, value)

    return preexec


def _child_env() -> dict[str, str]:
    # Built from nothing: the parent's environment (API keys included) never reaches the child.
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": WORK_DIR,
        "TMPDIR": WORK_DIR,
        # One BLAS thread: fits RLIMIT_NPROC and keeps timings honest.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _own_processes() -> int:
    me, count = str(os.geteuid()), 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as fh:
                    count += any(line.startswith("Uid:") and line.split()[1] == me for line in fh)
            except (OSError, IndexError):
                continue
    return count


def _rlimits(limits: Limits, uid: int | None) -> list[tuple[int, tuple[int, int]]]:
    # RLIMIT_NPROC counts every process of the real uid: a per-run uid starts from zero, a
    # normal user's limit sits above what they already run. bwrap adds two: itself and its reaper.
    nproc = limits.nproc + 2 + (0 if uid is not None else _own_processes())
    return [
        (resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1)),
        (resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes)),
        (resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile)),
        (resource.RLIMIT_FSIZE, (limits.fsize_bytes, limits.fsize_bytes)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NPROC, (nproc, nproc)),
    ]


def _pick_uid() -> int | None:
    return UID_BASE + secrets.randbelow(UID_SPAN) if os.geteuid() == 0 else None


@functools.lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """None when bwrap can isolate a run here; else one line: why not, and how to enable it.

    Probed once per process with a real run of `pass` (about 30 ms).
    """
    if _bwrap_path() is None:
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
        bwrap = _bwrap_path()
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
        self.deadline = self._start + self.limits.wall_s
        uid = _pick_uid() if self._use_bwrap else None
        try:
            os.chmod(self._root, 0o755)
            os.mkdir(os.path.join(self._root, "work"), 0o755)  # the tmpfs mount point
            for name, text in self.files.items():
                path = os.path.join(self._root, name)
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.chmod(path, 0o644)
            if self._use_bwrap:
                prefix = _bwrap_argv(_bwrap_path() or "bwrap", self._root, self.limits)
                script, cwd = os.path.join(PROGRAM_DIR, self.entry), "/"
            else:
                prefix, script = [], os.path.join(self._root, self.entry)
                cwd = os.path.join(self._root, "work")
                if uid is None and os.geteuid() == 0:
                    os.chmod(cwd, 0o700)
            cmd = [*prefix, _interpreter(), *self.flags, script, *self.argv]
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                env=_child_env() if self._use_bwrap else {**_child_env(), "HOME": cwd, "TMPDIR": cwd},
                start_new_session=True, close_fds=True,
                # preexec_fn: Python 3.11's only way to mount, drop the uid and set rlimits in the
                # child alone before exec; it calls only pre-bound functions.
                preexec_fn=_make_preexec(_rlimits(self.limits, uid), uid),  # noqa: PLW1509
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

"""Run untrusted Python in a separate, locked-down process.

Layers, each useful on its own, so losing one (no root, no namespaces) still leaves the rest:

- a fresh temporary directory as the working directory, deleted afterwards;
- an emptied environment (no API keys or anything else of ours leaks);
- resource limits: CPU seconds, address space, processes, open files, file size, no core dumps;
- a wall-clock timeout and an output cap, both killing the whole process group;
- as root: a new network namespace (only a down loopback), a private mount namespace in which
  /tmp, /var/tmp, /dev/shm and our home are empty tmpfs mounts (the interpreter, its
  site-packages and the work directory are bound back in), and a per-run unprivileged uid, so
  RLIMIT_NPROC applies, the file system protects the repository, and leftovers can be swept.

What was actually applied is measured per run and returned in `SandboxOutcome.isolation`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import resource
import secrets
import selectors
import shutil
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000
MNT_DETACH = 0x2
# A per-run uid from a range no distribution hands out, so NPROC counts only this run's
# processes and a sweep by uid can never hit anything else.
UID_BASE, UID_SPAN = 1_900_000_000, 90_000_000
WORK = "work"

Status = Literal["ok", "timeout", "cpu_limit", "memory", "output_limit", "crashed", "error"]


class Limits(BaseModel):
    cpu_s: int = Field(5, ge=1, description="RLIMIT_CPU: seconds of CPU time")
    wall_s: float = Field(10.0, gt=0, description="wall-clock timeout; kills the process group")
    memory_bytes: int = Field(1 << 30, description="RLIMIT_AS: address space")
    nproc: int = Field(16, ge=1, description="RLIMIT_NPROC; binds only once the uid is dropped")
    nofile: int = Field(64, ge=16, description="RLIMIT_NOFILE")
    fsize_bytes: int = Field(10 << 20, description="RLIMIT_FSIZE: largest file the child may write")
    disk_bytes: int = Field(64 << 20, description="size of the tmpfs work directory (mount namespace only)")
    output_bytes: int = Field(1 << 20, description="stdout + stderr cap; the child is killed past it")


class Isolation(BaseModel):
    empty_env: bool = True
    tmpdir: bool = True
    rlimits: bool = True
    netns: bool = False
    mountns: bool = False
    uid_drop: bool = False
    uid: int | None = None
    audit_hook: bool = False  # set by the harness runner, which installs it

    @property
    def nproc_enforced(self) -> bool:
        # The kernel ignores RLIMIT_NPROC for root.
        return self.uid_drop or os.geteuid() != 0

    def features(self) -> list[str]:
        names = ["empty_env", "tmpdir", "rlimits", "netns", "mountns", "uid_drop", "audit_hook"]
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


# ---- the plan: computed once in the parent, so the forked child does almost nothing --------


class _Libc:
    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        self.unshare = libc.unshare
        self.unshare.argtypes = [ctypes.c_int]
        self.mount = libc.mount
        self.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
        self.umount2 = libc.umount2
        self.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


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


@functools.lru_cache(maxsize=1)
def _view_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(directories to hide under an empty tmpfs, directories to bind back in: the interpreter)."""
    keep = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable)))}
    keep = {k for k in keep if not any(k != o and k.startswith(o + os.sep) for o in keep)}
    cover = {"/tmp", "/var/tmp", "/dev/shm", tempfile.gettempdir(), os.path.expanduser("~")}
    cover |= {b for k in keep if (b := _blocking_ancestor(k))}
    cover = {os.path.realpath(c) for c in cover if c not in ("/", "") and os.path.isdir(c)}
    # Never hide a directory the interpreter itself lives in.
    cover = {c for c in cover if not any(k == c or c.startswith(k + os.sep) for k in keep)}
    return tuple(sorted(cover, key=len)), tuple(sorted(keep, key=len))


def _private_view(libc: _Libc, cover: tuple[str, ...], keep: tuple[str, ...], workdir: str, limits: Limits, uid: int) -> None:
    """In a fresh mount namespace: empty tmpfs over `cover`, `keep` bound back, tmpfs work dir."""
    done: list[bytes] = []

    def mount(src: bytes | None, target: str, fstype: bytes | None, flags: int, data: bytes | None) -> None:
        if libc.mount(src, target.encode(), fstype, flags, data) != 0:
            raise OSError(ctypes.get_errno(), f"mount {target}")
        done.append(target.encode())

    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(ctypes.get_errno(), "make / private")
    # Open the kept paths before covering them; binding from /proc/self/fd reaches them after.
    keep = (*keep, os.path.dirname(workdir))  # the run directory: the program files
    fds = [os.open(k, os.O_PATH | os.O_DIRECTORY) for k in keep]
    try:
        for c in cover:
            mount(b"tmpfs", c, b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=755,size=1m")
        for k, fd in zip(keep, fds):
            os.makedirs(k, exist_ok=True)
            mount(f"/proc/self/fd/{fd}".encode(), k, None, MS_BIND | MS_REC, None)
        opts = f"mode=700,uid={uid},gid={uid},size={limits.disk_bytes}".encode()
        mount(b"tmpfs", workdir, b"tmpfs", MS_NOSUID | MS_NODEV, opts)
    except OSError:
        for target in reversed(done):
            libc.umount2(target, MNT_DETACH)
        raise
    finally:
        for fd in fds:
            os.close(fd)


def _make_preexec(limits: Limits, workdir: str, report_fd: int, uid: int | None):
    libc = _libc()
    cover, keep = _view_paths()
    blocked = any(_blocking_ancestor(k) for k in keep)
    rlimits = [
        (resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1)),
        (resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes)),
        (resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile)),
        (resource.RLIMIT_FSIZE, (limits.fsize_bytes, limits.fsize_bytes)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NPROC, (limits.nproc, limits.nproc)),
    ]

    def preexec() -> None:
        # Runs between fork and exec: no imports, no logging, no locks.
        netns = mountns = dropped = False
        if libc is not None:
            netns = libc.unshare(CLONE_NEWNET) == 0
            if not netns and uid is None:
                # Unprivileged: a user namespace makes a network namespace possible.
                netns = libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0
            if uid is not None and libc.unshare(CLONE_NEWNS) == 0:
                try:
                    _private_view(libc, cover, keep, workdir, limits, uid)
                    mountns = True
                except OSError:
                    mountns = False
        os.chdir(workdir)  # again: a tmpfs may now sit on top of the directory Popen entered
        for which, value in rlimits:
            resource.setrlimit(which, value)
        # Without the private view an unreadable home (e.g. /root, 0700) would hide the
        # interpreter from the dropped uid; then stay root and rely on the other layers.
        if uid is not None and (mountns or not blocked):
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            dropped = True
        os.write(report_fd, b"%d %d %d" % (netns, mountns, dropped))

    return preexec


# ---- running --------------------------------------------------------------------------------


def _child_env(home: str) -> dict[str, str]:
    # Built from nothing: the parent's environment (API keys included) never reaches the child.
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": home,
        "TMPDIR": home,
        # One BLAS thread: fits RLIMIT_NPROC and keeps timings honest.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _kill_uid(uid: int) -> None:
    """Kill every process still running as the run's own uid (escapees of the process group)."""
    me = str(uid)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        if line.split()[1] == me:
                            os.kill(int(entry.name), signal.SIGKILL)
                        break
        except (OSError, ValueError):
            continue


def _kill_group(pid: int, uid: int | None) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if uid is not None:
        _kill_uid(uid)


def _exited(pid: int) -> bool:
    """Has the child exited? Leaves it unreaped, so wait4 still gets its resource usage."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _pump(proc, stdin_data: bytes, limits: Limits, deadline: float) -> tuple[bytes, bytes, str | None]:
    """Feed stdin, read stdout/stderr incrementally until the child is gone.

    Returns (stdout, stderr, why we must kill it: "timeout", "output_limit" or None).
    """
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    bufs = {out_fd: bytearray(), err_fd: bytearray()}
    reading = set(bufs)
    sel = selectors.DefaultSelector()
    for fd in bufs:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    pending = memoryview(stdin_data)
    in_fd = proc.stdin.fileno()
    if pending:
        os.set_blocking(in_fd, False)
        sel.register(in_fd, selectors.EVENT_WRITE)
    else:
        proc.stdin.close()
    total = 0
    exited_at: float | None = None
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                return bytes(bufs[out_fd]), bytes(bufs[err_fd]), "timeout"
            if exited_at is None and _exited(proc.pid):
                exited_at = now
            # Done once the child has exited and its pipes are drained; a leftover holding
            # them open gets half a second, then is killed with the group.
            if exited_at is not None and (not reading or now - exited_at > 0.5):
                return bytes(bufs[out_fd]), bytes(bufs[err_fd]), None
            if not reading and not pending:
                time.sleep(0.002)
                continue
            for key, _ in sel.select(timeout=min(0.05, deadline - now)):
                fd = key.fd
                if fd == in_fd:
                    try:
                        pending = pending[os.write(fd, pending[:65536]):]
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:
                        pending = pending[:0]
                    if not pending:
                        sel.unregister(fd)
                        proc.stdin.close()
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(fd)
                    reading.discard(fd)
                    continue
                total += len(chunk)
                bufs[fd] += chunk[: max(0, limits.output_bytes - len(bufs[fd]))]
                if total > limits.output_bytes:
                    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), "output_limit"
    finally:
        sel.close()


def _classify(reason: str | None, returncode: int, cpu_ms: float, limits: Limits, stderr: str) -> tuple[Status, str | None]:
    sig = signal.Signals(-returncode).name if returncode < 0 else None
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


def _pick_uid() -> int | None:
    return UID_BASE + secrets.randbelow(UID_SPAN) if os.geteuid() == 0 else None


def run_python(
    files: dict[str, str],
    entry: str,
    limits: Limits | None = None,
    *,
    argv: list[str] | None = None,
    stdin: bytes = b"",
    flags: tuple[str, ...] = ("-I", "-B"),
) -> SandboxOutcome:
    """Run `entry` (one of `files`) with this interpreter in a sandboxed child process.

    `files` are written read-only next to the child's working directory (`work/`); the child
    may write only inside `work/`. `-I` keeps the environment and user site out but leaves
    site-packages importable (numpy works).
    """
    limits = limits or Limits()
    if entry not in files:
        raise ValueError(f"entry {entry!r} is not one of the files")
    uid = _pick_uid()
    root = tempfile.mkdtemp(prefix="interviewer-run-")
    workdir = os.path.join(root, WORK)
    isolation = Isolation()
    start = time.monotonic()
    try:
        os.chmod(root, 0o755)
        os.mkdir(workdir, 0o700)
        if uid is not None:
            os.chown(workdir, uid, uid)
        for name, text in files.items():
            path = os.path.join(root, name)
            if os.path.dirname(os.path.normpath(path)) != root:
                raise ValueError(f"file name {name!r} must be a plain name")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.chmod(path, 0o644)
        report_r, report_w = os.pipe()
        cmd = [sys.executable, *flags, os.path.join(root, entry), *(argv or [])]
        import subprocess  # local: keeps `import interviewer.runner` light

        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=workdir, env=_child_env(workdir), start_new_session=True, close_fds=True,
                # preexec_fn: Python 3.11 has no other way to unshare and mount before exec; it
                # only calls pre-bound functions (no imports, no logging, no locks).
                preexec_fn=_make_preexec(limits, workdir, report_w, uid),  # noqa: PLW1509
            )
        finally:
            os.close(report_w)
            report = os.read(report_r, 64).split()
            os.close(report_r)
        if len(report) == 3:
            isolation.netns, isolation.mountns, isolation.uid_drop = (x == b"1" for x in report)
        isolation.uid = uid if isolation.uid_drop else None
        try:
            out, err, reason = _pump(proc, stdin, limits, start + limits.wall_s)
        finally:
            _kill_group(proc.pid, isolation.uid)
            _, wait_status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(wait_status)
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe and not pipe.closed:
                    pipe.close()
        wall_ms = (time.monotonic() - start) * 1000
        cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
        stderr = err.decode("utf-8", "replace")
        status, sig = _classify(reason, proc.returncode, cpu_ms, limits, stderr)
        log.info("sandbox run %s: %s in %.0f ms wall, %.0f ms cpu (%s)", entry, status, wall_ms, cpu_ms,
                 ",".join(isolation.features()))
        return SandboxOutcome(
            status=status, exit_code=proc.returncode if proc.returncode >= 0 else None, signal=sig,
            stdout=out.decode("utf-8", "replace"), stderr=stderr, wall_ms=wall_ms, cpu_ms=cpu_ms,
            isolation=isolation,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)

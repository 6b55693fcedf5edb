"""What a sandboxed run sees and may do: bubblewrap's command line (a read-only minimal root,
a size-limited tmpfs work directory, fresh namespaces), the empty environment, the resource
limits, and, as root, a per-run uid that can still reach an interpreter under a 0700 home.
The run itself (processes, pipes, deadlines) is sandbox.py's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import resource
import secrets
import shutil
import stat
import sys
import sysconfig
from pathlib import Path

from pydantic import BaseModel, Field

# A per-run uid from a range no distribution hands out, so NPROC counts only this run's
# processes and nothing else on the machine can ever share it.
UID_BASE, UID_SPAN = 1_900_000_000, 90_000_000
INSIDE_UID = 1000
PROGRAM_DIR = "/sandbox"
WORK_DIR = "/sandbox/work"


class Limits(BaseModel):
    cpu_s: int = Field(5, ge=1, description="RLIMIT_CPU: seconds of CPU time")
    wall_s: float = Field(10.0, gt=0, description="wall-clock deadline for the whole run; kills the sandbox")
    memory_bytes: int = Field(1 << 30, description="RLIMIT_AS: address space")
    nproc: int = Field(4, ge=1, description="RLIMIT_NPROC: processes and threads the run may have at once; "
                       "each process has its own address-space limit, so this bounds the memory of a run too")
    nofile: int = Field(64, ge=16, description="RLIMIT_NOFILE")
    fsize_bytes: int = Field(10 << 20, description="RLIMIT_FSIZE: largest file the child may write")
    disk_bytes: int = Field(64 << 20, description="size of the tmpfs work directory")
    output_bytes: int = Field(1 << 20, description="stdout + stderr cap; the child is killed past it")


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def interpreter() -> str:
    # The real binary, not a venv's symlink: the venv directory (inside the checkout) stays hidden.
    return os.path.realpath(sys.executable)


@functools.lru_cache(maxsize=1)
def site_paths() -> tuple[str, ...]:
    """The site-packages directories the child may import from (numpy, pandas, duckdb): this
    environment's, and any another one's that a .pth file put on our path (never the checkout an
    editable install adds)."""
    paths = sysconfig.get_paths()
    found = [p for p in (paths.get("purelib"), paths.get("platlib")) if p]
    found += [p for p in sys.path if os.path.basename(p.rstrip(os.sep)) in ("site-packages", "dist-packages")]
    return tuple(dict.fromkeys(os.path.realpath(p) for p in found if os.path.isdir(p)))


@functools.lru_cache(maxsize=1)
def _read_only_paths() -> tuple[str, ...]:
    """Directories bound read-only at their own paths: /usr, the interpreter's prefix, site-packages."""
    prefix = os.path.realpath(sys.base_prefix)
    paths = {"/usr", prefix, os.path.dirname(interpreter()), *site_paths()}
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


@functools.lru_cache(maxsize=1)
def _hidden_in_site_packages() -> tuple[tuple[str, bool], ...]:
    """Our own package in site-packages ((path, is a directory), ...): an installed app carries the
    corpus there, hidden tests and reference solutions included, so the run must not see it."""
    found = []
    for site in site_paths():
        try:
            entries = list(os.scandir(site))
        except OSError:
            continue
        for entry in entries:
            name = entry.name.lower()
            if name.startswith(("interviewer", "_editable_impl_interviewer", "__editable__.interviewer")):
                found.append((entry.path, entry.is_dir(follow_symlinks=False)))
    return tuple(sorted(found))


def bwrap_argv(bwrap: str, program_dir: str, limits: Limits) -> list[str]:
    argv = [bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), "--disable-userns",
            "--proc", "/proc", "--dev", "/dev", *_root_links()]
    for path in _read_only_paths():
        argv += ["--ro-bind", path, path]
    for path, is_dir in _hidden_in_site_packages():
        argv += ["--tmpfs", path] if is_dir else ["--ro-bind", "/dev/null", path]
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


def make_preexec(rlimits: list[tuple[int, tuple[int, int]]], uid: int | None):
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


def child_env() -> dict[str, str]:
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


def rlimits(limits: Limits, uid: int | None) -> list[tuple[int, tuple[int, int]]]:
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


def pick_uid() -> int | None:
    return UID_BASE + secrets.randbelow(UID_SPAN) if os.geteuid() == 0 else None

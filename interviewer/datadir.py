"""The data directory is private: the directory and every folder in it 0700, every file 0600.

It holds interview transcripts, reports and caches, which are nobody else's business on a
shared machine. Files the app writes itself are created private (`write_private`,
`create_private`); files libraries write there (Chroma's index, the judge's cache, SQLite's
-wal and -shm) are tightened by `secure_tree`, run at every start and after those writes.
No process-wide umask: the code runner's sandbox creates files of its own with their own modes.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def private_dir(path: Path) -> Path:
    """Create the folder (and missing parents) 0700; tighten it when it exists already. Parents
    that existed are left alone: they may be the user's own folders."""
    missing = []
    for parent in [path, *path.parents]:
        if parent.exists():
            break
        missing.append(parent)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    for folder in [path, *missing]:
        _tighten(folder, PRIVATE_DIR)
    return path


def create_private(path: Path) -> Path:
    """An (empty) file that exists and is 0600, before a library opens it (SQLite makes its
    -wal and -shm files with the database file's mode)."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    _tighten(path, PRIVATE_FILE)
    return path


def write_private(path: Path, text: str) -> Path:
    """Write a text file that is 0600 from its first byte (not chmod-ed after the fact)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its old mode through O_CREAT
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _tighten(path: Path, mode: int) -> bool:
    """chmod to `mode` when group or others have any access; True when it changed."""
    try:
        current = path.lstat().st_mode
        if stat.S_ISLNK(current) or not current & _OPEN_TO_OTHERS:
            return False
        path.chmod(mode)
        return True
    except OSError as exc:  # another user's file, or gone meanwhile: say so, do not stop the app
        log.warning("could not make %s private: %s", path, exc)
        return False


def secure_tree(home: Path) -> int:
    """Make the data directory and everything in it private; the number of entries changed.
    Symbolic links are not followed (a link may point outside the data directory)."""
    if not home.exists():
        private_dir(home)
        return 0
    changed = int(_tighten(home, PRIVATE_DIR))
    for root, dirs, files in os.walk(home):
        for name in dirs:
            changed += _tighten(Path(root) / name, PRIVATE_DIR)
        for name in files:
            changed += _tighten(Path(root) / name, PRIVATE_FILE)
    if changed:
        log.warning("made %d file(s) and folder(s) in the data directory %s private (0600 files, 0700 folders)",
                    changed, home)
    return changed

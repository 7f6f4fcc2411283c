"""Files written whole or not at all.

Every file the translator writes for others to read (batch outputs, job files, glossary
files, the model index cache, archives of results) goes through :func:`atomic_file`: a
temporary file beside the target, flushed to disk, renamed over it, and the folder's
entry synced, so a crash, a full disk or ``kill -9`` leaves either the old file or the
new one, never half of one. :func:`locked` and :func:`try_lock` are the one file lock: a job folder,
the models folder, the service's job runner. :func:`cache_dir` is the user's cache folder of
things the translator builds once per machine (the Apertium tagger fix, langdetect's tables).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from pathlib import Path
from typing import IO, Iterator


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/translator`` (``~/.cache/translator``): what can be rebuilt."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "translator"


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """A stream to write ``path`` through (``mode`` ``"w"``: UTF-8 text with ``\\n`` line
    ends; ``"wb"``: bytes). Only when the block ends without an exception does the file
    replace ``path``; it keeps the permissions of the file it replaces, or takes its
    folder's (without execution) when it is new: temporary files are private, and a
    translations file only its writer could read would surprise the newsroom."""
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "w", encoding="utf-8", newline="\n") if mode == "w"
              else os.fdopen(fd, "wb")) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, permissions_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def atomic_write(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text or bytes) to ``path`` whole or not at all (:func:`atomic_file`)."""
    with atomic_file(path, "wb" if isinstance(data, bytes) else "w") as stream:
        stream.write(data)
    return Path(path)


def permissions_for(path: Path) -> int:
    """The mode a new version of ``path`` gets: the old one's, else its folder's without
    execution bits."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return path.parent.stat().st_mode & 0o666


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Busy(Exception):
    """Another process holds the lock."""


def try_lock(path: str | os.PathLike) -> int | None:
    """An exclusive ``flock`` on ``path`` (a folder, or a lock file created if missing),
    taken at once: its descriptor, kept until :func:`unlock` (the operating system drops
    it if the process dies). Raises :class:`Busy` when another process holds it; returns
    None on a file system without ``flock``."""
    path = Path(path)
    flags = os.O_RDONLY if path.is_dir() else os.O_RDWR | os.O_CREAT
    fd = os.open(path, flags, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise Busy(str(path)) from None
    except OSError:  # no flock here: the caller goes on unlocked
        os.close(fd)
        return None
    return fd


def unlock(fd: int | None) -> None:
    if fd is None:
        return
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


@contextlib.contextmanager
def locked(path: str | os.PathLike, timeout: float = 0.0) -> Iterator[bool]:
    """Hold :func:`try_lock` for the block, waiting up to ``timeout`` seconds for another
    process to let go (then :class:`Busy`); yields whether the lock is held (False on a
    file system without ``flock``)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = try_lock(path)
            break
        except Busy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)
    try:
        yield fd is not None
    finally:
        unlock(fd)


def held_elsewhere(path: str | os.PathLike) -> bool:
    """Whether another process holds the lock on ``path`` now (False if there is none)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)

"""The database file on disk: private to its owner, and served by one server at a time.

The database holds part and location secrets in clear (they are served back to authorized callers), so a new
database is created mode 0600 before SQLite opens it; SQLite gives its ``-wal`` and ``-shm`` files the mode of the
database. An existing database readable or writable by others is reported, not changed (its owner may mean it).

The server's caches assume it is the only writer, so it holds an exclusive ``flock`` on ``<db>.lock`` while it
runs: a second server on the same file refuses to start (:class:`DatabaseInUseError`). The lock lives in its own
file because closing any descriptor of the database itself would drop SQLite's POSIX locks on it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ("DatabaseClaim", "DatabaseInUseError", "claim_database")

_PRIVATE = 0o600


class DatabaseInUseError(OSError):
    """Another server already serves this database file."""


class DatabaseClaim:
    """A server's hold on its database file: the lock, and what was found loose at start."""

    def __init__(self, lock_fd: int | None, loose: tuple[str, ...]) -> None:
        """Hold ``lock_fd`` (``None`` where ``flock`` does not exist) until :meth:`release`."""
        self._lock_fd = lock_fd
        self.loose = loose
        """One line per database file that others may read or write (``"<path> is mode 0644"``)."""

    def release(self) -> None:
        """Let another server open the database; idempotent."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops its flock


def _loose_files(path: Path) -> tuple[str, ...]:
    found: list[str] = []
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            found.append(f"{candidate} is mode {mode:04o}: other users may read the secrets in it (chmod 600 it)")
    return tuple(found)


def _lock(path: Path) -> int | None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return None
    lock_path = f"{path}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, _PRIVATE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DatabaseInUseError(
            errno.EBUSY,
            f"{path} is already served by another fleetwire server (it holds {lock_path}); stop that one first",
        ) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def claim_database(path: Path) -> DatabaseClaim:
    """Lock ``path`` for this server, create it 0600 if it does not exist, and report looser modes found."""
    fd = _lock(path)
    try:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE))
            loose: tuple[str, ...] = ()
        except FileExistsError:
            loose = _loose_files(path)
    except BaseException:
        if fd is not None:
            os.close(fd)
        raise
    return DatabaseClaim(fd, loose)

"""The database file on disk: private to its owner, and served by one server at a time.

The database holds part and location secrets in clear (they are served back to authorized callers), so a new
database is created mode 0600 before SQLite opens it; SQLite gives its ``-wal`` and ``-shm`` files the mode of the
database. An existing database readable or writable by others is reported, not changed (its owner may mean it).

The server's caches assume it is the only writer, so it holds an exclusive ``flock`` on ``<db>.lock`` while it
runs: a second server on the same file refuses to start (:class:`DatabaseInUseError`). The lock lives in its own
file because closing any descriptor of the database itself would drop SQLite's POSIX locks on it. The server removes
that file when it lets go (a refused start included), while it still holds the lock; so a server that finds, once
it has the lock, that its file was removed meanwhile starts over on the path's new file.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ("DatabaseClaim", "DatabaseInUseError", "claim_database")

_PRIVATE = 0o600


class DatabaseInUseError(OSError):
    """Another server already serves this database file."""


@dataclass(frozen=True)
class _Lock:
    """An open, flocked lock file."""

    path: str
    fd: int


class DatabaseClaim:
    """A server's hold on its database file: the lock, and what was found loose at start."""

    def __init__(self, lock: _Lock | None, loose: tuple[str, ...] = ()) -> None:
        """Hold ``lock`` (``None`` where ``flock`` does not exist) until :meth:`release`."""
        self._lock = lock
        self.loose = loose
        """One line per database file that others may read or write (``"<path> is mode 0644"``)."""

    def release(self) -> None:
        """Let another server open the database, and remove the lock file; idempotent."""
        lock, self._lock = self._lock, None
        if lock is None:
            return
        try:
            os.unlink(lock.path)  # while locked: a server that opened it meanwhile sees it gone once it locks it
        except FileNotFoundError:
            pass  # removed by hand: nothing to clean up
        finally:
            os.close(lock.fd)  # closing the descriptor drops its flock


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


def _lock(path: Path) -> _Lock | None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return None
    lock_path = f"{path}.lock"
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, _PRIVATE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _same_file(fd, lock_path):
                return _Lock(lock_path, fd)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseInUseError(
                errno.EBUSY,
                f"{path} is already served by another fleetwire server (it holds {lock_path}); stop that one first",
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # locked a file its last holder removed on release: lock the one at the path now


def _same_file(fd: int, path: str) -> bool:
    """Tell whether ``path`` still names the file open as ``fd``."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def claim_database(path: Path) -> DatabaseClaim:
    """Lock ``path`` for this server, create it 0600 if it does not exist, and report looser modes found."""
    claim = DatabaseClaim(_lock(path))
    try:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE))
        except FileExistsError:
            claim.loose = _loose_files(path)
    except BaseException:
        claim.release()
        raise
    return claim

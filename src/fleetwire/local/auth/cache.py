"""A cache of authentication and authorization answers, dropped the moment anything they depend on changes.

Checking a call costs several queries (the token, its key and user; the machine a part belongs to; the caller's
roles on the resource through its location chain), each a trip to the database thread. Their answers change only
when one of a few tables does, so SQLite triggers count every change to those tables in ``auth_epoch``; the store
reads that counter at the end of each write transaction (its ``watch`` query), and an answer is served from the
cache only while the counter still has the value it had when the answer was read. A write that rotates or deletes a
key, changes a role, deletes or moves a resource is therefore seen by the very next call. Token expiry is checked
against the clock on every hit. Only positive answers are kept, so a resource created later is never hidden by a
cached "not found".
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ("EPOCH_QUERY", "SCHEMA", "EpochCache")

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# (table, event, condition): every change that can alter who a token stands for, which roles reach a resource,
# which machine a part belongs to, or which part a part secret opens (a new secret needs none: misses are not kept).
_WATCHED: tuple[tuple[str, str, str], ...] = (
    ("access_tokens", "UPDATE", ""),
    ("access_tokens", "DELETE", ""),
    ("api_keys", "UPDATE", ""),
    ("api_keys", "DELETE", ""),
    ("users", "UPDATE", ""),
    ("users", "DELETE", ""),
    ("authorizations", "INSERT", ""),
    ("authorizations", "UPDATE", ""),
    ("authorizations", "DELETE", ""),
    ("organizations", "DELETE", ""),
    ("locations", "UPDATE", "OLD.parent_location_id IS NOT NEW.parent_location_id OR OLD.id IS NOT NEW.id"),
    ("locations", "DELETE", ""),
    ("location_orgs", "INSERT", ""),
    ("location_orgs", "UPDATE", ""),
    ("location_orgs", "DELETE", ""),
    ("robots", "UPDATE", "OLD.location_id IS NOT NEW.location_id OR OLD.id IS NOT NEW.id"),
    ("robots", "DELETE", ""),
    ("robot_parts", "UPDATE", "OLD.robot_id IS NOT NEW.robot_id OR OLD.id IS NOT NEW.id"),
    ("robot_parts", "DELETE", ""),
    ("robot_part_secrets", "UPDATE", ""),
    ("robot_part_secrets", "DELETE", ""),
)


def _trigger(table: str, event: str, condition: str) -> str:
    when = f" WHEN {condition}" if condition else ""
    return (
        f"CREATE TRIGGER IF NOT EXISTS auth_epoch_{table}_{event.lower()} AFTER {event} ON {table}{when} "
        "BEGIN UPDATE auth_epoch SET n = n + 1; END;"
    )


SCHEMA = "\n".join(
    (
        "CREATE TABLE IF NOT EXISTS auth_epoch (id INTEGER PRIMARY KEY CHECK (id = 0), n INTEGER NOT NULL);",
        "INSERT OR IGNORE INTO auth_epoch (id, n) VALUES (0, 0);",
        *(_trigger(*watched) for watched in _WATCHED),
    )
)
"""The change counter and its triggers; applied after every table it watches exists."""

EPOCH_QUERY = "SELECT n FROM auth_epoch"
"""The store's ``watch`` query: the change counter."""

_MAX_ENTRIES = 50_000


class EpochCache(Generic[K, V]):
    """Answers valid for one epoch of the store: all are forgotten as soon as the epoch moves on."""

    def __init__(self, max_entries: int = _MAX_ENTRIES) -> None:
        """Create an empty cache holding at most ``max_entries`` answers (it is emptied when full)."""
        self._entries: dict[K, V] = {}
        self._epoch = -1
        self._max_entries = max_entries

    def get(self, key: K, epoch: int) -> V | None:
        """Return the answer for ``key`` if it was stored in ``epoch`` (the store's current one), else ``None``."""
        if epoch != self._epoch:
            self._entries.clear()
            self._epoch = epoch
            return None
        return self._entries.get(key)

    def put(self, key: K, value: V, read_epoch: int, epoch: int) -> None:
        """Keep ``value``, read from the database in ``read_epoch``, if that is still the current ``epoch``."""
        if read_epoch != epoch:
            return  # something changed since the answer was read: it may already be stale
        if epoch != self._epoch:
            self._entries.clear()
            self._epoch = epoch
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = value

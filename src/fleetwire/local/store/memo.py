"""Bounded memos of what the server builds from rows, used on the store thread.

Encoded machines, parts and locations (:class:`EncodingMemo`), and each location's machines (``RobotLists``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ("BoundedMemo", "EncodingMemo")

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedMemo(Generic[K, V]):
    """Values by their keys, emptied when it holds ``max_entries``. Used on the store thread."""

    def __init__(self, max_entries: int = 20_000) -> None:
        """Create an empty memo of at most ``max_entries`` values."""
        self._memo: dict[K, V] = {}
        self._max_entries = max_entries

    def remember(self, key: K, build: Callable[[], V]) -> V:
        """Return the value of ``key``, built by ``build`` (never ``None``) and kept first if missing."""
        found = self._memo.get(key)
        if found is None:
            found = build()
            if len(self._memo) >= self._max_entries:
                self._memo.clear()
            self._memo[key] = found
        return found

    def clear(self) -> None:
        """Forget every value."""
        self._memo.clear()


class EncodingMemo(BoundedMemo[K, bytes]):
    """Encodings by everything they are built from.

    The key is the content an encoding is built from, so a changed row is a different key: an answer is never stale
    and nothing needs invalidating.
    """

"""The base of the server's memos of encoded messages (machines, parts, locations), used on the store thread."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ("EncodingMemo",)

K = TypeVar("K", bound=Hashable)


class EncodingMemo(Generic[K]):
    """Encodings by everything they are built from, emptied when it holds ``max_entries``. Used on the store thread.

    The key is the content an encoding is built from, so a changed row is a different key: an answer is never stale
    and nothing needs invalidating.
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        """Create an empty memo of at most ``max_entries`` encodings."""
        self._memo: dict[K, bytes] = {}
        self._max_entries = max_entries

    def _remember(self, key: K, build: Callable[[], bytes]) -> bytes:
        """Return the encoding of ``key``, built by ``build`` and kept first if missing."""
        found = self._memo.get(key)
        if found is None:
            found = build()
            if len(self._memo) >= self._max_entries:
                self._memo.clear()
            self._memo[key] = found
        return found

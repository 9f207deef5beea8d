"""One place where a call's failures are turned into typed errors and idempotent reads are retried.

Only ``UNAVAILABLE`` is retried, and only for calls marked idempotent (reads): a write that timed out or lost
its connection may have been applied, so repeating it could apply it twice. A TLS handshake answered in plaintext is
not retried either: the server will answer the same way every time, so the hint that says so comes at once.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from grpclib.const import Status
from grpclib.exceptions import GRPCError, StreamTerminatedError

from .errors import DeadlineExceededError, GRPCStatusError, UnavailableError, from_grpc_error, redact

if sys.version_info >= (3, 11):
    _Timeout = TimeoutError  # asyncio.TimeoutError is this builtin: no need to import asyncio for it
else:
    from asyncio import TimeoutError as _Timeout

__all__ = ("CALL_FAILURES", "RetryPolicy", "call_with_retry", "translate")

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How idempotent reads are retried on ``UNAVAILABLE``: capped exponential backoff with full jitter.

    The n-th retry (n = 0, 1, ...) waits a random time in ``[0, min(max_backoff, initial_backoff * multiplier**n)]``
    seconds, so many clients that lost the same server do not come back in lockstep.
    """

    max_attempts: int = 4
    """Attempts in total, the first included; 1 disables retries."""
    initial_backoff: float = 0.1
    """Upper bound of the first wait, in seconds."""
    max_backoff: float = 5.0
    """Upper bound of any wait, in seconds."""
    multiplier: float = 2.0
    """Growth of the bound from one retry to the next."""

    def __post_init__(self) -> None:
        """Reject settings that would never call or never stop."""
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.multiplier < 1:
            raise ValueError("initial_backoff and max_backoff must be >= 0 and multiplier >= 1")

    def backoff(self, retry: int) -> float:
        """Return the jittered wait before retry number ``retry`` (0-based)."""
        bound = min(self.max_backoff, self.initial_backoff * self.multiplier**retry)
        return random.uniform(0.0, bound)  # jitter, not cryptography


def translate(error: BaseException) -> GRPCStatusError | None:
    """Return the typed error for a failure of a call, or ``None`` if it is not a call failure."""
    if isinstance(error, GRPCError):
        return from_grpc_error(error)
    if isinstance(error, _Timeout):
        return DeadlineExceededError(Status.DEADLINE_EXCEEDED, "the call did not finish within its timeout")
    if isinstance(error, (StreamTerminatedError, ConnectionError, OSError)):
        # The server could not be reached or went away mid-call: that is what UNAVAILABLE means in gRPC.
        hint = _PLAINTEXT_HINT if _plaintext_reply(error) else ""
        return UnavailableError(Status.UNAVAILABLE, redact(f"connection failed: {error}{hint}"))
    return None


# What OpenSSL reports when the server answers a TLS handshake in plaintext (as `fleetwire serve` does).
_PLAINTEXT_REPLY = frozenset({"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"})
_PLAINTEXT_HINT = " (the server may not use TLS: try tls=False)"


def _plaintext_reply(error: BaseException) -> bool:
    """Tell whether ``error`` is a TLS handshake the server answered in plaintext (no retry changes that)."""
    return getattr(error, "reason", None) in _PLAINTEXT_REPLY


CALL_FAILURES = (GRPCError, _Timeout, StreamTerminatedError, OSError)
"""The exceptions of a failed call; each translates to a typed error (see :func:`translate`)."""


async def call_with_retry(
    attempt: Callable[[], Awaitable[T]],
    *,
    idempotent: bool,
    policy: RetryPolicy,
    on_retry: Callable[[int, GRPCStatusError], None] | None = None,
) -> T:
    """Await ``attempt()``, raising typed errors; retry ``UNAVAILABLE`` when ``idempotent`` per ``policy``."""
    try:  # the first attempt, the one nearly every call ends with, outside the retry loop
        return await attempt()
    except CALL_FAILURES as exc:
        failure = exc
    attempts = policy.max_attempts if idempotent else 1
    number = 0
    while True:
        error = translate(failure)
        assert error is not None  # every type caught translates
        number += 1
        if not isinstance(error, UnavailableError) or number >= attempts or _plaintext_reply(failure):
            raise error from failure
        if on_retry is not None:
            on_retry(number, error)
        import anyio  # only a retry waits

        await anyio.sleep(policy.backoff(number - 1))
        try:
            return await attempt()
        except CALL_FAILURES as exc:
            failure = exc

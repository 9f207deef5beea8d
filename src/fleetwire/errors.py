"""Typed errors: one exception class per gRPC status, all subclasses of ``grpclib.exceptions.GRPCError``.

Code written for the official SDK's ``except GRPCError`` keeps working, while new code can catch
``NotFoundError`` or the ``FleetwireError`` base. Messages are passed through :func:`redact` so a bearer
token or key that a server echoes back never reaches a traceback.
"""

from __future__ import annotations

import re
from typing import Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError

__all__ = (
    "AbortedError",
    "AlreadyExistsError",
    "ArgumentError",
    "CallCancelledError",
    "ClientClosedError",
    "ConflictError",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "FleetwireError",
    "GRPCStatusError",
    "InternalError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "UnknownError",
    "from_grpc_error",
    "redact",
)

# Bearer tokens, and key=value / "key": "value" pairs whose name says they hold a secret.
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_NAMED_SECRET = re.compile(
    r"""(?ix)
    ((?:api[_-]?key|secret|token|password|payload|credentials?)["']?\s*[:=]\s*["']?)
    [^\s"',;}]+
    """
)
REDACTED = "<redacted>"


def redact(text: str) -> str:
    """Return ``text`` with bearer tokens and ``key=value`` secrets replaced by ``<redacted>``."""
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _NAMED_SECRET.sub(lambda m: m.group(1) + REDACTED, text)


class FleetwireError(Exception):
    """Base of every error fleetwire raises for a failed call."""


class ClientClosedError(FleetwireError, RuntimeError):
    """A call on a client after its ``close()``: nothing was sent. Connect a new client to go on."""

    def __init__(self, message: str = "this client is closed: connect a new one to make more calls") -> None:
        """Build the error (the default message says what happened and what to do)."""
        super().__init__(message)


class GRPCStatusError(FleetwireError, GRPCError):
    """A call ended with a non-OK gRPC status; ``status``, ``message`` and ``details`` as in grpclib."""

    status_code: Status = Status.UNKNOWN
    """The status this class stands for (the instance's ``status`` is the one received)."""

    def __init__(self, status: Status | None = None, message: str | None = None, details: Any = None) -> None:
        """Build the error; ``status`` defaults to the class's own status, ``message`` is redacted."""
        super().__init__(
            self.status_code if status is None else status,
            None if message is None else redact(message),
            details,
        )

    def __str__(self) -> str:
        """``STATUS: message``, the way it reads in a traceback."""
        return f"{self.status.name}: {self.message}" if self.message else self.status.name

    def __repr__(self) -> str:
        """Class, status and (redacted) message."""
        return f"{type(self).__name__}(status={self.status.name}, message={self.message!r})"


class CallCancelledError(GRPCStatusError):
    """``CANCELLED``: the call was cancelled (named so it does not shadow ``asyncio.CancelledError``)."""

    status_code = Status.CANCELLED


class UnknownError(GRPCStatusError):
    """``UNKNOWN``: the server failed without saying why."""

    status_code = Status.UNKNOWN


class InvalidArgumentError(GRPCStatusError):
    """``INVALID_ARGUMENT``: the server rejected an argument."""

    status_code = Status.INVALID_ARGUMENT


class ArgumentError(InvalidArgumentError, ValueError):
    """An argument the client rejects before making any call: a ``ValueError`` naming the argument.

    It is also an ``InvalidArgumentError``, hence a ``GRPCError``, so handlers written for the ``GRPCError``
    listed under ``Raises`` in the method docstrings catch it too.
    """

    def __init__(self, message: str) -> None:
        """Build the error from a message that names the argument."""
        super().__init__(None, message)


class DeadlineExceededError(GRPCStatusError):
    """``DEADLINE_EXCEEDED``: the call did not finish within its timeout."""

    status_code = Status.DEADLINE_EXCEEDED


class NotFoundError(GRPCStatusError):
    """``NOT_FOUND``: the organization, location, machine, part, ... does not exist."""

    status_code = Status.NOT_FOUND


class AlreadyExistsError(GRPCStatusError):
    """``ALREADY_EXISTS``: a resource with that name or id exists already."""

    status_code = Status.ALREADY_EXISTS


class PermissionDeniedError(GRPCStatusError):
    """``PERMISSION_DENIED``: the caller is authenticated but lacks the permission."""

    status_code = Status.PERMISSION_DENIED


class ResourceExhaustedError(GRPCStatusError):
    """``RESOURCE_EXHAUSTED``: a quota or rate limit was hit."""

    status_code = Status.RESOURCE_EXHAUSTED


class FailedPreconditionError(GRPCStatusError):
    """``FAILED_PRECONDITION``: the system is not in a state that allows the call."""

    status_code = Status.FAILED_PRECONDITION


class AbortedError(GRPCStatusError):
    """``ABORTED``: the call was aborted, typically by a concurrent change."""

    status_code = Status.ABORTED


class ConflictError(AbortedError):
    """A stale update: the object changed since it was read (its ``last_known_update`` is old); nothing was written.

    Raised by ``update_robot_part`` and ``update_fragment`` when the server answers ``ABORTED``. Reload the object
    (``get_robot_part``, ``get_fragment``), re-apply the change to what is stored now and update again with the new
    ``last_updated``.
    """

    @classmethod
    def stale(cls, what: str, object_id: str, error: GRPCError) -> ConflictError:
        """Build the error for a stale update of ``what`` (``"machine part"``, ``"fragment"``) ``object_id``."""
        detail = f" (server: {error.message})" if error.message else ""
        return cls(
            error.status,
            f"{what} {object_id!r} changed since it was read (last_known_update is stale); nothing was written: "
            f"reload it and re-apply the change{detail}",
            error.details,
        )


class UnimplementedError(GRPCStatusError):
    """``UNIMPLEMENTED``: the server does not implement this RPC."""

    status_code = Status.UNIMPLEMENTED


class InternalError(GRPCStatusError):
    """``INTERNAL``: the server hit an internal error."""

    status_code = Status.INTERNAL


class UnavailableError(GRPCStatusError):
    """``UNAVAILABLE``: the server could not be reached or is shutting down; reads are retried on it."""

    status_code = Status.UNAVAILABLE


class UnauthenticatedError(GRPCStatusError):
    """``UNAUTHENTICATED``: no valid credentials (missing, wrong or expired key or token)."""

    status_code = Status.UNAUTHENTICATED


_BY_STATUS: dict[Status, type[GRPCStatusError]] = {
    cls.status_code: cls
    for cls in (
        CallCancelledError,
        UnknownError,
        InvalidArgumentError,
        DeadlineExceededError,
        NotFoundError,
        AlreadyExistsError,
        PermissionDeniedError,
        ResourceExhaustedError,
        FailedPreconditionError,
        AbortedError,
        UnimplementedError,
        InternalError,
        UnavailableError,
        UnauthenticatedError,
    )
}


def from_grpc_error(error: GRPCError) -> GRPCStatusError:
    """Return the typed error for a grpclib ``GRPCError`` (statuses without a class of their own map to the base)."""
    if isinstance(error, GRPCStatusError):
        return error
    cls = _BY_STATUS.get(error.status, GRPCStatusError)
    return cls(error.status, error.message, error.details)

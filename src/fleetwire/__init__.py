"""fleetwire: typed sync and async Python SDK for fleet management over ``viam.app.v1.AppService``.

``AsyncAppClient`` is the asyncio client, ``AppClient`` its blocking twin (generated from it); both have the 94
methods of the official SDK's ``AppClient``. Importing this package loads the message classes (betterproto2), the
clients and their errors only: no server, no CLI, no sqlite, and no transport. asyncio, grpclib's client, HTTP/2
and ssl load when a client is built or connected, so a program that only imports fleetwire (pytest through the
plugin, a script using the types) does not pay for them.
"""

from ._blocking import AppClient
from ._bridge import BlockingStream
from ._retry import RetryPolicy
from .aio import DEFAULT_TIMEOUT, AsyncAppClient
from .errors import (
    AbortedError,
    AlreadyExistsError,
    ArgumentError,
    CallCancelledError,
    ClientClosedError,
    ConflictError,
    DeadlineExceededError,
    FailedPreconditionError,
    FleetwireError,
    GRPCStatusError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
    UnknownError,
)
from .logs import LogsStream
from .models import (
    APIKeyAuthorization,
    Fragment,
    FragmentHistoryEntry,
    LogEntry,
    ResourceType,
    RobotPart,
    RobotPartHistoryEntry,
    Role,
)

__version__ = "0.1.0"

__all__ = (
    "DEFAULT_TIMEOUT",
    "APIKeyAuthorization",
    "AbortedError",
    "AlreadyExistsError",
    "AppClient",
    "ArgumentError",
    "AsyncAppClient",
    "BlockingStream",
    "CallCancelledError",
    "ClientClosedError",
    "ConflictError",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "FleetwireError",
    "Fragment",
    "FragmentHistoryEntry",
    "GRPCStatusError",
    "InternalError",
    "InvalidArgumentError",
    "LogEntry",
    "LogsStream",
    "NotFoundError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "ResourceType",
    "RetryPolicy",
    "RobotPart",
    "RobotPartHistoryEntry",
    "Role",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "UnknownError",
    "__version__",
)

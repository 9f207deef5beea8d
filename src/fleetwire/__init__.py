"""fleetwire: typed sync and async Python SDK for fleet management over ``viam.app.v1.AppService``.

``AsyncAppClient`` is the asyncio client, ``AppClient`` its blocking twin (generated from it); both have the 70
methods of the official SDK's ``AppClient``. Importing this package loads betterproto2, grpclib, anyio and the
standard library only: no server, no CLI, no sqlite.
"""

from ._blocking import AppClient
from ._bridge import BlockingStream
from ._retry import RetryPolicy
from .aio import DEFAULT_TIMEOUT, ArgumentError, AsyncAppClient
from .errors import (
    AbortedError,
    AlreadyExistsError,
    CallCancelledError,
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

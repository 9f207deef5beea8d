"""Turning failures into one line on stderr and a non-zero exit code (a traceback only with ``--debug``)."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable

from grpclib.exceptions import GRPCError, StreamTerminatedError

from ..errors import (
    DeadlineExceededError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
    UnavailableError,
    from_grpc_error,
)

__all__ = ("EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_USAGE", "CliError", "UsageError", "describe", "guarded")

EXIT_FAILURE = 1
"""Exit code of a command that failed (bad credentials, not found, unreachable server, ...)."""

EXIT_USAGE = 2
"""Exit code of a command called wrongly (as ``argparse`` uses for its own usage errors)."""

EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C outside of a command that treats it as its normal end."""

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A failure the command explains itself: its message is the one line the user sees."""

    exit_code = EXIT_FAILURE


class UsageError(CliError):
    """The command was called in a way it cannot run (a missing option, no terminal to confirm on): exit status 2."""

    exit_code = EXIT_USAGE


def describe(exc: BaseException) -> str | None:
    """Return the one-line explanation of ``exc``, or ``None`` if it is a bug (to be shown with its traceback)."""
    if isinstance(exc, CliError):
        return str(exc)
    if isinstance(exc, StreamTerminatedError):
        return f"server unreachable: the connection was lost ({exc})"
    if isinstance(exc, GRPCError):
        error = from_grpc_error(exc)
        detail = error.message or error.status.name
        if isinstance(error, UnauthenticatedError):
            return f"bad credentials: the server rejected the API key ({detail})"
        if isinstance(error, PermissionDeniedError):
            return f"permission denied: {detail}"
        if isinstance(error, NotFoundError):
            return f"not found: {detail}"
        if isinstance(error, UnavailableError):
            return f"server unreachable: {detail}"
        if isinstance(error, DeadlineExceededError):
            return f"timed out: {detail}"
        return f"{error.status.name.lower().replace('_', ' ')}: {detail}"
    if isinstance(exc, ValueError):
        return f"invalid argument: {exc}"
    if isinstance(exc, OSError):
        target = f" {exc.filename}" if exc.filename else ""
        return f"cannot access{target}: {exc.strerror or exc}"
    return None


def guarded(handler: Handler) -> Handler:
    """Wrap a command so an expected failure prints ``fleetwire: <problem>`` and returns :data:`EXIT_FAILURE`."""

    def run(args: argparse.Namespace) -> int:
        debug = bool(getattr(args, "debug", False))
        try:
            return handler(args)
        except KeyboardInterrupt:
            print("fleetwire: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            # The reader went away (`fleetwire logs ... | head`): stop quietly, and keep the final flush quiet too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except Exception as exc:
            message = describe(exc)
            if debug or message is None:
                traceback.print_exc()
            print(f"fleetwire: {message or f'unexpected error: {type(exc).__name__}: {exc}'}", file=sys.stderr)
            return exc.exit_code if isinstance(exc, CliError) else EXIT_FAILURE

    run.__doc__ = handler.__doc__
    return run

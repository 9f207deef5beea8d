"""``fleetwire serve``: check what the user asked for, run the local fleet server, and explain failures in one line.

The database path and the credentials path are checked before anything is written, and the server binds its port
before it opens the database (see :func:`fleetwire.local.runner.serve`), so a wrong path or a busy port leaves no
freshly bootstrapped database behind whose key was never shown.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import errno
import os
import sys
from pathlib import Path

from .failures import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE

__all__ = ("run_serve", "unwritable")


def unwritable(path: Path, flag: str) -> str | None:
    """Return why the file ``path`` (given as ``flag``) cannot be created or rewritten, or ``None`` if it can."""
    shown = f"{flag} {path}"
    if path.is_dir():
        return f"{shown} is a directory"
    parent = path.parent
    if not parent.is_dir():
        return f"{shown}: directory {parent} does not exist"
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            return f"{shown}: not readable and writable by you"
    elif not os.access(parent, os.W_OK | os.X_OK):
        return f"{shown}: directory {parent} is not writable by you"
    return None


def _fail(message: str, code: int = EXIT_FAILURE) -> int:
    print(f"fleetwire serve: {message}", file=sys.stderr)
    return code


def run_serve(args: argparse.Namespace) -> int:
    """``fleetwire serve [--db PATH] [--host H] [--port N] [--credentials PATH] [--new-key] [--email E]``."""
    if "timeout" in vars(args):  # `fleetwire --timeout N serve`: the option limits calls, and serve makes none
        return _fail("--timeout limits the calls a command makes to a server; serve makes none (drop it)", EXIT_USAGE)
    import sqlite3  # only `serve` loads sqlite and the server

    from grpclib.exceptions import GRPCError

    from ..local.runner import ServeOptions, serve
    from ..local.services.validate import require_email

    try:
        email = require_email(args.email, "--email")
    except GRPCError as exc:
        return _fail(str(exc.message), EXIT_USAGE)
    db = None if args.db == ":memory:" else Path(args.db).expanduser()
    credentials = args.credentials.expanduser() if args.credentials is not None else None
    for path, flag in ((db, "--db"), (credentials, "--credentials")):
        problem = unwritable(path, flag) if path is not None else None
        if problem is not None:
            return _fail(problem)
    options = ServeOptions(
        db=db, host=args.host, port=args.port, credentials=credentials, new_key=args.new_key, email=email
    )
    if args.max_request_size is not None:
        options = dataclasses.replace(options, max_request_size=args.max_request_size)
    try:
        asyncio.run(serve(options))
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown, or a platform without signal handlers
        return EXIT_INTERRUPTED
    except sqlite3.Error as exc:
        return _fail(f"cannot use database {db}: {exc}")
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return _fail(f"port {args.port} on {args.host} is already in use; pick another with --port (0: any free)")
        if exc.errno == errno.EADDRNOTAVAIL:
            return _fail(f"cannot listen on {args.host}: no such address on this machine (--host)")
        if exc.filename:
            return _fail(f"cannot use {exc.filename}: {exc.strerror or exc}")
        return _fail(exc.strerror or str(exc))  # a message that names its subject (e.g. a database already served)
    return 0

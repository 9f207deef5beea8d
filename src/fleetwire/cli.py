"""The ``fleetwire`` command line. ``fleetwire serve`` runs the local fleet server in the foreground.

Subcommands register in :func:`build_parser`; each maps parsed arguments to an exit code. Heavy modules (the
server, sqlite) are imported only by the subcommand that needs them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ("build_parser", "main")

Command = Callable[[argparse.Namespace], int]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {value}")
    return value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fleetwire")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _size(text: str) -> int:
    """``--max-request-size``: bytes, at least 1024."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of bytes, got {text!r}") from None
    if value < 1024:
        raise argparse.ArgumentTypeError(f"must be at least 1024 bytes, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``fleetwire`` command with every subcommand."""
    from fleetwire._cli import add_timeout_option, register, run_serve, show_help

    parser = argparse.ArgumentParser(prog="fleetwire", description="Fleet management SDK tools.")
    parser.add_argument("--version", action="version", version=f"fleetwire {_version()}")
    # Absent unless given, so `serve` can refuse it (it makes no calls); the commands default it (call_timeout).
    add_timeout_option(parser, default=argparse.SUPPRESS)
    parser.set_defaults(handler=show_help(parser))  # bare `fleetwire`: the help, not a usage error
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run a local fleet server (SQLite-backed) in the foreground",
        description="Run a local fleet server speaking the fleet management API. Ctrl-C stops it.",
    )
    serve.add_argument(
        "--db", default="fleetwire.db", help="SQLite file (default: ./fleetwire.db; ':memory:' for none)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8080, help="port to listen on; 0 picks a free one (default: 8080)")
    serve.add_argument(
        "--credentials",
        type=Path,
        metavar="PATH",
        help="write {url, api_key_id, api_key} as JSON to PATH (mode 0600); mints a fresh owner key",
    )
    serve.add_argument("--new-key", action="store_true", help="mint a fresh owner API key on an existing database")
    serve.add_argument("--email", default="owner@fleetwire.local", help="email of the first user of a new database")
    serve.add_argument(
        "--max-request-size",
        type=_size,
        metavar="BYTES",
        help="largest request message accepted (default: 4194304, 4 MiB); larger ones get RESOURCE_EXHAUSTED",
    )
    serve.set_defaults(handler=run_serve)

    register(commands)  # `demo` and the everyday fleet commands
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fleetwire`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args = build_parser().parse_args(argv)
    handler: Command = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())

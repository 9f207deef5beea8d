"""Where to connect and with which key: ``--url``/``--api-key-id``/``--api-key``, a credentials file, or the env.

Precedence, per value: a command-line flag, then the ``--credentials`` file (as written by ``fleetwire serve
--credentials``), then the ``VIAM_API_KEY`` / ``VIAM_API_KEY_ID`` environment variables. The URL defaults to
``app.viam.com:443``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .._blocking import AppClient
from .._connect import API_KEY_ENV, API_KEY_ID_ENV, DEFAULT_URL
from ..aio import AsyncAppClient
from .failures import CliError

__all__ = (
    "DEFAULT_TIMEOUT_S",
    "Target",
    "add_connection_options",
    "add_timeout_option",
    "call_timeout",
    "connect",
    "connect_async",
    "resolve",
)

DEFAULT_TIMEOUT_S = 30.0
"""Seconds each call may take before the command fails with "timed out" (``--timeout``)."""


@dataclass(frozen=True)
class Target:
    """A server address and the API key to use there (the key never shows in a repr)."""

    url: str
    api_key_id: str
    api_key: str = field(repr=False)


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--url``, ``--api-key-id``, ``--api-key``, ``--credentials``, ``--json`` and ``--debug`` to ``parser``."""
    group = parser.add_argument_group("connection")
    group.add_argument("--url", help=f"server as host:port (default: the credentials file's, else {DEFAULT_URL})")
    group.add_argument("--api-key-id", help=f"API key id (default: ${API_KEY_ID_ENV})")
    group.add_argument("--api-key", help=f"API key (default: ${API_KEY_ENV})")
    group.add_argument(
        "--credentials", type=Path, metavar="FILE", help="JSON file with url, api_key_id, api_key (fleetwire serve)"
    )
    add_timeout_option(parser, default=argparse.SUPPRESS)  # also before the command: see fleetwire.cli.build_parser
    parser.add_argument("--json", action="store_true", help="print JSON for scripts instead of a table")
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def add_timeout_option(parser: argparse.ArgumentParser, *, default: object) -> None:
    """Add ``--timeout SECONDS``: how long each call to the server may take."""
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=default,
        metavar="SECONDS",
        help=f"fail a call to the server that takes longer (default: {DEFAULT_TIMEOUT_S:g})",
    )


def _read_credentials(path: Path) -> Mapping[str, str]:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read credentials file {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise CliError(f"credentials file {path} is not valid JSON") from None
    if not isinstance(data, dict):
        raise CliError(f"credentials file {path} must hold a JSON object with url, api_key_id and api_key")
    values = cast("dict[str, object]", data)
    return {key: value for key, value in values.items() if isinstance(value, str)}


def resolve(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> Target:
    """Return the target the parsed options describe; :class:`CliError` names what is missing."""
    stored: Mapping[str, str] = _read_credentials(args.credentials) if args.credentials is not None else {}
    url = args.url or stored.get("url") or DEFAULT_URL
    key_id = args.api_key_id or stored.get("api_key_id") or environ.get(API_KEY_ID_ENV)
    key = args.api_key or stored.get("api_key") or environ.get(API_KEY_ENV)
    if not key_id or not key:
        missing = "an API key id" if not key_id else "an API key"
        raise CliError(
            f"no credentials: {missing} is missing; pass --api-key-id and --api-key, "
            f"set {API_KEY_ID_ENV} and {API_KEY_ENV}, or use --credentials FILE"
        )
    return Target(url=url, api_key_id=key_id, api_key=key)


@contextlib.contextmanager
def connect(args: argparse.Namespace) -> Generator[AppClient, None, None]:
    """Connect a blocking :class:`~fleetwire.AppClient` as ``args`` say, and close it on exit."""
    target = resolve(args)
    timeout = call_timeout(args)
    client = AppClient.connect(target.url, api_key=target.api_key, api_key_id=target.api_key_id, timeout=timeout)
    try:
        yield client
    finally:
        client.close()


async def connect_async(args: argparse.Namespace) -> AsyncAppClient:
    """Connect an :class:`~fleetwire.AsyncAppClient` as ``args`` say (close it with ``async with``)."""
    target = resolve(args)
    return await AsyncAppClient.connect(
        target.url, api_key=target.api_key, api_key_id=target.api_key_id, timeout=call_timeout(args)
    )


def call_timeout(args: argparse.Namespace) -> float:
    """Return the seconds each call may take: ``--timeout`` (before or after the command), else the default."""
    value: float = getattr(args, "timeout", DEFAULT_TIMEOUT_S)
    return value

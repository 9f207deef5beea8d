"""Configs from files: reading a JSON file the user wrote, and writing it back only over the config that was read.

A write carries the ``last_known_update`` of what the command read; a server that finds the resource changed
since refuses it, and :func:`checked_write` turns that refusal into one line saying nothing was changed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from .failures import CliError

__all__ = ("checked_write", "read_config")


@contextlib.contextmanager
def checked_write(what: str) -> Generator[None, None, None]:
    """Run a write sent with ``last_known_update``; if ``what`` changed since it was read, raise a conflict.

    The server refuses a stale write with ``ABORTED``: the typed client raises :class:`~fleetwire.ConflictError`, the
    raw client a ``GRPCError``; both carry the status.
    """
    try:
        yield
    except GRPCError as exc:
        if exc.status is not Status.ABORTED:
            raise
        raise CliError(
            f"conflict: {what} was changed since it was read; nothing was changed "
            "(run the command again to see its new state)"
        ) from None


def read_config(path: Path) -> dict[str, Any]:
    """Return the JSON object in ``path``; :class:`CliError` if it cannot be read, is not JSON, or is not an object."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CliError(f"cannot read {path}: not UTF-8 text") from None
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise CliError(f"{path} must hold a JSON object (a config), not {type(data).__name__}")
    return cast("dict[str, Any]", data)

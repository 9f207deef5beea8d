"""Atomic file exports with one-line errors that name the destination (not the temporary file beside it)."""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any

from ..export import atomic_writer, write_json
from .failures import CliError

__all__ = ("export_json", "exporting")


@contextlib.contextmanager
def exporting(dest: Path) -> Generator[IO[str], None, None]:
    """Open ``dest`` for an atomic write; an ``OSError`` becomes ``cannot write DEST: reason`` and no file."""
    try:
        with atomic_writer(dest) as out:
            yield out
    except OSError as exc:
        raise CliError(f"cannot write {dest}: {exc.strerror or exc}") from None


def export_json(dest: Path, data: Any, *, indent: int = 4) -> None:
    """Write ``data`` as JSON to ``dest`` atomically (see :func:`exporting` for errors)."""
    try:
        write_json(dest, data, indent=indent)
    except OSError as exc:
        raise CliError(f"cannot write {dest}: {exc.strerror or exc}") from None

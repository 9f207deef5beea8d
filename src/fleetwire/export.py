"""Writing configs and logs to files, atomically: a reader (or a crash) never sees a half-written file.

Each export goes to a temporary file in the destination's directory (same filesystem, so the final rename is
atomic), is flushed to disk, then renamed over the destination. On any failure the temporary file is removed
and an earlier file at the destination is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Generator, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from .models import LogEntry

__all__ = ("JSON_LINES_SUFFIXES", "atomic_writer", "format_log_line", "log_record", "write_json", "write_logs")

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
"""Destinations with these extensions get one JSON object per log entry; any other gets the plain text layout."""


def _naming_dest(error: OSError, dest: str | os.PathLike[str], temporary: str | None) -> OSError:
    """Return ``error`` as the user should read it: about ``dest``, not the temporary file written on the way.

    An error about another file (or with no errno) is returned unchanged.
    """
    if error.errno is None or error.filename not in (None, temporary):
        return error
    return OSError(error.errno, error.strerror, os.fspath(dest))  # OSError picks the subclass for the errno


@contextlib.contextmanager
def atomic_writer(dest: str | os.PathLike[str]) -> Generator[IO[str], None, None]:
    """Open a text file that replaces ``dest`` only when the ``with`` block completes without error.

    A failure to write raises the ``OSError`` subclass of its cause (``FileNotFoundError``, ``PermissionError``,
    ``IsADirectoryError``, ...) with ``dest`` as its ``filename``.
    """
    target = Path(dest)
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed below on every path
            "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        )
    except OSError as error:
        raise _naming_dest(error, dest, error.filename) from None
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        if isinstance(error, OSError):
            raise _naming_dest(error, dest, handle.name) from None
        raise


def write_json(dest: str | os.PathLike[str], data: Any, *, indent: int = 4) -> None:
    """Write ``data`` as JSON to ``dest`` atomically, ending in a newline (``TypeError`` if not JSON-serializable)."""
    # Serialize first, so an unserializable value fails before any file is touched.
    text = json.dumps(data, indent=indent) + "\n"  # a text file ends its last line, as editors and `cat` expect
    with atomic_writer(dest) as out:
        out.write(text)


def format_log_line(entry: LogEntry) -> str:
    """Format one entry in the official SDK's text layout: time, level, logger, ``file:line`` padded, message."""
    caller: Mapping[str, Any] = entry.caller or {}
    file_name = str(caller.get("File", ""))
    line = caller.get("Line")
    location = f"{file_name}:{int(line)}" if file_name and isinstance(line, (int, float)) else file_name
    logger = entry.logger_name.split(".")[0]
    return f"{entry.time}\t{entry.level.upper()}\t{logger}\t{location:<64}{entry.message}\n"


def log_record(entry: LogEntry) -> dict[str, Any]:
    """Return the JSON Lines record of one entry (time in ISO 8601)."""
    return {
        "time": entry.time.isoformat() if entry.time is not None else None,
        "level": entry.level,
        "logger_name": entry.logger_name,
        "message": entry.message,
        "host": entry.host,
        "caller": dict(entry.caller) if entry.caller is not None else None,
        "stack": entry.stack,
        "fields": [dict(f) for f in entry.fields or []],
    }


def write_logs(dest: str | os.PathLike[str], entries: Iterable[LogEntry]) -> None:
    """Write ``entries`` to ``dest`` atomically, as JSON Lines for ``.jsonl``/``.ndjson``, else as text."""
    as_json = Path(dest).suffix.lower() in JSON_LINES_SUFFIXES
    with atomic_writer(dest) as out:
        for entry in entries:
            out.write(json.dumps(log_record(entry)) + "\n" if as_json else format_log_line(entry))

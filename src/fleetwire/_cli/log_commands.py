"""``fleetwire logs PART_ID``: a part's recent log entries, oldest first; ``--follow`` keeps streaming new ones.

History comes from ``GetRobotPartLogs`` (newest first, paged) and is printed in time order. ``--follow`` opens the
live tail *before* fetching the history and drops tail entries already printed, so entries pushed while the
command starts are shown once. Ctrl-C ends ``--follow`` cleanly (exit code 0). Human output is one aligned line per
entry; ``--json`` prints JSON Lines, one object per entry, flushed as it comes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Iterable
from typing import TextIO

from ..aio import AsyncAppClient
from ..export import format_log_line, log_record
from ..models import LogEntry
from .connection import connect_async
from .exporting import exporting
from .output import print_record
from .progress import Progress

__all__ = ("LEVELS", "levels", "run_logs")

EntryKey = tuple[object, ...]


LEVELS = ("debug", "info", "warn", "error", "fatal")
"""The log levels machines report (viam-server's names), least severe first."""

_SPELLINGS = {"warning": "warn", "err": "error", "critical": "fatal", "crit": "fatal", "panic": "fatal"}
"""Other common names of those levels, accepted by ``--levels``."""


def levels(text: str) -> list[str]:
    """Parse ``--levels``: comma-separated log levels, case-insensitive, common spellings too (``argparse`` type)."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in LEVELS and name not in _SPELLINGS]
    if unknown or not names:
        accepted = ", ".join(LEVELS)
        raise argparse.ArgumentTypeError(
            f"unknown log level {', '.join(map(repr, unknown)) or repr(text)}: use {accepted} (comma-separated)"
        )
    return list(dict.fromkeys(_SPELLINGS.get(name, name) for name in names))


def _key(entry: LogEntry) -> EntryKey:
    return (entry.time, entry.level, entry.logger_name, entry.message, entry.host)


def _wanted(args: argparse.Namespace, entry: LogEntry) -> bool:
    """Whether a live entry passes ``--levels`` (the tail itself filters on ``--filter``)."""
    return not args.levels or entry.level.lower() in args.levels


class _Printer:
    """Print entries as aligned lines, or as JSON Lines with ``--json``."""

    def __init__(self, as_json: bool, out: TextIO) -> None:
        self.as_json = as_json
        self.out = out
        self.logger_width = 12

    def print(self, entries: Iterable[LogEntry]) -> None:
        for entry in entries:
            if self.as_json:
                print_record(log_record(entry), self.out)
                continue
            self.logger_width = max(self.logger_width, len(entry.logger_name))
            when = entry.time.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] if entry.time is not None else "-"
            line = f"{when}  {entry.level.upper():<5}  {entry.logger_name:<{self.logger_width}}  {entry.message}"
            self.out.write(line.rstrip() + "\n")
        self.out.flush()


async def _history(client: AsyncAppClient, args: argparse.Namespace) -> list[LogEntry]:
    """Fetch up to ``--limit`` entries newer than ``--since``, returned oldest first."""
    entries: list[LogEntry] = []
    with Progress("fetching logs", total=args.limit or None) as progress:
        stream = client.iter_robot_part_logs(
            args.part_id, filter=args.filter, log_levels=args.levels, num_log_entries=args.limit
        )
        async with stream:
            async for entry in stream:
                if args.since is not None and entry.time is not None and entry.time < args.since:
                    break  # newest first: everything after this is older still
                entries.append(entry)
                progress.advance()
    entries.reverse()
    return entries


async def _follow(client: AsyncAppClient, args: argparse.Namespace, printer: _Printer) -> None:
    tail = await client.tail_robot_part_logs(args.part_id, errors_only=False, filter=args.filter)
    batches: asyncio.Queue[list[LogEntry] | None] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for batch in tail:
                await batches.put(batch)
        finally:
            await batches.put(None)

    pumping = asyncio.ensure_future(pump())  # subscribes while the history is fetched
    try:
        history = await _history(client, args)
        printer.print(history)
        printed = {_key(entry) for entry in history}
        while (batch := await batches.get()) is not None:
            printer.print(e for e in batch if _wanted(args, e) and _key(e) not in printed)
        await pumping  # the tail ended: raise its error, if any
        sys.stderr.write("fleetwire: the server ended the log stream\n")
    finally:
        pumping.cancel()
        with contextlib.suppress(BaseException):
            await pumping
        await tail.aclose()


async def _logs(args: argparse.Namespace) -> int:
    printer = _Printer(args.json, sys.stdout)
    async with await connect_async(args) as client:
        if args.follow:
            await _follow(client, args, printer)
            return 0
        entries = await _history(client, args)
    if args.output is None:
        printer.print(entries)
        return 0
    as_json = args.output.suffix.lower() in (".jsonl", ".ndjson")
    with exporting(args.output) as out:
        for entry in entries:
            out.write(json.dumps(log_record(entry)) + "\n" if as_json else format_log_line(entry))
    sys.stderr.write(f"wrote {len(entries)} log entries to {args.output}\n")
    return 0


def run_logs(args: argparse.Namespace) -> int:
    """``fleetwire logs PART_ID [--levels L] [--filter T] [--limit N] [--since T] [--follow | --output FILE]``."""
    try:
        return asyncio.run(_logs(args))
    except KeyboardInterrupt:
        if args.follow:
            return 0  # Ctrl-C is how a follow ends
        raise

"""``fleetwire parts import PART_ID FILE``: replace a part's config with a JSON file, safely.

The command reads the part, shows the difference between its config and the file, asks (``--yes`` skips the
question, ``--dry-run`` stops after the difference), then writes with the time the part was last updated as it was
read (``last_known_update``). If anyone changed the part in between, the server refuses the write and the command
says so: nothing is imported, and running it again shows the difference against the new config.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Mapping
from typing import Any, TextIO, cast

from .._blocking import AppClient
from ..models import RobotPart
from .config_files import checked_write, read_config
from .confirm import confirm
from .connection import connect
from .failures import CliError
from .output import print_json

__all__ = ("config_diff", "import_part_config")


def config_diff(current: Mapping[str, Any], new: Mapping[str, Any], *, old_label: str, new_label: str) -> list[str]:
    """Return the unified diff (lines without newlines) from ``current`` to ``new``, as sorted, indented JSON."""

    def lines(config: Mapping[str, Any]) -> list[str]:
        return json.dumps(_plain_numbers(config), indent=2, sort_keys=True).splitlines()

    return list(difflib.unified_diff(lines(current), lines(new), old_label, new_label, lineterm=""))


def _plain_numbers(value: object) -> object:
    """Return ``value`` with whole floats as ints: 1.0 and 1 are one JSON number (a Struct keeps only floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain_numbers(item) for key, item in cast("dict[str, object]", value).items()}
    if isinstance(value, list):
        return [_plain_numbers(item) for item in cast("list[object]", value)]
    return value


def _read_part(client: AppClient, part_id: str) -> RobotPart:
    """Return the part, refusing one whose last change time the server does not report (its write is unchecked)."""
    part = client.get_robot_part(part_id)
    if part.last_updated is None:
        raise CliError(f"cannot import safely: the server did not say when part {part.name} ({part.id}) last changed")
    return part


def _show(diff: list[str], out: TextIO) -> None:
    out.write("\n".join(diff) + "\n")
    out.flush()


def import_part_config(args: argparse.Namespace) -> int:
    """``fleetwire parts import PART_ID FILE [--dry-run] [--yes]``."""
    new = read_config(args.file)  # a bad file fails before anything is read or written
    with connect(args) as client:
        part = _read_part(client, args.part_id)
        named = f"part {part.name} ({part.id})"
        diff = config_diff(part.robot_config or {}, new, old_label=named, new_label=str(args.file))
        report = {"part_id": part.id, "file": str(args.file), "changed": bool(diff), "diff": diff, "imported": False}
        if diff and not args.json:
            _show(diff, sys.stdout)
        elif diff and not (args.yes or args.dry_run) and sys.stdin.isatty():
            _show(diff, sys.stderr)  # stdout is kept for the one JSON document; the question needs the diff shown
        if diff and not args.dry_run:
            confirm(args, f"replace the config of {named} with {args.file}")
            with checked_write(named):
                # JSON text: the config is stored as written (integers stay integers, and {} empties it).
                client.update_robot_part(
                    part.id, part.name, robot_config_json=json.dumps(new), last_known_update=part.last_updated
                )
            report["imported"] = True
    if args.json:
        print_json(report, sys.stdout)
    elif not diff:
        sys.stdout.write(f"no change: the config of {named} already matches {args.file}\n")
    elif args.dry_run:
        sys.stdout.write("dry run: nothing was imported\n")
    else:
        sys.stdout.write(f"imported {args.file} into {named}\n")
    return 0

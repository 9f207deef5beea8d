"""Registering ``demo`` and the everyday commands on the ``fleetwire`` parser (``serve`` lives in ``cli.py``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import config_import, fragments, keys, log_commands, manage, resources, whoami
from .confirm import add_yes_option
from .connection import add_connection_options, add_timeout_option, call_timeout
from .failures import guarded
from .timespec import since

__all__ = ("register", "show_help")


def show_help(parser: argparse.ArgumentParser) -> Any:
    """Return a handler that prints ``parser``'s help (for ``fleetwire`` or a group such as ``fleetwire machines``)."""

    def run(args: argparse.Namespace) -> int:
        parser.print_help(sys.stdout)
        return 0

    return run


def _demo(args: argparse.Namespace) -> int:
    """``fleetwire demo [--out DIR] [--timeout SECONDS]``."""
    from ..demo import run_demo

    return run_demo(sys.stdout, keep_dir=args.out, timeout=call_timeout(args))


def _group(commands: Any, name: str, help_text: str) -> Any:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=show_help(parser))  # `fleetwire machines` alone lists its actions
    return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION")


def _leaf(
    group: Any, name: str, help_text: str, handler: Any, *positionals: str, asks: bool = False
) -> argparse.ArgumentParser:
    """Add a command that connects; ``positionals`` are metavars (``PART_ID`` is stored as ``part_id``).

    ``asks``: the command asks before it changes anything, and takes ``--yes``.
    """
    parser: argparse.ArgumentParser = group.add_parser(name, help=help_text, description=help_text)
    add_connection_options(parser)
    parser.set_defaults(handler=guarded(handler))
    for metavar in positionals:
        parser.add_argument(metavar.lower(), metavar=metavar)
    if asks:
        add_yes_option(parser)
    return parser


def _file_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help=f"where to write the {what} (JSON, written atomically)")
    parser.add_argument("--indent", type=int, default=4, help="JSON indent (default: 4)")


def _register_fleet(commands: Any) -> None:
    orgs = _group(commands, "organizations", "organizations the API key can see")
    _leaf(orgs, "list", "list organizations", resources.list_organizations)
    _register_locations(_group(commands, "locations", "locations of an organization"))
    _register_machines(_group(commands, "machines", "machines (robots) of a location"))
    _register_parts(_group(commands, "parts", "parts of a machine"))
    _leaf(commands, "whoami", "the API key in use and the organizations it reaches", whoami.whoami)


def _register_locations(locations: Any) -> None:
    parser = _leaf(locations, "list", "list locations", resources.list_locations)
    parser.add_argument("--org-id", help="only this organization (default: every one the key sees)")
    parser = _leaf(locations, "create", "create a location", manage.create_location, "NAME")
    parser.add_argument("--org-id", help="organization of the location (default: the key's only organization)")
    parser.add_argument("--parent-location-id", metavar="ID", help="nest it in this location")
    _leaf(locations, "rename", "rename a location", manage.rename_location, "LOCATION_ID", "NAME")
    _leaf(locations, "delete", "delete an empty location (asks first)", manage.delete_location, "LOCATION_ID",
          asks=True)  # fmt: skip


def _register_machines(machines: Any) -> None:
    parser = _leaf(machines, "list", "list machines", resources.list_machines)
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--location-id", help="only this location (default: every location the key sees)")
    scope.add_argument("--org-id", help="only the locations of this organization")
    _leaf(machines, "status", "a machine's online state and when it and its parts were last seen",
          manage.machine_status, "MACHINE_ID")  # fmt: skip
    parser = _leaf(machines, "create", "create a machine (with its main part)", manage.create_machine, "NAME")
    parser.add_argument("--location-id", required=True, help="the location of the new machine")
    _leaf(machines, "rename", "rename a machine", manage.rename_machine, "MACHINE_ID", "NAME")
    parser = _leaf(machines, "delete", "delete a machine and its main part (asks first)", manage.delete_machine,
                   "MACHINE_ID", asks=True)  # fmt: skip
    parser.add_argument("--with-parts", action="store_true", help="also delete its other parts (else refused)")


def _register_parts(parts: Any) -> None:
    _leaf(parts, "list", "list the parts of a machine", resources.list_parts, "MACHINE_ID")
    _leaf(parts, "show", "show a part and its config", resources.show_part, "PART_ID")
    parser = _leaf(parts, "export", "write a part's config to a JSON file", resources.export_part, "PART_ID")
    _file_argument(parser, "part's config")
    parser = _leaf(parts, "import", "replace a part's config by a JSON file: shows the difference, asks first",
                   config_import.import_part_config, "PART_ID", asks=True)  # fmt: skip
    parser.add_argument("file", type=Path, metavar="FILE", help="JSON file holding the new config (an object)")
    parser.add_argument("--dry-run", action="store_true", help="only show the difference")
    _leaf(parts, "create", "add a part to a machine", manage.create_part, "MACHINE_ID", "NAME")
    _leaf(parts, "rename", "rename a part (its config stays)", manage.rename_part, "PART_ID", "NAME")
    _leaf(parts, "delete", "delete a part other than the main one (asks first)", manage.delete_part, "PART_ID",
          asks=True)  # fmt: skip
    _leaf(parts, "restart", "mark a part for restart (it restarts when it next checks)", manage.restart_part,
          "PART_ID")  # fmt: skip


def _register_logs(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "logs",
        help="a part's logs, oldest first; --follow streams new ones until Ctrl-C",
        description="Print a machine part's recent logs, oldest first. --follow keeps streaming new entries.",
    )
    add_connection_options(parser)
    parser.set_defaults(handler=guarded(log_commands.run_logs))
    parser.add_argument("part_id", metavar="PART_ID")
    parser.add_argument("--levels", type=log_commands.levels, default=[], help="comma-separated, e.g. error,warn")
    parser.add_argument("--filter", help="only entries whose message contains this text")
    parser.add_argument("--limit", type=_count, default=100, help="at most this many entries (default 100; 0: all)")
    parser.add_argument("--since", type=since, help="only entries from this time on: ISO 8601, or 30s, 15m, 2h, 7d")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--follow", "-f", action="store_true", help="keep printing new entries until Ctrl-C")
    mode.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the entries to FILE (JSON Lines for .jsonl)"
    )


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _register_fragments_and_keys(commands: Any) -> None:
    group = _group(commands, "fragments", "reusable config fragments")
    parser = _leaf(group, "list", "list fragments (private and public)", fragments.list_fragments)
    parser.add_argument("--org-id", help="only this organization (default: every one the key sees)")
    parser.add_argument("--public", action="store_true", help="only public fragments")
    _leaf(group, "show", "show a fragment and its config", fragments.show_fragment, "FRAGMENT_ID")
    parser = _leaf(group, "export", "write a fragment's config to a JSON file", fragments.export_fragment,
                   "FRAGMENT_ID")  # fmt: skip
    _file_argument(parser, "fragment's config")
    parser = _leaf(group, "create", "create a private fragment", fragments.create_fragment, "NAME")
    parser.add_argument("--config", type=Path, metavar="FILE", help="JSON file holding its config (default: empty)")
    parser.add_argument("--org-id", help="organization of the fragment (default: the key's only organization)")
    parser = _leaf(group, "update", "rename a fragment, replace its config or change who sees it",
                   fragments.update_fragment, "FRAGMENT_ID")  # fmt: skip
    parser.add_argument("--name", help="its new name")
    parser.add_argument("--config", type=Path, metavar="FILE", help="JSON file holding its new config")
    parser.add_argument("--visibility", choices=fragments.VISIBILITIES, help="who may see it")

    group = _group(commands, "keys", "API keys")
    parser = _leaf(group, "list", "list API keys and their roles", keys.list_keys)
    parser.add_argument("--org-id", help="only this organization (default: every one the key sees)")
    parser = _leaf(group, "create", "create an API key (printed once)", keys.create_key)
    parser.add_argument("--role", choices=("owner", "operator"), required=True)
    parser.add_argument(
        "--resource-type", choices=("organization", "location", "robot"), default="organization",
        help="what the role applies to (default: organization)",
    )  # fmt: skip
    parser.add_argument("--resource-id", help="id of that resource (required unless it is the organization)")
    parser.add_argument("--org-id", help="organization of the key (default: the key's only organization)")
    parser.add_argument("--name", help="a name for the key (default: the current time)")
    _leaf(group, "rotate", "replace a key by a new one with the same roles", keys.rotate_key, "KEY_ID")
    _leaf(group, "delete", "delete an API key", keys.delete_key, "KEY_ID")


def register(commands: Any) -> None:
    """Add ``demo`` and the everyday commands to the ``fleetwire`` subparsers ``commands``."""
    demo = commands.add_parser(
        "demo",
        help="tour the SDK on a temporary local fleet (no account needed)",
        description="Start a local fleet server on a temporary database and walk through the SDK.",
    )
    demo.add_argument("--out", type=Path, metavar="DIR", help="keep the exported config in DIR (default: removed)")
    demo.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    add_timeout_option(demo, default=argparse.SUPPRESS)  # each call of the tour's clients; also before `demo`
    demo.set_defaults(handler=guarded(_demo))
    _register_fleet(commands)
    _register_logs(commands)
    _register_fragments_and_keys(commands)

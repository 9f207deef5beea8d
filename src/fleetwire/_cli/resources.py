"""Everyday read commands: organizations, locations, machines and parts; show and export a part's config."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .connection import connect
from .failures import CliError
from .output import Column, emit, print_details, print_json
from .progress import Progress
from .rows import (
    LOCATION_COLUMNS,
    MACHINE_COLUMNS,
    ORGANIZATION_COLUMNS,
    PART_COLUMNS,
    location_row,
    machine_row,
    organization_row,
    part_row,
)
from .scope import organization_ids

__all__ = (
    "export_part",
    "list_locations",
    "list_machines",
    "list_organizations",
    "list_parts",
    "show_part",
)


def list_organizations(args: argparse.Namespace) -> int:
    """``fleetwire organizations list``: the organizations the API key can see."""
    with connect(args) as client:
        rows = [organization_row(org) for org in client.list_organizations()]
    emit(rows, ORGANIZATION_COLUMNS, as_json=args.json, out=sys.stdout, empty="no organizations")
    return 0


def list_locations(args: argparse.Namespace) -> int:
    """``fleetwire locations list [--org-id ID]``: locations of one organization, or of every visible one."""
    with connect(args) as client:
        rows = [
            location_row(location, org_id)
            for org_id in organization_ids(client, args.org_id)
            for location in client.list_locations(org_id)
        ]
    columns = (*LOCATION_COLUMNS[:1], Column("ORGANIZATION", "organization_id"), *LOCATION_COLUMNS[1:])
    emit(
        rows, columns if not args.org_id else LOCATION_COLUMNS, as_json=args.json, out=sys.stdout, empty="no locations"
    )
    return 0


def list_machines(args: argparse.Namespace) -> int:
    """``fleetwire machines list [--location-id ID | --org-id ID]``: machines of a location, or of all of them."""
    with connect(args) as client:
        if args.location_id:
            location_ids = [args.location_id]
        else:
            seen: dict[str, None] = {}  # a location shared between organizations is listed once
            for org_id in organization_ids(client, args.org_id):
                seen.update(dict.fromkeys(location.id for location in client.list_locations(org_id)))
            location_ids = list(seen)
        rows: list[dict[str, object]] = []
        with Progress("locations", total=len(location_ids)) as progress:
            for location_id in location_ids:
                rows.extend(machine_row(robot) for robot in client.list_robots(location_id))
                progress.advance()
    emit(rows, MACHINE_COLUMNS, as_json=args.json, out=sys.stdout, empty="no machines")
    return 0


def list_parts(args: argparse.Namespace) -> int:
    """``fleetwire parts list MACHINE_ID``: the parts of one machine."""
    with connect(args) as client:
        rows = [part_row(part) for part in client.get_robot_parts(args.machine_id)]
    emit(rows, PART_COLUMNS, as_json=args.json, out=sys.stdout, empty="no parts")
    return 0


def show_part(args: argparse.Namespace) -> int:
    """``fleetwire parts show PART_ID``: one part's details and its config (never its secrets)."""
    with connect(args) as client:
        row = part_row(client.get_robot_part(args.part_id))
    print_details(row, "robot_config", as_json=args.json, out=sys.stdout)
    return 0


def export_part(args: argparse.Namespace) -> int:
    """``fleetwire parts export PART_ID FILE``: write the part's config as JSON, atomically."""
    dest: Path = args.file
    with connect(args) as client:
        try:
            # The client writes the server's canonical config atomically, only once the part was found.
            part = client.get_robot_part(args.part_id, dest=str(dest), indent=args.indent)
        except OSError as exc:
            raise CliError(f"cannot write {dest}: {exc.strerror or exc}") from None
    report = {"part_id": part.id, "file": str(dest)}
    if args.json:
        print_json(report, sys.stdout)
    else:
        sys.stdout.write(f"wrote the config of part {part.name} ({part.id}) to {dest}\n")
    return 0

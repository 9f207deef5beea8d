"""Everyday changes: create, rename and delete locations, machines and parts; restart a part; a machine's status.

Deleting never takes more than the user named. A location is deleted only when it holds no machine and no
sub-location (the server insists too); a machine only with its main part, unless ``--with-parts`` says to take its
other parts as well. Every delete asks first (``--yes`` skips the question) and names what it will remove.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from fleetwire_api.viam.app import v1 as app_pb

from .._blocking import AppClient
from .confirm import confirm
from .connection import connect
from .failures import CliError
from .output import Column, emit, print_fields, print_json
from .rows import PART_COLUMNS, location_row, machine_row, part_row, status_part_row
from .scope import single_organization

__all__ = (
    "create_location",
    "create_machine",
    "create_part",
    "delete_location",
    "delete_machine",
    "delete_part",
    "machine_status",
    "rename_location",
    "rename_machine",
    "rename_part",
    "restart_part",
)


def _report(args: argparse.Namespace, row: Mapping[str, object], sentence: str) -> int:
    """Print ``row`` with ``--json``, else the one ``sentence`` saying what was done."""
    if args.json:
        print_json(row, sys.stdout)
    else:
        sys.stdout.write(sentence + "\n")
    return 0


def _named(kind: str, name: str, resource_id: str) -> str:
    return f"{kind} {name} ({resource_id})"


def _organization_of(location: app_pb.Location) -> str:
    """Return the organization that owns ``location`` (a shared location is also listed under others)."""
    owners = [org.organization_id for org in location.organizations if org.primary] or [
        org.organization_id for org in location.organizations
    ]
    return owners[0] if owners else ""


# --- locations ------------------------------------------------------------------------------------------------------


def create_location(args: argparse.Namespace) -> int:
    """``fleetwire locations create NAME [--org-id ID] [--parent-location-id ID]``."""
    with connect(args) as client:
        org_id = single_organization(client, args.org_id)
        location = client.create_location(org_id, args.name, args.parent_location_id)
    return _report(args, location_row(location, org_id), f"created {_named('location', location.name, location.id)}")


def rename_location(args: argparse.Namespace) -> int:
    """``fleetwire locations rename LOCATION_ID NAME``."""
    with connect(args) as client:
        old = client.get_location(args.location_id)
        location = client.update_location(args.location_id, name=args.name)
    row = location_row(location, _organization_of(location))
    return _report(args, row, f"renamed location {location.id}: {old.name} -> {location.name}")


def _location_contents(client: AppClient, location: app_pb.Location) -> list[str]:
    """Name what the location holds that must go before it can: its machines and sub-locations."""
    held = [_named("machine", robot.name, robot.id) for robot in client.list_robots(location.id)]
    org_id = _organization_of(location)
    if org_id:
        held += [
            _named("sub-location", child.name, child.id)
            for child in client.list_locations(org_id)
            if child.parent_location_id == location.id
        ]
    return held


def delete_location(args: argparse.Namespace) -> int:
    """``fleetwire locations delete LOCATION_ID [--yes]``: only an empty location."""
    with connect(args) as client:
        location = client.get_location(args.location_id)
        named = _named("location", location.name, location.id)
        held = _location_contents(client, location)
        if held:
            raise CliError(f"{named} is not empty, it holds {', '.join(held)}: delete or move what it holds first")
        confirm(args, f"delete {named}")
        if _location_contents(client, location):  # filled while the user answered
            raise CliError(f"{named} is no longer empty; nothing was deleted (run the command again)")
        client.delete_location(location.id)
    return _report(args, {"id": location.id, "deleted": True}, f"deleted {named}")


# --- machines -------------------------------------------------------------------------------------------------------


def create_machine(args: argparse.Namespace) -> int:
    """``fleetwire machines create NAME --location-id ID``: a new machine with its main part."""
    with connect(args) as client:
        robot = client.get_robot(client.new_robot(args.name, args.location_id))
        [main] = client.get_robot_parts(robot.id)
    row = {**machine_row(robot), "main_part_id": main.id}
    named = _named("machine", robot.name, robot.id)
    return _report(args, row, f"created {named} in location {robot.location}; main part {main.name} ({main.id})")


def rename_machine(args: argparse.Namespace) -> int:
    """``fleetwire machines rename MACHINE_ID NAME``."""
    with connect(args) as client:
        old = client.get_robot(args.machine_id)
        robot = client.update_robot(old.id, args.name, old.location)
    return _report(args, machine_row(robot), f"renamed machine {robot.id}: {old.name} -> {robot.name}")


def delete_machine(args: argparse.Namespace) -> int:
    """``fleetwire machines delete MACHINE_ID [--with-parts] [--yes]``: a machine and its parts go together."""
    with connect(args) as client:
        robot = client.get_robot(args.machine_id)
        parts = client.get_robot_parts(robot.id)
        named = _named("machine", robot.name, robot.id)
        others = [_named("part", part.name, part.id) for part in parts if not part.main_part]
        if others and not args.with_parts:
            raise CliError(
                f"{named} has {len(parts)} parts ({', '.join(others)} besides its main part): "
                "pass --with-parts to delete them with it, or delete them first"
            )
        confirm(args, f"delete {named} with its {_count(len(parts), 'part')} ({', '.join(p.name for p in parts)})")
        if {part.id for part in client.get_robot_parts(robot.id)} != {part.id for part in parts}:
            # A part added while the user answered was not named: deleting it too would take more than agreed to.
            raise CliError(f"the parts of {named} changed; nothing was deleted (run the command again)")
        client.delete_robot(robot.id)
    row = {"id": robot.id, "deleted": True, "deleted_parts": [part.id for part in parts]}
    return _report(args, row, f"deleted {named} and {_count(len(parts), 'part')}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def machine_status(args: argparse.Namespace) -> int:
    """``fleetwire machines status MACHINE_ID``: online state and last access of the machine and of each part."""
    with connect(args) as client:
        robot = client.get_robot(args.machine_id)
        parts = client.raw.get_robot_parts(robot_id=robot.id).parts  # the raw parts carry their online state
    machine = {**machine_row(robot), **_online(robot.online_state, robot.seconds_since_online)}
    part_rows = [status_part_row(part, _online(part.online_state, part.seconds_since_online)) for part in parts]
    if args.json:
        print_json({**machine, "parts": part_rows}, sys.stdout)
        return 0
    print_fields({key: value for key, value in machine.items() if key != "created_on"}, sys.stdout)
    sys.stdout.write("PARTS\n")
    emit(part_rows, _STATUS_PART_COLUMNS, as_json=False, out=sys.stdout, empty="no parts")
    return 0


def _online(state: app_pb.OnlineState, seconds: int) -> dict[str, object]:
    """Return the online state as a word, and how long ago it was last seen (``None``: never)."""
    words = {
        app_pb.OnlineState.ONLINE: "online",
        app_pb.OnlineState.OFFLINE: "offline",
        app_pb.OnlineState.AWAITING_SETUP: "awaiting setup",
    }
    seen = state in (app_pb.OnlineState.ONLINE, app_pb.OnlineState.OFFLINE)
    return {"online_state": words.get(state, "unknown"), "seconds_since_online": seconds if seen else None}


_STATUS_PART_COLUMNS = (*PART_COLUMNS[:2], PART_COLUMNS[3], Column("ONLINE STATE", "online_state"), PART_COLUMNS[4])


# --- parts ----------------------------------------------------------------------------------------------------------


def create_part(args: argparse.Namespace) -> int:
    """``fleetwire parts create MACHINE_ID NAME``: a new, non-main part of a machine."""
    with connect(args) as client:
        part = client.get_robot_part(client.new_robot_part(args.machine_id, args.name))
    return _report(args, part_row(part), f"created {_named('part', part.name, part.id)} of machine {part.robot}")


def rename_part(args: argparse.Namespace) -> int:
    """``fleetwire parts rename PART_ID NAME`` (the config stays as it is)."""
    with connect(args) as client:
        old = client.get_robot_part(args.part_id)
        part = client.update_robot_part(old.id, args.name)
    return _report(args, part_row(part), f"renamed part {part.id}: {old.name} -> {part.name}")


def delete_part(args: argparse.Namespace) -> int:
    """``fleetwire parts delete PART_ID [--yes]``: a part other than its machine's main part."""
    with connect(args) as client:
        part = client.get_robot_part(args.part_id)
        named = _named("part", part.name, part.id)
        if part.main_part:
            raise CliError(
                f"{named} is the main part of machine {part.robot}: mark another part as main first, "
                "or delete the machine (fleetwire machines delete)"
            )
        confirm(args, f"delete {named} of machine {part.robot}")
        client.delete_robot_part(part.id)
    return _report(args, {"id": part.id, "deleted": True}, f"deleted {named}")


def restart_part(args: argparse.Namespace) -> int:
    """``fleetwire parts restart PART_ID``: the part learns it must restart the next time it checks."""
    with connect(args) as client:
        part = client.get_robot_part(args.part_id)
        client.mark_part_for_restart(part.id)
    row = {"id": part.id, "marked_for_restart": True}
    return _report(args, row, f"marked {_named('part', part.name, part.id)} for restart")

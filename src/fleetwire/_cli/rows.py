"""Rows: the fields of SDK objects a person or a script wants, as plain JSON-ready dicts (never a secret)."""

from __future__ import annotations

from typing import Any

from fleetwire_api.viam.app import v1 as app_pb

from ..export import log_record
from ..models import Fragment, LogEntry, RobotPart
from .output import Column

__all__ = (
    "FRAGMENT_COLUMNS",
    "KEY_COLUMNS",
    "LOCATION_COLUMNS",
    "LOG_COLUMNS",
    "MACHINE_COLUMNS",
    "ORGANIZATION_COLUMNS",
    "PART_COLUMNS",
    "fragment_row",
    "key_row",
    "location_row",
    "log_row",
    "machine_row",
    "organization_row",
    "part_row",
    "status_part_row",
)

Row = dict[str, Any]


def organization_row(org: app_pb.Organization) -> Row:
    """Return an organization's row: id, name, public namespace, creation time."""
    return {"id": org.id, "name": org.name, "public_namespace": org.public_namespace, "created_on": org.created_on}


ORGANIZATION_COLUMNS = (Column("ID", "id"), Column("NAME", "name"), Column("CREATED", "created_on"))


def location_row(location: app_pb.Location, org_id: str) -> Row:
    """Return the row of a location of organization ``org_id``: id, name, parent, machine count."""
    return {
        "id": location.id,
        "name": location.name,
        "organization_id": org_id,
        "parent_location_id": location.parent_location_id,
        "robot_count": location.robot_count,
        "created_on": location.created_on,
    }


LOCATION_COLUMNS = (
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("PARENT", "parent_location_id"),
    Column("MACHINES", "robot_count"),
    Column("CREATED", "created_on"),
)


def machine_row(robot: app_pb.Robot) -> Row:
    """Return a machine's row: id, name, location, when it was last seen online."""
    return {
        "id": robot.id,
        "name": robot.name,
        "location_id": robot.location,
        "last_access": robot.last_access,
        "created_on": robot.created_on,
    }


MACHINE_COLUMNS = (
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("LOCATION", "location_id"),
    Column("LAST SEEN", "last_access"),
)


def part_row(part: RobotPart) -> Row:
    """Return a machine part's row (its secrets left out): ids, name, main flag, addresses, times, config."""
    return {
        "id": part.id,
        "name": part.name,
        "robot_id": part.robot,
        "location_id": part.location_id,
        "main_part": part.main_part,
        "fqdn": part.fqdn,
        "last_access": part.last_access,
        "created_on": part.created_on,
        "robot_config": part.robot_config or {},
    }


def status_part_row(part: app_pb.RobotPart, online: Row) -> Row:
    """Return the row of a part in ``machines status``: id, name, main flag, last access, and ``online``'s fields."""
    return {
        "id": part.id,
        "name": part.name,
        "main_part": part.main_part,
        **online,
        "last_access": part.last_access,
    }


PART_COLUMNS = (
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("MACHINE", "robot_id"),
    Column("MAIN", "main_part"),
    Column("LAST SEEN", "last_access"),
)


def log_row(entry: LogEntry) -> Row:
    """Return a log entry's row, as the JSON Lines export writes it."""
    return log_record(entry)


LOG_COLUMNS = (
    Column("TIME", "time"),
    Column("LEVEL", "level"),
    Column("LOGGER", "logger_name"),
    Column("MESSAGE", "message"),
)


def fragment_row(fragment: Fragment) -> Row:
    """Return a fragment's row: id, name, owner, visibility, use count, and its config."""
    return {
        "id": fragment.id,
        "name": fragment.name,
        "organization_owner": fragment.organization_owner,
        "organization_name": fragment.organization_name,
        "visibility": fragment.visibility.value,
        "public": fragment.public,
        "robot_part_count": fragment.robot_part_count,
        "created_on": fragment.created_on,
        "fragment": dict(fragment.fragment or {}),
    }


FRAGMENT_COLUMNS = (
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("VISIBILITY", "visibility"),
    Column("PARTS", "robot_part_count"),
    Column("CREATED", "created_on"),
)


def key_row(key: app_pb.ApiKeyWithAuthorizations) -> Row:
    """Return an API key's row (never the key itself): id, name, creation time, roles."""
    api_key = key.api_key or app_pb.ApiKey()
    return {
        "id": api_key.id,
        "name": api_key.name,
        "created_on": api_key.created_on,
        "authorizations": [
            {
                "role": detail.authorization_id,
                "resource_type": detail.resource_type,
                "resource_id": detail.resource_id,
                "org_id": detail.org_id,
            }
            for detail in key.authorizations
        ],
        "roles": [f"{d.authorization_id} on {d.resource_type} {d.resource_id}" for d in key.authorizations],
    }


KEY_COLUMNS = (Column("ID", "id"), Column("NAME", "name"), Column("CREATED", "created_on"), Column("ROLES", "roles"))

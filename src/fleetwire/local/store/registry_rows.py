"""Registry items and module uploads in SQLite: tables, id resolution, validation and row -> message conversion.

A module is a registry item of type ``MODULE``; its uploaded files live in ``module_files``, one row per
(version, platform). An item is addressed as ``<namespace>:<name>`` (when its organization has a public namespace)
or ``<organization id>:<name>``.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TypeVar

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire_api.services import codec
from fleetwire_api.viam.app.packages.v1 import PackageType
from fleetwire_api.viam.app.v1 import (
    DeprecatedStatus,
    Model,
    Module,
    ModuleMetadata,
    ModuleVersion,
    RegistryItem,
    Uploads,
    VersionHistory,
    Visibility,
)

from .ids import from_iso, invalid, is_id, not_found

__all__ = (
    "MAX_MODULE_FILE_BYTES",
    "SCHEMA",
    "fetch_item",
    "item_id_of",
    "item_message",
    "markdown_of",
    "module_message",
    "require_item_name",
    "require_package_type",
    "require_platform",
    "require_version",
    "require_visibility",
    "resolve_item",
    "semver_key",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS registry_items (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type INTEGER NOT NULL,
    visibility INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    entrypoint TEXT NOT NULL DEFAULT '',
    models BLOB NOT NULL DEFAULT x'',
    created_on TEXT NOT NULL,
    updated_on TEXT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE TABLE IF NOT EXISTS module_files (
    item_id TEXT NOT NULL REFERENCES registry_items(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    platform TEXT NOT NULL,
    entrypoint TEXT NOT NULL,
    models BLOB NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_on TEXT NOT NULL,
    PRIMARY KEY (item_id, version, platform)
);
CREATE TABLE IF NOT EXISTS registry_deprecations (
    item_id TEXT NOT NULL REFERENCES registry_items(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    message TEXT NOT NULL,
    deprecated_on TEXT NOT NULL,
    PRIMARY KEY (item_id, version)
);
CREATE TABLE IF NOT EXISTS registry_markdown (
    item_id TEXT PRIMARY KEY REFERENCES registry_items(id) ON DELETE CASCADE,
    markdown TEXT NOT NULL
);
"""
"""Tables of registry items (modules included), uploaded module files, deprecations (``version`` empty: the whole
item) and each item's markdown documentation."""

MAX_MODULE_FILE_BYTES = 32 * 1024 * 1024
"""Largest accepted module file upload."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$")
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
_OPERATING_SYSTEMS = frozenset({"any", "linux", "darwin", "windows", "android"})
_ARCHITECTURES = frozenset({"any", "amd64", "arm64", "arm32v6", "arm32v7", "arm", "386"})


def require_item_name(value: str, field: str) -> str:
    """Validate a registry item or module name (letters, digits, ``-`` and ``_``; at most 200 characters)."""
    if not value:
        raise invalid(f"{field} is required")
    if not _NAME.match(value):
        raise invalid(f"{field} may hold only letters, digits, '-' and '_', starting with a letter or digit")
    return value


def require_version(value: str, field: str) -> str:
    """Validate a semantic version such as ``1.2.3`` or ``1.0.0-rc.1``."""
    if not _SEMVER.match(value):
        raise invalid(f"{field} must be a semantic version such as 1.2.3")
    return value


def require_platform(value: str, field: str) -> str:
    """Validate a platform ``<os>/<arch>`` such as ``linux/amd64`` or ``any/any``."""
    system, _, arch = value.partition("/")
    if system not in _OPERATING_SYSTEMS or arch not in _ARCHITECTURES:
        raise invalid(f"{field} must be <os>/<arch> such as linux/amd64")
    return value


def require_visibility(value: Visibility | int, field: str) -> Visibility | None:
    """Validate a Visibility; ``UNSPECIFIED`` gives ``None`` (keep the current one)."""
    number = int(value)
    if number not in (0, 1, 2, 3):
        raise invalid(f"{field} is not a valid Visibility")
    return None if number == 0 else Visibility(number)


def require_package_type(value: PackageType | int, field: str) -> PackageType:
    """Validate a PackageType; ``UNSPECIFIED`` and unknown values are ``INVALID_ARGUMENT``."""
    number = int(value)
    if number not in (1, 2, 3, 4, 5):
        raise invalid(f"{field} is not a valid PackageType")
    return PackageType(number)


def semver_key(version: str) -> tuple[int, int, int, int, str]:
    """Sort key of a semantic version (pre-releases before their release)."""
    match = _SEMVER.match(version)
    if match is None:
        return (0, 0, 0, 0, version)
    major, minor, patch, pre = match.group(1), match.group(2), match.group(3), match.group(4)
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def resolve_item(conn: sqlite3.Connection, item_id: str, field: str) -> sqlite3.Row:
    """Return the item ``<namespace or org id>:<name>``: ``INVALID_ARGUMENT`` if malformed, ``NOT_FOUND`` if none."""
    prefix, colon, name = item_id.partition(":")
    if not colon or not prefix or not name or ":" in name:
        raise invalid(f"{field} must be <namespace>:<name> or <organization id>:<name>")
    if is_id(prefix):
        org_clause, org_value = "o.id = ?", prefix.lower()
    else:
        org_clause, org_value = "o.public_namespace = ?", prefix
    row = conn.execute(
        "SELECT i.*, o.public_namespace AS namespace FROM registry_items i JOIN organizations o ON o.id = i.org_id "
        f"WHERE {org_clause} AND i.name = ?",
        (org_value, name),
    ).fetchone()
    if row is None:
        raise not_found(f"{field}: registry item {item_id} not found")
    return row


def fetch_item(conn: sqlite3.Connection, internal_id: str) -> sqlite3.Row:
    """Return an item row by internal id, with its organization's namespace."""
    row = conn.execute(
        "SELECT i.*, o.public_namespace AS namespace FROM registry_items i JOIN organizations o ON o.id = i.org_id "
        "WHERE i.id = ?",
        (internal_id,),
    ).fetchone()
    if row is None:
        raise GRPCError(Status.NOT_FOUND, "registry item not found")
    return row


def item_id_of(row: sqlite3.Row) -> str:
    """Return the public id of an item row: ``namespace:name``, or ``org_id:name`` without a namespace."""
    return f"{row['namespace'] or row['org_id']}:{row['name']}"


def _models(blob: bytes) -> list[Model]:
    return list(codec.decode(ModuleMetadata, blob).models) if blob else []


_Version = TypeVar("_Version", ModuleVersion, VersionHistory)


def _versions(conn: sqlite3.Connection, internal_id: str, kind: type[_Version]) -> list[_Version]:
    """Return the uploaded versions of a module, oldest semver first, as ``kind`` (the two messages share fields)."""
    grouped: dict[str, tuple[str, list[Model], list[Uploads]]] = {}
    for row in conn.execute(
        "SELECT version, platform, entrypoint, models, uploaded_on FROM module_files WHERE item_id = ? "
        "ORDER BY uploaded_on, platform",
        (internal_id,),
    ):
        entry = grouped.setdefault(row["version"], (row["entrypoint"], _models(row["models"]), []))
        entry[2].append(Uploads(platform=row["platform"], uploaded_at=from_iso(row["uploaded_on"])))
    deprecated = _deprecations(conn, internal_id)
    return [
        kind(
            version=version,
            files=grouped[version][2],
            models=grouped[version][1],
            entrypoint=grouped[version][0],
            deprecated_status=deprecated.get(version),
        )
        for version in sorted(grouped, key=semver_key)
    ]


def _deprecations(conn: sqlite3.Connection, internal_id: str) -> dict[str, DeprecatedStatus]:
    """Return the item's deprecations by version ("" for the item itself)."""
    return {
        str(row["version"]): DeprecatedStatus(deprecated_at=from_iso(row["deprecated_on"]), message=row["message"])
        for row in conn.execute(
            "SELECT version, message, deprecated_on FROM registry_deprecations WHERE item_id = ?", (internal_id,)
        )
    }


def markdown_of(conn: sqlite3.Connection, internal_id: str) -> str | None:
    """Return the item's markdown documentation, if it has any."""
    row = conn.execute("SELECT markdown FROM registry_markdown WHERE item_id = ?", (internal_id,)).fetchone()
    return None if row is None else str(row["markdown"])


def item_message(conn: sqlite3.Connection, row: sqlite3.Row, *, with_markdown: bool = False) -> RegistryItem:
    """Build the wire form of an item row (modules carry their metadata and versions).

    ``with_markdown``: a module's metadata carries its markdown documentation too.
    """
    item = RegistryItem(
        item_id=item_id_of(row),
        organization_id=row["org_id"],
        public_namespace=row["namespace"] or "",
        name=row["name"],
        type=PackageType(row["type"]),
        visibility=Visibility(row["visibility"]),
        url=row["url"],
        description=row["description"],
        created_at=from_iso(row["created_on"]),
        updated_at=from_iso(row["updated_on"]),
        deprecated_status=_deprecations(conn, row["id"]).get(""),
    )
    if row["type"] == int(PackageType.MODULE):
        item.module_metadata = ModuleMetadata(
            models=_models(row["models"]),
            entrypoint=row["entrypoint"],
            versions=_versions(conn, row["id"], ModuleVersion),
            markdown_description=markdown_of(conn, row["id"]) if with_markdown else None,
        )
    return item


def module_message(conn: sqlite3.Connection, row: sqlite3.Row) -> Module:
    """Build the wire form of a module item row."""
    return Module(
        module_id=item_id_of(row),
        name=row["name"],
        visibility=Visibility(row["visibility"]),
        versions=_versions(conn, row["id"], VersionHistory),
        url=row["url"],
        description=row["description"],
        models=_models(row["models"]),
        organization_id=row["org_id"],
        entrypoint=row["entrypoint"],
        public_namespace=row["namespace"] or "",
    )

"""User-defined metadata of machines and parts (``Get/UpdateRobotMetadata``, ``Get/UpdateRobotPartMetadata``).

Metadata is a JSON object, replaced whole by every update (an empty ``data`` clears it). Whoever may read the
machine (``read_robot``: owners and operators) reads its metadata and that of its parts; changing it needs
``write_robot`` (owners). Organizations and locations keep theirs in their own rows (``organizations.py``,
``locations.py``), with the same rules on their own resource.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from grpclib.server import Stream

from fleetwire_api.viam.app import v1 as app

from ..store.configs import converted, struct_for
from ..store.ids import require_id
from ..store.robot_rows import fetch_part, fetch_robot
from .validate import metadata_json

if TYPE_CHECKING:
    from ..context import Context

__all__ = ("SCHEMA", "MachineMetadataMixin")

SCHEMA = """
CREATE TABLE IF NOT EXISTS robot_metadata (
    robot_id TEXT PRIMARY KEY REFERENCES robots(id) ON DELETE CASCADE,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS robot_part_metadata (
    part_id TEXT PRIMARY KEY REFERENCES robot_parts(id) ON DELETE CASCADE,
    data TEXT NOT NULL
);
"""
"""Metadata of machines and of parts, one JSON object each (absent: empty)."""


def _read(conn: sqlite3.Connection, table: str, column: str, key: str) -> str:
    # table and column come from this module, never from a request
    row = conn.execute(f"SELECT data FROM {table} WHERE {column} = ?", (key,)).fetchone()
    return "{}" if row is None else str(row["data"])


def _write(conn: sqlite3.Connection, table: str, column: str, key: str, text: str) -> None:
    conn.execute(
        f"INSERT INTO {table} ({column}, data) VALUES (?, ?) ON CONFLICT ({column}) DO UPDATE SET data = excluded.data",
        (key, text),
    )


class MachineMetadataMixin:
    """Handlers for the metadata of machines and parts."""

    ctx: Context

    async def get_robot_metadata(
        self,
        request: app.GetRobotMetadataRequest,
        stream: Stream[app.GetRobotMetadataRequest, app.GetRobotMetadataResponse],
    ) -> app.GetRobotMetadataResponse:
        """Return a machine's metadata (``{}`` if none was set)."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.id, "id")
        await self.ctx.require(caller, "read_robot", "robot", robot_id)

        def load(conn: sqlite3.Connection) -> str:
            fetch_robot(conn, robot_id)
            return _read(conn, "robot_metadata", "robot_id", robot_id)

        return app.GetRobotMetadataResponse(data=await struct_for(await self.ctx.store.read(load)))

    async def update_robot_metadata(
        self,
        request: app.UpdateRobotMetadataRequest,
        stream: Stream[app.UpdateRobotMetadataRequest, app.UpdateRobotMetadataResponse],
    ) -> app.UpdateRobotMetadataResponse:
        """Replace a machine's metadata with ``data``."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.id, "id")
        text = await converted(metadata_json, request.data, "data")
        await self.ctx.require(caller, "write_robot", "robot", robot_id)

        def store(conn: sqlite3.Connection) -> None:
            fetch_robot(conn, robot_id)
            _write(conn, "robot_metadata", "robot_id", robot_id, text)

        await self.ctx.store.write(store)
        return app.UpdateRobotMetadataResponse()

    async def get_robot_part_metadata(
        self,
        request: app.GetRobotPartMetadataRequest,
        stream: Stream[app.GetRobotPartMetadataRequest, app.GetRobotPartMetadataResponse],
    ) -> app.GetRobotPartMetadataResponse:
        """Return a part's metadata (``{}`` if none was set)."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.id, "id")
        await self.ctx.require(caller, "read_robot", "robot", await self.ctx.robot_of_part(part_id))

        def load(conn: sqlite3.Connection) -> str:
            fetch_part(conn, part_id)
            return _read(conn, "robot_part_metadata", "part_id", part_id)

        return app.GetRobotPartMetadataResponse(data=await struct_for(await self.ctx.store.read(load)))

    async def update_robot_part_metadata(
        self,
        request: app.UpdateRobotPartMetadataRequest,
        stream: Stream[app.UpdateRobotPartMetadataRequest, app.UpdateRobotPartMetadataResponse],
    ) -> app.UpdateRobotPartMetadataResponse:
        """Replace a part's metadata with ``data``."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.id, "id")
        text = await converted(metadata_json, request.data, "data")
        await self.ctx.require(caller, "write_robot", "robot", await self.ctx.robot_of_part(part_id))

        def store(conn: sqlite3.Connection) -> None:
            fetch_part(conn, part_id)
            _write(conn, "robot_part_metadata", "part_id", part_id, text)

        await self.ctx.store.write(store)
        return app.UpdateRobotPartMetadataResponse()

"""Favourite machines (``AddFavoriteMachine``, ``ListFavoriteMachines``, ``RemoveFavoriteMachine``).

Favourites belong to the API key that calls: on this server roles are held by keys, so a key's favourites are
its own, never shared with other keys of the same user. Adding one needs ``read_robot`` on the machine; the list
shows only machines the key can still read (a favourite of a machine it lost access to stays stored, hidden, and
comes back if access does); removing one touches only the caller's own list. A deleted machine leaves every
list, a deleted key takes its favourites with it.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.viam.app import v1 as app

from ..store.ids import from_iso, not_found, now, require_id, to_iso
from ..store.robot_rows import fetch_robot, robot_message

if TYPE_CHECKING:
    from ..context import Context

__all__ = ("MAX_FAVORITES", "SCHEMA", "FavoritesMixin")

SCHEMA = """
CREATE TABLE IF NOT EXISTS favorite_machines (
    identity_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    robot_id TEXT NOT NULL REFERENCES robots(id) ON DELETE CASCADE,
    created_on TEXT NOT NULL,
    PRIMARY KEY (identity_id, robot_id)
);
CREATE INDEX IF NOT EXISTS favorite_machines_robot ON favorite_machines(robot_id);
"""
"""Each identity's favourite machines."""

MAX_FAVORITES = 1000
"""Most favourites one identity may keep."""


class FavoritesMixin:
    """Handlers for the caller's favourite machines."""

    ctx: Context

    async def add_favorite_machine(
        self,
        request: app.AddFavoriteMachineRequest,
        stream: Stream[app.AddFavoriteMachineRequest, app.AddFavoriteMachineResponse],
    ) -> app.AddFavoriteMachineResponse:
        """Add a machine the caller can read to its favourites (again: no change)."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.machine_id, "machine_id")
        await self.ctx.require(caller, "read_robot", "robot", robot_id)

        def add(conn: sqlite3.Connection) -> None:
            fetch_robot(conn, robot_id)
            count = conn.execute(
                "SELECT count(*) FROM favorite_machines WHERE identity_id = ?", (caller.key_id,)
            ).fetchone()[0]
            if count >= MAX_FAVORITES:
                raise GRPCError(Status.RESOURCE_EXHAUSTED, f"you already have {MAX_FAVORITES} favourite machines")
            conn.execute(
                "INSERT OR IGNORE INTO favorite_machines (identity_id, robot_id, created_on) VALUES (?, ?, ?)",
                (caller.key_id, robot_id, to_iso(now())),
            )

        await self.ctx.store.write(add)
        return app.AddFavoriteMachineResponse()

    async def list_favorite_machines(
        self,
        request: app.ListFavoriteMachinesRequest,
        stream: Stream[app.ListFavoriteMachinesRequest, app.ListFavoriteMachinesResponse],
    ) -> app.ListFavoriteMachinesResponse:
        """List the caller's favourites it can still read, oldest first, each with its machine's organization."""
        caller = await self.ctx.caller(stream)

        def load(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            return conn.execute(
                "SELECT f.created_on AS favored_on, r.*, l.org_id AS org_id FROM favorite_machines f "
                "JOIN robots r ON r.id = f.robot_id JOIN locations l ON l.id = r.location_id "
                "WHERE f.identity_id = ? ORDER BY f.created_on, r.id",
                (caller.key_id,),
            ).fetchall()

        favorites: list[app.FavoriteMachine] = []
        for row in await self.ctx.store.read(load):
            if await self.ctx.allowed(caller, "read_robot", "robot", row["id"]):
                favorites.append(
                    app.FavoriteMachine(
                        machine=robot_message(row),
                        organization_id=row["org_id"],
                        created_on=from_iso(row["favored_on"]),
                    )
                )
        return app.ListFavoriteMachinesResponse(favorites=favorites)

    async def remove_favorite_machine(
        self,
        request: app.RemoveFavoriteMachineRequest,
        stream: Stream[app.RemoveFavoriteMachineRequest, app.RemoveFavoriteMachineResponse],
    ) -> app.RemoveFavoriteMachineResponse:
        """Remove a machine from the caller's favourites; ``NOT_FOUND`` if it is not one."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.machine_id, "machine_id")

        def remove(conn: sqlite3.Connection) -> None:
            gone = conn.execute(
                "DELETE FROM favorite_machines WHERE identity_id = ? AND robot_id = ?", (caller.key_id, robot_id)
            ).rowcount
            if not gone:
                raise not_found(f"machine_id: machine {robot_id} is not among your favourite machines")

        await self.ctx.store.write(remove)
        return app.RemoveFavoriteMachineResponse()

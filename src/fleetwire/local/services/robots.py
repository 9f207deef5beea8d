"""Machines: the AppService handlers of ``RobotsMixin`` (the core server class inherits it), with parts and logs.

A machine always has exactly one main part (created with it; ``MarkPartAsMain`` moves the mark; the main part
cannot be deleted). Part names are unique within a machine, machine names within a location. Every change of a
part's name or config appends a history entry holding the part as it was before the change.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.services import codec
from fleetwire_api.viam.app.v1 import (
    ApiKey,
    ApiKeyWithAuthorizations,
    AuthorizationDetails,
    DeleteRobotRequest,
    DeleteRobotResponse,
    GetRobotApiKeysRequest,
    GetRobotApiKeysResponse,
    GetRobotRequest,
    GetRobotResponse,
    GetRoverRentalRobotsRequest,
    GetRoverRentalRobotsResponse,
    ListRobotsForLocationsRequest,
    ListRobotsForLocationsResponse,
    ListRobotsRequest,
    ListRobotsResponse,
    NewRobotRequest,
    NewRobotResponse,
    Robot,
    UpdateRobotRequest,
    UpdateRobotResponse,
)

from ..store import robot_lists, robot_rows
from ..store.ids import (
    from_iso,
    invalid,
    new_id,
    now,
    require_id,
    require_name,
    to_iso,
)
from ..store.robot_rows import fetch_robot, insert_part, robot_columns
from ..wire import Encoded, field_bytes, repeated_field
from . import robot_logs
from .robot_logs import PartLogsMixin
from .robot_parts import PartsMixin

if TYPE_CHECKING:
    from ..context import Context

__all__ = ("SCHEMA", "RobotsMixin")

SCHEMA = robot_rows.SCHEMA + robot_logs.SCHEMA + robot_lists.SCHEMA
"""Every table of machines, parts, secrets, history and logs, and the change counter of machines."""


_MAX_LOCATIONS_PER_LIST = 1000


def _already_exists(message: str) -> GRPCError:
    return GRPCError(Status.ALREADY_EXISTS, message)


class RobotsMixin(PartsMixin, PartLogsMixin):
    """Handlers for machines, and (inherited) for their parts, part secrets, part history and part logs."""

    ctx: Context

    # -- machines ------------------------------------------------------------------------------------------------

    async def get_robot(
        self, request: GetRobotRequest, stream: Stream[GetRobotRequest, GetRobotResponse]
    ) -> GetRobotResponse:
        """Return a machine by id."""
        return codec.decode(GetRobotResponse, await self.get_robot_encoded(request, stream))

    async def get_robot_encoded(self, request: GetRobotRequest, stream: Stream[Any, Any]) -> Encoded:
        """:meth:`get_robot`, answered in wire form from the memo of encoded machines (``RobotEncodings``)."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.id, "id")
        await self.ctx.require(caller, "read_robot", "robot", robot_id)
        encodings = self.ctx.robot_encodings

        def load(conn: sqlite3.Connection) -> Encoded:
            row = fetch_robot(conn, robot_id)
            # GetRobotResponse: robot = 1.
            return Encoded(field_bytes(1, encodings.encode(robot_columns(row))))

        return await self.ctx.store.read(load)

    async def list_robots(
        self, request: ListRobotsRequest, stream: Stream[ListRobotsRequest, ListRobotsResponse]
    ) -> ListRobotsResponse:
        """List the machines of a location, by name."""
        return codec.decode(ListRobotsResponse, await self.list_robots_encoded(request, stream))

    async def list_robots_encoded(self, request: ListRobotsRequest, stream: Stream[Any, Any]) -> Encoded:
        """:meth:`list_robots`, answered in wire form from the memo of encoded machines (``RobotEncodings``).

        The server serves ``ListRobots`` with this (see ``LocalAppService.__mapping__``): the same bytes as encoding
        the response :meth:`list_robots` describes.
        """
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        await self.ctx.require(caller, "read_robot", "location", location_id)
        encodings, lists = self.ctx.robot_encodings, self.ctx.robot_lists

        def load(conn: sqlite3.Connection) -> Encoded:
            # ListRobotsResponse: robots = 1 (repeated Robot).
            return Encoded(repeated_field(1, encodings.encode_rows(lists.rows(conn, location_id))))

        return await self.ctx.store.read(load)

    async def list_robots_for_locations(
        self,
        request: ListRobotsForLocationsRequest,
        stream: Stream[ListRobotsForLocationsRequest, ListRobotsForLocationsResponse],
    ) -> ListRobotsForLocationsResponse:
        """List the machines of several locations: each location in the order asked (once), its machines by name.

        Every location is checked as ``ListRobots`` checks one; a single one denied (or missing) fails the call,
        naming it.
        """
        caller = await self.ctx.caller(stream)
        if len(request.location_ids) > _MAX_LOCATIONS_PER_LIST:
            raise invalid(f"location_ids has more than {_MAX_LOCATIONS_PER_LIST} entries")
        location_ids = list(
            dict.fromkeys(require_id(lid, f"location_ids[{i}]") for i, lid in enumerate(request.location_ids))
        )
        for location_id in location_ids:
            await self.ctx.require(caller, "read_robot", "location", location_id)
        encodings, lists = self.ctx.robot_encodings, self.ctx.robot_lists

        def load(conn: sqlite3.Connection) -> list[bytes]:
            return [encoded for lid in location_ids for encoded in encodings.encode_rows(lists.rows(conn, lid))]

        encoded = await self.ctx.store.read(load)
        return ListRobotsForLocationsResponse(robots=[codec.decode(Robot, robot) for robot in encoded])

    async def new_robot(
        self, request: NewRobotRequest, stream: Stream[NewRobotRequest, NewRobotResponse]
    ) -> NewRobotResponse:
        """Create a machine in a location, with a main part named ``<name>-main``."""
        caller = await self.ctx.caller(stream)
        name = require_name(request.name, "name")
        location_id = require_id(request.location, "location")
        await self.ctx.require(caller, "write_robot", "location", location_id)
        robot_id = new_id()

        def create(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO robots (id, name, location_id, created_on) VALUES (?, ?, ?, ?)",
                    (robot_id, name, location_id, to_iso(now())),
                )
            except sqlite3.IntegrityError as exc:
                raise _already_exists(f"name: location {location_id} already has a machine named {name!r}") from exc
            insert_part(conn, robot_id, f"{name}-main", main=True)

        await self.ctx.store.write(create)
        return NewRobotResponse(id=robot_id)

    async def update_robot(
        self, request: UpdateRobotRequest, stream: Stream[UpdateRobotRequest, UpdateRobotResponse]
    ) -> UpdateRobotResponse:
        """Rename a machine and/or move it to another location."""
        return codec.decode(UpdateRobotResponse, await self.update_robot_encoded(request, stream))

    async def update_robot_encoded(self, request: UpdateRobotRequest, stream: Stream[Any, Any]) -> Encoded:
        """:meth:`update_robot`, answered in wire form from the memo of encoded machines (``RobotEncodings``)."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.id, "id")
        name = require_name(request.name, "name")
        target = require_id(request.location, "location") if request.location else ""
        await self.ctx.require(caller, "write_robot", "robot", robot_id)
        if target:
            await self.ctx.require(caller, "write_robot", "location", target)
        encodings = self.ctx.robot_encodings

        def update(conn: sqlite3.Connection) -> Encoded:
            current = robot_columns(fetch_robot(conn, robot_id))
            location_id = target or current[2]
            try:
                conn.execute("UPDATE robots SET name = ?, location_id = ? WHERE id = ?", (name, location_id, robot_id))
            except sqlite3.IntegrityError as exc:
                raise _already_exists(f"name: location {location_id} already has a machine named {name!r}") from exc
            # The row as it now is: only the two columns just set changed (no trigger writes to ``robots``).
            # UpdateRobotResponse: robot = 1.
            return Encoded(field_bytes(1, encodings.encode((current[0], name, location_id, current[3], current[4]))))

        return await self.ctx.store.write(update)

    async def delete_robot(
        self, request: DeleteRobotRequest, stream: Stream[DeleteRobotRequest, DeleteRobotResponse]
    ) -> DeleteRobotResponse:
        """Delete a machine with its parts, secrets, history, logs and roles; live tails of its parts end."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.id, "id")
        await self.ctx.require(caller, "write_robot", "robot", robot_id)

        def delete(conn: sqlite3.Connection) -> list[str]:
            fetch_robot(conn, robot_id)
            parts = [
                str(row["id"]) for row in conn.execute("SELECT id FROM robot_parts WHERE robot_id = ?", (robot_id,))
            ]
            conn.execute("DELETE FROM robots WHERE id = ?", (robot_id,))
            # Roles held on the machine go with it (the core's table; a stale grant must not outlive it).
            conn.execute("DELETE FROM authorizations WHERE resource_type = 'robot' AND resource_id = ?", (robot_id,))
            return parts

        for part_id in await self.ctx.store.write(delete):
            await self.ctx.logs.end_part(part_id)
        return DeleteRobotResponse()

    async def get_robot_api_keys(
        self, request: GetRobotApiKeysRequest, stream: Stream[GetRobotApiKeysRequest, GetRobotApiKeysResponse]
    ) -> GetRobotApiKeysResponse:
        """List the API keys holding a role on this machine (keys are stored hashed, so ``key`` is empty)."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.robot_id, "robot_id")
        await self.ctx.require(caller, "read_robot", "robot", robot_id)

        def load(conn: sqlite3.Connection) -> list[ApiKeyWithAuthorizations]:
            rows = conn.execute(
                "SELECT k.id AS key_id, k.name AS key_name, k.created_on AS key_created, k.org_id AS org_id, "
                "a.role AS role FROM authorizations a JOIN api_keys k ON k.id = a.identity_id "
                "WHERE a.resource_type = 'robot' AND a.resource_id = ? ORDER BY k.created_on, k.id",
                (robot_id,),
            ).fetchall()
            keys: dict[str, ApiKeyWithAuthorizations] = {}
            for row in rows:
                entry = keys.setdefault(
                    row["key_id"],
                    ApiKeyWithAuthorizations(
                        api_key=ApiKey(id=row["key_id"], name=row["key_name"], created_on=from_iso(row["key_created"]))
                    ),
                )
                entry.authorizations.append(
                    AuthorizationDetails(
                        authorization_type="role",
                        authorization_id=f"robot_{row['role']}",
                        resource_type="robot",
                        resource_id=robot_id,
                        org_id=row["org_id"],
                    )
                )
            return list(keys.values())

        return GetRobotApiKeysResponse(api_keys=await self.ctx.store.read(load))

    async def get_rover_rental_robots(
        self,
        request: GetRoverRentalRobotsRequest,
        stream: Stream[GetRoverRentalRobotsRequest, GetRoverRentalRobotsResponse],
    ) -> GetRoverRentalRobotsResponse:
        """Rover rentals do not exist on a local fleet: always an empty list, after the usual checks."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.org_id, "org_id")
        await self.ctx.require(caller, "read_organization", "organization", org_id)
        return GetRoverRentalRobotsResponse(robots=[])

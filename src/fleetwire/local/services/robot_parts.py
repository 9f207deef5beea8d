"""Machine parts: the AppService handlers of ``PartsMixin`` (parts, part secrets, part config history).

Every change of a part's name or config appends a history entry holding the part as it was before the change
(secrets left out); ``last_known_update`` makes an update conditional on the part being unchanged since.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.services import codec
from fleetwire_api.viam.app.v1 import (
    AuthenticationType,
    AuthenticatorInfo,
    CreateRobotPartSecretRequest,
    CreateRobotPartSecretResponse,
    DeleteRobotPartRequest,
    DeleteRobotPartResponse,
    DeleteRobotPartSecretRequest,
    DeleteRobotPartSecretResponse,
    GetRobotPartHistoryRequest,
    GetRobotPartHistoryResponse,
    GetRobotPartRequest,
    GetRobotPartResponse,
    GetRobotPartsRequest,
    GetRobotPartsResponse,
    MarkPartAsMainRequest,
    MarkPartAsMainResponse,
    MarkPartForRestartRequest,
    MarkPartForRestartResponse,
    NewRobotPartRequest,
    NewRobotPartResponse,
    RobotPart,
    RobotPartHistoryEntry,
    SharedSecretState,
    UpdateRobotPartRequest,
    UpdateRobotPartResponse,
)

from ..store.configs import ConfigForms, new_config
from ..store.ids import (
    encode_page_token,
    from_iso,
    new_id,
    new_secret,
    not_found,
    now,
    require_id,
    require_name,
    to_iso,
)
from ..store.paging import history_page
from ..store.robot_rows import PART_QUERY, fetch_part, fetch_robot, insert_part, part_message
from ..wire import Encoded, decode_keeping_structs, field_bytes, repeated_field

if TYPE_CHECKING:
    from ..context import Caller, Context

__all__ = ("PartsMixin", "replace_part", "require_unchanged_since")


_DEFAULT_HISTORY_PAGE = 100
_MAX_HISTORY_PAGE = 1000


def _editor(caller: Caller) -> tuple[int, str]:
    if caller.key_id:
        return int(AuthenticationType.API_KEY), caller.key_id
    return int(AuthenticationType.WEB_OAUTH), caller.user_email


def _already_exists(message: str) -> GRPCError:
    return GRPCError(Status.ALREADY_EXISTS, message)


def _record_history(conn: sqlite3.Connection, before: RobotPart, caller: Caller) -> None:
    kind, value = _editor(caller)
    conn.execute(
        "INSERT INTO robot_part_history (part_id, robot_id, edited_on, old_part, editor_type, editor_value) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (before.id, before.robot, to_iso(now()), codec.encode(before), kind, value),
    )


def require_unchanged_since(known: datetime | None, stored: str, what: str) -> None:
    """``ABORTED`` if ``known`` (a client's ``last_known_update``) is older than the ``stored`` last update.

    Equal passes: ``stored`` has the precision the server sends back in ``last_updated`` (microseconds).
    """
    if known is not None and known < from_iso(stored):
        raise GRPCError(
            Status.ABORTED,
            f"last_known_update: {what} changed since (last updated {stored}); reload it and re-apply your change",
        )


def replace_part(
    conn: sqlite3.Connection, row: sqlite3.Row, name: str, config: ConfigForms | None, caller: Caller
) -> sqlite3.Row:
    """Give a part (its :func:`fetch_part` row) ``name`` and ``config`` (``None``: keep it); return the new row.

    A change appends a history entry holding the part as it was and moves ``last_updated``; no change writes nothing.
    """
    if config is None or config.text == row["config_json"]:
        if name == row["name"]:
            return row
        config = ConfigForms(row["config_json"], row["config_wire"])  # a rename keeps the stored forms
    _record_history(conn, part_message(conn, row, with_secrets=False), caller)
    try:
        conn.execute(
            "UPDATE robot_parts SET name = ?, config_json = ?, config_wire = ?, last_updated = ? WHERE id = ?",
            (name, config.text, config.wire, to_iso(now()), row["id"]),
        )
    except sqlite3.IntegrityError as exc:
        raise _already_exists(f"name: machine {row['robot_id']} already has a part named {name!r}") from exc
    return fetch_part(conn, row["id"])


class PartsMixin:
    """Handlers for parts, part secrets and part history."""

    ctx: Context

    async def get_robot_parts(
        self, request: GetRobotPartsRequest, stream: Stream[GetRobotPartsRequest, GetRobotPartsResponse]
    ) -> GetRobotPartsResponse:
        """List the parts of a machine, main part first."""
        return codec.decode(GetRobotPartsResponse, await self.get_robot_parts_encoded(request, stream))

    async def get_robot_parts_encoded(self, request: GetRobotPartsRequest, stream: Stream[Any, Any]) -> Encoded:
        """:meth:`get_robot_parts`, answered in wire form from the memo of encoded parts (``PartEncodings``)."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.robot_id, "robot_id")
        await self.ctx.require(caller, "read_robot", "robot", robot_id)
        with_secrets = await self.ctx.allowed(caller, "read_robot_secret", "robot", robot_id)
        encodings = self.ctx.part_encodings

        def load(conn: sqlite3.Connection) -> Encoded:
            rows = conn.execute(
                f"{PART_QUERY} WHERE p.robot_id = ? ORDER BY p.main_part DESC, p.name, p.id", (robot_id,)
            )
            # GetRobotPartsResponse: parts = 1 (repeated RobotPart).
            return Encoded(repeated_field(1, [encodings.encode(conn, row, with_secrets=with_secrets) for row in rows]))

        return await self.ctx.store.read(load)

    async def get_robot_part(
        self, request: GetRobotPartRequest, stream: Stream[GetRobotPartRequest, GetRobotPartResponse]
    ) -> GetRobotPartResponse:
        """Return a part, and its config as JSON text (``config_json``)."""
        return codec.decode(GetRobotPartResponse, await self.get_robot_part_encoded(request, stream))

    async def get_robot_part_encoded(self, request: GetRobotPartRequest, stream: Stream[Any, Any]) -> Encoded:
        """:meth:`get_robot_part`, answered in wire form from the memo of encoded parts (``PartEncodings``)."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.id, "id")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "read_robot", "robot", robot_id)
        with_secrets = await self.ctx.allowed(caller, "read_robot_secret", "robot", robot_id)
        encodings = self.ctx.part_encodings

        def load(conn: sqlite3.Connection) -> Encoded:
            row = fetch_part(conn, part_id)
            part = encodings.encode(conn, row, with_secrets=with_secrets)
            # GetRobotPartResponse: part = 1, config_json = 2.
            config_json = str(row["config_json"]).encode()
            return Encoded(field_bytes(1, part) + (field_bytes(2, config_json) if config_json else b""))

        return await self.ctx.store.read(load)

    async def update_robot_part(
        self, request: UpdateRobotPartRequest, stream: Stream[UpdateRobotPartRequest, UpdateRobotPartResponse]
    ) -> UpdateRobotPartResponse:
        """Rename a part and/or replace its config; a change appends a history entry of the old part."""
        return codec.decode(UpdateRobotPartResponse, await self.update_robot_part_encoded(request, stream))

    async def update_robot_part_encoded(self, request: UpdateRobotPartRequest, stream: Stream[Any, Any]) -> Encoded:
        """:meth:`update_robot_part`, answered in wire form from the memo of encoded parts (``PartEncodings``)."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.id, "id")
        name = require_name(request.name, "name")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "write_robot", "robot", robot_id)
        with_secrets = await self.ctx.allowed(caller, "read_robot_secret", "robot", robot_id)
        known = request.last_known_update
        # robot_config_json wins over robot_config when both are set, as the official client documents.
        config = await new_config(request.robot_config, request.robot_config_json, "robot_config", "robot_config_json")

        encodings = self.ctx.part_encodings

        def update(conn: sqlite3.Connection) -> Encoded:
            row = fetch_part(conn, part_id)
            require_unchanged_since(known, row["last_updated"], f"robot part {part_id}")
            row = replace_part(conn, row, name, config, caller)
            # UpdateRobotPartResponse: part = 1.
            return Encoded(field_bytes(1, encodings.encode(conn, row, with_secrets=with_secrets)))

        return await self.ctx.store.write(update)

    async def new_robot_part(
        self, request: NewRobotPartRequest, stream: Stream[NewRobotPartRequest, NewRobotPartResponse]
    ) -> NewRobotPartResponse:
        """Add a (non-main) part to a machine."""
        caller = await self.ctx.caller(stream)
        robot_id = require_id(request.robot_id, "robot_id")
        name = require_name(request.part_name, "part_name")
        await self.ctx.require(caller, "write_robot", "robot", robot_id)

        def create(conn: sqlite3.Connection) -> str:
            fetch_robot(conn, robot_id)
            return insert_part(conn, robot_id, name, main=False)

        return NewRobotPartResponse(part_id=await self.ctx.store.write(create))

    async def delete_robot_part(
        self, request: DeleteRobotPartRequest, stream: Stream[DeleteRobotPartRequest, DeleteRobotPartResponse]
    ) -> DeleteRobotPartResponse:
        """Delete a part that is not its machine's main part; its live tails end."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.part_id, "part_id")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "write_robot", "robot", robot_id)

        def delete(conn: sqlite3.Connection) -> None:
            if fetch_part(conn, part_id)["main_part"]:
                raise GRPCError(
                    Status.FAILED_PRECONDITION, "part_id is the machine's main part; mark another part as main first"
                )
            conn.execute("DELETE FROM robot_parts WHERE id = ?", (part_id,))

        await self.ctx.store.write(delete)
        await self.ctx.logs.end_part(part_id)
        return DeleteRobotPartResponse()

    async def mark_part_as_main(
        self, request: MarkPartAsMainRequest, stream: Stream[MarkPartAsMainRequest, MarkPartAsMainResponse]
    ) -> MarkPartAsMainResponse:
        """Make a part its machine's main part (the previous main part stops being main)."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.part_id, "part_id")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "write_robot", "robot", robot_id)

        def mark(conn: sqlite3.Connection) -> None:
            row = fetch_part(conn, part_id)
            conn.execute(
                "UPDATE robot_parts SET main_part = 0 WHERE robot_id = ? AND main_part = 1", (row["robot_id"],)
            )
            conn.execute("UPDATE robot_parts SET main_part = 1 WHERE id = ?", (part_id,))

        await self.ctx.store.write(mark)
        return MarkPartAsMainResponse()

    async def mark_part_for_restart(
        self,
        request: MarkPartForRestartRequest,
        stream: Stream[MarkPartForRestartRequest, MarkPartForRestartResponse],
    ) -> MarkPartForRestartResponse:
        """Flag a part for restart; ``RobotService.NeedsRestart`` reports (and clears) the flag."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.part_id, "part_id")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "control_robot", "robot", robot_id)

        def mark(conn: sqlite3.Connection) -> None:
            fetch_part(conn, part_id)
            conn.execute("UPDATE robot_parts SET needs_restart = 1 WHERE id = ?", (part_id,))

        await self.ctx.store.write(mark)
        return MarkPartForRestartResponse()

    async def create_robot_part_secret(
        self,
        request: CreateRobotPartSecretRequest,
        stream: Stream[CreateRobotPartSecretRequest, CreateRobotPartSecretResponse],
    ) -> CreateRobotPartSecretResponse:
        """Add a new enabled secret to a part; returns the part with its secrets."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.part_id, "part_id")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "write_robot", "robot", robot_id)
        await self.ctx.require(caller, "read_robot_secret", "robot", robot_id)

        def create(conn: sqlite3.Connection) -> RobotPart:
            fetch_part(conn, part_id)
            conn.execute(
                "INSERT INTO robot_part_secrets (id, part_id, secret, created_on, state) VALUES (?, ?, ?, ?, ?)",
                (new_id(), part_id, new_secret(), to_iso(now()), int(SharedSecretState.ENABLED)),
            )
            return part_message(conn, fetch_part(conn, part_id), with_secrets=True)

        return CreateRobotPartSecretResponse(part=await self.ctx.store.write(create))

    async def delete_robot_part_secret(
        self,
        request: DeleteRobotPartSecretRequest,
        stream: Stream[DeleteRobotPartSecretRequest, DeleteRobotPartSecretResponse],
    ) -> DeleteRobotPartSecretResponse:
        """Delete one secret of a part."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.part_id, "part_id")
        secret_id = require_id(request.secret_id, "secret_id")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "write_robot", "robot", robot_id)

        def delete(conn: sqlite3.Connection) -> None:
            fetch_part(conn, part_id)
            gone = conn.execute(
                "DELETE FROM robot_part_secrets WHERE id = ? AND part_id = ?", (secret_id, part_id)
            ).rowcount
            if not gone:
                raise not_found(f"secret_id: part {part_id} has no secret {secret_id}")

        await self.ctx.store.write(delete)
        return DeleteRobotPartSecretResponse()

    async def get_robot_part_history(
        self,
        request: GetRobotPartHistoryRequest,
        stream: Stream[GetRobotPartHistoryRequest, GetRobotPartHistoryResponse],
    ) -> GetRobotPartHistoryResponse:
        """Return a part's history, newest change first, paged by ``page_token`` / ``page_limit``."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.id, "id")
        limit, before = history_page(
            request.page_limit,
            request.page_token,
            owner_key="p",
            owner_id=part_id,
            default=_DEFAULT_HISTORY_PAGE,
            maximum=_MAX_HISTORY_PAGE,
        )
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "read_robot_history", "robot", robot_id)
        start, end = request.start, request.end

        def load(conn: sqlite3.Connection) -> tuple[list[RobotPartHistoryEntry], str]:
            clauses: list[str] = ["part_id = ?"]
            params: list[object] = [part_id]
            if before is not None:
                clauses.append("seq < ?")
                params.append(before)
            if start is not None:
                clauses.append("edited_on >= ?")
                params.append(to_iso(start))
            if end is not None:
                clauses.append("edited_on <= ?")
                params.append(to_iso(end))
            rows = conn.execute(
                f"SELECT * FROM robot_part_history WHERE {' AND '.join(clauses)} ORDER BY seq DESC LIMIT ?",
                [*params, limit + 1],
            ).fetchall()
            entries = [
                RobotPartHistoryEntry(
                    part=row["part_id"],
                    robot=row["robot_id"],
                    when=from_iso(row["edited_on"]),
                    old=decode_keeping_structs(RobotPart, row["old_part"]),  # its config as stored, not decoded
                    edited_by=AuthenticatorInfo(type=AuthenticationType(row["editor_type"]), value=row["editor_value"]),
                )
                for row in rows[:limit]
            ]
            token = ""
            if len(rows) > limit and entries:
                token = encode_page_token({"p": part_id, "s": int(rows[limit - 1]["seq"])})
            return entries, token

        history, token = await self.ctx.store.read(load)
        return GetRobotPartHistoryResponse(history=history, next_page_token=token)

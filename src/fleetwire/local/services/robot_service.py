"""``viam.app.v1.RobotService`` for simulated machines: push logs, fetch the part config, learn about restarts.

A machine part authenticates either with one of its part secrets (metadata ``secret: <part secret>``, the call's
``id`` being the part id) or like any other client with ``authorization: Bearer <token>`` of an API key that holds
the needed permission on the machine (``control_robot`` to push logs, ``read_robot_config`` otherwise).
Every call counts as the part being seen online.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

import betterproto2
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.services import RobotServiceBase
from fleetwire_api.viam.app.v1 import (
    CloudConfig,
    ComponentConfig,
    ConfigRequest,
    ConfigResponse,
    LogRequest,
    LogResponse,
    ModuleConfig,
    NeedsRestartRequest,
    NeedsRestartResponse,
    PackageConfig,
    ProcessConfig,
    RemoteConfig,
    RobotConfig,
    ServiceConfig,
    SharedSecretState,
)
from fleetwire_api.viam.common.v1 import LogEntry

from ..context import Context
from ..store.ids import now, require_id, to_iso
from ..store.robot_rows import fetch_part
from .robot_logs import MAX_ENTRIES_PER_PUSH, insert_logs

__all__ = ("RESTART_CHECK_INTERVAL", "LocalRobotService", "robot_config")

RESTART_CHECK_INTERVAL = timedelta(seconds=5)
"""How often a machine is told to poll ``NeedsRestart``."""

_SECTIONS: Mapping[str, type[betterproto2.Message]] = {
    "components": ComponentConfig,
    "services": ServiceConfig,
    "modules": ModuleConfig,
    "remotes": RemoteConfig,
    "processes": ProcessConfig,
    "packages": PackageConfig,
}


def robot_config(config: dict[str, Any], part: sqlite3.Row) -> RobotConfig:
    """Build the typed config a machine receives for a part's JSON config (items that do not fit are skipped)."""
    result = RobotConfig(
        cloud=CloudConfig(
            id=part["id"],
            location_id=part["location_id"],
            machine_id=part["robot_id"],
        ),
        revision=str(part["last_updated"]),
    )
    for key, message_type in _SECTIONS.items():
        items: object = config.get(key)
        if not isinstance(items, list):
            continue
        converted: list[Any] = []
        for item in cast("list[object]", items):
            if not isinstance(item, dict):
                continue
            try:
                converted.append(message_type.from_dict(cast("dict[str, Any]", item), ignore_unknown_fields=True))
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
        setattr(result, key, converted)
    for flag in ("debug", "disable_partial_start", "enable_web_profile"):
        value: object = config.get(flag)
        if isinstance(value, bool):
            setattr(result, flag, value)
    return result


def _secret_matches(conn: sqlite3.Connection, part_id: str, secret: str) -> bool:
    rows = conn.execute(
        "SELECT secret FROM robot_part_secrets WHERE part_id = ? AND state = ?",
        (part_id, int(SharedSecretState.ENABLED)),
    ).fetchall()
    return any(hmac.compare_digest(str(row["secret"]).encode(), secret.encode()) for row in rows)


def _consume_error(task: asyncio.Future[None]) -> None:
    """Mark a shielded ingestion's failure as seen (its caller, if still there, got it already)."""
    if not task.cancelled():
        task.exception()


def _touch(conn: sqlite3.Connection, part_id: str, robot_id: str) -> None:
    moment = to_iso(now())
    conn.execute("UPDATE robot_parts SET last_access = ? WHERE id = ?", (moment, part_id))
    conn.execute("UPDATE robots SET last_access = ? WHERE id = ?", (moment, robot_id))


class LocalRobotService(RobotServiceBase):
    """The RobotService of the local fleet: ``Log``, ``Config`` and ``NeedsRestart``."""

    def __init__(self, ctx: Context) -> None:
        """Serve from ``ctx``'s store and log bus."""
        self.ctx = ctx

    async def authenticate(self, stream: Stream[Any, Any]) -> None:
        """Check a call's headers before its body is read: a part secret is present, or the token is valid.

        Which part a secret belongs to is named in the body, so the secret itself is matched after decoding.
        """
        metadata: Mapping[str, Any] | None = getattr(stream, "metadata", None)
        secret = metadata.get("secret") if metadata is not None else None
        if not (isinstance(secret, str) and secret):
            await self.ctx.authenticate(stream)

    async def _authorize(self, stream: Stream[Any, Any], raw_part_id: str, permission: str) -> str:
        """Authenticate the part (secret) or the caller (token + ``permission``); return the part id."""
        metadata: Mapping[str, Any] | None = getattr(stream, "metadata", None)
        secret = metadata.get("secret") if metadata is not None else None
        if isinstance(secret, str) and secret:
            part_id = require_id(raw_part_id, "id")

            def check(conn: sqlite3.Connection) -> bool:
                exists = conn.execute("SELECT 1 FROM robot_parts WHERE id = ?", (part_id,)).fetchone() is not None
                return exists and _secret_matches(conn, part_id, secret)

            if not await self.ctx.store.read(check):
                raise GRPCError(Status.UNAUTHENTICATED, "the part secret does not match part id")
            return part_id
        caller = await self.ctx.caller(stream)
        part_id = require_id(raw_part_id, "id")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, permission, "robot", robot_id)
        return part_id

    async def config(self, request: ConfigRequest, stream: Stream[ConfigRequest, ConfigResponse]) -> ConfigResponse:
        """Return the part's current config, typed as the machine expects it."""
        part_id = await self._authorize(stream, request.id, "read_robot_config")

        def load(conn: sqlite3.Connection) -> RobotConfig:
            row = fetch_part(conn, part_id)
            _touch(conn, part_id, str(row["robot_id"]))
            return robot_config(json.loads(row["config_json"]), row)

        return ConfigResponse(config=await self.ctx.store.write(load))

    async def log(self, request: LogRequest, stream: Stream[LogRequest, LogResponse]) -> LogResponse:
        """Store the pushed entries (one batch insert) and hand them to the part's live tails, in order."""
        part_id = await self._authorize(stream, request.id, "control_robot")
        if len(request.logs) > MAX_ENTRIES_PER_PUSH:
            raise GRPCError(Status.INVALID_ARGUMENT, f"logs: at most {MAX_ENTRIES_PER_PUSH} entries per call")
        entries = request.logs

        def store(conn: sqlite3.Connection) -> Sequence[LogEntry]:
            row = fetch_part(conn, part_id)
            _touch(conn, part_id, str(row["robot_id"]))
            return insert_logs(conn, part_id, entries)

        async def ingest() -> None:
            async with self.ctx.logs.publishing(part_id):
                stored = await self.ctx.store.write(store)
                await self.ctx.logs.publish(part_id, stored)

        # Shielded: once stored, entries reach the live tails even if the machine hangs up mid-call.
        task = asyncio.ensure_future(ingest())
        task.add_done_callback(_consume_error)
        await asyncio.shield(task)
        return LogResponse()

    async def needs_restart(
        self, request: NeedsRestartRequest, stream: Stream[NeedsRestartRequest, NeedsRestartResponse]
    ) -> NeedsRestartResponse:
        """Whether the part was marked for restart since the last check; the mark is cleared by this answer."""
        part_id = await self._authorize(stream, request.id, "read_robot_config")

        def check(conn: sqlite3.Connection) -> bool:
            row = fetch_part(conn, part_id)
            _touch(conn, part_id, str(row["robot_id"]))
            conn.execute("UPDATE robot_parts SET needs_restart = 0 WHERE id = ?", (part_id,))
            return bool(row["needs_restart"])

        must_restart = await self.ctx.store.write(check)
        return NeedsRestartResponse(
            id=part_id, must_restart=must_restart, restart_check_interval=RESTART_CHECK_INTERVAL
        )

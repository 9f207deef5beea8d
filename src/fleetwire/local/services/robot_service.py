"""``viam.app.v1.RobotService`` for simulated machines: push logs, fetch the part config, learn about restarts.

A machine part authenticates either with one of its part secrets (metadata ``secret: <part secret>``, the call's
``id`` being the part id) or like any other client with ``authorization: Bearer <token>`` of an API key that holds
the needed permission on the machine (``control_robot`` to push logs, ``read_robot_config`` otherwise).
Either is checked from the headers before the body is read: a secret that opens no part is refused there, and the
part the body then names must be one the secret opens. Every call counts as the part being seen online.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

import betterproto2
from grpclib.const import Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.services import RobotServiceBase, codec
from fleetwire_api.services._codec import decode_fast
from fleetwire_api.services._runtime import serve_unary_unary
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

from ..auth.cache import EpochCache
from ..context import Context
from ..offload import off_loop, off_loop_if
from ..store.configs import is_large
from ..store.documents import free_piecewise, parse_json
from ..store.ids import now, require_id, to_iso
from ..store.robot_rows import SECRET_PREFIX, SECRET_PREFIX_LENGTH, fetch_part
from ..wire import Encoded, WireLogRequest
from .robot_logs import MAX_ENTRIES_PER_PUSH, LogRow, insert_log_rows, insert_logs, log_rows

__all__ = ("RESTART_CHECK_INTERVAL", "LocalRobotService", "robot_config")

_CONFIG = "/viam.app.v1.RobotService/Config"

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


def _rows_of_wire(part_id: str, entries: list[bytes], keep: bool) -> tuple[list[LogRow], Sequence[LogEntry]]:
    """Return the rows storing a large push's entries, and the entries themselves if ``keep`` (else none).

    Runs off the event loop (``offload``): the entries are decoded here, and freed piecewise unless kept.
    """
    decoded: list[LogEntry] = []
    for index, data in enumerate(entries):
        try:
            decoded.append(decode_fast(LogEntry, data))
        except Exception:
            raise GRPCError(
                Status.INVALID_ARGUMENT, f"malformed request: logs[{index}] is not a valid LogEntry"
            ) from None
    rows = log_rows(part_id, decoded, now())
    if keep:
        return rows, decoded
    free_piecewise(decoded)
    return rows, ()


def _config_answer(part: sqlite3.Row, large: bool) -> Encoded:
    """Return the encoded ``ConfigResponse`` of a part row (``large``: in plain Python, freed piecewise)."""
    config = cast("dict[str, Any]", parse_json(part["config_json"], large=large))
    answer = ConfigResponse(config=robot_config(config, part))
    encoded = Encoded(codec.encode(answer))
    if large:
        free_piecewise(answer)
        free_piecewise(config)
    return encoded


_SECRET_PARTS = "fleetwire_secret_parts"
"""The attribute of a call's stream that holds the parts its secret opens, found before its body was read."""

_MAX_SECRET_LENGTH = 1024
_UNKNOWN_SECRET = "the part secret is not a secret of any machine part"


def _secret_of(stream: Stream[Any, Any]) -> str | None:
    """Return the call's ``secret`` header, if it has a non-empty one."""
    metadata: Mapping[str, Any] | None = getattr(stream, "metadata", None)
    secret = metadata.get("secret") if metadata is not None else None
    return secret if isinstance(secret, str) and secret else None


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
        self._secret_parts: EpochCache[str, frozenset[str]] = EpochCache()  # secret -> the parts it opens

    async def authenticate(self, stream: Stream[Any, Any]) -> None:
        """Check a call's headers before its body is read: its part secret opens a part, or its token is valid.

        The parts the secret opens are kept on the stream; the one the body names is matched against them.
        """
        secret = _secret_of(stream)
        if secret is None:
            await self.ctx.authenticate(stream)
        else:
            setattr(stream, _SECRET_PARTS, await self._parts_opened_by(secret))  # ours, on grpclib's stream

    async def _parts_opened_by(self, secret: str) -> frozenset[str]:
        """Return the parts ``secret`` is an enabled secret of (one, in practice); ``UNAUTHENTICATED`` if none.

        One indexed lookup by the secret's first characters, or none while the answer is cached: a secret deleted,
        or its part, moves the store's epoch and so drops every cached answer.
        """
        store = self.ctx.store
        cached = self._secret_parts.get(secret, store.epoch)
        if cached is not None:
            return cached
        if len(secret) > _MAX_SECRET_LENGTH:
            raise GRPCError(Status.UNAUTHENTICATED, _UNKNOWN_SECRET)

        def look(conn: sqlite3.Connection) -> tuple[frozenset[str], int]:
            # Found by its first characters (indexed), then compared whole in constant time: how long the lookup
            # takes tells nothing of the rest of a secret.
            rows = conn.execute(
                f"SELECT part_id, secret FROM robot_part_secrets WHERE {SECRET_PREFIX} = ? AND state = ?",
                (secret[:SECRET_PREFIX_LENGTH], int(SharedSecretState.ENABLED)),
            ).fetchall()
            given = secret.encode()
            opened = (row["part_id"] for row in rows if hmac.compare_digest(str(row["secret"]).encode(), given))
            return frozenset(str(part_id) for part_id in opened), store.epoch

        parts, read_epoch = await store.read(look)
        if not parts:
            raise GRPCError(Status.UNAUTHENTICATED, _UNKNOWN_SECRET)
        self._secret_parts.put(secret, parts, read_epoch, store.epoch)
        return parts

    async def _authorize(self, stream: Stream[Any, Any], raw_part_id: str, permission: str) -> str:
        """Authenticate the part (secret) or the caller (token + ``permission``); return the part id."""
        secret = _secret_of(stream)
        if secret is not None:
            part_id = require_id(raw_part_id, "id")
            parts: frozenset[str] | None = getattr(stream, _SECRET_PARTS, None)
            if parts is None:  # called without the transport's check of the headers
                parts = await self._parts_opened_by(secret)
            if part_id not in parts:
                raise GRPCError(Status.UNAUTHENTICATED, "the part secret does not match part id")
            return part_id
        caller = await self.ctx.caller(stream)
        part_id = require_id(raw_part_id, "id")
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, permission, "robot", robot_id)
        return part_id

    def __mapping__(self) -> dict[str, Handler]:
        """Return the generated handler table, with ``Config`` answered in wire form (:meth:`config_encoded`)."""
        mapping = super().__mapping__()
        generated = mapping[_CONFIG]
        mapping[_CONFIG] = generated._replace(
            func=functools.partial(serve_unary_unary, self.config_encoded), reply_type=Encoded
        )
        return mapping

    async def config(self, request: ConfigRequest, stream: Stream[ConfigRequest, ConfigResponse]) -> ConfigResponse:
        """Return the part's current config, typed as the machine expects it."""
        return codec.decode(ConfigResponse, await self.config_encoded(request, stream))

    async def config_encoded(self, request: ConfigRequest, stream: Stream[Any, Any]) -> Encoded:
        """:meth:`config`, in wire form: a large config is read and its answer built off the event loop."""
        part_id = await self._authorize(stream, request.id, "read_robot_config")

        def load(conn: sqlite3.Connection) -> sqlite3.Row:
            row = fetch_part(conn, part_id)
            _touch(conn, part_id, str(row["robot_id"]))
            return row

        row = await self.ctx.store.write(load)
        large = is_large(row["config_json"])
        return await off_loop_if(large, _config_answer, row, large)

    async def log(self, request: LogRequest, stream: Stream[LogRequest, LogResponse]) -> LogResponse:
        """Store the pushed entries (one batch insert) and hand them to the part's live tails, in order.

        A large push (its entries still in wire form, :class:`~fleetwire.local.wire.WireLogRequest`) is turned into
        rows off the event loop; its entries are kept as objects only if the part has live tails to hand them to.
        """
        part_id = await self._authorize(stream, request.id, "control_robot")
        wire = request.entries if isinstance(request, WireLogRequest) else None
        if len(request.logs if wire is None else wire) > MAX_ENTRIES_PER_PUSH:
            raise GRPCError(Status.INVALID_ARGUMENT, f"logs: at most {MAX_ENTRIES_PER_PUSH} entries per call")
        made: tuple[list[LogRow], Sequence[LogEntry]] | None = None
        if wire is not None:
            made = await off_loop(_rows_of_wire, part_id, wire, self.ctx.logs.subscriber_count(part_id) > 0)

        def store(conn: sqlite3.Connection) -> Sequence[LogEntry]:
            row = fetch_part(conn, part_id)
            _touch(conn, part_id, str(row["robot_id"]))
            if made is None:
                return insert_logs(conn, part_id, request.logs)
            insert_log_rows(conn, made[0])
            return made[1]

        async def ingest() -> None:
            async with self.ctx.logs.publishing(part_id):
                stored = await self.ctx.store.write(store)
                if made is not None and not stored and made[0] and self.ctx.logs.subscriber_count(part_id):
                    stored = [codec.decode(LogEntry, row[4]) for row in made[0]]  # a tail came in meanwhile
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

"""``SetConfigProperty``: set values inside a part's config by path, all of a request or none of it.

The path syntax is :mod:`fleetwire.local.store.config_paths`'. Every change of a request is applied, in order, to a
copy of the config; if one cannot be (bad syntax, a path through a non-container, an index past the end, a value
that is not JSON), the call fails with ``INVALID_ARGUMENT`` naming the path and nothing is written. Otherwise the new
config replaces the old one in one transaction, exactly as ``UpdateRobotPart`` would: a history entry of the old
part, a new ``last_updated``, the same size limit.

The changes are applied outside the database thread (off the event loop too, for a large config, see
``store.configs``), to the config as read; the result is written only if the part is still as it was read, and the
whole is tried again (a few times, then ``UNAVAILABLE``) if another write came in between.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.google.protobuf import Value
from fleetwire_api.viam.app.v1 import (
    ConfigPropertyChangeResult,
    SetConfigPropertyRequest,
    SetConfigPropertyResponse,
)

from ..offload import off_loop_if
from ..store.config_paths import PathError, Step, parse_path, set_at
from ..store.configs import ConfigForms, config_from_text, dump_config, forms_of, is_large
from ..store.ids import invalid, require_id
from ..store.robot_rows import fetch_part
from .robot_parts import replace_part

if TYPE_CHECKING:
    from ..context import Context

__all__ = ("MAX_PROPERTY_CHANGES", "ConfigPropertiesMixin")

MAX_PROPERTY_CHANGES = 1000
"""Most changes one ``SetConfigProperty`` request may carry."""

_ATTEMPTS = 5
"""How many times the changes are applied to a freshly read config before concurrent writes make the call give up."""

_Change = tuple[str, list[Step], Any, Value]


def _changes(request: SetConfigPropertyRequest) -> list[_Change]:
    """Validate every change of ``request``: ``(path, steps, JSON value, wire value)`` each, or INVALID_ARGUMENT."""
    if not request.property_changes:
        raise invalid("property_changes is required")
    if len(request.property_changes) > MAX_PROPERTY_CHANGES:
        raise invalid(f"property_changes has more than {MAX_PROPERTY_CHANGES} entries")
    changes: list[_Change] = []
    for index, change in enumerate(request.property_changes):
        field = f"property_changes[{index}]"
        try:
            steps = parse_path(change.path)
        except PathError as exc:
            raise invalid(f"{field}.path {change.path[:200]!r} {exc}") from None
        if change.value is None:
            raise invalid(f"{field}.value is required (path {change.path!r})")
        try:
            value: Any = change.value.to_dict()
        except (ValueError, TypeError, RecursionError):
            raise invalid(f"{field}.value is not a JSON value (path {change.path!r})") from None
        dump_config({"value": value}, f"{field}.value (path {change.path[:200]!r})")  # too deep, large or not finite
        changes.append((change.path, steps, value, change.value))
    return changes


def _applied(text: str, changes: list[_Change], large: bool) -> ConfigForms:
    """Return the stored forms of the config ``text`` with every change applied in order (each, or an error)."""
    config = config_from_text(text, "config")  # a fresh copy: changes stay here until written
    for index, (path, steps, value, _) in enumerate(changes):
        try:
            set_at(config, steps, value)
        except PathError as exc:
            raise invalid(f"property_changes[{index}].path {path[:200]!r} {exc}; nothing was changed") from None
    return forms_of(config, "the resulting config", large=large)


class ConfigPropertiesMixin:
    """The ``SetConfigProperty`` handler."""

    ctx: Context

    async def set_config_property(
        self,
        request: SetConfigPropertyRequest,
        stream: Stream[SetConfigPropertyRequest, SetConfigPropertyResponse],
    ) -> SetConfigPropertyResponse:
        """Set each ``path`` of the part's config to its ``value``; all changes, or none (see the module docstring)."""
        caller = await self.ctx.caller(stream)
        part_id = require_id(request.robot_part_id, "robot_part_id")
        changes = _changes(request)
        robot_id = await self.ctx.robot_of_part(part_id)
        await self.ctx.require(caller, "write_robot", "robot", robot_id)

        for _ in range(_ATTEMPTS):
            row = await self.ctx.store.read(lambda conn: fetch_part(conn, part_id))
            text = str(row["config_json"])
            large = is_large(text)
            config = await off_loop_if(large, _applied, text, changes, large)

            def write(conn: sqlite3.Connection, read: sqlite3.Row = row, config: ConfigForms = config) -> bool:
                current = fetch_part(conn, part_id)
                if (current["last_updated"], current["config_json"]) != (read["last_updated"], read["config_json"]):
                    return False  # changed since it was read: apply the changes again, to the new config
                replace_part(conn, current, str(current["name"]), config, caller)
                return True

            if await self.ctx.store.write(write):
                break
        else:
            raise GRPCError(Status.UNAVAILABLE, f"robot part {part_id} kept changing while the changes were applied")
        return SetConfigPropertyResponse(
            property_changes=[
                ConfigPropertyChangeResult(path=path, value=wire, success=True) for path, _, _, wire in changes
            ]
        )

"""Machine parts: read, update with optimistic concurrency, history, config properties and secrets."""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, cast

from .. import export
from .._config_path import PathSyntaxError, parse_path
from .._paging import Pager
from .._wire import app_pb
from ..errors import AbortedError, ArgumentError, ConflictError
from ..logs import LogsStream
from ..models import RobotPart, RobotPartHistoryEntry, robot_part_from_response
from .args import (
    config_value,
    optional_config,
    optional_datetime,
    optional_int,
    optional_text,
    require_id,
    require_str,
)
from .base import ClientBase, present

_GET_ROBOT_PART = "/viam.app.v1.AppService/GetRobotPart"


class PartMethods(ClientBase):
    """Machine parts: read, update with optimistic concurrency, history, config properties and secrets."""

    async def get_robot_part(
        self,
        robot_part_id: str,
        dest: str | None = None,
        indent: int = 4,
        *,
        timeout: float | None = None,
    ) -> RobotPart:
        """Fetch one machine part, optionally saving its config as a JSON file.

        Args:
            robot_part_id: The part's id.
            dest: A file path; when given, the part's config is written there as JSON.
            indent: The number of spaces per indent level of the JSON written to ``dest`` (default 4).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine part.

        Raises:
            ArgumentError: If ``indent`` is negative (raised before any call).
            GRPCError: If the part id is invalid.

        Example:
            ::

                part = await client.get_robot_part(robot_part_id="part-1", dest="part-1.json")

        """
        require_id("robot_part_id", robot_part_id)
        optional_int("indent", indent)
        optional_text("dest", dest)
        # The response's bytes, read straight into the wrapper: the config Struct becomes a dict without a detour.
        rpc = functools.partial(self.raw.unary_unary_bytes, _GET_ROBOT_PART)
        data = await self._read(rpc, app_pb.GetRobotPartRequest(id=robot_part_id), timeout)
        part, config_json = robot_part_from_response(data)
        if dest:
            # The server's config_json is the canonical config; fall back to the part's struct when it is empty.
            config = json.loads(config_json) if config_json else (part.robot_config or {})
            export.write_json(dest, config, indent=indent)
        return part

    async def get_robot_part_history(
        self,
        robot_part_id: str,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        page_limit: int | None = None,
        *,
        timeout: float | None = None,
    ) -> list[RobotPartHistoryEntry]:
        """List the recorded history of a machine part (one page; :meth:`iter_robot_part_history` reads them all).

        Args:
            robot_part_id: The part's id.
            start: Only entries recorded at or after this time (default: no lower bound).
            end: Only entries recorded at or before this time (default: no upper bound).
            page_limit: How many entries to return at most (default: the server's page size).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The part's history entries.

        Raises:
            TypeError: If ``start`` or ``end`` is not a ``datetime``, or ``page_limit`` not an ``int``.
            ArgumentError: If ``page_limit`` is negative (raised before any call).
            GRPCError: If the part id is invalid.

        Example:
            ::

                history = await client.get_robot_part_history(robot_part_id="part-1", page_limit=20)

        """
        request = _history_request(robot_part_id, start, end, page_limit)
        response = await self._read(self.raw.get_robot_part_history, request, timeout)
        return [RobotPartHistoryEntry.from_proto(entry) for entry in response.history]

    def iter_robot_part_history(
        self,
        robot_part_id: str,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        *,
        page_limit: int | None = None,
        num_entries: int = 0,
        timeout: float | None = None,
    ) -> LogsStream[RobotPartHistoryEntry]:
        """Iterate over a machine part's whole history page by page, holding only a page or two in memory.

        The next page is requested while the current one is read. To stop early, close the stream with
        ``await entries.close()`` or leave its ``async with ... as entries:`` block.

        Args:
            robot_part_id: The part's id.
            start: Only entries recorded at or after this time (default: no lower bound).
            end: Only entries recorded at or before this time (default: no upper bound).
            page_limit: How many entries to ask the server for per page (default: the server's page size).
            num_entries: Stop after this many entries; 0 (the default) reads them all.
            timeout: Seconds each page request may take (default: the client's timeout).

        Returns:
            A stream of :class:`RobotPartHistoryEntry`.

        Raises:
            TypeError: If an argument has the wrong type.
            ArgumentError: If ``page_limit`` is not positive or ``num_entries`` negative (raised before any call).

        Example:
            ::

                async with client.iter_robot_part_history("part-1") as history:
                    async for entry in history:
                        print(entry.when, entry.old.name)

        """
        request = _history_request(robot_part_id, start, end, page_limit, first=1)
        optional_int("num_entries", num_entries)

        async def fetch(token: str) -> app_pb.GetRobotPartHistoryResponse:
            return await self._read(self.raw.get_robot_part_history, replace(request, page_token=token), timeout)

        pager = Pager(fetch, _history_page, _history_scan)
        return LogsStream(pager.chunks(limit=num_entries))

    async def update_robot_part(
        self,
        robot_part_id: str,
        name: str,
        robot_config: Mapping[str, Any] | None = None,
        last_known_update: datetime.datetime | None = None,
        robot_config_json: str | None = None,
        *,
        timeout: float | None = None,
    ) -> RobotPart:
        """Rename a machine part and, optionally, replace its config, unless it changed since it was read.

        Args:
            robot_part_id: The part's id.
            name: The part's new name.
            robot_config: A new config, as a mapping of JSON-able values; when omitted (or empty) the config stays
                as it is.
            last_known_update: The part's ``last_updated`` when it was read: the update is refused with
                :class:`~fleetwire.ConflictError` if the part changed since. ``None`` (the default) updates
                unconditionally.
            robot_config_json: A new config as JSON text, kept as written (key order, number spelling); when given,
                the server takes it instead of ``robot_config``.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The part as it is after the change (with its new ``last_updated``).

        Raises:
            TypeError: If ``robot_config`` is not a mapping of JSON-able values (the message names the key path),
                or another argument has the wrong type.
            ConflictError: If the part changed since ``last_known_update``: nothing was written; reload it with
                :meth:`get_robot_part`, re-apply the change and update again.
            GRPCError: If the part id, the name or the config is invalid.

        Example:
            ::

                part = await client.get_robot_part("part-1")
                config = dict(part.robot_config or {}, components=[])
                part = await client.update_robot_part(
                    part.id, part.name, config, last_known_update=part.last_updated
                )

        """
        require_id("robot_part_id", robot_part_id)
        require_str("name", name)
        optional_datetime("last_known_update", last_known_update)
        optional_text("robot_config_json", robot_config_json)
        request = app_pb.UpdateRobotPartRequest(
            id=robot_part_id,
            name=name,
            robot_config=optional_config("robot_config", robot_config),
            last_known_update=last_known_update,
            robot_config_json=robot_config_json or None,
        )
        try:
            response = await self._write(self.raw.update_robot_part, request, timeout)
        except AbortedError as exc:
            raise ConflictError.stale("machine part", robot_part_id, exc) from exc
        return RobotPart.from_proto(present(response.part, app_pb.RobotPart))

    async def set_config_property(
        self,
        robot_part_id: str,
        property_changes: Mapping[str, Any],
        timeout: float | None = None,
    ) -> list[app_pb.ConfigPropertyChangeResult]:
        """Set single values inside a machine part's config by path, without sending the whole config.

        A path is dot-separated keys with ``[N]`` list indices, e.g. ``components[0].attributes.speed``; a key
        holding ``.``, ``[`` or ``]`` is written as a JSON string in brackets: ``services[1]["x.y"]``.

        Args:
            robot_part_id: The part's id.
            property_changes: Path -> new value (any JSON-able value).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The result of each change, in the order given: its path, value, ``success`` and ``error``.

        Raises:
            TypeError: If ``property_changes`` is not a mapping of ``str`` paths to JSON-able values.
            ArgumentError: If a path does not follow the syntax (the message names the path).
            GRPCError: If the part id is invalid, or a change cannot be applied (then none is).

        Example:
            ::

                results = await client.set_config_property(
                    "part-1", {"components[0].attributes.speed": 20, "modules[0].version": "1.2.0"}
                )

        """
        require_id("robot_part_id", robot_part_id)
        changes = _property_changes(property_changes)
        request = app_pb.SetConfigPropertyRequest(robot_part_id=robot_part_id, property_changes=changes)
        response = await self._write(self.raw.set_config_property, request, timeout)
        return list(response.property_changes)

    async def new_robot_part(
        self,
        robot_id: str,
        part_name: str,
        *,
        timeout: float | None = None,
    ) -> str:
        """Add a new part to a machine.

        Args:
            robot_id: The machine's id.
            part_name: The new part's name.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The new part's id.

        Raises:
            GRPCError: If the machine id or the name is invalid.

        Example:
            ::

                part_id = await client.new_robot_part(robot_id="machine-1", part_name="camera-rig")

        """
        require_id("robot_id", robot_id)
        request = app_pb.NewRobotPartRequest(robot_id=robot_id, part_name=part_name)
        response = await self._write(self.raw.new_robot_part, request, timeout)
        return response.part_id

    async def delete_robot_part(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a machine part.

        Args:
            robot_part_id: The id of the part to delete (required).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                await client.delete_robot_part(robot_part_id="part-2")

        """
        require_id("robot_part_id", robot_part_id)
        await self._write(self.raw.delete_robot_part, app_pb.DeleteRobotPartRequest(part_id=robot_part_id), timeout)

    async def mark_part_as_main(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Make a part the main part of its machine.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                await client.mark_part_as_main(robot_part_id="part-1")

        """
        require_id("robot_part_id", robot_part_id)
        await self._write(self.raw.mark_part_as_main, app_pb.MarkPartAsMainRequest(part_id=robot_part_id), timeout)

    async def mark_part_for_restart(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Ask for a machine part to be restarted.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                await client.mark_part_for_restart(robot_part_id="part-1")

        """
        require_id("robot_part_id", robot_part_id)
        request = app_pb.MarkPartForRestartRequest(part_id=robot_part_id)
        await self._write(self.raw.mark_part_for_restart, request, timeout)

    async def create_robot_part_secret(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> RobotPart:
        """Add a new secret to a machine part.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The part the secret was created for.

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                part = await client.create_robot_part_secret(robot_part_id="part-1")

        """
        require_id("robot_part_id", robot_part_id)
        request = app_pb.CreateRobotPartSecretRequest(part_id=robot_part_id)
        response = await self._write(self.raw.create_robot_part_secret, request, timeout)
        return RobotPart.from_proto(present(response.part, app_pb.RobotPart))

    async def delete_robot_part_secret(
        self,
        robot_part_id: str,
        secret_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Remove one secret from a machine part.

        Args:
            robot_part_id: The part's id.
            secret_id: The id of the secret to remove.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the part id or the secret id is invalid.

        Example:
            ::

                await client.delete_robot_part_secret(robot_part_id="part-1", secret_id="secret-1")

        """
        require_id("robot_part_id", robot_part_id)
        require_id("secret_id", secret_id)
        request = app_pb.DeleteRobotPartSecretRequest(part_id=robot_part_id, secret_id=secret_id)
        await self._write(self.raw.delete_robot_part_secret, request, timeout)


def _history_request(
    robot_part_id: object, start: object, end: object, page_limit: object, *, first: int = 0
) -> app_pb.GetRobotPartHistoryRequest:
    """Check a part history query (``page_limit`` at least ``first``) and build its first request."""
    require_id("robot_part_id", robot_part_id)
    optional_datetime("start", start)
    optional_datetime("end", end)
    optional_int("page_limit", page_limit, minimum=first)
    return app_pb.GetRobotPartHistoryRequest(
        id=cast("str", robot_part_id),
        start=cast("datetime.datetime | None", start),
        end=cast("datetime.datetime | None", end),
        page_limit=cast("int | None", page_limit),
    )


def _history_page(response: app_pb.GetRobotPartHistoryResponse) -> tuple[list[RobotPartHistoryEntry], str]:
    return [RobotPartHistoryEntry.from_proto(entry) for entry in response.history], response.next_page_token


def _history_scan(response: app_pb.GetRobotPartHistoryResponse) -> tuple[int, str]:
    return len(response.history), response.next_page_token


def _property_changes(property_changes: object) -> list[app_pb.ConfigPropertyChange]:
    """Build the wire changes of ``set_config_property``, each path checked against the syntax, each value JSON-able."""
    if not isinstance(property_changes, Mapping):
        kind = type(property_changes).__name__
        raise TypeError(f"property_changes must be a mapping of paths to values, got {kind}")
    changes: list[app_pb.ConfigPropertyChange] = []
    for path, value in cast("Mapping[object, object]", property_changes).items():
        if not isinstance(path, str):
            raise TypeError(f"property_changes keys must be str paths, got {type(path).__name__} ({path!r})")
        try:
            parse_path(path)
        except PathSyntaxError as exc:
            raise ArgumentError(f"property_changes: path {path!r} is invalid: {exc}") from None
        value_pb = config_value(f"property_changes[{path!r}]", value)
        changes.append(app_pb.ConfigPropertyChange(path=path, value=value_pb))
    return changes

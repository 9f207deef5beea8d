"""Machines (robots) and their parts: create, read, update, delete, history, secrets and API keys."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from .. import export
from .._convert import dict_to_struct
from .._wire import app_pb
from ..errors import ArgumentError
from ..models import RobotPart, RobotPartHistoryEntry, robot_part_from_response
from .base import ClientBase, present, require_id

_GET_ROBOT_PART = "/viam.app.v1.AppService/GetRobotPart"


class MachineMethods(ClientBase):
    """Machines (robots) and their parts: life cycle, history, secrets and API keys."""

    async def get_robot(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.Robot:
        """Fetch one machine.

        Args:
            robot_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine.

        Raises:
            GRPCError: If the machine id is invalid.

        Example:
            ::

                machine = await client.get_robot(robot_id="machine-1")

        """
        require_id("robot_id", robot_id)
        response = await self._read(self.raw.get_robot, app_pb.GetRobotRequest(id=robot_id), timeout)
        return present(response.robot, app_pb.Robot)

    async def get_rover_rental_robots(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.RoverRentalRobot]:
        """List the rover rental machines of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization's rover rental machines.

        Example:
            ::

                rovers = await client.get_rover_rental_robots("org-1")

        """
        require_id("org_id", org_id)
        request = app_pb.GetRoverRentalRobotsRequest(org_id=org_id)
        response = await self._read(self.raw.get_rover_rental_robots, request, timeout)
        return list(response.robots)

    async def get_robot_parts(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> list[RobotPart]:
        """List the parts of a machine.

        Args:
            robot_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine's parts.

        Raises:
            GRPCError: If the machine id is invalid.

        Example:
            ::

                parts = await client.get_robot_parts(robot_id="machine-1")

        """
        require_id("robot_id", robot_id)
        response = await self._read(self.raw.get_robot_parts, app_pb.GetRobotPartsRequest(robot_id=robot_id), timeout)
        return [RobotPart.from_proto(part) for part in response.parts]

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
        if indent < 0:
            raise ArgumentError("indent must be at least 0")
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
        *,
        timeout: float | None = None,
    ) -> list[RobotPartHistoryEntry]:
        """List the recorded history of a machine part.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The part's history entries.

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                history = await client.get_robot_part_history(robot_part_id="part-1")

        """
        require_id("robot_part_id", robot_part_id)
        request = app_pb.GetRobotPartHistoryRequest(id=robot_part_id)
        response = await self._read(self.raw.get_robot_part_history, request, timeout)
        return [RobotPartHistoryEntry.from_proto(entry) for entry in response.history]

    async def update_robot_part(
        self,
        robot_part_id: str,
        name: str,
        robot_config: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> RobotPart:
        """Rename a machine part and, optionally, replace its config.

        Args:
            robot_part_id: The part's id.
            name: The part's new name.
            robot_config: A new config, as a dictionary; when omitted (or empty) the config stays as it is.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The part as it is after the change.

        Raises:
            GRPCError: If the part id, the name or the config is invalid.

        Example:
            ::

                part = await client.update_robot_part(robot_part_id="part-1", name="arm-controller")

        """
        require_id("robot_part_id", robot_part_id)
        request = app_pb.UpdateRobotPartRequest(
            id=robot_part_id, name=name, robot_config=dict_to_struct(robot_config) if robot_config else None
        )
        response = await self._write(self.raw.update_robot_part, request, timeout)
        return RobotPart.from_proto(present(response.part, app_pb.RobotPart))

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

    async def get_robot_api_keys(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.ApiKeyWithAuthorizations]:
        """List the API keys of a machine.

        Args:
            robot_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine's API keys, each with its authorizations.

        Example:
            ::

                keys = await client.get_robot_api_keys(robot_id="machine-1")

        """
        require_id("robot_id", robot_id)
        request = app_pb.GetRobotApiKeysRequest(robot_id=robot_id)
        response = await self._read(self.raw.get_robot_api_keys, request, timeout)
        return list(response.api_keys)

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

    async def list_robots(
        self,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Robot]:
        """List the machines in a location.

        Args:
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location's machines.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                machines = await client.list_robots(location_id="loc-1")

        """
        request = app_pb.ListRobotsRequest(location_id=self._location("location_id", location_id))
        response = await self._read(self.raw.list_robots, request, timeout)
        return list(response.robots)

    async def new_robot(
        self,
        name: str,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> str:
        """Create a new machine in a location.

        Args:
            name: The new machine's name.
            location_id: The location to create it in (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The new machine's id.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                machine_id = await client.new_robot(name="rover-7", location_id="loc-1")

        """
        request = app_pb.NewRobotRequest(location=self._location("location_id", location_id), name=name)
        response = await self._write(self.raw.new_robot, request, timeout)
        return response.id

    async def update_robot(
        self,
        robot_id: str,
        name: str,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Robot:
        """Rename a machine.

        Args:
            robot_id: The machine's id.
            name: The machine's new name.
            location_id: The location the machine is in (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine as it is after the change.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the machine id, the name or the location id is invalid.

        Example:
            ::

                machine = await client.update_robot(robot_id="machine-1", name="rover-8", location_id="loc-1")

        """
        require_id("robot_id", robot_id)
        request = app_pb.UpdateRobotRequest(id=robot_id, name=name, location=self._location("location_id", location_id))
        response = await self._write(self.raw.update_robot, request, timeout)
        return present(response.robot, app_pb.Robot)

    async def delete_robot(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a machine.

        Args:
            robot_id: The id of the machine to delete.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the machine id is invalid.

        Example:
            ::

                await client.delete_robot(robot_id="machine-2")

        """
        require_id("robot_id", robot_id)
        await self._write(self.raw.delete_robot, app_pb.DeleteRobotRequest(id=robot_id), timeout)

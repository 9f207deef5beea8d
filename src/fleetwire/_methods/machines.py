"""Machines (robots): create, read, update, delete, list (by location or several at once) and API keys."""

from __future__ import annotations

from .._wire import app_pb
from ..models import RobotPart
from .args import require_id, require_str, text_list
from .base import ClientBase, present


class MachineMethods(ClientBase):
    """Machines (robots): life cycle, listing and API keys."""

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

    async def list_robots_for_locations(
        self,
        location_ids: list[str],
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Robot]:
        """List the machines of several locations in one call.

        Args:
            location_ids: The locations' ids.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machines of all the given locations.

        Raises:
            TypeError: If ``location_ids`` is not a list of strings.
            ArgumentError: If an id is empty (raised before any call).
            GRPCError: If a location id is invalid.

        Example:
            ::

                machines = await client.list_robots_for_locations(["loc-1", "loc-2"])

        """
        ids = text_list("location_ids", location_ids)
        for n, location_id in enumerate(ids):
            require_id(f"location_ids[{n}]", location_id)
        request = app_pb.ListRobotsForLocationsRequest(location_ids=ids)
        response = await self._read(self.raw.list_robots_for_locations, request, timeout)
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
        require_str("name", name)
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

"""User-defined metadata of organizations, locations, machines and machine parts: free-form JSON maps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._convert import struct_to_dict
from .._wire import app_pb
from .args import config_struct, require_id
from .base import ClientBase


class MetadataMethods(ClientBase):
    """User-defined metadata of organizations, locations, machines and machine parts."""

    async def get_organization_metadata(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> Mapping[str, Any]:
        """Fetch the user-defined metadata of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The metadata, as a dictionary (empty when none is set).

        Raises:
            GRPCError: If the id is invalid.

        Example:
            ::

                metadata = await client.get_organization_metadata("org-1")

        """
        require_id("org_id", org_id)
        request = app_pb.GetOrganizationMetadataRequest(organization_id=org_id)
        response = await self._read(self.raw.get_organization_metadata, request, timeout)
        return struct_to_dict(response.data)

    async def update_organization_metadata(
        self,
        org_id: str,
        metadata: Mapping[str, Any],
        *,
        timeout: float | None = None,
    ) -> None:
        """Replace the user-defined metadata of an organization.

        Args:
            org_id: The organization's id.
            metadata: The new metadata, a mapping of JSON-able values; it replaces what was stored.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            TypeError: If ``metadata`` is not a mapping of JSON-able values (the message names the key path).
            GRPCError: If the id is invalid.

        Example:
            ::

                await client.update_organization_metadata("org-1", {"owner": "ops", "shift": 2})

        """
        require_id("org_id", org_id)
        request = app_pb.UpdateOrganizationMetadataRequest(
            organization_id=org_id, data=config_struct("metadata", metadata)
        )
        await self._write(self.raw.update_organization_metadata, request, timeout)

    async def get_location_metadata(
        self,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> Mapping[str, Any]:
        """Fetch the user-defined metadata of a location.

        Args:
            location_id: The location's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The metadata, as a dictionary (empty when none is set).

        Raises:
            GRPCError: If the id is invalid.

        Example:
            ::

                metadata = await client.get_location_metadata("loc-1")

        """
        require_id("location_id", location_id)
        request = app_pb.GetLocationMetadataRequest(location_id=location_id)
        response = await self._read(self.raw.get_location_metadata, request, timeout)
        return struct_to_dict(response.data)

    async def update_location_metadata(
        self,
        location_id: str,
        metadata: Mapping[str, Any],
        *,
        timeout: float | None = None,
    ) -> None:
        """Replace the user-defined metadata of a location.

        Args:
            location_id: The location's id.
            metadata: The new metadata, a mapping of JSON-able values; it replaces what was stored.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            TypeError: If ``metadata`` is not a mapping of JSON-able values (the message names the key path).
            GRPCError: If the id is invalid.

        Example:
            ::

                await client.update_location_metadata("loc-1", {"owner": "ops", "shift": 2})

        """
        require_id("location_id", location_id)
        request = app_pb.UpdateLocationMetadataRequest(
            location_id=location_id, data=config_struct("metadata", metadata)
        )
        await self._write(self.raw.update_location_metadata, request, timeout)

    async def get_robot_metadata(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> Mapping[str, Any]:
        """Fetch the user-defined metadata of a machine.

        Args:
            robot_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The metadata, as a dictionary (empty when none is set).

        Raises:
            GRPCError: If the id is invalid.

        Example:
            ::

                metadata = await client.get_robot_metadata("machine-1")

        """
        require_id("robot_id", robot_id)
        request = app_pb.GetRobotMetadataRequest(id=robot_id)
        response = await self._read(self.raw.get_robot_metadata, request, timeout)
        return struct_to_dict(response.data)

    async def update_robot_metadata(
        self,
        robot_id: str,
        metadata: Mapping[str, Any],
        *,
        timeout: float | None = None,
    ) -> None:
        """Replace the user-defined metadata of a machine.

        Args:
            robot_id: The machine's id.
            metadata: The new metadata, a mapping of JSON-able values; it replaces what was stored.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            TypeError: If ``metadata`` is not a mapping of JSON-able values (the message names the key path).
            GRPCError: If the id is invalid.

        Example:
            ::

                await client.update_robot_metadata("machine-1", {"owner": "ops", "shift": 2})

        """
        require_id("robot_id", robot_id)
        data = config_struct("metadata", metadata)
        request = app_pb.UpdateRobotMetadataRequest(id=robot_id, data=data)
        await self._write(self.raw.update_robot_metadata, request, timeout)

    async def get_robot_part_metadata(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> Mapping[str, Any]:
        """Fetch the user-defined metadata of a machine part.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The metadata, as a dictionary (empty when none is set).

        Raises:
            GRPCError: If the id is invalid.

        Example:
            ::

                metadata = await client.get_robot_part_metadata("part-1")

        """
        require_id("robot_part_id", robot_part_id)
        request = app_pb.GetRobotPartMetadataRequest(id=robot_part_id)
        response = await self._read(self.raw.get_robot_part_metadata, request, timeout)
        return struct_to_dict(response.data)

    async def update_robot_part_metadata(
        self,
        robot_part_id: str,
        metadata: Mapping[str, Any],
        *,
        timeout: float | None = None,
    ) -> None:
        """Replace the user-defined metadata of a machine part.

        Args:
            robot_part_id: The part's id.
            metadata: The new metadata, a mapping of JSON-able values; it replaces what was stored.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            TypeError: If ``metadata`` is not a mapping of JSON-able values (the message names the key path).
            GRPCError: If the id is invalid.

        Example:
            ::

                await client.update_robot_part_metadata("part-1", {"owner": "ops", "shift": 2})

        """
        require_id("robot_part_id", robot_part_id)
        data = config_struct("metadata", metadata)
        request = app_pb.UpdateRobotPartMetadataRequest(id=robot_part_id, data=data)
        await self._write(self.raw.update_robot_part_metadata, request, timeout)

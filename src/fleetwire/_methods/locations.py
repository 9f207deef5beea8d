"""Locations: create, read, update, delete, sharing and location secrets."""

from __future__ import annotations

from .._wire import app_pb
from .args import require_id
from .base import ClientBase, present


class LocationMethods(ClientBase):
    """Locations: their life cycle, sharing and secrets."""

    async def create_location(
        self,
        org_id: str,
        name: str,
        parent_location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Location:
        """Create a location in an organization, at the top level or inside another location.

        Args:
            org_id: The id of the organization to create the location in.
            name: The location's name.
            parent_location_id: The location to nest the new one in; when omitted it is a top-level location.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location just created.

        Raises:
            GRPCError: If the name is invalid (the empty string, say) or the parent location id is (one that does
                not exist, say).

        Example:
            ::

                lab = await client.create_location(org_id="org-1", name="Lab", parent_location_id="loc-1")

        """
        require_id("org_id", org_id)
        request = app_pb.CreateLocationRequest(organization_id=org_id, name=name, parent_location_id=parent_location_id)
        response = await self._write(self.raw.create_location, request, timeout)
        return present(response.location, app_pb.Location)

    async def get_location(
        self,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Location:
        """Fetch one location.

        Args:
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                location = await client.get_location(location_id="loc-1")

        """
        request = app_pb.GetLocationRequest(location_id=self._location("location_id", location_id))
        response = await self._read(self.raw.get_location, request, timeout)
        return present(response.location, app_pb.Location)

    async def update_location(
        self,
        location_id: str,
        name: str | None = None,
        parent_location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Location:
        """Rename a location, move it under another parent, or both.

        Args:
            location_id: The id of the location to change (required).
            name: The new name; when omitted (or ``""``) the name is unchanged.
            parent_location_id: The id of the new parent location; when omitted, no new parent is assigned. Passing
                ``""`` together with ``name=""`` makes it a top-level location again (see the example).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location as it is after the change.

        Raises:
            GRPCError: If the location id, the name or the parent location id is invalid.

        Example:
            ::

                # Move loc-2 under loc-1, keeping its name.
                moved = await client.update_location(location_id="loc-2", name="", parent_location_id="loc-1")
                # Rename it, keeping its parent.
                renamed = await client.update_location(location_id="loc-2", name="Workshop")
                # Make it a top-level location again.
                top = await client.update_location(location_id="loc-2", name="", parent_location_id="")

        """
        require_id("location_id", location_id)
        request = app_pb.UpdateLocationRequest(
            location_id=location_id, name=name, parent_location_id=parent_location_id
        )
        response = await self._write(self.raw.update_location, request, timeout)
        return present(response.location, app_pb.Location)

    async def delete_location(
        self,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a location.

        Args:
            location_id: The id of the location to delete (required).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the location id is invalid.

        Example:
            ::

                await client.delete_location(location_id="loc-2")

        """
        require_id("location_id", location_id)
        await self._write(self.raw.delete_location, app_pb.DeleteLocationRequest(location_id=location_id), timeout)

    async def list_locations(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Location]:
        """List the locations of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization's locations.

        Example:
            ::

                locations = await client.list_locations("org-1")

        """
        require_id("org_id", org_id)
        response = await self._read(
            self.raw.list_locations, app_pb.ListLocationsRequest(organization_id=org_id), timeout
        )
        return list(response.locations)

    async def share_location(
        self,
        organization_id: str,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Give another organization access to a location.

        Args:
            organization_id: The id of the organization to share the location with.
            location_id: The location's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.share_location("org-2", "loc-1")

        """
        require_id("organization_id", organization_id)
        require_id("location_id", location_id)
        request = app_pb.ShareLocationRequest(location_id=location_id, organization_id=organization_id)
        await self._write(self.raw.share_location, request, timeout)

    async def unshare_location(
        self,
        organization_id: str,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Take back an organization's access to a shared location.

        Args:
            organization_id: The id of the organization the location is shared with.
            location_id: The location's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.unshare_location("org-2", "loc-1")

        """
        require_id("organization_id", organization_id)
        require_id("location_id", location_id)
        request = app_pb.UnshareLocationRequest(location_id=location_id, organization_id=organization_id)
        await self._write(self.raw.unshare_location, request, timeout)

    async def location_auth(
        self,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.LocationAuth:
        """Fetch a location's ``LocationAuth``, which holds the location's secrets.

        Args:
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location's ``LocationAuth``, secrets included.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                auth = await client.location_auth(location_id="loc-1")

        """
        request = app_pb.LocationAuthRequest(location_id=self._location("location_id", location_id))
        response = await self._read(self.raw.location_auth, request, timeout)
        return present(response.auth, app_pb.LocationAuth)

    async def create_location_secret(
        self,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.LocationAuth:
        """Add a new secret to a location.

        Args:
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location's ``LocationAuth``, which now includes the new secret.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                auth = await client.create_location_secret(location_id="loc-1")

        """
        request = app_pb.CreateLocationSecretRequest(location_id=self._location("location_id", location_id))
        response = await self._write(self.raw.create_location_secret, request, timeout)
        return present(response.auth, app_pb.LocationAuth)

    async def delete_location_secret(
        self,
        secret_id: str,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        """Remove one secret from a location.

        Args:
            secret_id: The id of the secret to remove.
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id or the secret id is invalid.

        Example:
            ::

                await client.delete_location_secret(secret_id="secret-1", location_id="loc-1")

        """
        require_id("secret_id", secret_id)
        request = app_pb.DeleteLocationSecretRequest(
            location_id=self._location("location_id", location_id), secret_id=secret_id
        )
        await self._write(self.raw.delete_location_secret, request, timeout)

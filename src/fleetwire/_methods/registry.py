"""The registry: items, their listing and pager, deprecation of items and versions."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from .._paging import Pager
from .._wire import app_pb, pkg_pb
from ..logs import LogsStream
from .args import enum_list, optional_int, optional_text, require_bool, require_id, require_str, require_text, text_list
from .base import ClientBase, present


class RegistryMethods(ClientBase):
    """The registry: items, their listing and pager, and deprecation."""

    async def get_registry_item(
        self,
        item_id: str,
        include_markdown_documentation: bool = False,
        *,
        timeout: float | None = None,
    ) -> app_pb.RegistryItem:
        """Fetch one registry item.

        Args:
            item_id: The item's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:training-script``).
            include_markdown_documentation: Whether to include the item's markdown documentation (default
                ``False``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The registry item.

        Example:
            ::

                item = await client.get_registry_item("acme:lidar-driver")

        """
        require_id("item_id", item_id)
        require_bool("include_markdown_documentation", include_markdown_documentation)
        # The flag is set even when False, as the official SDK does: same bytes on the wire.
        request = app_pb.GetRegistryItemRequest(
            item_id=item_id, include_markdown_documentation=include_markdown_documentation
        )
        response = await self._read(self.raw.get_registry_item, request, timeout)
        return present(response.item, app_pb.RegistryItem)

    async def create_registry_item(
        self,
        organization_id: str,
        name: str,
        type: pkg_pb.PackageType,
        *,
        timeout: float | None = None,
    ) -> None:
        """Create a registry item in an organization.

        Args:
            organization_id: The id of the organization to create the item in.
            name: The item's name, unique within the organization.
            type: The kind of package the item is.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                from fleetwire_api.viam.app.packages.v1 import PackageType

                await client.create_registry_item("org-1", "defect-detector", PackageType.ML_MODEL)

        """
        require_id("organization_id", organization_id)
        require_str("name", name)
        (package_type,) = enum_list("type", [type], pkg_pb.PackageType)
        request = app_pb.CreateRegistryItemRequest(organization_id=organization_id, name=name, type=package_type)
        await self._write(self.raw.create_registry_item, request, timeout)

    async def update_registry_item(
        self,
        item_id: str,
        type: pkg_pb.PackageType,
        description: str,
        visibility: app_pb.Visibility,
        *,
        timeout: float | None = None,
    ) -> None:
        """Change a registry item's type, description and visibility.

        Args:
            item_id: The item's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:lidar-driver``).
            type: The kind of package the item is.
            description: The item's description.
            visibility: Who may see the item.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                from fleetwire_api.viam.app.packages.v1 import PackageType
                from fleetwire_api.viam.app.v1 import Visibility

                await client.update_registry_item(
                    "acme:trainer", PackageType.ML_TRAINING, "Retrains the defect detector.", Visibility.PUBLIC
                )

        """
        require_id("item_id", item_id)
        require_str("description", description)
        (package_type,) = enum_list("type", [type], pkg_pb.PackageType)
        (item_visibility,) = enum_list("visibility", [visibility], app_pb.Visibility)
        request = app_pb.UpdateRegistryItemRequest(
            item_id=item_id, type=package_type, description=description, visibility=item_visibility
        )
        await self._write(self.raw.update_registry_item, request, timeout)

    async def list_registry_items(
        self,
        organization_id: str,
        types: list[pkg_pb.PackageType],
        visibilities: list[app_pb.Visibility],
        platforms: list[str],
        statuses: list[app_pb.RegistryItemStatus],
        search_term: str | None = None,
        page_token: str | None = None,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.RegistryItem]:
        """List registry items by organization, kind, visibility, platform and status.

        Args:
            organization_id: The organization whose items to list; ``""`` lists the public items of every
                organization.
            types: The kinds of package to include.
            visibilities: The visibilities to include.
            platforms: The platforms to include (``"linux/any"``, for example).
            statuses: The item statuses to include.
            search_term: Text to search the items for (default: no search).
            page_token: The token of the page to fetch (default: the first page).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The registry items.

        Example:
            ::

                from fleetwire_api.viam.app.packages.v1 import PackageType
                from fleetwire_api.viam.app.v1 import RegistryItemStatus, Visibility

                # The organization's own published, private training scripts.
                scripts = await client.list_registry_items(
                    organization_id="org-1",
                    types=[PackageType.ML_TRAINING],
                    visibilities=[Visibility.PRIVATE],
                    platforms=[""],
                    statuses=[RegistryItemStatus.PUBLISHED],
                )
                # Published public Linux modules of every organization.
                modules = await client.list_registry_items(
                    organization_id="",
                    types=[PackageType.MODULE],
                    visibilities=[Visibility.PUBLIC],
                    platforms=["linux/any"],
                    statuses=[RegistryItemStatus.PUBLISHED],
                )

        """
        optional_text("page_token", page_token)
        request = _registry_query(organization_id, types, visibilities, platforms, statuses, search_term)
        request.page_token = page_token if page_token is not None else ""
        response = await self._read(self.raw.list_registry_items, request, timeout)
        return list(response.items)

    def iter_registry_items(
        self,
        organization_id: str,
        types: list[pkg_pb.PackageType],
        visibilities: list[app_pb.Visibility],
        platforms: list[str],
        statuses: list[app_pb.RegistryItemStatus],
        search_term: str | None = None,
        *,
        num_items: int = 0,
        timeout: float | None = None,
    ) -> LogsStream[app_pb.RegistryItem]:
        """Iterate over every registry item a query matches, page by page, holding only a page or two in memory.

        ``ListRegistryItems`` answers no next page token: the next page is asked for with the last item's id as its
        ``page_token``, until a page comes back empty (or repeats the previous page, as a server that does not page
        does). The next page is requested while the current one is read; close the stream to stop early.

        Args:
            organization_id: The organization whose items to list; ``""`` lists the public items of every
                organization.
            types: The kinds of package to include.
            visibilities: The visibilities to include.
            platforms: The platforms to include (``"linux/any"``, for example).
            statuses: The statuses to include.
            search_term: Keep only items whose name or description contains this text (default: all).
            num_items: Stop after this many items; 0 (the default) reads them all.
            timeout: Seconds each page request may take (default: the client's timeout).

        Returns:
            A stream of registry items.

        Raises:
            TypeError: If an argument has the wrong type.
            ArgumentError: If ``num_items`` is negative or a filter value is unknown (raised before any call).

        Example:
            ::

                async with client.iter_registry_items("", [PackageType.MODULE], [], [], []) as items:
                    async for item in items:
                        print(item.item_id)

        """
        optional_int("num_items", num_items)
        query = _registry_query(organization_id, types, visibilities, platforms, statuses, search_term)

        async def fetch(token: str) -> app_pb.ListRegistryItemsResponse:
            return await self._read(self.raw.list_registry_items, replace(query, page_token=token), timeout)

        return LogsStream(Pager(fetch, _RegistryPages().read).chunks(limit=num_items))

    async def deprecate_registry_item(
        self,
        item_id: str,
        message: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Deprecate a registry item: it stays usable, marked deprecated with ``message``.

        Args:
            item_id: The item's id, ``namespace:name`` or ``org-id:name``.
            message: Why the item is deprecated (shown to its users).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the item does not exist or the caller may not change it.

        Example:
            ::

                await client.deprecate_registry_item("acme:lidar-driver", "use acme:lidar-v2")

        """
        require_id("item_id", item_id)
        require_str("message", message)
        request = app_pb.DeprecateRegistryItemRequest(item_id=item_id, message=message)
        await self._write(self.raw.deprecate_registry_item, request, timeout)

    async def undeprecate_registry_item(
        self,
        item_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Lift the deprecation of a registry item.

        Args:
            item_id: The item's id, ``namespace:name`` or ``org-id:name``.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the item does not exist or the caller may not change it.

        Example:
            ::

                await client.undeprecate_registry_item("acme:lidar-driver")

        """
        require_id("item_id", item_id)
        request = app_pb.UndeprecateRegistryItemRequest(item_id=item_id)
        await self._write(self.raw.undeprecate_registry_item, request, timeout)

    async def deprecate_registry_item_version(
        self,
        item_id: str,
        version: str,
        message: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Deprecate one version of a registry item, with ``message``.

        Args:
            item_id: The item's id, ``namespace:name`` or ``org-id:name``.
            version: The version (semver) to deprecate.
            message: Why the version is deprecated.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the item or the version does not exist or the caller may not change it.

        Example:
            ::

                await client.deprecate_registry_item_version("acme:lidar-driver", "1.0.0", "crashes on start")

        """
        require_id("item_id", item_id)
        require_text("version", version)
        require_str("message", message)
        request = app_pb.DeprecateRegistryItemVersionRequest(item_id=item_id, version=version, message=message)
        await self._write(self.raw.deprecate_registry_item_version, request, timeout)

    async def undeprecate_registry_item_version(
        self,
        item_id: str,
        version: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Lift the deprecation of one version of a registry item.

        Args:
            item_id: The item's id, ``namespace:name`` or ``org-id:name``.
            version: The version (semver).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the item or the version does not exist or the caller may not change it.

        Example:
            ::

                await client.undeprecate_registry_item_version("acme:lidar-driver", "1.0.0")

        """
        require_id("item_id", item_id)
        require_text("version", version)
        request = app_pb.UndeprecateRegistryItemVersionRequest(item_id=item_id, version=version)
        await self._write(self.raw.undeprecate_registry_item_version, request, timeout)

    async def delete_registry_item(
        self,
        item_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a registry item.

        Args:
            item_id: The item's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:lidar-driver``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.delete_registry_item("acme:lidar-driver")

        """
        require_id("item_id", item_id)
        await self._write(self.raw.delete_registry_item, app_pb.DeleteRegistryItemRequest(item_id=item_id), timeout)


def _registry_query(
    organization_id: object,
    types: object,
    visibilities: object,
    platforms: object,
    statuses: object,
    search_term: object,
) -> app_pb.ListRegistryItemsRequest:
    """Check a registry query and build its request (first page)."""
    # organization_id may be empty: that lists public items of every organization (as the fleet API documents).
    require_str("organization_id", organization_id)
    optional_text("search_term", search_term)
    return app_pb.ListRegistryItemsRequest(
        organization_id=cast("str", organization_id),
        types=enum_list("types", types, pkg_pb.PackageType),
        visibilities=enum_list("visibilities", visibilities, app_pb.Visibility),
        platforms=text_list("platforms", platforms),
        statuses=enum_list("statuses", statuses, app_pb.RegistryItemStatus),
        search_term=cast("str | None", search_term) or "",
        page_token="",
    )


class _RegistryPages:
    """Read ``ListRegistryItems`` pages, whose next token is the last item's id.

    A page that starts like the one before it (a server ignoring the token sends the same list again) ends the paging.
    """

    def __init__(self) -> None:
        self._previous_first = ""

    def read(self, response: app_pb.ListRegistryItemsResponse) -> tuple[list[app_pb.RegistryItem], str]:
        items = list(response.items)
        if not items or items[0].item_id == self._previous_first:
            return [], ""
        self._previous_first = items[0].item_id
        return items, items[-1].item_id

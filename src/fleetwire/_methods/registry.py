"""The registry: items, modules and module uploads."""

from __future__ import annotations

from .._retry import call_with_retry
from .._wire import app_pb, pkg_pb
from .base import ClientBase, present, require_id


class RegistryMethods(ClientBase):
    """The registry: items, modules and module uploads."""

    async def get_registry_item(
        self,
        item_id: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.RegistryItem:
        """Fetch one registry item.

        Args:
            item_id: The item's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:training-script``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The registry item.

        Example:
            ::

                item = await client.get_registry_item("acme:lidar-driver")

        """
        require_id("item_id", item_id)
        # include_markdown_documentation=False is set explicitly, as the official SDK does: same bytes on the wire.
        request = app_pb.GetRegistryItemRequest(item_id=item_id, include_markdown_documentation=False)
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
        request = app_pb.CreateRegistryItemRequest(organization_id=organization_id, name=name, type=type)
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
        request = app_pb.UpdateRegistryItemRequest(
            item_id=item_id, type=type, description=description, visibility=visibility
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
        # organization_id may be empty: that lists public items of every organization (as the fleet API documents).
        request = app_pb.ListRegistryItemsRequest(
            organization_id=organization_id,
            types=list(types),
            visibilities=list(visibilities),
            platforms=list(platforms),
            statuses=list(statuses),
            search_term=search_term if search_term is not None else "",
            page_token=page_token if page_token is not None else "",
        )
        response = await self._read(self.raw.list_registry_items, request, timeout)
        return list(response.items)

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

    async def create_module(
        self,
        org_id: str,
        name: str,
        *,
        timeout: float | None = None,
    ) -> tuple[str, str]:
        """Create a module in an organization.

        Args:
            org_id: The id of the organization to create the module in.
            name: The module's name, unique within the organization.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(module_id, url)``: the new module's id and its URL.

        Raises:
            GRPCError: If the name is invalid (the empty string, say).

        Example:
            ::

                module_id, url = await client.create_module(org_id="org-1", name="lidar-driver")

        """
        require_id("org_id", org_id)
        request = app_pb.CreateModuleRequest(organization_id=org_id, name=name)
        response = await self._write(self.raw.create_module, request, timeout)
        return response.module_id, response.url

    async def update_module(
        self,
        module_id: str,
        url: str,
        description: str,
        models: list[app_pb.Model] | None,
        entrypoint: str,
        public: bool = False,
        *,
        timeout: float | None = None,
    ) -> str:
        """Set a module's documentation URL, description, models, entrypoint and visibility.

        Args:
            module_id: The module's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:lidar-driver``).
            url: The URL of the module's documentation and code (not of the module itself).
            description: A short description of what the module is for.
            models: The models the module provides.
            entrypoint: The executable that starts the module.
            public: Whether the module is public; ``False`` (the default) makes it private.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The module's URL after the change.

        Raises:
            GRPCError: If the module id, the URL, the models or the organization id is invalid.

        Example:
            ::

                from fleetwire_api.viam.app.v1 import Model

                url = await client.update_module(
                    module_id="acme:lidar-driver",
                    url="https://example.com/lidar-driver",
                    description="Driver for the bench lidar.",
                    models=[Model(api="rdk:component:camera", model="acme:lidar-driver:bench")],
                    entrypoint="run.sh",
                )

        """
        require_id("module_id", module_id)
        request = app_pb.UpdateModuleRequest(
            module_id=module_id,
            visibility=app_pb.Visibility.PUBLIC if public else app_pb.Visibility.PRIVATE,
            url=url,
            description=description,
            models=list(models or []),
            entrypoint=entrypoint,
        )
        response = await self._write(self.raw.update_module, request, timeout)
        return response.url

    async def upload_module_file(
        self,
        module_file_info: app_pb.ModuleFileInfo | None,
        file: bytes,
        *,
        timeout: float | None = None,
    ) -> str:
        """Upload a module file (a build of a module version for one platform).

        Args:
            module_file_info: What the file is: the module id, the version and the platform.
            file: The file's contents.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The URL of the uploaded file.

        Example:
            ::

                from fleetwire_api.viam.app.v1 import ModuleFileInfo

                info = ModuleFileInfo(module_id="acme:lidar-driver", version="0.2.0", platform="linux/arm64")
                with open("module.tar.gz", "rb") as archive:
                    url = await client.upload_module_file(module_file_info=info, file=archive.read())

        """
        # Client streaming: first the metadata, then the bytes, as two messages of the module_file oneof.
        requests = [
            app_pb.UploadModuleFileRequest(module_file_info=module_file_info),
            app_pb.UploadModuleFileRequest(file=file),
        ]
        response = await call_with_retry(
            lambda: self.raw.upload_module_file(requests, timeout=timeout), idempotent=False, policy=self.retry
        )
        return response.url

    async def get_module(
        self,
        module_id: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.Module:
        """Fetch one module.

        Args:
            module_id: The module's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:lidar-driver``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The module.

        Raises:
            GRPCError: If the module id is invalid.

        Example:
            ::

                module = await client.get_module(module_id="acme:lidar-driver")

        """
        require_id("module_id", module_id)
        response = await self._read(self.raw.get_module, app_pb.GetModuleRequest(module_id=module_id), timeout)
        return present(response.module, app_pb.Module)

    async def list_modules(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Module]:
        """List the modules of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization's modules.

        Example:
            ::

                modules = await client.list_modules("org-1")

        """
        require_id("org_id", org_id)
        response = await self._read(self.raw.list_modules, app_pb.ListModulesRequest(organization_id=org_id), timeout)
        return list(response.modules)

"""Modules: create, update, upload a build, read and list."""

from __future__ import annotations

from .._retry import call_with_retry
from .._wire import app_pb
from .args import message_list, require_bool, require_id, require_instance, require_str
from .base import ClientBase, present


class ModuleMethods(ClientBase):
    """Modules: create, update, upload a build, read and list."""

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
        for label, text in (("url", url), ("description", description), ("entrypoint", entrypoint)):
            require_str(label, text)
        require_bool("public", public)
        request = app_pb.UpdateModuleRequest(
            module_id=module_id,
            visibility=app_pb.Visibility.PUBLIC if public else app_pb.Visibility.PRIVATE,
            url=url,
            description=description,
            models=message_list("models", models or [], app_pb.Model),
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

                from fleetwire.proto.app import ModuleFileInfo

                info = ModuleFileInfo(module_id="acme:lidar-driver", version="0.2.0", platform="linux/arm64")
                with open("module.tar.gz", "rb") as archive:
                    url = await client.upload_module_file(module_file_info=info, file=archive.read())

        """
        if module_file_info is not None:
            require_instance("module_file_info", module_file_info, app_pb.ModuleFileInfo)
        if not isinstance(file, bytes):  # pyright: ignore[reportUnnecessaryIsInstance]  # callers may pass anything
            raise TypeError(f"file must be bytes, got {type(file).__name__}")
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

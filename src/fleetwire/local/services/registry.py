"""Registry items and modules: the AppService handlers of ``RegistryMixin`` (the core server class inherits it).

Private items are visible to their organization (``read_private_registry_item``); public and unlisted ones to every
authenticated caller. Changing an item needs ``write_private_registry_item`` on its organization, and making it
public also ``write_public_registry_item`` and a public namespace. ``UploadModuleFile`` takes a ``ModuleFileInfo``
message first, then the file's bytes in one or more messages, at most :data:`MAX_MODULE_FILE_BYTES` in total.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.services import codec
from fleetwire_api.viam.app.packages.v1 import PackageType
from fleetwire_api.viam.app.v1 import (
    CreateModuleRequest,
    CreateModuleResponse,
    CreateRegistryItemRequest,
    CreateRegistryItemResponse,
    DeleteRegistryItemRequest,
    DeleteRegistryItemResponse,
    DeprecateRegistryItemRequest,
    DeprecateRegistryItemResponse,
    DeprecateRegistryItemVersionRequest,
    DeprecateRegistryItemVersionResponse,
    GetModuleRequest,
    GetModuleResponse,
    GetRegistryItemRequest,
    GetRegistryItemResponse,
    ListModulesRequest,
    ListModulesResponse,
    ListRegistryItemsRequest,
    ListRegistryItemsResponse,
    Model,
    Module,
    ModuleMetadata,
    RegistryItem,
    RegistryItemStatus,
    UndeprecateRegistryItemRequest,
    UndeprecateRegistryItemResponse,
    UndeprecateRegistryItemVersionRequest,
    UndeprecateRegistryItemVersionResponse,
    UpdateModuleRequest,
    UpdateModuleResponse,
    UpdateRegistryItemRequest,
    UpdateRegistryItemResponse,
    UploadModuleFileRequest,
    UploadModuleFileResponse,
    Visibility,
)

from ..store.ids import invalid, new_id, not_found, now, require_id, require_text, to_iso
from ..store.registry_rows import (
    MAX_MODULE_FILE_BYTES,
    SCHEMA,
    fetch_item,
    item_id_of,
    item_message,
    module_message,
    require_item_name,
    require_package_type,
    require_platform,
    require_version,
    require_visibility,
    resolve_item,
)
from .mixin import AnyStream

if TYPE_CHECKING:
    from ..context import Caller, Context

__all__ = ("SCHEMA", "RegistryMixin")


_MAX_DESCRIPTION = 10_000
_MAX_MARKDOWN = 256 * 1024
_MAX_DEPRECATION_MESSAGE = 4096
_MAX_URL = 2048
_TRIPLET = re.compile(r"^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$")
_VISIBLE_TO_ALL = (int(Visibility.PUBLIC), int(Visibility.PUBLIC_UNLISTED))


def _require_url(value: str, field: str) -> str:
    require_text(value, field, max_length=_MAX_URL)
    if value and not re.match(r"^https?://[^\s]+$", value):
        raise invalid(f"{field} must be an http(s) URL")
    return value


def _require_models(models: list[Model], field: str) -> list[Model]:
    for index, model in enumerate(models):
        if not _TRIPLET.match(model.api):
            raise invalid(f"{field}[{index}].api must look like namespace:type:name (e.g. rdk:component:base)")
        if not _TRIPLET.match(model.model):
            raise invalid(f"{field}[{index}].model must look like namespace:family:name")
    return models


def _markdown(value: str | None, field: str) -> str | None:
    return None if value is None else require_text(value, field, max_length=_MAX_MARKDOWN)


def _set_markdown(conn: sqlite3.Connection, internal_id: str, markdown: str | None) -> None:
    """Replace the item's markdown documentation (``None``: keep it; empty: remove it)."""
    if markdown is None:
        return
    conn.execute("DELETE FROM registry_markdown WHERE item_id = ?", (internal_id,))
    if markdown:
        conn.execute("INSERT INTO registry_markdown (item_id, markdown) VALUES (?, ?)", (internal_id, markdown))


def _module_url(row: sqlite3.Row) -> str:
    return f"fleetwire://registry/{item_id_of(row)}"


def _matches_platform(conn: sqlite3.Connection, row: sqlite3.Row, platforms: list[str]) -> bool:
    if row["type"] != int(PackageType.MODULE):
        return False
    uploaded = [
        str(r["platform"]) for r in conn.execute("SELECT platform FROM module_files WHERE item_id = ?", (row["id"],))
    ]
    for wanted in platforms:
        system, _, arch = wanted.partition("/")
        for have in uploaded:
            have_system, _, have_arch = have.partition("/")
            if have_system in ("any", system) and (have_arch in ("any", arch) or arch == "any"):
                return True
    return False


def _status(conn: sqlite3.Connection, row: sqlite3.Row) -> RegistryItemStatus:
    if row["type"] != int(PackageType.MODULE):
        return RegistryItemStatus.PUBLISHED
    has_files = conn.execute("SELECT 1 FROM module_files WHERE item_id = ? LIMIT 1", (row["id"],)).fetchone()
    return RegistryItemStatus.PUBLISHED if has_files else RegistryItemStatus.IN_DEVELOPMENT


class RegistryMixin:
    """Handlers for registry items, modules and module uploads."""

    ctx: Context

    async def _item(self, caller: Caller, item_id: str, field: str, *, write: bool) -> sqlite3.Row:
        """Resolve an item id and check the caller may read (or change) it."""
        require_text(item_id, field, max_length=512)
        row = await self.ctx.store.read(lambda conn: resolve_item(conn, item_id, field))
        if write:
            await self.ctx.require(caller, "write_private_registry_item", "organization", row["org_id"])
        elif row["visibility"] not in _VISIBLE_TO_ALL:
            await self.ctx.require(caller, "read_private_registry_item", "organization", row["org_id"])
        return row

    async def _check_public(self, caller: Caller, row: sqlite3.Row, visibility: Visibility | None) -> None:
        if visibility in (Visibility.PUBLIC, Visibility.PUBLIC_UNLISTED):
            await self.ctx.require(caller, "write_public_registry_item", "organization", row["org_id"])
            if not row["namespace"]:
                raise GRPCError(
                    Status.FAILED_PRECONDITION,
                    "visibility: a public item needs its organization to have a public namespace",
                )

    async def _create(self, caller: Caller, org_raw: str, name_raw: str, kind: PackageType) -> sqlite3.Row:
        org_id = require_id(org_raw, "organization_id")
        name = require_item_name(name_raw, "name")
        await self.ctx.require(caller, "write_private_registry_item", "organization", org_id)
        internal_id = new_id()

        def create(conn: sqlite3.Connection) -> sqlite3.Row:
            moment = to_iso(now())
            try:
                conn.execute(
                    "INSERT INTO registry_items (id, org_id, name, type, visibility, created_on, updated_on) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (internal_id, org_id, name, int(kind), int(Visibility.PRIVATE), moment, moment),
                )
            except sqlite3.IntegrityError as exc:
                raise GRPCError(
                    Status.ALREADY_EXISTS, f"name: organization {org_id} already has a registry item named {name!r}"
                ) from exc
            return fetch_item(conn, internal_id)

        return await self.ctx.store.write(create)

    # -- registry items ------------------------------------------------------------------------------------------

    async def get_registry_item(
        self, request: GetRegistryItemRequest, stream: Stream[GetRegistryItemRequest, GetRegistryItemResponse]
    ) -> GetRegistryItemResponse:
        """Return a registry item by ``namespace:name`` or ``org-id:name``.

        ``include_markdown_documentation``: a module's metadata carries its markdown documentation.
        """
        caller = await self.ctx.caller(stream)
        row = await self._item(caller, request.item_id, "item_id", write=False)
        markdown = bool(request.include_markdown_documentation)
        item = await self.ctx.store.read(
            lambda conn: item_message(conn, fetch_item(conn, row["id"]), with_markdown=markdown)
        )
        return GetRegistryItemResponse(item=item)

    async def create_registry_item(
        self,
        request: CreateRegistryItemRequest,
        stream: Stream[CreateRegistryItemRequest, CreateRegistryItemResponse],
    ) -> CreateRegistryItemResponse:
        """Create a private registry item of a type in an organization."""
        caller = await self.ctx.caller(stream)
        kind = require_package_type(request.type, "type")
        await self._create(caller, request.organization_id, request.name, kind)
        return CreateRegistryItemResponse()

    async def update_registry_item(
        self,
        request: UpdateRegistryItemRequest,
        stream: Stream[UpdateRegistryItemRequest, UpdateRegistryItemResponse],
    ) -> UpdateRegistryItemResponse:
        """Change an item's description, visibility and/or url (its type cannot change)."""
        caller = await self.ctx.caller(stream)
        kind = require_package_type(request.type, "type")
        visibility = require_visibility(request.visibility, "visibility")
        description = require_text(request.description, "description", max_length=_MAX_DESCRIPTION)
        url = None if request.url is None else _require_url(request.url, "url")
        metadata = request.update_module_metadata
        models = _require_models(list(metadata.models), "update_module_metadata.models") if metadata else None
        markdown = _markdown(request.markdown_description, "markdown_description")
        row = await self._item(caller, request.item_id, "item_id", write=True)
        if int(kind) != row["type"]:
            raise invalid("type does not match the registry item's type")
        await self._check_public(caller, row, visibility)

        def update(conn: sqlite3.Connection) -> None:
            current = fetch_item(conn, row["id"])
            conn.execute(
                "UPDATE registry_items SET description = ?, visibility = ?, url = ?, entrypoint = ?, models = ?, "
                "updated_on = ? WHERE id = ?",
                (
                    description,
                    current["visibility"] if visibility is None else int(visibility),
                    current["url"] if url is None else url,
                    current["entrypoint"] if metadata is None else metadata.entrypoint,
                    current["models"] if models is None else codec.encode(ModuleMetadata(models=models)),
                    to_iso(now()),
                    row["id"],
                ),
            )
            _set_markdown(conn, row["id"], markdown)

        await self.ctx.store.write(update)
        return UpdateRegistryItemResponse()

    async def list_registry_items(
        self,
        request: ListRegistryItemsRequest,
        stream: Stream[ListRegistryItemsRequest, ListRegistryItemsResponse],
    ) -> ListRegistryItemsResponse:
        """List an organization's items (if given) and every public item, filtered by the request's lists."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id") if request.organization_id else None
        types = {int(require_package_type(t, "types")) for t in request.types}
        visibilities = {int(v) for v in request.visibilities}
        if any(v not in (1, 2, 3) for v in visibilities):
            raise invalid("visibilities holds a value that is not a valid Visibility")
        statuses = {int(s) for s in request.statuses}
        if any(s not in (1, 2) for s in statuses):
            raise invalid("statuses holds a value that is not a valid RegistryItemStatus")
        platforms = [require_text(p, "platforms", max_length=64) for p in request.platforms if p]
        term = require_text(request.search_term or "", "search_term", max_length=256).lower()
        namespaces = set(request.public_namespaces)
        if org_id is not None:
            await self.ctx.require(caller, "read_private_registry_item", "organization", org_id)

        def load(conn: sqlite3.Connection) -> list[RegistryItem]:
            rows = conn.execute(
                "SELECT i.*, o.public_namespace AS namespace FROM registry_items i "
                "JOIN organizations o ON o.id = i.org_id WHERE i.org_id = ? OR i.visibility = ? ORDER BY i.name, i.id",
                (org_id or "", int(Visibility.PUBLIC)),
            ).fetchall()
            items: list[RegistryItem] = []
            for row in rows:
                if types and row["type"] not in types:
                    continue
                if visibilities and row["visibility"] not in visibilities:
                    continue
                if namespaces and row["namespace"] not in namespaces:
                    continue
                if term and term not in f"{row['name']}\n{row['description']}".lower():
                    continue
                if statuses and int(_status(conn, row)) not in statuses:
                    continue
                if platforms and not _matches_platform(conn, row, platforms):
                    continue
                items.append(item_message(conn, row))
            return items

        return ListRegistryItemsResponse(items=await self.ctx.store.read(load))

    async def delete_registry_item(
        self,
        request: DeleteRegistryItemRequest,
        stream: Stream[DeleteRegistryItemRequest, DeleteRegistryItemResponse],
    ) -> DeleteRegistryItemResponse:
        """Delete a registry item (a module with its uploaded files)."""
        caller = await self.ctx.caller(stream)
        row = await self._item(caller, request.item_id, "item_id", write=True)

        def delete(conn: sqlite3.Connection) -> None:
            if not conn.execute("DELETE FROM registry_items WHERE id = ?", (row["id"],)).rowcount:
                raise GRPCError(Status.NOT_FOUND, f"item_id: registry item {request.item_id} not found")

        await self.ctx.store.write(delete)
        return DeleteRegistryItemResponse()

    # -- deprecation ---------------------------------------------------------------------------------------------

    async def _deprecate(self, stream: AnyStream, item_id: str, version: str | None, message: str | None) -> None:
        """Mark an item (``version`` None) or one uploaded version deprecated (``message`` given) or not (``None``).

        Deprecating again replaces the message and time; undeprecating what is not deprecated changes nothing.
        """
        caller = await self.ctx.caller(stream)
        text = None if message is None else require_text(message, "message", max_length=_MAX_DEPRECATION_MESSAGE)
        if version is not None and not version:
            raise invalid("version is required")
        row = await self._item(caller, item_id, "item_id", write=True)

        def change(conn: sqlite3.Connection) -> None:
            if version:
                uploaded = conn.execute(
                    "SELECT 1 FROM module_files WHERE item_id = ? AND version = ? LIMIT 1", (row["id"], version)
                ).fetchone()
                if uploaded is None:
                    raise not_found(f"version: registry item {item_id} has no version {version!r}")
            key = (row["id"], version or "")
            conn.execute("DELETE FROM registry_deprecations WHERE item_id = ? AND version = ?", key)
            if text is not None:
                conn.execute(
                    "INSERT INTO registry_deprecations (item_id, version, message, deprecated_on) VALUES (?, ?, ?, ?)",
                    (*key, text, to_iso(now())),
                )

        await self.ctx.store.write(change)

    async def deprecate_registry_item(
        self,
        request: DeprecateRegistryItemRequest,
        stream: Stream[DeprecateRegistryItemRequest, DeprecateRegistryItemResponse],
    ) -> DeprecateRegistryItemResponse:
        """Mark a registry item deprecated, with a message (``deprecated_status`` of the item)."""
        await self._deprecate(stream, request.item_id, None, request.message)
        return DeprecateRegistryItemResponse()

    async def undeprecate_registry_item(
        self,
        request: UndeprecateRegistryItemRequest,
        stream: Stream[UndeprecateRegistryItemRequest, UndeprecateRegistryItemResponse],
    ) -> UndeprecateRegistryItemResponse:
        """Clear a registry item's deprecation."""
        await self._deprecate(stream, request.item_id, None, None)
        return UndeprecateRegistryItemResponse()

    async def deprecate_registry_item_version(
        self,
        request: DeprecateRegistryItemVersionRequest,
        stream: Stream[DeprecateRegistryItemVersionRequest, DeprecateRegistryItemVersionResponse],
    ) -> DeprecateRegistryItemVersionResponse:
        """Mark one uploaded version deprecated; ``NOT_FOUND`` if the item has no such version."""
        await self._deprecate(stream, request.item_id, request.version, request.message)
        return DeprecateRegistryItemVersionResponse()

    async def undeprecate_registry_item_version(
        self,
        request: UndeprecateRegistryItemVersionRequest,
        stream: Stream[UndeprecateRegistryItemVersionRequest, UndeprecateRegistryItemVersionResponse],
    ) -> UndeprecateRegistryItemVersionResponse:
        """Clear one version's deprecation; ``NOT_FOUND`` if the item has no such version."""
        await self._deprecate(stream, request.item_id, request.version, None)
        return UndeprecateRegistryItemVersionResponse()

    # -- modules -------------------------------------------------------------------------------------------------

    async def create_module(
        self, request: CreateModuleRequest, stream: Stream[CreateModuleRequest, CreateModuleResponse]
    ) -> CreateModuleResponse:
        """Create a private module; returns its id and registry URL."""
        caller = await self.ctx.caller(stream)
        row = await self._create(caller, request.organization_id, request.name, PackageType.MODULE)
        return CreateModuleResponse(module_id=item_id_of(row), url=_module_url(row))

    async def update_module(
        self, request: UpdateModuleRequest, stream: Stream[UpdateModuleRequest, UpdateModuleResponse]
    ) -> UpdateModuleResponse:
        """Set a module's documentation URL, description, models, entrypoint and visibility."""
        caller = await self.ctx.caller(stream)
        visibility = require_visibility(request.visibility, "visibility")
        url = _require_url(request.url, "url")
        description = require_text(request.description, "description", max_length=_MAX_DESCRIPTION)
        models = _require_models(list(request.models), "models")
        entrypoint = require_text(request.entrypoint, "entrypoint", max_length=1024)
        if not entrypoint.strip():
            raise invalid("entrypoint is required")
        markdown = _markdown(request.markdown_description, "markdown_description")
        row = await self._item(caller, request.module_id, "module_id", write=True)
        if row["type"] != int(PackageType.MODULE):
            raise invalid("module_id names a registry item that is not a module")
        await self._check_public(caller, row, visibility)

        def update(conn: sqlite3.Connection) -> str:
            current = fetch_item(conn, row["id"])
            conn.execute(
                "UPDATE registry_items SET url = ?, description = ?, models = ?, entrypoint = ?, visibility = ?, "
                "updated_on = ? WHERE id = ?",
                (
                    url,
                    description,
                    codec.encode(ModuleMetadata(models=models)),
                    entrypoint,
                    current["visibility"] if visibility is None else int(visibility),
                    to_iso(now()),
                    row["id"],
                ),
            )
            _set_markdown(conn, row["id"], markdown)
            return _module_url(current)

        return UpdateModuleResponse(url=await self.ctx.store.write(update))

    async def upload_module_file(
        self,
        requests: AsyncIterator[UploadModuleFileRequest],
        stream: Stream[UploadModuleFileRequest, UploadModuleFileResponse],
    ) -> UploadModuleFileResponse:
        """Store one module file for a (version, platform): ``ModuleFileInfo`` first, then the bytes."""
        caller = await self.ctx.caller(stream)
        first = await anext(requests, None)
        info = None if first is None else first.module_file_info
        if info is None:
            raise invalid("module_file_info must be the first message of the upload")
        version = require_version(info.version, "module_file_info.version")
        platform = require_platform(info.platform, "module_file_info.platform")
        row = await self._item(caller, info.module_id, "module_file_info.module_id", write=True)
        if row["type"] != int(PackageType.MODULE):
            raise invalid("module_file_info.module_id names a registry item that is not a module")
        chunks: list[bytes] = []
        size = 0
        async for message in requests:
            if message.module_file_info is not None:
                raise invalid("module_file_info may only be sent once, in the first message")
            chunk = message.file or b""
            size += len(chunk)
            if size > MAX_MODULE_FILE_BYTES:
                raise invalid(f"file is larger than {MAX_MODULE_FILE_BYTES} bytes")
            chunks.append(chunk)
        if size == 0:
            raise invalid("file is empty")
        data = b"".join(chunks)

        def store(conn: sqlite3.Connection) -> str:
            current = fetch_item(conn, row["id"])
            try:
                conn.execute(
                    "INSERT INTO module_files (item_id, version, platform, entrypoint, models, size, sha256, data, "
                    "uploaded_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        row["id"],
                        version,
                        platform,
                        current["entrypoint"],
                        current["models"],
                        len(data),
                        hashlib.sha256(data).hexdigest(),
                        data,
                        to_iso(now()),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise GRPCError(
                    Status.ALREADY_EXISTS, f"module_file_info: version {version} for {platform} was already uploaded"
                ) from exc
            return f"{_module_url(current)}/{version}/{platform}"

        return UploadModuleFileResponse(url=await self.ctx.store.write(store))

    async def get_module(
        self, request: GetModuleRequest, stream: Stream[GetModuleRequest, GetModuleResponse]
    ) -> GetModuleResponse:
        """Return a module by ``namespace:name`` or ``org-id:name``."""
        caller = await self.ctx.caller(stream)
        row = await self._item(caller, request.module_id, "module_id", write=False)
        if row["type"] != int(PackageType.MODULE):
            raise GRPCError(Status.NOT_FOUND, f"module_id: {request.module_id} is not a module")
        module = await self.ctx.store.read(lambda conn: module_message(conn, fetch_item(conn, row["id"])))
        return GetModuleResponse(module=module)

    async def list_modules(
        self, request: ListModulesRequest, stream: Stream[ListModulesRequest, ListModulesResponse]
    ) -> ListModulesResponse:
        """List an organization's modules, or every public module when no organization is given."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id") if request.organization_id else None
        if org_id is not None:
            await self.ctx.require(caller, "read_private_registry_item", "organization", org_id)

        def load(conn: sqlite3.Connection) -> list[Module]:
            params: tuple[object, ...]
            if org_id is not None:
                where, params = "i.org_id = ?", (org_id,)
            else:
                where, params = "i.visibility = ?", (int(Visibility.PUBLIC),)
            rows = conn.execute(
                "SELECT i.*, o.public_namespace AS namespace FROM registry_items i "
                f"JOIN organizations o ON o.id = i.org_id WHERE {where} AND i.type = {int(PackageType.MODULE)} "
                "ORDER BY i.name, i.id",
                params,
            ).fetchall()
            return [module_message(conn, row) for row in rows]

        return ListModulesResponse(modules=await self.ctx.store.read(load))

"""The registry: items of every type (modules, ML models, training scripts, ...) and modules with their models."""

# The classes of this package build one another from wire messages through their protected members.
# pyright: reportPrivateUsage=false
from __future__ import annotations

import datetime
import enum
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from .._wire import app_pb, pkg_pb
from ..aio import ArgumentError
from ._base import Resource

if TYPE_CHECKING:
    from .fleet import Fleet

__all__ = ("Module", "RegistryItem")

E = TypeVar("E", bound=enum.Enum)


def _enum_name(value: enum.Enum) -> str:
    return value.name.lower()


def _member(kind: type[E], field: str, value: object) -> E:
    """Return the enum member of ``kind`` named ``value`` (any case); ``ArgumentError`` naming ``field`` otherwise."""
    names = [m.name.lower() for m in kind if m.name != "UNSPECIFIED"]
    if not isinstance(value, str) or value.lower() not in names:
        raise ArgumentError(f"{field} must be one of {', '.join(names)}, got {value!r}")
    return kind[value.upper()]


class RegistryItem(Resource):
    """An item of the registry: a module, an ML model, a training script, ...

    ``update()`` sends the item's type, description and visibility together (the RPC requires all three) when
    ``description`` or ``visibility`` changed.
    """

    id: str
    """The item's id, ``namespace:name`` or ``organization-id:name``."""
    name: str
    """Its name."""
    organization_id: str
    """The organization that owns it."""
    type: str
    """What it is: ``"module"``, ``"ml_model"``, ``"ml_training"``, ``"archive"`` or ``"slam_map"``."""
    visibility: str
    """Who may see it: ``"private"``, ``"public"`` or ``"public_unlisted"``."""
    description: str
    """What it is for."""
    url: str
    """Its documentation URL."""
    created_on: datetime.datetime | None
    """When it was created."""

    _editable: ClassVar[frozenset[str]] = frozenset({"description", "visibility"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        name: str = "",
        organization_id: str = "",
        type: str = "module",
        visibility: str = "private",
        description: str = "",
        id: str = "",
        url: str = "",
        created_on: datetime.datetime | None = None,
    ) -> None:
        """Describe a new item for :meth:`create` (or, with ``id``, one to load or update)."""
        super().__init__(fleet)
        self.id, self.name, self.organization_id, self.type = id, name, organization_id, type
        self.visibility, self.description, self.url, self.created_on = visibility, description, url, created_on

    @classmethod
    def _from_message(cls, fleet: Fleet, message: app_pb.RegistryItem) -> RegistryItem:
        item = cls(
            fleet,
            id=message.item_id,
            name=message.name,
            organization_id=message.organization_id,
            type=_enum_name(message.type),
            visibility=_enum_name(message.visibility),
            description=message.description,
            url=message.url,
            created_on=message.created_at,
        )
        item._mark_loaded()
        return item

    @classmethod
    async def _get(cls, fleet: Fleet, id: str) -> RegistryItem:
        return cls._from_message(fleet, await fleet.client.get_registry_item(id))

    @classmethod
    async def _iterate(cls, fleet: Fleet, org_id: str) -> AsyncIterator[RegistryItem]:
        """Iterate over the organization's items through the client's pager (others' public items left out)."""
        async with fleet.client.iter_registry_items(org_id, [], [], [], []) as stream:
            async for item in stream:
                if item.organization_id == org_id:
                    yield cls._from_message(fleet, item)

    async def _reread(self) -> RegistryItem:
        return await self._get(self._fleet, self._id())

    async def create(self) -> RegistryItem:
        """Create an item of this name, type, description and visibility in ``organization_id``.

        Calling it again with another name makes another one.

        Returns:
            The new item, read back.

        """
        kind = _member(pkg_pb.PackageType, "type", self.type)
        _member(app_pb.Visibility, "visibility", self.visibility)
        await self._client.create_registry_item(self.organization_id, self.name, kind)
        created = await self._get(self._fleet, f"{self.organization_id}:{self.name}")
        created.description, created.visibility = self.description, self.visibility
        return await created.update()

    async def _write(self, changed: dict[str, Any]) -> RegistryItem:
        await self._client.update_registry_item(
            self._id(),
            _member(pkg_pb.PackageType, "type", self.type),
            self.description,
            _member(app_pb.Visibility, "visibility", self.visibility),
        )
        return await self._reread()

    async def delete(self) -> None:
        """Delete the item (a module with its uploaded files)."""
        await self._client.delete_registry_item(self._id())


class Module(Resource):
    """A module of the registry: code that adds models of components and services to machines.

    ``update()`` sends url, description, models, entrypoint and visibility together (the RPC requires them all)
    when any of them changed.
    """

    id: str
    """The module's id, ``namespace:name`` or ``organization-id:name``."""
    name: str
    """Its name."""
    organization_id: str
    """The organization that owns it."""
    description: str
    """What it is for."""
    url: str
    """Its documentation URL."""
    entrypoint: str
    """The executable that starts it."""
    models: list[dict[str, str]]
    """The models it provides, each ``{"api": ..., "model": ...}``."""
    visibility: str
    """Who may see it: ``"private"`` or ``"public"``."""

    _editable: ClassVar[frozenset[str]] = frozenset({"description", "url", "entrypoint", "models", "visibility"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        name: str = "",
        organization_id: str = "",
        description: str = "",
        url: str = "",
        entrypoint: str = "",
        models: list[dict[str, str]] | None = None,
        visibility: str = "private",
        id: str = "",
    ) -> None:
        """Describe a new module for :meth:`create` (or, with ``id``, one to load or update)."""
        super().__init__(fleet)
        self.id, self.name, self.organization_id, self.description = id, name, organization_id, description
        self.url, self.entrypoint, self.models, self.visibility = url, entrypoint, list(models or []), visibility

    @classmethod
    def _from_message(cls, fleet: Fleet, message: app_pb.Module) -> Module:
        module = cls(
            fleet,
            id=message.module_id,
            name=message.name,
            organization_id=message.organization_id,
            description=message.description,
            url=message.url,
            entrypoint=message.entrypoint,
            models=[{"api": m.api, "model": m.model} for m in message.models],
            visibility=_enum_name(message.visibility),
        )
        module._mark_loaded()
        return module

    @classmethod
    async def _get(cls, fleet: Fleet, id: str) -> Module:
        return cls._from_message(fleet, await fleet.client.get_module(id))

    async def _reread(self) -> Module:
        return await self._get(self._fleet, self._id())

    async def create(self) -> Module:
        """Create a module of this name in ``organization_id`` and write its other fields.

        Calling it again with another name makes another one.

        Returns:
            The new module, read back.

        """
        module_id, _ = await self._client.create_module(self.organization_id, self.name)
        created = await self._get(self._fleet, module_id)
        for name in self._editable:
            setattr(created, name, getattr(self, name))
        return await created.update()

    async def _write(self, changed: dict[str, Any]) -> Module:
        if self.visibility not in ("private", "public"):
            raise ArgumentError(f"visibility must be private or public, got {self.visibility!r}")
        models: list[app_pb.Model] = []
        for i, model in enumerate(self.models):
            if not isinstance(model, dict) or set(model) != {"api", "model"}:  # pyright: ignore[reportUnnecessaryIsInstance]
                raise TypeError(f"models[{i}] must be a dict with the keys api and model")
            models.append(app_pb.Model(api=model["api"], model=model["model"]))
        await self._client.update_module(
            self._id(), self.url, self.description, models, self.entrypoint, public=self.visibility == "public"
        )
        return await self._reread()

    async def delete(self) -> None:
        """Delete the module (with its uploaded files)."""
        await self._client.delete_registry_item(self._id())

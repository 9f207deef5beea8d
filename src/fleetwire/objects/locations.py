"""The location: its fields, its parent and children, its machines, sharing, and deleting a whole tree."""

# The classes of this package build one another from wire messages through their protected members.
# pyright: reportPrivateUsage=false
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from .._wire import app_pb
from ..errors import NotFoundError
from ._base import Collection, MetadataCalls, WithMetadata, once, require_rights
from .machines import Machine

if TYPE_CHECKING:
    from .fleet import Fleet

__all__ = ("Location",)


class Location(WithMetadata):
    """A location: machines and sub-locations under a parent location (or at the top of its organization).

    ``update()`` sends only the changed fields among ``name`` and ``parent_location_id`` (both optional in the
    RPC; an empty ``parent_location_id`` moves the location to the top level).
    """

    id: str
    """The location's id."""
    name: str
    """Its name."""
    parent_location_id: str
    """The id of the location it is in; empty at the top level."""
    organization_id: str
    """The organization it belongs to (the primary one, when shared)."""
    created_on: datetime.datetime | None
    """When it was created."""
    machine_count: int
    """How many machines it holds (as loaded)."""

    _editable: ClassVar[frozenset[str]] = frozenset({"name", "parent_location_id"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        name: str = "",
        organization_id: str = "",
        parent_location_id: str = "",
        id: str = "",
        created_on: datetime.datetime | None = None,
        machine_count: int = 0,
    ) -> None:
        """Describe a new location for :meth:`create` (or, with ``id``, one to load or update)."""
        super().__init__(fleet)
        self.id, self.name, self.organization_id = id, name, organization_id
        self.parent_location_id, self.created_on, self.machine_count = parent_location_id, created_on, machine_count

    @classmethod
    def _from_message(cls, fleet: Fleet, message: app_pb.Location) -> Location:
        identity = message.primary_org_identity
        location = cls(
            fleet,
            id=message.id,
            name=message.name,
            organization_id=identity.id if identity is not None else "",
            parent_location_id=message.parent_location_id,
            created_on=message.created_on,
            machine_count=message.robot_count,
        )
        location._mark_loaded()
        return location

    @classmethod
    async def _get(cls, fleet: Fleet, id: str) -> Location:
        return cls._from_message(fleet, await fleet.client.get_location(id))

    async def _reread(self) -> Location:
        return await self._get(self._fleet, self._id())

    def _metadata_calls(self) -> MetadataCalls:
        return self._client.get_location_metadata, self._client.update_location_metadata

    async def create(self) -> Location:
        """Create a location with this name under ``parent_location_id`` in ``organization_id``.

        Calling it again makes another one.

        Returns:
            The new location, read back.

        """
        message = await self._client.create_location(
            self.organization_id, self.name, parent_location_id=self.parent_location_id or None
        )
        return self._from_message(self._fleet, message)

    async def _write(self, changed: dict[str, Any]) -> Location:
        message = await self._client.update_location(
            self._id(), name=changed.get("name"), parent_location_id=changed.get("parent_location_id")
        )
        return self._from_message(self._fleet, message)

    async def delete(self) -> None:
        """Delete the location, which must be empty (no machines, no sub-locations); see :meth:`delete_tree`.

        Raises:
            FailedPreconditionError: If it still holds machines or sub-locations.

        """
        await self._client.delete_location(self._id())

    async def parent(self) -> Location | None:
        """Read the location this one is in read from the server; ``None`` at the top level."""
        return await self._get(self._fleet, self.parent_location_id) if self.parent_location_id else None

    @property
    def children(self) -> Collection[Location]:
        """The locations directly inside this one."""

        async def listed() -> list[Location]:
            return [loc for loc in await self._siblings() if loc.parent_location_id == self.id]

        return Collection(Location, self._fleet, once(listed), self._child)

    async def _siblings(self) -> list[Location]:
        """Read every location of the organization."""
        found = await self._client.list_locations(self.organization_id or (await self.reload()).organization_id)
        return [self._from_message(self._fleet, loc) for loc in found]

    async def _child(self, id: str) -> Location:
        child = await self._get(self._fleet, id)
        if child.parent_location_id != self._id():
            raise NotFoundError(None, f"location {id} is not a child of location {self.id}")
        return child

    @property
    def machines(self) -> Collection[Machine]:
        """The machines in this location (not in its sub-locations)."""

        async def listed() -> list[Machine]:
            return [Machine._from_message(self._fleet, m) for m in await self._client.list_robots(self._id())]

        return Collection(Machine, self._fleet, once(listed), self._machine)

    async def _machine(self, id: str) -> Machine:
        machine = await Machine._get(self._fleet, id)
        if machine.location_id != self._id():
            raise NotFoundError(None, f"machine {id} is not in location {self.id}")
        return machine

    async def create_child(self, name: str) -> Location:
        """Create a location named ``name`` inside this one, at once (no ``update()`` needed)."""
        return await Location(
            self._fleet, name=name, organization_id=self.organization_id, parent_location_id=self._id()
        ).create()

    async def assign_child(self, child: Location | str) -> Location:
        """Move ``child`` (a location or its id) inside this one, at once; returns the child as it is now."""
        child_id = child.id if isinstance(child, Location) else child
        message = await self._client.update_location(child_id, parent_location_id=self._id())
        return self._from_message(self._fleet, message)

    async def unassign_child(self, child: Location | str) -> Location:
        """Move ``child`` (a location or its id) out of this one to the top level, at once; returns it as it is now.

        Raises:
            ArgumentError: If ``child`` is not inside this location (nothing is changed).

        """
        found = await self._child(child.id if isinstance(child, Location) else child)
        message = await self._client.update_location(found.id, parent_location_id="")
        return self._from_message(self._fleet, message)

    async def share(self, organization_id: str) -> None:
        """Share the location with another organization, at once."""
        await self._client.share_location(organization_id, self._id())

    async def unshare(self, organization_id: str) -> None:
        """Stop sharing the location with ``organization_id``, at once."""
        await self._client.unshare_location(organization_id, self._id())

    async def delete_tree(self) -> None:
        """Delete the location with everything in it: sub-locations at every depth, their machines and parts.

        The rights of the caller on the whole tree are checked first; if it may not delete any of it, nothing is
        deleted.

        Raises:
            PermissionDeniedError: If the caller may not delete some of the tree; the message names each location
                and machine it may not delete (and nothing was deleted).

        """
        locations = await self._tree()
        machines = [m for loc in locations for m in await loc.machines.get_all()]
        wanted = [("location", loc.id, loc.name, "write_location") for loc in locations]
        wanted += [("robot", m.id, m.name, "write_robot") for m in machines]
        await require_rights(self._fleet, wanted)
        for machine in machines:
            await self._client.delete_robot(machine.id)
        for loc in reversed(locations):  # children before their parents
            await self._client.delete_location(loc.id)

    async def _tree(self) -> list[Location]:
        """Return this location (read again) and every location below it, parents before children."""
        me = await self.reload()
        everyone = await me._siblings()
        tree: list[Location] = [me]
        for loc in tree:  # grows while it is walked: breadth first
            tree.extend(child for child in everyone if child.parent_location_id == loc.id)
        return tree

"""``Fleet``: the entry point of the object layer over an :class:`~fleetwire.AsyncAppClient`."""

# The classes of this package build one another from wire messages through their protected members.
# pyright: reportPrivateUsage=false
from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Collection, once
from .fragments import Fragment
from .locations import Location
from .machines import Machine, MachinePart
from .organizations import Organization
from .registry import Module, RegistryItem

if TYPE_CHECKING:
    from ..aio import AsyncAppClient

__all__ = ("Fleet",)


class Fleet:
    """The fleet a client reaches, as objects: the way in to organizations, locations, machines and the rest.

    ::

        fleet = Fleet(client)
        org = (await fleet.organizations.get_all())[0]
        for machine in await (await fleet.location("loc-1")).machines.get_all():
            print(machine.name)

    Build new objects with their constructors, passing the fleet (``Machine(fleet, name=..., location_id=...)``),
    then ``create()`` them.
    """

    def __init__(self, client: AsyncAppClient) -> None:
        """See the fleet through ``client``; the objects use the client's public methods only."""
        self.client = client
        """The client every call goes through."""

    def __repr__(self) -> str:
        """Name the client."""
        return f"Fleet({self.client!r})"

    @property
    def organizations(self) -> Collection[Organization]:
        """The organizations the client's key may see."""

        async def listed() -> list[Organization]:
            found = await self.client.list_organizations()
            return [Organization._from_message(self, org) for org in found]

        return Collection(Organization, self, once(listed), self.organization)

    async def organization(self, id: str) -> Organization:
        """Read the organization ``id``."""
        return await Organization._get(self, id)

    async def location(self, id: str) -> Location:
        """Read the location ``id``."""
        return await Location._get(self, id)

    async def machine(self, id: str) -> Machine:
        """Read the machine ``id``."""
        return await Machine._get(self, id)

    async def part(self, id: str) -> MachinePart:
        """Read the machine part ``id``."""
        return await MachinePart._get(self, id)

    async def fragment(self, id: str) -> Fragment:
        """Read the fragment ``id``."""
        return await Fragment._get(self, id)

    async def registry_item(self, id: str) -> RegistryItem:
        """Read the registry item ``id`` (``namespace:name`` or ``organization-id:name``)."""
        return await RegistryItem._get(self, id)

    async def module(self, id: str) -> Module:
        """Read the module ``id`` (``namespace:name`` or ``organization-id:name``)."""
        return await Module._get(self, id)

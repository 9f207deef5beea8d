"""The organization: its fields, and the way to its locations, members, invites, fragments, keys and registry."""

# The classes of this package build one another from wire messages through their protected members.
# pyright: reportPrivateUsage=false
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from .._wire import app_pb
from ._base import Collection, MetadataCalls, WithMetadata, once
from .access import APIKey, Invite, Member
from .fragments import Fragment
from .locations import Location
from .registry import Module, RegistryItem

if TYPE_CHECKING:
    from .fleet import Fleet

__all__ = ("Organization",)


class Organization(WithMetadata):
    """An organization: the owner of locations, fragments, keys and registry items.

    ``update()`` sends only the changed fields among ``name``, ``public_namespace``, ``region`` and ``cid`` (all
    optional in the RPC).
    """

    id: str
    """The organization's id."""
    name: str
    """Its name."""
    public_namespace: str
    """Its public namespace (empty until one is claimed; it cannot be changed once set)."""
    region: str
    """Its default region."""
    cid: str | None
    """Its customer id, if any."""
    created_on: datetime.datetime | None
    """When it was created."""

    _editable: ClassVar[frozenset[str]] = frozenset({"name", "public_namespace", "region", "cid"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        name: str = "",
        public_namespace: str = "",
        region: str = "",
        cid: str | None = None,
        id: str = "",
        created_on: datetime.datetime | None = None,
    ) -> None:
        """Describe a new organization for :meth:`create` (or, with ``id``, one to load or update)."""
        super().__init__(fleet)
        self.id, self.name, self.public_namespace, self.region = id, name, public_namespace, region
        self.cid, self.created_on = cid, created_on

    @classmethod
    def _from_message(cls, fleet: Fleet, message: app_pb.Organization) -> Organization:
        org = cls(
            fleet,
            id=message.id,
            name=message.name,
            public_namespace=message.public_namespace,
            region=message.default_region,
            cid=message.cid,
            created_on=message.created_on,
        )
        org._mark_loaded()
        return org

    @classmethod
    async def _get(cls, fleet: Fleet, id: str) -> Organization:
        return cls._from_message(fleet, await fleet.client.get_organization(id))

    async def _reread(self) -> Organization:
        return await self._get(self._fleet, self._id())

    def _metadata_calls(self) -> MetadataCalls:
        return self._client.get_organization_metadata, self._client.update_organization_metadata

    async def create(self) -> Organization:
        """Create an organization with these fields (the server makes the caller its owner).

        The object itself is left as it is, so calling it again makes another one.

        Returns:
            The new organization, read back.

        """
        created = self._from_message(self._fleet, await self._client.create_organization(self.name))
        extra = {k: v for k, v in self.to_json().items() if k in self._editable - {"name"} and v}
        return await created._write(extra) if extra else created

    async def _write(self, changed: dict[str, Any]) -> Organization:
        message = await self._client.update_organization(
            self._id(),
            name=changed.get("name"),
            public_namespace=changed.get("public_namespace"),
            region=changed.get("region"),
            cid=changed.get("cid"),
        )
        return self._from_message(self._fleet, message)

    async def delete(self) -> None:
        """Delete the organization."""
        await self._client.delete_organization(self._id())

    @property
    def locations(self) -> Collection[Location]:
        """The organization's locations (its own and those shared with it), at every depth."""

        async def listed() -> list[Location]:
            found = await self._client.list_locations(self._id())
            return [Location._from_message(self._fleet, loc) for loc in found]

        return Collection(Location, self._fleet, once(listed), lambda id: Location._get(self._fleet, id))

    @property
    def members(self) -> Collection[Member]:
        """The organization's members (``get`` takes a user id)."""
        org_id = self._id()

        async def listed() -> list[Member]:
            return await Member._list(self._fleet, org_id)

        return Collection(Member, self._fleet, once(listed), lambda user_id: Member._get(self._fleet, org_id, user_id))

    @property
    def invites(self) -> Collection[Invite]:
        """The organization's pending invites (``get`` takes an email)."""
        org_id = self._id()

        async def listed() -> list[Invite]:
            return await Invite._list(self._fleet, org_id)

        return Collection(Invite, self._fleet, once(listed), lambda email: Invite._get(self._fleet, org_id, email))

    @property
    def fragments(self) -> Collection[Fragment]:
        """The organization's own fragments."""
        org_id = self._id()

        async def listed() -> list[Fragment]:
            found = await self._client.list_fragments(org_id, show_public=False)
            return [Fragment._from_model(self._fleet, f) for f in found if f.organization_owner == org_id]

        return Collection(Fragment, self._fleet, once(listed), lambda id: Fragment._get(self._fleet, id))

    @property
    def keys(self) -> Collection[APIKey]:
        """The organization's API keys (their secrets are never listed)."""
        org_id = self._id()

        async def listed() -> list[APIKey]:
            return await APIKey._list(self._fleet, org_id)

        return Collection(APIKey, self._fleet, once(listed), lambda id: APIKey._get(self._fleet, org_id, id))

    @property
    def registry_items(self) -> Collection[RegistryItem]:
        """The organization's registry items of every type, read a page at a time as the iteration goes."""
        org_id = self._id()

        return Collection(
            RegistryItem,
            self._fleet,
            lambda: RegistryItem._iterate(self._fleet, org_id),
            lambda id: RegistryItem._get(self._fleet, id),
        )

    @property
    def modules(self) -> Collection[Module]:
        """The organization's modules."""
        org_id = self._id()

        async def listed() -> list[Module]:
            found = await self._client.list_modules(org_id)
            return [Module._from_message(self._fleet, m) for m in found]

        return Collection(Module, self._fleet, once(listed), lambda id: Module._get(self._fleet, id))

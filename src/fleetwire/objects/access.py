"""Who may do what: API keys, organization members and invites, with roles added and removed at once."""

# The classes of this package build one another from wire messages through their protected members.
# pyright: reportPrivateUsage=false
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from .._wire import app_pb
from ..errors import NotFoundError
from ..models import APIKeyAuthorization, ResourceType, Role, check_resource_type, check_role
from ._base import Resource

if TYPE_CHECKING:
    from .fleet import Fleet

__all__ = ("APIKey", "Invite", "Member")


def _grant(details: app_pb.AuthorizationDetails | app_pb.Authorization) -> dict[str, str]:
    """Describe a role on a resource as ``{"role", "resource_type", "resource_id"}``."""
    role = details.authorization_id.removeprefix(details.resource_type + "_")
    return {"role": role, "resource_type": details.resource_type, "resource_id": details.resource_id}


def _grant_key(grant: dict[str, str]) -> tuple[str, str, str]:
    return grant["role"], grant["resource_type"], grant["resource_id"]


def _checked(grants: list[dict[str, str]], name: str) -> list[tuple[Role, ResourceType, str]]:
    """Validate a list of grants (``TypeError``/``ArgumentError`` naming ``name``) before anything is sent."""
    out: list[tuple[Role, ResourceType, str]] = []
    for i, grant in enumerate(grants):
        if not isinstance(grant, dict) or set(grant) != {"role", "resource_type", "resource_id"}:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"{name}[{i}] must be a dict with the keys role, resource_type and resource_id")
        role, kind, resource = _grant_key(grant)
        out.append(
            (check_role(f"{name}[{i}].role", role), check_resource_type(f"{name}[{i}].resource_type", kind), resource)
        )
    return out


class APIKey(Resource):
    """An API key of an organization and the roles it holds.

    Keys have no editable fields: ``update()`` writes nothing and raises if a field was changed. Roles are added
    and removed at once with :meth:`add_role` / :meth:`remove_role`, and :meth:`rotate` replaces the secret.
    """

    id: str
    """The key's id (what ``connect(api_key_id=...)`` takes)."""
    name: str
    """Its name."""
    organization_id: str
    """The organization it belongs to."""
    key: str
    """The secret: known only on the object :meth:`create` or :meth:`rotate` returns (never in the repr)."""
    authorizations: list[dict[str, str]]
    """Its roles, each ``{"role", "resource_type", "resource_id"}``."""
    created_on: datetime.datetime | None
    """When it was created."""

    _secrets: ClassVar[frozenset[str]] = frozenset({"key"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        organization_id: str = "",
        authorizations: list[dict[str, str]] | None = None,
        name: str = "",
        id: str = "",
        key: str = "",
        created_on: datetime.datetime | None = None,
    ) -> None:
        """Describe a new key (``create()`` it), or with ``id`` an existing one."""
        super().__init__(fleet)
        self.id, self.name, self.organization_id, self.key = id, name, organization_id, key
        self.authorizations, self.created_on = list(authorizations or []), created_on

    @classmethod
    def _from_message(cls, fleet: Fleet, org_id: str, message: app_pb.ApiKeyWithAuthorizations) -> APIKey:
        api_key = message.api_key or app_pb.ApiKey()
        loaded = cls(
            fleet,
            organization_id=org_id,
            id=api_key.id,
            name=api_key.name,
            key=api_key.key,
            created_on=api_key.created_on,
            authorizations=[_grant(a) for a in message.authorizations],
        )
        loaded._mark_loaded()
        return loaded

    @classmethod
    async def _list(cls, fleet: Fleet, org_id: str) -> list[APIKey]:
        return [cls._from_message(fleet, org_id, k) for k in await fleet.client.list_keys(org_id)]

    @classmethod
    async def _get(cls, fleet: Fleet, org_id: str, id: str) -> APIKey:
        for key in await cls._list(fleet, org_id):
            if key.id == id:
                return key
        raise NotFoundError(None, f"organization {org_id} has no API key {id}")

    async def _reread(self) -> APIKey:
        return await self._get(self._fleet, self.organization_id, self._id())

    async def _with_secret(self, key: str, id: str) -> APIKey:
        fresh = await self._get(self._fleet, self.organization_id, id)
        object.__setattr__(fresh, "key", key)  # the server keeps only a hash: this is the one time it is known
        fresh._mark_loaded()
        return fresh

    async def create(self) -> APIKey:
        """Create a key with these roles and this name; calling it again makes another one.

        Returns:
            The new key, read back, with its secret in ``key``.

        """
        grants = [APIKeyAuthorization(r, t, i) for r, t, i in _checked(self.authorizations, "authorizations")]
        key, id = await self._client.create_key(self.organization_id, grants, self.name or None)
        return await self._with_secret(key, id)

    async def delete(self) -> None:
        """Delete the key: it stops working at once."""
        await self._client.delete_key(self._id())

    async def rotate(self) -> APIKey:
        """Replace the key with a new one holding the same roles, at once; the old secret stops working.

        Returns:
            The new key (a new id), with its secret in ``key``.

        """
        key, id = await self._client.rotate_key(self._id())
        return await self._with_secret(key, id)

    async def add_role(self, role: Role, resource_type: ResourceType, resource_id: str) -> None:
        """Grant the key ``role`` on a resource, at once (reload to see it in ``authorizations``)."""
        await self._client.add_role(self.organization_id, self._id(), role, resource_type, resource_id)

    async def remove_role(self, role: Role, resource_type: ResourceType, resource_id: str) -> None:
        """Take ``role`` on a resource away from the key, at once (reload to see it in ``authorizations``)."""
        await self._client.remove_role(self.organization_id, self._id(), role, resource_type, resource_id)


class Member(Resource):
    """A member of an organization (members join by accepting an :class:`Invite`; they cannot be created here).

    Members have no editable fields; roles are added and removed at once.
    """

    user_id: str
    """The member's user id."""
    organization_id: str
    """The organization."""
    emails: list[str]
    """The member's email addresses."""
    date_added: datetime.datetime | None
    """When the member joined."""
    last_login: datetime.datetime | None
    """When the member last logged in."""

    _key: ClassVar[str] = "user_id"

    def __init__(
        self,
        fleet: Fleet,
        *,
        user_id: str = "",
        organization_id: str = "",
        emails: list[str] | None = None,
        date_added: datetime.datetime | None = None,
        last_login: datetime.datetime | None = None,
    ) -> None:
        """Describe the member ``user_id`` of ``organization_id`` (load it with :meth:`reload`)."""
        super().__init__(fleet)
        self.user_id, self.organization_id, self.emails = user_id, organization_id, list(emails or [])
        self.date_added, self.last_login = date_added, last_login

    @classmethod
    async def _list(cls, fleet: Fleet, org_id: str) -> list[Member]:
        members, _ = await fleet.client.list_organization_members(org_id)
        out: list[Member] = []
        for m in members:
            member = cls(
                fleet,
                user_id=m.user_id,
                organization_id=org_id,
                emails=list(m.emails),
                date_added=m.date_added,
                last_login=m.last_login,
            )
            member._mark_loaded()
            out.append(member)
        return out

    @classmethod
    async def _get(cls, fleet: Fleet, org_id: str, user_id: str) -> Member:
        for member in await cls._list(fleet, org_id):
            if member.user_id == user_id:
                return member
        raise NotFoundError(None, f"organization {org_id} has no member {user_id}")

    async def _reread(self) -> Member:
        return await self._get(self._fleet, self.organization_id, self._id())

    async def delete(self) -> None:
        """Remove the member from the organization."""
        await self._client.delete_organization_member(self.organization_id, self._id())

    async def add_role(self, role: Role, resource_type: ResourceType, resource_id: str) -> None:
        """Grant the member ``role`` on a resource, at once."""
        await self._client.add_role(self.organization_id, self._id(), role, resource_type, resource_id)

    async def remove_role(self, role: Role, resource_type: ResourceType, resource_id: str) -> None:
        """Take ``role`` on a resource away from the member, at once."""
        await self._client.remove_role(self.organization_id, self._id(), role, resource_type, resource_id)


class Invite(Resource):
    """An invitation to join an organization with some roles, identified by its email.

    ``update()`` writes changes to ``authorizations`` as the roles added and the roles removed.
    """

    email: str
    """Who is invited."""
    organization_id: str
    """The organization."""
    authorizations: list[dict[str, str]]
    """The roles the invite grants, each ``{"role", "resource_type", "resource_id"}``."""
    created_on: datetime.datetime | None
    """When it was sent."""

    _key: ClassVar[str] = "email"
    _editable: ClassVar[frozenset[str]] = frozenset({"authorizations"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        email: str = "",
        organization_id: str = "",
        authorizations: list[dict[str, str]] | None = None,
        created_on: datetime.datetime | None = None,
    ) -> None:
        """Describe a new invite (``create()`` it), or an existing one to load or update."""
        super().__init__(fleet)
        self.email, self.organization_id = email, organization_id
        self.authorizations, self.created_on = list(authorizations or []), created_on

    @classmethod
    def _from_message(cls, fleet: Fleet, message: app_pb.OrganizationInvite) -> Invite:
        invite = cls(
            fleet,
            email=message.email,
            organization_id=message.organization_id,
            authorizations=[_grant(a) for a in message.authorizations],
            created_on=message.created_on,
        )
        invite._mark_loaded()
        return invite

    @classmethod
    async def _list(cls, fleet: Fleet, org_id: str) -> list[Invite]:
        _, invites = await fleet.client.list_organization_members(org_id)
        return [cls._from_message(fleet, i) for i in invites]

    @classmethod
    async def _get(cls, fleet: Fleet, org_id: str, email: str) -> Invite:
        for invite in await cls._list(fleet, org_id):
            if invite.email == email:
                return invite
        raise NotFoundError(None, f"organization {org_id} has no invite for {email}")

    async def _reread(self) -> Invite:
        return await self._get(self._fleet, self.organization_id, self._id())

    def _wire(self, grants: list[tuple[Role, ResourceType, str]]) -> list[app_pb.Authorization]:
        return [
            app_pb.Authorization(
                authorization_type="role",
                authorization_id=f"{kind}_{role}",
                resource_type=kind,
                resource_id=resource,
                organization_id=self.organization_id,
            )
            for role, kind, resource in grants
        ]

    async def create(self, send_email_invite: bool = False) -> Invite:
        """Invite ``email`` to the organization with these roles (and, with ``send_email_invite``, email them).

        With no roles the server applies its default (owner of the organization); the invite read back says which.

        Returns:
            The invite, read back.

        """
        grants = self._wire(_checked(self.authorizations, "authorizations"))
        message = await self._client.create_organization_invite(
            self.organization_id, self.email, grants, send_email_invite=send_email_invite
        )
        return self._from_message(self._fleet, message)

    async def _write(self, changed: dict[str, Any]) -> Invite:
        now = {_grant_key(g) for g in self.authorizations}
        before = {_grant_key(g) for g in (self._loaded or {}).get("authorizations", [])}
        _checked(self.authorizations, "authorizations")
        added = self._wire([cast("tuple[Role, ResourceType, str]", g) for g in sorted(now - before)])
        removed = self._wire([cast("tuple[Role, ResourceType, str]", g) for g in sorted(before - now)])
        message = await self._client.update_organization_invite_authorizations(
            self.organization_id, self._id(), add_authorizations=added or None, remove_authorizations=removed or None
        )
        return self._from_message(self._fleet, message)

    async def delete(self) -> None:
        """Withdraw the invite."""
        await self._client.delete_organization_invite(self.organization_id, self._id())

    async def resend(self) -> Invite:
        """Send the invite email again, at once."""
        return self._from_message(
            self._fleet, await self._client.resend_organization_invite(self.organization_id, self._id())
        )

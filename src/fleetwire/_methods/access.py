"""Access: roles, authorizations, permission checks and API keys."""

from __future__ import annotations

import datetime

from .._wire import app_pb
from ..errors import ArgumentError
from ..models import APIKeyAuthorization, ResourceType, Role
from .args import require_id, text_list
from .base import ClientBase, key_authorization, role_authorization


class AccessMethods(ClientBase):
    """Access: roles, authorizations, permission checks and API keys."""

    async def add_role(
        self,
        org_id: str,
        identity_id: str,
        role: Role,
        resource_type: ResourceType,
        resource_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Grant a role on a resource to an identity, in an organization.

        Args:
            org_id: The id of the organization the role belongs to.
            identity_id: The id of the identity that receives the role (a user id, for example).
            role: The role, ``"owner"`` or ``"operator"``.
            resource_type: The kind of resource, ``"organization"``, ``"location"`` or ``"robot"``; it must match
                ``resource_id``.
            resource_id: The id of the organization, location or machine the role applies to.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            ValueError: If ``role`` or ``resource_type`` is not one of the accepted values (raised before any call).
            GRPCError: If the identity id, the role, the resource type or the resource id is invalid.

        Example:
            ::

                await client.add_role(
                    org_id="org-1", identity_id="user-1", role="operator", resource_type="location", resource_id="loc-1"
                )

        """
        authorization = role_authorization(org_id, identity_id, role, resource_type, resource_id, prefix="")
        await self._write(self.raw.add_role, app_pb.AddRoleRequest(authorization=authorization), timeout)

    async def remove_role(
        self,
        org_id: str,
        identity_id: str,
        role: Role,
        resource_type: ResourceType,
        resource_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Take a role on a resource away from an identity, in an organization.

        Args:
            org_id: The id of the organization the role belongs to.
            identity_id: The id of the identity that holds the role (a user id, for example).
            role: The role, ``"owner"`` or ``"operator"``.
            resource_type: The kind of resource, ``"organization"``, ``"location"`` or ``"robot"``; it must match
                ``resource_id``.
            resource_id: The id of the organization, location or machine the role applies to.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            ValueError: If ``role`` or ``resource_type`` is not one of the accepted values (raised before any call).
            GRPCError: If the identity id, the role, the resource type or the resource id is invalid.

        Example:
            ::

                await client.remove_role(
                    org_id="org-1", identity_id="user-1", role="operator", resource_type="location", resource_id="loc-1"
                )

        """
        authorization = role_authorization(org_id, identity_id, role, resource_type, resource_id, prefix="")
        await self._write(self.raw.remove_role, app_pb.RemoveRoleRequest(authorization=authorization), timeout)

    async def change_role(
        self,
        organization_id: str,
        old_identity_id: str,
        old_role: Role,
        old_resource_type: ResourceType,
        old_resource_id: str,
        new_identity_id: str,
        new_role: Role,
        new_resource_type: ResourceType,
        new_resource_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Replace one role with another.

        Args:
            organization_id: The id of the organization the roles belong to.
            old_identity_id: The id of the identity that holds the current role (a user id, for example).
            old_role: The current role, ``"owner"`` or ``"operator"``.
            old_resource_type: The kind of resource of the current role, ``"organization"``, ``"location"`` or
                ``"robot"``; it must match ``old_resource_id``.
            old_resource_id: The id of the organization, location or machine of the current role.
            new_identity_id: The id of the identity that receives the new role.
            new_role: The new role, ``"owner"`` or ``"operator"``.
            new_resource_type: The kind of resource of the new role; it must match ``new_resource_id``.
            new_resource_id: The id of the organization, location or machine of the new role.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            ValueError: If a role or a resource type is not one of the accepted values (raised before any call).

        Example:
            ::

                await client.change_role(
                    organization_id="org-1",
                    old_identity_id="user-1",
                    old_role="operator",
                    old_resource_type="location",
                    old_resource_id="loc-1",
                    new_identity_id="user-1",
                    new_role="owner",
                    new_resource_type="organization",
                    new_resource_id="org-1",
                )

        """
        old = role_authorization(
            organization_id, old_identity_id, old_role, old_resource_type, old_resource_id, prefix="old_"
        )
        new = role_authorization(
            organization_id, new_identity_id, new_role, new_resource_type, new_resource_id, prefix="new_"
        )
        request = app_pb.ChangeRoleRequest(old_authorization=old, new_authorization=new)
        await self._write(self.raw.change_role, request, timeout)

    async def list_authorizations(
        self,
        org_id: str,
        resource_ids: list[str] | None = None,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Authorization]:
        """List the authorizations on some or all resources of an organization.

        Args:
            org_id: The organization's id.
            resource_ids: The ids of the resources whose authorizations to list; when omitted, every resource of the
                organization.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The authorizations.

        Raises:
            GRPCError: If a resource id is invalid.

        Example:
            ::

                grants = await client.list_authorizations(org_id="org-1", resource_ids=["machine-1"])

        """
        require_id("org_id", org_id)
        ids = text_list("resource_ids", resource_ids) if resource_ids is not None else []
        request = app_pb.ListAuthorizationsRequest(organization_id=org_id, resource_ids=ids)
        response = await self._read(self.raw.list_authorizations, request, timeout)
        return list(response.authorizations)

    async def check_permissions(
        self,
        permissions: list[app_pb.AuthorizedPermissions],
        *,
        timeout: float | None = None,
    ) -> list[app_pb.AuthorizedPermissions]:
        """Find out which of some permissions the caller actually holds.

        Args:
            permissions: The permissions to check, each a resource with permission names such as
                ``"read_organization"`` or ``"control_robot"``.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The ``permissions`` given, with the ones the caller does not hold filtered out.

        Raises:
            ArgumentError: If ``permissions`` is empty (raised before any call; it is an ``InvalidArgumentError`` too,
                hence a ``GRPCError``).

        Example:
            ::

                from fleetwire_api.viam.app.v1 import AuthorizedPermissions

                wanted = [
                    AuthorizedPermissions(
                        resource_type="organization",
                        resource_id="org-1",
                        permissions=["control_robot", "read_robot_logs"],
                    )
                ]
                held = await client.check_permissions(wanted)

        """
        if not permissions:
            raise ArgumentError("permissions must not be empty")
        request = app_pb.CheckPermissionsRequest(permissions=list(permissions))
        response = await self._read(self.raw.check_permissions, request, timeout)
        return list(response.authorized_permissions)

    async def create_key(
        self,
        org_id: str,
        authorizations: list[APIKeyAuthorization],
        name: str | None = None,
        *,
        timeout: float | None = None,
    ) -> tuple[str, str]:
        """Create a new API key with the given authorizations.

        Args:
            org_id: The id of the organization the key belongs to.
            authorizations: What the key may do, one :class:`APIKeyAuthorization` per role on a resource.
            name: The key's name (default: the current date and time).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(key, key_id)``: the new API key and its id.

        Raises:
            TypeError: If an item of ``authorizations`` is not an :class:`APIKeyAuthorization`.
            ArgumentError: If an authorization's ``resource_id`` is empty (raised before any call).
            GRPCError: If ``authorizations`` is empty.

        Example:
            ::

                from fleetwire import APIKeyAuthorization

                grant = APIKeyAuthorization(role="operator", resource_type="robot", resource_id="machine-1")
                key, key_id = await client.create_key(org_id="org-1", authorizations=[grant], name="ci-runner")

        """
        require_id("org_id", org_id)
        pb_authorizations = [
            key_authorization(org_id, auth, f"authorizations[{n}]") for n, auth in enumerate(authorizations)
        ]
        request = app_pb.CreateKeyRequest(
            authorizations=pb_authorizations, name=name if name is not None else str(datetime.datetime.now())
        )
        response = await self._write(self.raw.create_key, request, timeout)
        return response.key, response.id

    async def delete_key(
        self,
        id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete an API key.

        Args:
            id: The key's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.delete_key("key-1")

        """
        require_id("id", id)
        await self._write(self.raw.delete_key, app_pb.DeleteKeyRequest(id=id), timeout)

    async def create_key_from_existing_key_authorizations(
        self,
        id: str,
        *,
        timeout: float | None = None,
    ) -> tuple[str, str]:
        """Create a new API key with the same authorizations as an existing one.

        Args:
            id: The id of the key whose authorizations to copy.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(key, key_id)``: the new API key and its id.

        Example:
            ::

                key, key_id = await client.create_key_from_existing_key_authorizations(id="key-1")

        """
        require_id("id", id)
        request = app_pb.CreateKeyFromExistingKeyAuthorizationsRequest(id=id)
        response = await self._write(self.raw.create_key_from_existing_key_authorizations, request, timeout)
        return response.key, response.id

    async def list_keys(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.ApiKeyWithAuthorizations]:
        """List the API keys of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization's API keys, each with its authorizations.

        Example:
            ::

                keys = await client.list_keys(org_id="org-1")

        """
        require_id("org_id", org_id)
        response = await self._read(self.raw.list_keys, app_pb.ListKeysRequest(org_id=org_id), timeout)
        return list(response.api_keys)

    async def rotate_key(
        self,
        id: str,
        *,
        timeout: float | None = None,
    ) -> tuple[str, str]:
        """Replace an API key with a new one.

        Args:
            id: The id of the key to rotate.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(key, key_id)``: the new API key and its id.

        Example:
            ::

                key, key_id = await client.rotate_key("key-1")

        """
        require_id("id", id)
        response = await self._write(self.raw.rotate_key, app_pb.RotateKeyRequest(id=id), timeout)
        return response.key, response.id

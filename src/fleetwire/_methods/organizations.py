"""Organizations, their members and invites, and user lookup."""

from __future__ import annotations

from .._wire import app_pb
from .args import message_list, optional_text, require_bool, require_id, require_text
from .base import ClientBase, present


class OrganizationMethods(ClientBase):
    """Organizations, their members and invites, and the user lookup by email."""

    async def get_user_id_by_email(
        self,
        email: str,
        *,
        timeout: float | None = None,
    ) -> str:
        """Look up a user's id from their email address.

        Args:
            email: The user's email address.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The user's id.

        Example:
            ::

                user_id = await client.get_user_id_by_email("ada@example.com")

        """
        require_text("email", email)
        response = await self._read(self.raw.get_user_id_by_email, app_pb.GetUserIdByEmailRequest(email=email), timeout)
        return response.user_id

    async def create_organization(
        self,
        name: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.Organization:
        """Create a new organization.

        Args:
            name: The new organization's name.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization just created.

        Example:
            ::

                org = await client.create_organization("Test Bench")

        """
        response = await self._write(self.raw.create_organization, app_pb.CreateOrganizationRequest(name=name), timeout)
        return present(response.organization, app_pb.Organization)

    async def list_organizations(
        self,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Organization]:
        """List the organizations the caller is an authorized owner of.

        Args:
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organizations.

        Example:
            ::

                orgs = await client.list_organizations()

        """
        response = await self._read(self.raw.list_organizations, app_pb.ListOrganizationsRequest(), timeout)
        return list(response.organizations)

    async def get_organizations_with_access_to_location(
        self,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.OrganizationIdentity]:
        """List every organization that has access to a location.

        Args:
            location_id: The location's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organizations with access to the location.

        Example:
            ::

                orgs = await client.get_organizations_with_access_to_location("loc-1")

        """
        require_id("location_id", location_id)
        request = app_pb.GetOrganizationsWithAccessToLocationRequest(location_id=location_id)
        response = await self._read(self.raw.get_organizations_with_access_to_location, request, timeout)
        return list(response.organization_identities)

    async def list_organizations_by_user(
        self,
        user_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.OrgDetails]:
        """List the organizations a user is a member of.

        Args:
            user_id: The user's id (see :meth:`get_user_id_by_email`).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The user's organizations.

        Example:
            ::

                orgs = await client.list_organizations_by_user("user-1")

        """
        require_id("user_id", user_id)
        request = app_pb.ListOrganizationsByUserRequest(user_id=user_id)
        response = await self._read(self.raw.list_organizations_by_user, request, timeout)
        return list(response.orgs)

    async def get_organization(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.Organization:
        """Fetch one organization: its id, name, public namespace and other details.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization.

        Raises:
            GRPCError: If ``org_id`` is invalid or the caller is not authorized for that organization.

        Example:
            ::

                org = await client.get_organization("org-1")

        """
        require_id("org_id", org_id)
        request = app_pb.GetOrganizationRequest(organization_id=org_id)
        response = await self._read(self.raw.get_organization, request, timeout)
        return present(response.organization, app_pb.Organization)

    async def get_organization_namespace_availability(
        self,
        public_namespace: str,
        *,
        timeout: float | None = None,
    ) -> bool:
        """Tell whether a public namespace is still free for an organization to take.

        Args:
            public_namespace: The namespace to check; namespaces hold only lowercase letters, digits and dashes.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            ``True`` when the namespace is available.

        Raises:
            GRPCError: If the namespace is not a valid one (the empty string, say).

        Example:
            ::

                free = await client.get_organization_namespace_availability(public_namespace="test-bench")

        """
        # An empty namespace is the server's to reject (documented as "raises GRPCError"), so no client-side check here.
        request = app_pb.GetOrganizationNamespaceAvailabilityRequest(public_namespace=public_namespace)
        response = await self._read(self.raw.get_organization_namespace_availability, request, timeout)
        return response.available

    async def update_organization(
        self,
        org_id: str,
        name: str | None = None,
        public_namespace: str | None = None,
        region: str | None = None,
        cid: str | None = None,
        default_fragments: list[app_pb.FragmentImport] | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Organization:
        """Change an organization's details; only the fields passed are changed.

        Args:
            org_id: The id of the organization to change.
            name: A new name.
            public_namespace: A namespace for the organization; it can only be set while none is set yet.
            region: A new region.
            cid: A new CRM id.
            default_fragments: The fragments every new machine of the organization starts with (each a
                ``fleetwire.proto.app.FragmentImport``); ``[]`` clears them, ``None`` (the default) leaves them.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization as it is after the change.

        Raises:
            TypeError: If an argument has the wrong type (``default_fragments`` not a list of ``FragmentImport``).
            GRPCError: If the organization already has a namespace, or the requested namespace is taken.

        Example:
            ::

                org = await client.update_organization(org_id="org-1", name="Test Bench", public_namespace="test-bench")

        """
        require_id("org_id", org_id)
        for label, text in (("name", name), ("public_namespace", public_namespace), ("region", region), ("cid", cid)):
            optional_text(label, text)
        fragments = None
        if default_fragments is not None:
            items = message_list("default_fragments", default_fragments, app_pb.FragmentImport)
            fragments = app_pb.FragmentImportList(fragments=items)
        request = app_pb.UpdateOrganizationRequest(
            organization_id=org_id,
            name=name,
            public_namespace=public_namespace,
            region=region,
            cid=cid,
            default_fragments=fragments,
        )
        response = await self._write(self.raw.update_organization, request, timeout)
        return present(response.organization, app_pb.Organization)

    async def delete_organization(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete an organization.

        Args:
            org_id: The id of the organization to delete.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.delete_organization("org-1")

        """
        require_id("org_id", org_id)
        await self._write(
            self.raw.delete_organization, app_pb.DeleteOrganizationRequest(organization_id=org_id), timeout
        )

    async def list_organization_members(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> tuple[list[app_pb.OrganizationMember], list[app_pb.OrganizationInvite]]:
        """List an organization's members and its pending invites.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(members, invites)``: the list of members first, then the list of pending invites.

        Example:
            ::

                members, invites = await client.list_organization_members("org-1")

        """
        require_id("org_id", org_id)
        request = app_pb.ListOrganizationMembersRequest(organization_id=org_id)
        response = await self._read(self.raw.list_organization_members, request, timeout)
        return list(response.members), list(response.invites)

    async def create_organization_invite(
        self,
        org_id: str,
        email: str,
        authorizations: list[app_pb.Authorization] | None = None,
        send_email_invite: bool = True,
        *,
        timeout: float | None = None,
    ) -> app_pb.OrganizationInvite:
        """Invite someone to an organization, by default with an email.

        Args:
            org_id: The id of the organization to invite to.
            email: The invitee's email address.
            authorizations: The authorizations the invite grants; when omitted the invitee becomes a full owner.
            send_email_invite: Whether to email the invite. With ``True`` (the default) the invitee gets the
                authorizations once they accept the email; with ``False`` they get them automatically the next time
                they log in with that email address.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The invite.

        Raises:
            GRPCError: If the email address is invalid, or its user is already a member of the organization.

        Example:
            ::

                invite = await client.create_organization_invite("org-1", "ada@example.com")

        """
        require_id("org_id", org_id)
        require_text("email", email)
        require_bool("send_email_invite", send_email_invite)
        request = app_pb.CreateOrganizationInviteRequest(
            organization_id=org_id,
            email=email,
            authorizations=list(authorizations or []),
            send_email_invite=send_email_invite,
        )
        response = await self._write(self.raw.create_organization_invite, request, timeout)
        return present(response.invite, app_pb.OrganizationInvite)

    async def update_organization_invite_authorizations(
        self,
        org_id: str,
        email: str,
        add_authorizations: list[app_pb.Authorization] | None = None,
        remove_authorizations: list[app_pb.Authorization] | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.OrganizationInvite:
        """Add authorizations to, or remove them from, an invite that already exists.

        An invite holds at most one authorization per resource level (organization, location, machine) and always
        at least one authorization.

        Args:
            org_id: The id of the organization the invite is for.
            email: The email address the invite went to.
            add_authorizations: Authorizations to add to the invite.
            remove_authorizations: Authorizations to remove from the invite.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The invite after the change.

        Raises:
            GRPCError: If no authorization is given, or the change would leave an invalid set (removing the only
                authorization of an invite, for example).

        Example:
            ::

                from fleetwire_api.viam.app.v1 import Authorization

                grant = Authorization(
                    authorization_type="role",
                    authorization_id="location_operator",
                    resource_type="location",  # or "organization", "robot"
                    resource_id="loc-1",  # the id of that resource
                    identity_id="",
                    organization_id="org-1",
                    identity_type="",
                )
                invite = await client.update_organization_invite_authorizations(
                    org_id="org-1", email="ada@example.com", add_authorizations=[grant]
                )

        """
        require_id("org_id", org_id)
        require_text("email", email)
        request = app_pb.UpdateOrganizationInviteAuthorizationsRequest(
            organization_id=org_id,
            email=email,
            add_authorizations=list(add_authorizations or []),
            remove_authorizations=list(remove_authorizations or []),
        )
        response = await self._write(self.raw.update_organization_invite_authorizations, request, timeout)
        return present(response.invite, app_pb.OrganizationInvite)

    async def delete_organization_member(
        self,
        org_id: str,
        user_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Remove a user from an organization.

        Args:
            org_id: The organization's id.
            user_id: The id of the member to remove.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                members, _ = await client.list_organization_members("org-1")
                await client.delete_organization_member(org_id="org-1", user_id=members[0].user_id)

        """
        require_id("org_id", org_id)
        require_id("user_id", user_id)
        request = app_pb.DeleteOrganizationMemberRequest(organization_id=org_id, user_id=user_id)
        await self._write(self.raw.delete_organization_member, request, timeout)

    async def delete_organization_invite(
        self,
        org_id: str,
        email: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Withdraw a pending invite to an organization.

        Args:
            org_id: The id of the organization the invite is for.
            email: The email address the invite went to.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If there is no pending invite for that email address.

        Example:
            ::

                await client.delete_organization_invite("org-1", "ada@example.com")

        """
        require_id("org_id", org_id)
        require_text("email", email)
        request = app_pb.DeleteOrganizationInviteRequest(organization_id=org_id, email=email)
        await self._write(self.raw.delete_organization_invite, request, timeout)

    async def resend_organization_invite(
        self,
        org_id: str,
        email: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.OrganizationInvite:
        """Send the email of a pending organization invite again.

        Args:
            org_id: The id of the organization the invite is for.
            email: The email address the invite went to.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The invite that was sent again.

        Raises:
            GRPCError: If there is no pending invite for that email address.

        Example:
            ::

                invite = await client.resend_organization_invite("org-1", "ada@example.com")

        """
        require_id("org_id", org_id)
        require_text("email", email)
        request = app_pb.ResendOrganizationInviteRequest(organization_id=org_id, email=email)
        response = await self._write(self.raw.resend_organization_invite, request, timeout)
        return present(response.invite, app_pb.OrganizationInvite)

"""Fragments: create, read, update, delete and history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._convert import dict_to_struct
from .._wire import app_pb
from ..errors import ArgumentError
from ..models import Fragment, FragmentHistoryEntry
from .base import ClientBase, present, require_id


class FragmentMethods(ClientBase):
    """Fragments: their life cycle and history."""

    async def list_fragments(
        self,
        org_id: str,
        show_public: bool = True,
        visibilities: list[Fragment.Visibility] | None = None,
        *,
        timeout: float | None = None,
    ) -> list[Fragment]:
        """List the fragments of an organization.

        Args:
            org_id: The organization's id.
            show_public: Deprecated, use ``visibilities``. ``True`` (the default) returns only public fragments,
                ``False`` only private ones.
            visibilities: The visibilities of the fragments to return; when empty, only public fragments are
                returned.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragments.

        Example:
            ::

                fragments = await client.list_fragments(org_id="org-1", visibilities=[])

        """
        require_id("org_id", org_id)
        request = app_pb.ListFragmentsRequest(
            organization_id=org_id,
            fragment_visibility=[Fragment.Visibility(v).to_proto() for v in visibilities or []],
            show_public=show_public,
        )
        response = await self._read(self.raw.list_fragments, request, timeout)
        return [Fragment.from_proto(fragment) for fragment in response.fragments]

    async def get_fragment(
        self,
        fragment_id: str,
        *,
        timeout: float | None = None,
    ) -> Fragment:
        """Fetch one fragment.

        Args:
            fragment_id: The fragment's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment.

        Raises:
            GRPCError: If the fragment id is invalid.

        Example:
            ::

                fragment = await client.get_fragment(fragment_id="frag-1")
                print(fragment.name, fragment.created_on)

        """
        require_id("fragment_id", fragment_id)
        response = await self._read(self.raw.get_fragment, app_pb.GetFragmentRequest(id=fragment_id), timeout)
        return Fragment.from_proto(present(response.fragment, app_pb.Fragment))

    async def create_fragment(
        self,
        org_id: str,
        name: str,
        config: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> Fragment:
        """Create a new private fragment in an organization.

        Args:
            org_id: The id of the organization that will own the fragment.
            name: The fragment's name.
            config: The fragment's config, as a dictionary; it can also be set later with :meth:`update_fragment`.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment just created.

        Raises:
            GRPCError: If the name is invalid.

        Example:
            ::

                fragment = await client.create_fragment(org_id="org-1", name="camera-defaults")

        """
        require_id("org_id", org_id)
        request = app_pb.CreateFragmentRequest(
            name=name, config=dict_to_struct(config) if config else None, organization_id=org_id
        )
        response = await self._write(self.raw.create_fragment, request, timeout)
        return Fragment.from_proto(present(response.fragment, app_pb.Fragment))

    async def update_fragment(
        self,
        fragment_id: str,
        name: str,
        config: Mapping[str, Any] | None = None,
        public: bool | None = None,
        visibility: Fragment.Visibility | None = None,
        *,
        timeout: float | None = None,
    ) -> Fragment:
        """Rename a fragment and, optionally, replace its config and change its visibility.

        Args:
            fragment_id: The fragment's id.
            name: The fragment's new name.
            config: A new config, as a dictionary; when omitted the config stays as it is.
            public: Deprecated, use ``visibility``. Whether the fragment is public; when omitted the visibility
                stays as it is. New fragments are private.
            visibility: Who may see the fragment; when omitted the visibility stays as it is. New fragments are
                private.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment as it is after the change.

        Raises:
            GRPCError: If the id, the name or the config is invalid.

        Example:
            ::

                fragment = await client.update_fragment(fragment_id="frag-1", name="camera-defaults-v2")

        """
        require_id("fragment_id", fragment_id)
        request = app_pb.UpdateFragmentRequest(
            id=fragment_id,
            name=name,
            config=dict_to_struct(config) if config else None,
            public=public,
            visibility=Fragment.Visibility(visibility).to_proto() if visibility else None,
        )
        response = await self._write(self.raw.update_fragment, request, timeout)
        return Fragment.from_proto(present(response.fragment, app_pb.Fragment))

    async def delete_fragment(
        self,
        fragment_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a fragment.

        Args:
            fragment_id: The id of the fragment to delete.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the fragment id is invalid.

        Example:
            ::

                await client.delete_fragment(fragment_id="frag-2")

        """
        require_id("fragment_id", fragment_id)
        await self._write(self.raw.delete_fragment, app_pb.DeleteFragmentRequest(id=fragment_id), timeout)

    async def get_fragment_history(
        self,
        id: str,
        page_token: str | None = "",
        page_limit: int | None = 10,
        *,
        timeout: float | None = None,
    ) -> list[FragmentHistoryEntry]:
        """Fetch one page of a fragment's edit history.

        Args:
            id: The fragment's id.
            page_token: The token of the page to fetch (default ``""``).
            page_limit: How many history entries to return at most (default 10).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment's history entries.

        Raises:
            ArgumentError: If ``page_limit`` is negative (raised before any call).
            GRPCError: If the fragment id, the page token or the page limit is invalid.

        Example:
            ::

                history = await client.get_fragment_history(id="frag-1", page_token="", page_limit=5)

        """
        require_id("id", id)
        if page_limit is not None and page_limit < 0:
            raise ArgumentError("page_limit must be at least 0")
        request = app_pb.GetFragmentHistoryRequest(id=id, page_token=page_token, page_limit=page_limit)
        response = await self._read(self.raw.get_fragment_history, request, timeout)
        return [FragmentHistoryEntry.from_proto(entry) for entry in response.history]

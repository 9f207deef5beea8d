"""Fragments: create, read, update, delete and history."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from .._paging import Pager
from .._wire import app_pb
from ..errors import AbortedError, ArgumentError, ConflictError
from ..logs import LogsStream
from ..models import Fragment, FragmentHistoryEntry
from .args import optional_config, optional_datetime, optional_int, optional_text, require_bool, require_id, require_str
from .base import ClientBase, present


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
        require_bool("show_public", show_public)
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
        version: str | None = None,
        *,
        timeout: float | None = None,
    ) -> Fragment:
        """Fetch one fragment, as it is now or as it was at an earlier version.

        Args:
            fragment_id: The fragment's id.
            version: The version (revision) to fetch; ``None`` (the default) fetches the current one.
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
        optional_text("version", version)
        request = app_pb.GetFragmentRequest(id=fragment_id, version=version)
        response = await self._read(self.raw.get_fragment, request, timeout)
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
        require_str("name", name)
        request = app_pb.CreateFragmentRequest(
            name=name, config=optional_config("config", config), organization_id=org_id
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
        last_known_update: datetime.datetime | None = None,
        *,
        fragment_config_json: str | None = None,
        timeout: float | None = None,
    ) -> Fragment:
        """Rename a fragment and, optionally, replace its config and visibility, unless it changed since it was read.

        Args:
            fragment_id: The fragment's id.
            name: The fragment's new name.
            config: A new config, as a dictionary; when omitted (or empty, as with the official client) the config
                stays as it is. To empty it, pass ``fragment_config_json="{}"``.
            public: Deprecated, use ``visibility``. Whether the fragment is public; when omitted the visibility
                stays as it is. New fragments are private.
            visibility: Who may see the fragment; when omitted the visibility stays as it is. New fragments are
                private.
            last_known_update: The fragment's ``last_updated`` when it was read: the update is refused with
                :class:`~fleetwire.ConflictError` if the fragment changed since. ``None`` (the default) updates
                unconditionally.
            fragment_config_json: A new config as JSON text, sent as written (so an empty ``"{}"`` empties the
                config); when given, the server takes it instead of ``config``.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment as it is after the change.

        Raises:
            TypeError: If ``config`` is not a mapping of JSON-able values (the message names the key path), or
                another argument has the wrong type.
            ArgumentError: If ``visibility`` is not a visibility.
            ConflictError: If the fragment changed since ``last_known_update``: nothing was written; reload it with
                :meth:`get_fragment`, re-apply the change and update again.
            GRPCError: If the id, the name or the config is invalid.

        Example:
            ::

                fragment = await client.get_fragment("frag-1")
                fragment = await client.update_fragment(
                    fragment.id, "camera-defaults-v2", last_known_update=fragment.last_updated
                )

        """
        require_id("fragment_id", fragment_id)
        require_str("name", name)
        if public is not None:
            require_bool("public", public)
        optional_datetime("last_known_update", last_known_update)
        optional_text("fragment_config_json", fragment_config_json)
        request = app_pb.UpdateFragmentRequest(
            id=fragment_id,
            name=name,
            config=optional_config("config", config),
            public=public,
            visibility=_visibility(visibility).to_proto() if visibility else None,
            last_known_update=last_known_update,
            fragment_config_json=fragment_config_json or None,
        )
        try:
            response = await self._write(self.raw.update_fragment, request, timeout)
        except AbortedError as exc:
            raise ConflictError.stale("fragment", fragment_id, exc) from exc
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
        optional_text("page_token", page_token)
        optional_int("page_limit", page_limit)
        request = app_pb.GetFragmentHistoryRequest(id=id, page_token=page_token, page_limit=page_limit)
        response = await self._read(self.raw.get_fragment_history, request, timeout)
        return [FragmentHistoryEntry.from_proto(entry) for entry in response.history]

    def iter_fragment_history(
        self,
        id: str,
        *,
        page_limit: int | None = 10,
        num_entries: int = 0,
        timeout: float | None = None,
    ) -> LogsStream[FragmentHistoryEntry]:
        """Iterate over a fragment's whole edit history page by page, holding only a page or two in memory.

        The next page is requested while the current one is read. To stop early, close the stream with
        ``await entries.close()`` or leave its ``async with ... as entries:`` block.

        Args:
            id: The fragment's id.
            page_limit: How many entries to ask the server for per page (default 10, as ``get_fragment_history``).
            num_entries: Stop after this many entries; 0 (the default) reads them all.
            timeout: Seconds each page request may take (default: the client's timeout).

        Returns:
            A stream of :class:`FragmentHistoryEntry`.

        Raises:
            TypeError: If an argument has the wrong type.
            ArgumentError: If ``page_limit`` is not positive or ``num_entries`` negative (raised before any call).

        Example:
            ::

                async with client.iter_fragment_history("frag-1") as history:
                    async for entry in history:
                        print(entry.edited_on, entry.edited_by.email)

        """
        require_id("id", id)
        optional_int("page_limit", page_limit, minimum=1)
        optional_int("num_entries", num_entries)

        async def fetch(token: str) -> app_pb.GetFragmentHistoryResponse:
            request = app_pb.GetFragmentHistoryRequest(id=id, page_token=token, page_limit=page_limit)
            return await self._read(self.raw.get_fragment_history, request, timeout)

        pager = Pager(fetch, _history_page, _history_scan)
        return LogsStream(pager.chunks(limit=num_entries))


def _visibility(value: object) -> Fragment.Visibility:
    """``value`` as a :class:`Fragment.Visibility` (its member or its text); ``ArgumentError`` naming it otherwise."""
    if not isinstance(value, str):  # Visibility members are str too
        raise TypeError(f"visibility must be a Fragment.Visibility, got {type(value).__name__}")
    try:
        return Fragment.Visibility(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in Fragment.Visibility)
        raise ArgumentError(f"visibility must be one of {allowed}, got {value!r}") from None


def _history_page(response: app_pb.GetFragmentHistoryResponse) -> tuple[list[FragmentHistoryEntry], str]:
    return [FragmentHistoryEntry.from_proto(entry) for entry in response.history], response.next_page_token


def _history_scan(response: app_pb.GetFragmentHistoryResponse) -> tuple[int, str]:
    return len(response.history), response.next_page_token

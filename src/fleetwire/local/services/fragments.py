"""Fragments: reusable config documents owned by an organization (the AppService handlers of ``FragmentsMixin``).

Visibility: ``private`` fragments are seen by their organization only; ``public`` ones by every authenticated
caller and listed for everyone who asks for public fragments; ``unlisted`` ones are readable by id by everyone but
listed only for their organization. Every change appends a history entry holding the fragment as it was.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.google.protobuf import Struct
from fleetwire_api.services import codec
from fleetwire_api.viam.app.v1 import (
    AuthenticationType,
    AuthenticatorInfo,
    CreateFragmentRequest,
    CreateFragmentResponse,
    DeleteFragmentRequest,
    DeleteFragmentResponse,
    Fragment,
    FragmentHistoryEntry,
    FragmentVisibility,
    GetFragmentHistoryRequest,
    GetFragmentHistoryResponse,
    GetFragmentRequest,
    GetFragmentResponse,
    ListFragmentsRequest,
    ListFragmentsResponse,
    UpdateFragmentRequest,
    UpdateFragmentResponse,
)

from ..store.configs import ConfigForms, new_config, stored_struct
from ..store.ids import (
    encode_page_token,
    from_iso,
    new_id,
    not_found,
    now,
    require_id,
    require_name,
    to_iso,
)
from ..store.paging import history_page
from ..wire import decode_keeping_structs
from .robot_parts import require_unchanged_since

if TYPE_CHECKING:
    from ..context import Caller, Context

__all__ = ("SCHEMA", "FragmentsMixin")

SCHEMA = """
CREATE TABLE IF NOT EXISTS fragments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    config_json TEXT NOT NULL DEFAULT '{}',
    visibility INTEGER NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    created_on TEXT NOT NULL,
    last_updated TEXT NOT NULL,
    config_wire BLOB,
    UNIQUE (org_id, name)
);
CREATE INDEX IF NOT EXISTS fragments_visibility ON fragments(visibility);
CREATE TABLE IF NOT EXISTS fragment_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    fragment_id TEXT NOT NULL REFERENCES fragments(id) ON DELETE CASCADE,
    edited_on TEXT NOT NULL,
    old_fragment BLOB NOT NULL,
    editor_type INTEGER NOT NULL,
    editor_value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fragment_history_fragment ON fragment_history(fragment_id, seq);
"""
"""Tables of fragments and their history."""

DEFAULT_HISTORY_PAGE = 10
"""History entries per page when the request sets no ``page_limit`` (as the fleet API documents)."""

MAX_HISTORY_PAGE = 1000
"""Largest accepted ``page_limit``."""

_VISIBLE_TO_ALL = (int(FragmentVisibility.PUBLIC), int(FragmentVisibility.PUBLIC_UNLISTED))


def _visibility(value: FragmentVisibility | int, field: str) -> FragmentVisibility:
    """Validate a visibility enum value; ``UNSPECIFIED`` means private."""
    number = int(value)
    if number not in (0, 1, 2, 3):
        raise GRPCError(Status.INVALID_ARGUMENT, f"{field} is not a valid FragmentVisibility")
    return FragmentVisibility.PRIVATE if number == 0 else FragmentVisibility(number)


def _fetch(conn: sqlite3.Connection, fragment_id: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT f.*, o.name AS org_name, o.public_namespace AS namespace FROM fragments f "
        "JOIN organizations o ON o.id = f.org_id WHERE f.id = ?",
        (fragment_id,),
    ).fetchone()
    if row is None:
        raise not_found(f"fragment {fragment_id} not found")
    return row


def _message(row: sqlite3.Row) -> Fragment:
    visibility = FragmentVisibility(row["visibility"])
    return Fragment(
        id=row["id"],
        name=row["name"],
        fragment=stored_struct(row["config_json"], row["config_wire"]),
        organization_owner=row["org_id"],
        public=visibility == FragmentVisibility.PUBLIC,
        created_on=from_iso(row["created_on"]),
        organization_name=row["org_name"],
        visibility=visibility,
        last_updated=from_iso(row["last_updated"]),
        revision=str(row["revision"]),
        public_namespace=row["namespace"] or None,
        fragment_config_json=row["config_json"],
    )


def _at_version(conn: sqlite3.Connection, fragment_id: str, version: str | None) -> Fragment:
    """Return the fragment now (``version`` None or its current revision) or as its history kept that revision."""
    row = _fetch(conn, fragment_id)
    if version is None or version == str(row["revision"]):
        return _message(row)
    if version.isdecimal() and len(version) < 12:
        # Each history entry holds the fragment as it was before a change: revision 1, 2, ... in order.
        for (blob,) in conn.execute(
            "SELECT old_fragment FROM fragment_history WHERE fragment_id = ? ORDER BY seq", (fragment_id,)
        ):
            old = codec.decode(Fragment, blob)
            if old.revision == version:
                return old
    raise not_found(f"version: fragment {fragment_id} has no revision {version[:64]!r}")


def _editor(caller: Caller) -> tuple[int, str]:
    if caller.key_id:
        return int(AuthenticationType.API_KEY), caller.key_id
    return int(AuthenticationType.WEB_OAUTH), caller.user_email


class FragmentsMixin:
    """Handlers for fragments and fragment history."""

    ctx: Context

    async def _readable(self, caller: Caller, fragment_id: str) -> str:
        """Raise unless the caller may read the fragment (it is public/unlisted, or theirs to read); return its org."""
        row = await self.ctx.store.read(lambda conn: _fetch(conn, fragment_id))
        if row["visibility"] not in _VISIBLE_TO_ALL:
            await self.ctx.require(caller, "read_fragment", "organization", row["org_id"])
        return str(row["org_id"])

    async def _writable(self, caller: Caller, fragment_id: str) -> None:
        org_id = await self.ctx.store.read(lambda conn: str(_fetch(conn, fragment_id)["org_id"]))
        await self.ctx.require(caller, "write_fragment", "organization", org_id)

    async def list_fragments(
        self, request: ListFragmentsRequest, stream: Stream[ListFragmentsRequest, ListFragmentsResponse]
    ) -> ListFragmentsResponse:
        """List an organization's fragments of the asked visibilities (and everyone's public ones if asked).

        With no ``fragment_visibility``, the deprecated ``show_public`` decides: public fragments, or private ones.
        """
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        wanted = {int(_visibility(v, "fragment_visibility")) for v in request.fragment_visibility}
        if not wanted:
            wanted = {int(FragmentVisibility.PUBLIC if request.show_public else FragmentVisibility.PRIVATE)}
        await self.ctx.require(caller, "read_fragment", "organization", org_id)
        marks = ",".join("?" * len(wanted))
        everyone_public = int(FragmentVisibility.PUBLIC) in wanted

        def load(conn: sqlite3.Connection) -> list[Fragment]:
            rows = conn.execute(
                "SELECT f.*, o.name AS org_name, o.public_namespace AS namespace FROM fragments f "
                "JOIN organizations o ON o.id = f.org_id "
                f"WHERE (f.org_id = ? AND f.visibility IN ({marks})) OR (? AND f.visibility = ?) "
                "ORDER BY f.name, f.id",
                [org_id, *sorted(wanted), int(everyone_public), int(FragmentVisibility.PUBLIC)],
            ).fetchall()
            return [_message(row) for row in rows]

        return ListFragmentsResponse(fragments=await self.ctx.store.read(load))

    async def get_fragment(
        self, request: GetFragmentRequest, stream: Stream[GetFragmentRequest, GetFragmentResponse]
    ) -> GetFragmentResponse:
        """Return a fragment the caller may see, as it is or, with ``version``, as it was at that revision.

        A version is a revision number, as ``Fragment.revision`` and the history entries carry it; an unknown one
        (tags included: there are none here) is ``NOT_FOUND``.
        """
        caller = await self.ctx.caller(stream)
        fragment_id = require_id(request.id, "id")
        version = request.version or None
        await self._readable(caller, fragment_id)
        fragment = await self.ctx.store.read(lambda conn: _at_version(conn, fragment_id, version))
        return GetFragmentResponse(fragment=fragment)

    async def create_fragment(
        self, request: CreateFragmentRequest, stream: Stream[CreateFragmentRequest, CreateFragmentResponse]
    ) -> CreateFragmentResponse:
        """Create a fragment (private unless ``visibility`` says otherwise) in an organization."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        name = require_name(request.name, "name")
        visibility = _visibility(request.visibility or 0, "visibility")
        await self.ctx.require(caller, "write_fragment", "organization", org_id)
        fragment_id = new_id()

        config = await new_config(request.config, None, "config", "") or ConfigForms("{}", None)

        def create(conn: sqlite3.Connection) -> Fragment:
            moment = to_iso(now())
            try:
                conn.execute(
                    "INSERT INTO fragments (id, org_id, name, config_json, config_wire, visibility, created_on, "
                    "last_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (fragment_id, org_id, name, config.text, config.wire, int(visibility), moment, moment),
                )
            except sqlite3.IntegrityError as exc:
                raise GRPCError(
                    Status.ALREADY_EXISTS, f"name: organization {org_id} already has a fragment named {name!r}"
                ) from exc
            return _message(_fetch(conn, fragment_id))

        return CreateFragmentResponse(fragment=await self.ctx.store.write(create))

    async def update_fragment(
        self, request: UpdateFragmentRequest, stream: Stream[UpdateFragmentRequest, UpdateFragmentResponse]
    ) -> UpdateFragmentResponse:
        """Rename a fragment and/or replace its config and/or visibility; a change appends a history entry."""
        caller = await self.ctx.caller(stream)
        fragment_id = require_id(request.id, "id")
        name = require_name(request.name, "name")
        visibility: FragmentVisibility | None = None
        if request.visibility is not None:
            visibility = _visibility(request.visibility, "visibility")
        elif request.public is not None:
            visibility = FragmentVisibility.PUBLIC if request.public else FragmentVisibility.PRIVATE
        await self._writable(caller, fragment_id)
        known = request.last_known_update
        editor_type, editor_value = _editor(caller)
        # fragment_config_json wins over config when both are set, like robot_config_json on parts.
        sent = await new_config(request.config, request.fragment_config_json, "config", "fragment_config_json")

        def update(conn: sqlite3.Connection) -> Fragment:
            row = _fetch(conn, fragment_id)
            config = ConfigForms(row["config_json"], row["config_wire"]) if sent is None else sent
            new_visibility = int(row["visibility"]) if visibility is None else int(visibility)
            require_unchanged_since(known, row["last_updated"], f"fragment {fragment_id}")
            if (name, config.text, new_visibility) == (row["name"], row["config_json"], row["visibility"]):
                return _message(row)
            conn.execute(
                "INSERT INTO fragment_history (fragment_id, edited_on, old_fragment, editor_type, editor_value) "
                "VALUES (?, ?, ?, ?, ?)",
                (fragment_id, to_iso(now()), codec.encode(_message(row)), editor_type, editor_value),
            )
            try:
                conn.execute(
                    "UPDATE fragments SET name = ?, config_json = ?, config_wire = ?, visibility = ?, "
                    "revision = revision + 1, last_updated = ? WHERE id = ?",
                    (name, config.text, config.wire, new_visibility, to_iso(now()), fragment_id),
                )
            except sqlite3.IntegrityError as exc:
                raise GRPCError(
                    Status.ALREADY_EXISTS, f"name: the organization already has a fragment named {name!r}"
                ) from exc
            return _message(_fetch(conn, fragment_id))

        return UpdateFragmentResponse(fragment=await self.ctx.store.write(update))

    async def delete_fragment(
        self, request: DeleteFragmentRequest, stream: Stream[DeleteFragmentRequest, DeleteFragmentResponse]
    ) -> DeleteFragmentResponse:
        """Delete a fragment and its history."""
        caller = await self.ctx.caller(stream)
        fragment_id = require_id(request.id, "id")
        await self._writable(caller, fragment_id)

        def delete(conn: sqlite3.Connection) -> None:
            if not conn.execute("DELETE FROM fragments WHERE id = ?", (fragment_id,)).rowcount:
                raise not_found(f"fragment {fragment_id} not found")

        await self.ctx.store.write(delete)
        return DeleteFragmentResponse()

    async def get_fragment_history(
        self,
        request: GetFragmentHistoryRequest,
        stream: Stream[GetFragmentHistoryRequest, GetFragmentHistoryResponse],
    ) -> GetFragmentHistoryResponse:
        """Return a fragment's history, newest change first, ``page_limit`` entries per page (default 10)."""
        caller = await self.ctx.caller(stream)
        fragment_id = require_id(request.id, "id")
        limit, before = history_page(
            request.page_limit,
            request.page_token,
            owner_key="f",
            owner_id=fragment_id,
            default=DEFAULT_HISTORY_PAGE,
            maximum=MAX_HISTORY_PAGE,
        )
        org_id = await self._readable(caller, fragment_id)
        # An entry keeps the visibility the fragment had when it was written: a fragment made public later does not
        # publish the configs of its private past.
        insider = await self.ctx.allowed(caller, "read_fragment", "organization", org_id)

        def load(conn: sqlite3.Connection) -> tuple[list[FragmentHistoryEntry], str]:
            rows = conn.execute(
                "SELECT * FROM fragment_history WHERE fragment_id = ? AND seq < ? ORDER BY seq DESC",
                (fragment_id, before if before is not None else 2**62),
            )
            entries: list[FragmentHistoryEntry] = []
            last_seq = 0
            for row in rows:  # read lazily: stops at the first entry past the page
                old: Fragment = decode_keeping_structs(Fragment, row["old_fragment"])  # its config as stored
                if not insider and int(old.visibility) not in _VISIBLE_TO_ALL:
                    continue
                if len(entries) == limit:
                    return entries, encode_page_token({"f": fragment_id, "s": last_seq})
                entries.append(
                    FragmentHistoryEntry(
                        fragment=fragment_id,
                        edited_on=from_iso(row["edited_on"]),
                        old=old,
                        edited_by=AuthenticatorInfo(
                            type=AuthenticationType(row["editor_type"]), value=row["editor_value"]
                        ),
                        revision=old.revision,
                        config=old.fragment if old.fragment is not None else Struct(),
                    )
                )
                last_seq = int(row["seq"])
            return entries, ""

        history, token = await self.ctx.store.read(load)
        return GetFragmentHistoryResponse(history=history, next_page_token=token)

"""Fragments of the local fleet server over real gRPC: visibility (private, public, unlisted) across organizations,
updates with history and its paging, and bad input.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable

import pytest
from grpclib.const import Status
from test_local_machines import Conn, status_of, stranger

from fleetwire.local.fleet import LocalFleet
from fleetwire_api.google.protobuf import Struct
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio

V = app.FragmentVisibility


async def create(conn: Conn, org_id: str, name: str, config: dict[str, object] | None = None) -> app.Fragment:
    struct = None if config is None else Struct.from_dict(config)
    fragment = (await conn.app.create_fragment(organization_id=org_id, name=name, config=struct)).fragment
    assert fragment is not None
    return fragment


async def test_visibility_across_organizations(fleet: LocalFleet, owner: Conn) -> None:
    org_id = fleet.organization_id
    private = await create(owner, org_id, "private-frag", {"components": [{"name": "a"}]})
    assert (private.visibility, private.public, private.organization_owner) == (V.PRIVATE, False, org_id)
    assert private.fragment is not None and private.fragment.to_dict() == {"components": [{"name": "a"}]}
    public = await create(owner, org_id, "public-frag")
    await owner.app.update_fragment(id=public.id, name="public-frag", visibility=V.PUBLIC)
    unlisted = await create(owner, org_id, "unlisted-frag")
    await owner.app.update_fragment(id=unlisted.id, name="unlisted-frag", visibility=V.PUBLIC_UNLISTED)
    legacy = await create(owner, org_id, "legacy-public")
    updated = (await owner.app.update_fragment(id=legacy.id, name="legacy-public", public=True)).fragment
    assert updated is not None and (updated.visibility, updated.public) == (V.PUBLIC, True)

    async def listed(conn: Conn, org: str, *visibilities: V, show_public: bool = False) -> set[str]:
        response = await conn.app.list_fragments(
            organization_id=org, fragment_visibility=list(visibilities), show_public=show_public
        )
        return {f.name for f in response.fragments}

    assert await listed(owner, org_id, V.PRIVATE) == {"private-frag"}
    assert await listed(owner, org_id, V.PUBLIC_UNLISTED) == {"unlisted-frag"}
    assert await listed(owner, org_id, V.PRIVATE, V.PUBLIC, V.PUBLIC_UNLISTED) == {
        "private-frag",
        "public-frag",
        "unlisted-frag",
        "legacy-public",
    }
    assert await listed(owner, org_id, show_public=True) == {"public-frag", "legacy-public"}
    assert await listed(owner, org_id, show_public=False) == {"private-frag"}

    other = await stranger(fleet, owner)
    try:
        other_org = (await other.app.list_organizations()).organizations[0].id
        await create(other, other_org, "theirs")
        # Another organization sees public fragments (listed and by id), unlisted ones by id only, private never.
        assert await listed(other, other_org, V.PUBLIC) == {"public-frag", "legacy-public"}
        assert await listed(other, other_org, V.PRIVATE, V.PUBLIC_UNLISTED) == {"theirs"}
        assert (await other.app.get_fragment(id=public.id)).fragment is not None
        assert (await other.app.get_fragment(id=unlisted.id)).fragment is not None
        denied = {Status.PERMISSION_DENIED, Status.NOT_FOUND}
        calls: list[Awaitable[object]] = [
            other.app.get_fragment(id=private.id),
            other.app.get_fragment_history(id=private.id),
            other.app.list_fragments(organization_id=org_id, fragment_visibility=[V.PRIVATE]),
            other.app.create_fragment(organization_id=org_id, name="planted"),
            other.app.update_fragment(id=public.id, name="hijacked"),
            other.app.delete_fragment(id=public.id),
        ]
        for call in calls:
            assert (await status_of(call))[0] in denied
        assert (await owner.app.get_fragment(id=public.id)).fragment.name == "public-frag"  # type: ignore[union-attr]
    finally:
        other.channel.close()


async def test_updates_leave_history_paged_newest_first(fleet: LocalFleet, owner: Conn) -> None:
    fragment = await create(owner, fleet.organization_id, "evolving", {"version": 0})
    for i in range(1, 13):
        await owner.app.update_fragment(id=fragment.id, name="evolving", config=Struct.from_dict({"version": i}))
    await owner.app.update_fragment(id=fragment.id, name="evolving")  # no change: no entry
    await owner.app.update_fragment(id=fragment.id, name="evolved", fragment_config_json=json.dumps({"version": 13}))
    current = (await owner.app.get_fragment(id=fragment.id)).fragment
    assert current is not None and current.fragment is not None
    assert (current.name, current.fragment.to_dict(), current.revision) == ("evolved", {"version": 13}, "14")

    default_page = await owner.app.get_fragment_history(id=fragment.id)
    assert len(default_page.history) == 10 and default_page.next_page_token  # the seeds' default page limit
    versions: list[int] = []
    token = ""
    while True:
        page = await owner.app.get_fragment_history(id=fragment.id, page_token=token, page_limit=4)
        assert len(page.history) <= 4
        for entry in page.history:
            assert entry.fragment == fragment.id and entry.old is not None and entry.config is not None
            assert entry.edited_by is not None and entry.edited_by.value == fleet.api_key_id
            versions.append(int(entry.config.to_dict()["version"]))
        token = page.next_page_token
        if not token:
            break
    assert versions == list(reversed(range(13)))

    await owner.app.delete_fragment(id=fragment.id)
    assert (await status_of(owner.app.get_fragment(id=fragment.id)))[0] == Status.NOT_FOUND
    assert (await status_of(owner.app.get_fragment_history(id=fragment.id)))[0] == Status.NOT_FOUND
    assert (await status_of(owner.app.delete_fragment(id=fragment.id)))[0] == Status.NOT_FOUND


async def test_bad_input_names_the_field(fleet: LocalFleet, owner: Conn) -> None:
    org_id = fleet.organization_id
    fragment = await create(owner, org_id, "target")
    cases: list[tuple[Awaitable[object], Status, str]] = [
        (owner.app.create_fragment(organization_id=org_id, name=""), Status.INVALID_ARGUMENT, "name"),
        (owner.app.create_fragment(organization_id=org_id, name="target"), Status.ALREADY_EXISTS, "name"),
        (owner.app.create_fragment(organization_id="nope", name="x"), Status.INVALID_ARGUMENT, "organization_id"),
        (
            owner.app.create_fragment(organization_id=org_id, name="x", visibility=99),  # type: ignore[arg-type]
            Status.INVALID_ARGUMENT,
            "visibility",
        ),
        (owner.app.get_fragment(id="garbage"), Status.INVALID_ARGUMENT, "id"),
        (owner.app.get_fragment(id=str(uuid.uuid4())), Status.NOT_FOUND, "fragment"),
        (owner.app.update_fragment(id=fragment.id, name=" "), Status.INVALID_ARGUMENT, "name"),
        (owner.app.update_fragment(id=fragment.id, name="t", visibility=7), Status.INVALID_ARGUMENT, "visibility"),  # type: ignore[arg-type]
        (
            owner.app.update_fragment(id=fragment.id, name="t", fragment_config_json="[]"),
            Status.INVALID_ARGUMENT,
            "fragment_config_json",
        ),
        (
            owner.app.list_fragments(organization_id=org_id, fragment_visibility=[42]),  # type: ignore[list-item]
            Status.INVALID_ARGUMENT,
            "fragment_visibility",
        ),
        (owner.app.get_fragment_history(id=fragment.id, page_token="@@"), Status.INVALID_ARGUMENT, "page_token"),
        (owner.app.get_fragment_history(id=fragment.id, page_limit=-3), Status.INVALID_ARGUMENT, "page_limit"),
    ]
    for call, expected, field in cases:
        status, message = await status_of(call)
        assert (status, field in message) == (expected, True), (expected, field, status, message)
    unchanged = (await owner.app.get_fragment(id=fragment.id)).fragment
    assert unchanged is not None and (unchanged.name, unchanged.visibility, unchanged.revision) == (
        "target",
        V.PRIVATE,
        "1",
    )
    assert (await owner.app.get_fragment_history(id=fragment.id)).history == []

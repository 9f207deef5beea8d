"""``GetLocation`` answered in wire form from the memo of encoded locations (``LocationEncodings``).

The server no longer builds and encodes the location on every call: it answers an encoding remembered by the rows
it came from (the location with its organization's name, the organizations it is shared with, its number of
machines, and its secrets when the caller may read them). These tests read the raw bytes of the answer over real
gRPC after every kind of change and check they are exactly the response built from what ``ListLocations`` and
``LocationAuth`` answer (handlers that do not use the memo), so a stale answer fails them.
"""

from __future__ import annotations

from typing import Any

import pytest
from grpclib.client import Channel
from test_local_core import role
from test_local_machines import Conn, connect
from test_perf3_server import RawAnswers

from fleetwire.local import LocalFleet
from fleetwire.local.store.location_rows import LocationEncodings
from fleetwire_api.services import AppServiceAsyncClient, codec
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio


async def _expected(conn: Conn, org_id: str, location_id: str, *, with_secrets: bool) -> bytes:
    """The answer built without the memo: the location as ``ListLocations`` lists it, with ``LocationAuth``'s."""
    listed = [loc for loc in (await conn.app.list_locations(organization_id=org_id)).locations if loc.id == location_id]
    assert len(listed) == 1
    location = listed[0]
    if with_secrets:
        location.auth = (await conn.app.location_auth(location_id=location_id)).auth
    return codec.encode(app.GetLocationResponse(location=location))


async def test_get_location_answers_the_bytes_of_the_built_response_after_every_change(
    fleet: LocalFleet, owner: Conn
) -> None:
    org, location = fleet.organization_id, fleet.location_id
    channel = Channel(fleet.host, fleet.port, codec=RawAnswers(app.GetLocationResponse))
    raw = AppServiceAsyncClient(channel, metadata=owner.app.metadata, timeout=30)

    async def check(note: str) -> app.Location:
        answer: Any = await raw.get_location(location_id=location)
        assert isinstance(answer, bytes)
        assert answer == await _expected(owner, org, location, with_secrets=True), note
        # and the typed path of the same handler decodes it to what the plain response holds
        assert codec.encode(await owner.app.get_location(location_id=location)) == answer, note
        decoded = codec.decode(app.GetLocationResponse, answer).location
        assert decoded is not None
        return decoded

    try:
        first = await check("as bootstrapped")
        assert first.auth is not None and len(first.auth.secrets) == 1 and first.robot_count == 0
        assert await check("unchanged, from the memo") == first
        await owner.app.update_location(location_id=location, name="renamed")
        assert (await check("renamed")).name == "renamed"
        await owner.app.update_location(location_id=location, region="eu-west")
        located = await check("region")
        assert located.config is not None and located.config.region == "eu-west"
        robot = (await owner.app.new_robot(name="m", location=location)).id
        assert (await check("a machine added")).robot_count == 1
        created = (await owner.app.create_location_secret(location_id=location)).auth
        assert created is not None
        assert created.secrets == ((await check("a secret added")).auth or app.LocationAuth()).secrets
        await owner.app.delete_location_secret(location_id=location, secret_id=created.secrets[0].id)
        assert [s.id for s in ((await check("a secret deleted")).auth or app.LocationAuth()).secrets] == [
            created.secrets[1].id
        ]
        partner = (await owner.app.create_organization(name="Partner")).organization
        assert partner is not None
        await owner.app.share_location(location_id=location, organization_id=partner.id)
        shared = await check("shared")
        assert sorted(o.organization_id for o in shared.organizations) == sorted([org, partner.id])
        await owner.app.unshare_location(location_id=location, organization_id=partner.id)
        assert [o.organization_id for o in (await check("unshared")).organizations] == [org]
        await owner.app.update_organization(organization_id=org, name="Renamed org")
        identity = (await check("its organization renamed")).primary_org_identity
        assert identity is not None and identity.name == "Renamed org"
        parent = (await owner.app.create_location(organization_id=org, name="parent")).location
        assert parent is not None
        await owner.app.update_location(location_id=location, parent_location_id=parent.id)
        assert (await check("moved under a parent")).parent_location_id == parent.id
        await owner.app.delete_robot(id=robot)
        assert (await check("the machine deleted")).robot_count == 0
    finally:
        channel.close()


async def test_get_location_shows_secrets_only_while_the_caller_may_read_them(fleet: LocalFleet, owner: Conn) -> None:
    org, location = fleet.organization_id, fleet.location_id
    created = await owner.app.create_key(authorizations=[role(org, "operator", "organization", org)], name="operator")
    operator = await connect(fleet, created.id, created.key)
    channel = Channel(fleet.host, fleet.port, codec=RawAnswers(app.GetLocationResponse))
    raw = AppServiceAsyncClient(channel, metadata=operator.app.metadata, timeout=30)
    as_owner = AppServiceAsyncClient(channel, metadata=owner.app.metadata, timeout=30)
    try:
        assert (await as_owner.get_location(location_id=location)) == await _expected(
            owner, org, location, with_secrets=True
        )  # the owner's answer is remembered first
        for _ in range(2):  # then the operator's, built and then remembered, never the owner's
            answer: Any = await raw.get_location(location_id=location)
            assert answer == await _expected(owner, org, location, with_secrets=False)
            assert codec.decode(app.GetLocationResponse, answer).location.auth is None  # type: ignore[union-attr]
        await owner.app.add_role(authorization=role(org, "owner", "location", location, identity_id=created.id))
        assert (await raw.get_location(location_id=location)) == await _expected(
            owner, org, location, with_secrets=True
        )
    finally:
        channel.close()
        operator.channel.close()


async def test_location_encodings_answer_none_for_no_such_location_and_empty_when_full(fleet: LocalFleet) -> None:
    def make(conn: Any) -> None:
        conn.execute(
            "INSERT INTO locations (id, name, org_id, created_on) VALUES (?, ?, ?, ?)",
            ("00000000-0000-4000-8000-000000000001", "second", fleet.organization_id, "2026-01-01T00:00:00.000000Z"),
        )

    await fleet.context.store.write(make)
    encodings = LocationEncodings(max_entries=1)

    def answers(conn: Any) -> list[bytes | None]:
        return [
            encodings.encode(conn, fleet.location_id, with_secrets=False),
            encodings.encode(conn, fleet.location_id, with_secrets=False),
            encodings.encode(conn, "00000000-0000-4000-8000-000000000001", with_secrets=False),
            encodings.encode(conn, fleet.location_id, with_secrets=False),
            encodings.encode(conn, "00000000-0000-4000-8000-00000000ffff", with_secrets=False),
        ]

    first, again, second, after_emptied, missing = await fleet.context.store.read(answers)
    assert first is not None and again is first  # remembered
    assert second is not None and second != first
    assert after_emptied == first and after_emptied is not first  # the memo was full: emptied, built anew
    assert missing is None

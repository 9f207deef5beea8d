"""The core of the local fleet server over real gRPC on loopback, with fleetwire's raw generated clients.

Authentication (tokens, rotation), organizations, members and invites, nested and shared locations with secrets,
API keys, roles and permissions, and the status codes of bad input. Every test runs its own in-memory LocalFleet.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire.local import LocalFleet
from fleetwire.local.store.database import Store
from fleetwire.local.store.ids import new_secret
from fleetwire_api.google.protobuf import Struct
from fleetwire_api.proto.rpc.v1 import AuthenticateRequest, Credentials
from fleetwire_api.services import AppServiceAsyncClient, AuthServiceAsyncClient
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio


@dataclass
class Conn:
    """One authenticated connection: the raw AppService client and the key it authenticated with."""

    channel: Channel
    app: AppServiceAsyncClient
    key_id: str


async def token_for(channel: Channel, key_id: str, key: str) -> str:
    auth = AuthServiceAsyncClient(channel)
    response = await auth.authenticate(
        request=AuthenticateRequest(entity=key_id, credentials=Credentials(type="api-key", payload=key))
    )
    return response.access_token


@asynccontextmanager
async def connect(fleet: LocalFleet, key_id: str, key: str) -> AsyncIterator[Conn]:
    channel = Channel(fleet.host, fleet.port)
    try:
        token = await token_for(channel, key_id, key)
        yield Conn(channel, AppServiceAsyncClient(channel, metadata={"authorization": f"Bearer {token}"}), key_id)
    finally:
        channel.close()


@pytest.fixture
async def owner(fleet: LocalFleet) -> AsyncIterator[Conn]:
    async with connect(fleet, fleet.api_key_id, fleet.api_key) as conn:
        yield conn


async def status_of(call: Awaitable[object]) -> tuple[Status, str]:
    try:
        result = await call
    except GRPCError as exc:
        return exc.status, exc.message or ""
    pytest.fail(f"expected a GRPCError, got {result!r}")


def role(org_id: str, role_name: str, resource_type: str, resource_id: str, identity_id: str = "") -> app.Authorization:
    return app.Authorization(
        authorization_type="role",
        authorization_id=f"{resource_type}_{role_name}",
        resource_type=resource_type,
        resource_id=resource_id,
        identity_id=identity_id,
        organization_id=org_id,
        identity_type="",
    )


async def new_key(owner: Conn, org_id: str, *auths: app.Authorization) -> tuple[str, str]:
    created = await owner.app.create_key(request=app.CreateKeyRequest(authorizations=list(auths), name="test key"))
    return created.id, created.key


# --- authentication ---------------------------------------------------------------------------------------------


def test_secrets_are_letters_and_digits_so_they_never_read_as_flags() -> None:
    # A url-safe secret starts with "-" once in 64 draws, and `--api-key -abc` then fails to parse on a command line.
    drawn = [new_secret() for _ in range(2000)]
    assert all(re.fullmatch(r"[a-z0-9]{32}", secret) for secret in drawn)
    assert len(set(drawn)) == len(drawn)


async def test_the_bootstrap_key_and_location_secrets_are_letters_and_digits(fleet: LocalFleet, owner: Conn) -> None:
    assert re.fullmatch(r"[a-z0-9]{32}", fleet.api_key)
    auth = (await owner.app.create_location_secret(location_id=fleet.location_id)).auth
    assert auth is not None and auth.secrets and all(re.fullmatch(r"[a-z0-9]{32}", s.secret) for s in auth.secrets)


async def test_calls_without_or_with_a_bad_token_are_unauthenticated(fleet: LocalFleet) -> None:
    channel = Channel(fleet.host, fleet.port)
    try:
        request = app.GetOrganizationRequest(organization_id=fleet.organization_id)
        for metadata in [{}, {"authorization": "Bearer not-a-token"}, {"authorization": "Basic abc"}]:
            client = AppServiceAsyncClient(channel, metadata=metadata)
            status, _ = await status_of(client.get_organization(request=request))
            assert status == Status.UNAUTHENTICATED, metadata
        auth = AuthServiceAsyncClient(channel)
        wrong_key = AuthenticateRequest(
            entity=fleet.api_key_id, credentials=Credentials(type="api-key", payload=fleet.api_key + "x")
        )
        status, message = await status_of(auth.authenticate(request=wrong_key))
        assert status == Status.UNAUTHENTICATED and fleet.api_key not in message
        unknown = AuthenticateRequest(entity=str(uuid.uuid4()), credentials=Credentials(type="api-key", payload="k"))
        assert (await status_of(auth.authenticate(request=unknown)))[0] == Status.UNAUTHENTICATED
        bad_type = AuthenticateRequest(
            entity=fleet.api_key_id, credentials=Credentials(type="robot-secret", payload=fleet.api_key)
        )
        status, message = await status_of(auth.authenticate(request=bad_type))
        assert status == Status.INVALID_ARGUMENT and "credentials.type" in message
    finally:
        channel.close()


async def test_rotate_key_invalidates_the_old_key_and_its_tokens(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    key_id, key = await new_key(owner, org, role(org, "owner", "organization", org))
    async with connect(fleet, key_id, key) as old:
        assert (await old.app.get_organization(organization_id=org)).organization is not None
        rotated = await owner.app.rotate_key(id=key_id)
        assert rotated.id != key_id and rotated.key and rotated.key != key
        # The token issued for the old key is revoked with it, and the old key no longer authenticates.
        status, _ = await status_of(old.app.get_organization(organization_id=org))
        assert status == Status.UNAUTHENTICATED
        assert (await status_of(token_for(old.channel, key_id, key)))[0] == Status.UNAUTHENTICATED
    async with connect(fleet, rotated.id, rotated.key) as new:
        assert (await new.app.get_organization(organization_id=org)).organization is not None
    listed = await owner.app.list_keys(org_id=org)
    ids = {entry.api_key.id for entry in listed.api_keys if entry.api_key is not None}
    assert rotated.id in ids and key_id not in ids
    assert all(entry.api_key is not None and entry.api_key.key == "" for entry in listed.api_keys)


async def test_delete_key_and_copied_keys(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    key_id, key = await new_key(owner, org, role(org, "operator", "location", fleet.location_id))
    copy = await owner.app.create_key_from_existing_key_authorizations(id=key_id)
    keys = {e.api_key.id: e for e in (await owner.app.list_keys(org_id=org)).api_keys if e.api_key is not None}
    assert [(a.authorization_id, a.resource_id) for a in keys[copy.id].authorizations] == [
        ("location_operator", fleet.location_id)
    ]
    await owner.app.delete_key(id=key_id)
    channel = Channel(fleet.host, fleet.port)
    try:
        assert (await status_of(token_for(channel, key_id, key)))[0] == Status.UNAUTHENTICATED
        assert await token_for(channel, copy.id, copy.key)
    finally:
        channel.close()
    assert (await status_of(owner.app.delete_key(id=key_id)))[0] == Status.NOT_FOUND


# --- organizations, members, invites ----------------------------------------------------------------------------


async def test_organizations_lifecycle(fleet: LocalFleet, owner: Conn) -> None:
    assert (await owner.app.get_user_id_by_email(email=fleet.user_email.upper())).user_id == fleet.user_id
    assert (await status_of(owner.app.get_user_id_by_email(email="nobody@example.com")))[0] == Status.NOT_FOUND

    created = (await owner.app.create_organization(name="  Second Org ")).organization
    assert created is not None and created.name == "Second Org" and uuid.UUID(created.id)
    assert created.created_on is not None and created.created_on.tzinfo is not None
    listed = [o.id for o in (await owner.app.list_organizations()).organizations]
    assert listed == [fleet.organization_id, created.id]
    by_user = await owner.app.list_organizations_by_user(user_id=fleet.user_id)
    assert {o.org_id for o in by_user.orgs} == {fleet.organization_id, created.id}

    assert (await owner.app.get_organization_namespace_availability(public_namespace="acme")).available
    updated = await owner.app.update_organization(organization_id=created.id, name="Renamed", public_namespace="acme")
    assert updated.organization is not None
    assert (updated.organization.name, updated.organization.public_namespace) == ("Renamed", "acme")
    assert not (await owner.app.get_organization_namespace_availability(public_namespace="acme")).available
    # Taken by another organization, and set only once.
    status, message = await status_of(
        owner.app.update_organization(organization_id=fleet.organization_id, public_namespace="acme")
    )
    assert status == Status.ALREADY_EXISTS and "public_namespace" in message
    status, _ = await status_of(owner.app.update_organization(organization_id=created.id, public_namespace="other"))
    assert status == Status.FAILED_PRECONDITION

    await owner.app.update_organization_metadata(
        organization_id=created.id, data=Struct.from_dict({"site": "north", "n": 2})
    )
    data = (await owner.app.get_organization_metadata(organization_id=created.id)).data
    assert data is not None and data.to_dict() == {"site": "north", "n": 2}

    sites = await owner.app.get_organizations_with_access_to_location(location_id=fleet.location_id)
    assert [o.id for o in sites.organization_identities] == [fleet.organization_id]

    await owner.app.delete_organization(organization_id=created.id)
    assert (await status_of(owner.app.get_organization(organization_id=created.id)))[0] == Status.NOT_FOUND
    assert [o.id for o in (await owner.app.list_organizations()).organizations] == [fleet.organization_id]


async def test_members_and_invites(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    invite = (await owner.app.create_organization_invite(organization_id=org, email="Carol@Example.com")).invite
    assert invite is not None and invite.email == "carol@example.com"
    assert [a.authorization_id for a in invite.authorizations] == ["organization_owner"]  # default: owner
    status, message = await status_of(
        owner.app.create_organization_invite(organization_id=org, email="carol@example.com")
    )
    assert status == Status.ALREADY_EXISTS and "email" in message
    status, _ = await status_of(owner.app.create_organization_invite(organization_id=org, email=fleet.user_email))
    assert status == Status.ALREADY_EXISTS  # already a member
    status, message = await status_of(owner.app.create_organization_invite(organization_id=org, email="not-an-email"))
    assert status == Status.INVALID_ARGUMENT and "email" in message

    changed = (
        await owner.app.update_organization_invite_authorizations(
            organization_id=org,
            email="carol@example.com",
            add_authorizations=[role(org, "operator", "location", fleet.location_id)],
            remove_authorizations=[role(org, "owner", "organization", org)],
        )
    ).invite
    assert changed is not None
    assert [(a.authorization_id, a.resource_id) for a in changed.authorizations] == [
        ("location_operator", fleet.location_id)
    ]
    # Removing the only authorization is refused and changes nothing.
    status, _ = await status_of(
        owner.app.update_organization_invite_authorizations(
            organization_id=org,
            email="carol@example.com",
            remove_authorizations=[role(org, "operator", "location", fleet.location_id)],
        )
    )
    assert status == Status.FAILED_PRECONDITION
    status, _ = await status_of(
        owner.app.update_organization_invite_authorizations(organization_id=org, email="carol@example.com")
    )
    assert status == Status.INVALID_ARGUMENT

    members = await owner.app.list_organization_members(organization_id=org)
    assert [(m.user_id, m.emails) for m in members.members] == [(fleet.user_id, [fleet.user_email])]
    assert [(i.email, len(i.authorizations)) for i in members.invites] == [("carol@example.com", 1)]
    resent = await owner.app.resend_organization_invite(organization_id=org, email="carol@example.com")
    assert resent.invite is not None and resent.invite.email == "carol@example.com"
    await owner.app.delete_organization_invite(organization_id=org, email="carol@example.com")
    status, _ = await status_of(owner.app.delete_organization_invite(organization_id=org, email="carol@example.com"))
    assert status == Status.NOT_FOUND
    status, _ = await status_of(owner.app.resend_organization_invite(organization_id=org, email="carol@example.com"))
    assert status == Status.NOT_FOUND
    # The last member cannot be removed; an unknown member is NOT_FOUND.
    status, _ = await status_of(owner.app.delete_organization_member(organization_id=org, user_id=fleet.user_id))
    assert status == Status.FAILED_PRECONDITION
    status, _ = await status_of(owner.app.delete_organization_member(organization_id=org, user_id=str(uuid.uuid4())))
    assert status == Status.NOT_FOUND


# --- locations --------------------------------------------------------------------------------------------------


async def test_nested_locations(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    root = fleet.location_id
    child = (await owner.app.create_location(organization_id=org, name="Child", parent_location_id=root)).location
    assert child is not None and child.parent_location_id == root
    grandchild = (
        await owner.app.create_location(organization_id=org, name="Grandchild", parent_location_id=child.id)
    ).location
    assert grandchild is not None
    # A cycle is refused; moving to the top level with "" works; an empty name keeps the name.
    status, message = await status_of(owner.app.update_location(location_id=child.id, parent_location_id=grandchild.id))
    assert status == Status.INVALID_ARGUMENT and "parent_location_id" in message
    moved = (await owner.app.update_location(location_id=grandchild.id, name="", parent_location_id="")).location
    assert moved is not None and (moved.name, moved.parent_location_id) == ("Grandchild", "")
    # A location with sub-locations cannot be deleted.
    await owner.app.update_location(location_id=grandchild.id, parent_location_id=child.id)
    status, message = await status_of(owner.app.delete_location(location_id=child.id))
    assert status == Status.FAILED_PRECONDITION and "location_id" in message
    await owner.app.delete_location(location_id=grandchild.id)
    await owner.app.delete_location(location_id=child.id)
    listed = [loc.id for loc in (await owner.app.list_locations(organization_id=org)).locations]
    assert listed == [root]


async def test_shared_locations_and_secrets(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    other = (await owner.app.create_organization(name="Partner")).organization
    assert other is not None
    partner_key_id, partner_key = await new_key(owner, other.id, role(other.id, "owner", "organization", other.id))
    async with connect(fleet, partner_key_id, partner_key) as partner:
        assert (await status_of(partner.app.get_location(location_id=fleet.location_id)))[0] in {
            Status.PERMISSION_DENIED,
            Status.NOT_FOUND,
        }
        await owner.app.share_location(location_id=fleet.location_id, organization_id=other.id)
        status, _ = await status_of(owner.app.share_location(location_id=fleet.location_id, organization_id=other.id))
        assert status == Status.ALREADY_EXISTS
        # Partner's owner role on its organization now covers the shared location.
        shared = (await partner.app.get_location(location_id=fleet.location_id)).location
        assert shared is not None
        assert sorted((o.organization_id, o.primary) for o in shared.organizations) == sorted(
            [(org, True), (other.id, False)]
        )
        assert [loc.id for loc in (await partner.app.list_locations(organization_id=other.id)).locations] == [
            fleet.location_id
        ]
        status, _ = await status_of(owner.app.unshare_location(location_id=fleet.location_id, organization_id=org))
        assert status == Status.FAILED_PRECONDITION  # never from its owner
        await owner.app.unshare_location(location_id=fleet.location_id, organization_id=other.id)
        assert (await status_of(partner.app.get_location(location_id=fleet.location_id)))[0] in {
            Status.PERMISSION_DENIED,
            Status.NOT_FOUND,
        }

    first = (await owner.app.location_auth(location_id=fleet.location_id)).auth
    assert first is not None and len(first.secrets) == 1
    created = (await owner.app.create_location_secret(location_id=fleet.location_id)).auth
    assert created is not None and len(created.secrets) == 2
    await owner.app.delete_location_secret(location_id=fleet.location_id, secret_id=first.secrets[0].id)
    after = (await owner.app.location_auth(location_id=fleet.location_id)).auth
    assert after is not None and [s.id for s in after.secrets] == [created.secrets[1].id]
    status, message = await status_of(
        owner.app.delete_location_secret(location_id=fleet.location_id, secret_id=first.secrets[0].id)
    )
    assert status == Status.NOT_FOUND and "secret_id" in message


# --- roles and permissions --------------------------------------------------------------------------------------


async def test_operator_reads_but_cannot_write_or_see_secrets(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    key_id, key = await new_key(owner, org, role(org, "operator", "organization", org))
    async with connect(fleet, key_id, key) as operator:
        location = (await operator.app.get_location(location_id=fleet.location_id)).location
        assert location is not None and location.auth is None  # no secrets for an operator
        status, _ = await status_of(operator.app.location_auth(location_id=fleet.location_id))
        assert status == Status.PERMISSION_DENIED
        status, _ = await status_of(operator.app.create_location(organization_id=org, name="nope"))
        assert status == Status.PERMISSION_DENIED
        checked = await operator.app.check_permissions(
            permissions=[
                app.AuthorizedPermissions(
                    resource_type="location",
                    resource_id=fleet.location_id,
                    permissions=["read_location", "write_location", "control_robot", "not_a_permission"],
                )
            ]
        )
        assert [p.permissions for p in checked.authorized_permissions] == [["read_location", "control_robot"]]


async def test_roles_add_change_remove_and_list(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    key_id, key = await new_key(owner, org, role(org, "operator", "location", fleet.location_id))
    grant = role(org, "owner", "location", fleet.location_id, identity_id=key_id)
    async with connect(fleet, key_id, key) as scoped:
        assert (await status_of(scoped.app.location_auth(location_id=fleet.location_id)))[0] == Status.PERMISSION_DENIED
        await owner.app.add_role(authorization=grant)
        assert (await scoped.app.location_auth(location_id=fleet.location_id)).auth is not None
        assert (await status_of(owner.app.add_role(authorization=grant)))[0] == Status.ALREADY_EXISTS
        listed = await owner.app.list_authorizations(organization_id=org, resource_ids=[fleet.location_id])
        assert sorted((a.identity_id, a.authorization_id, a.identity_type) for a in listed.authorizations) == [
            (key_id, "location_operator", "api-key"),
            (key_id, "location_owner", "api-key"),
        ]
        await owner.app.remove_role(authorization=grant)
        assert (await status_of(scoped.app.location_auth(location_id=fleet.location_id)))[0] == Status.PERMISSION_DENIED
        assert (await status_of(owner.app.remove_role(authorization=grant)))[0] == Status.NOT_FOUND
        # change_role swaps operator on the location for owner on the organization.
        await owner.app.change_role(
            old_authorization=role(org, "operator", "location", fleet.location_id, identity_id=key_id),
            new_authorization=role(org, "owner", "organization", org, identity_id=key_id),
        )
        assert (await scoped.app.get_organization(organization_id=org)).organization is not None
    # The user is the organization's owner; roles for users are listed with identity type "user".
    everything = await owner.app.list_authorizations(organization_id=org)
    assert ("user", fleet.user_id, "organization_owner") in {
        (a.identity_type, a.identity_id, a.authorization_id) for a in everything.authorizations
    }


async def test_an_organization_keeps_an_owner(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    await owner.app.remove_role(authorization=role(org, "owner", "organization", org, identity_id=fleet.user_id))
    status, message = await status_of(
        owner.app.remove_role(authorization=role(org, "owner", "organization", org, identity_id=fleet.api_key_id))
    )
    assert status == Status.FAILED_PRECONDITION and "owner" in message
    assert (await owner.app.get_organization(organization_id=org)).organization is not None  # nothing changed


# --- bad input ----------------------------------------------------------------------------------------------------


async def test_bad_input_statuses_name_the_field(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    a = owner.app
    cases: list[tuple[Awaitable[object], Status, str]] = [
        (a.get_organization(organization_id="not-an-id"), Status.INVALID_ARGUMENT, "organization_id"),
        (a.get_organization(organization_id=""), Status.INVALID_ARGUMENT, "organization_id"),
        (a.get_organization(organization_id=str(uuid.uuid4())), Status.NOT_FOUND, "organization"),
        (a.create_organization(name="   "), Status.INVALID_ARGUMENT, "name"),
        (a.create_organization(name="x" * 10_000), Status.INVALID_ARGUMENT, "name"),
        (a.create_location(organization_id=org, name=""), Status.INVALID_ARGUMENT, "name"),
        (
            a.create_location(organization_id=org, name="x", parent_location_id=str(uuid.uuid4())),
            Status.NOT_FOUND,
            "parent_location_id",
        ),
        (a.get_location(location_id="../etc"), Status.INVALID_ARGUMENT, "location_id"),
        (a.get_organization_namespace_availability(public_namespace=""), Status.INVALID_ARGUMENT, "public_namespace"),
        (
            a.get_organization_namespace_availability(public_namespace="Bad Space!"),
            Status.INVALID_ARGUMENT,
            "public_namespace",
        ),
        (a.create_key(authorizations=[], name="k"), Status.INVALID_ARGUMENT, "authorizations"),
        (
            a.create_key(authorizations=[role(org, "admin", "organization", org)], name="k"),
            Status.INVALID_ARGUMENT,
            "authorization_id",
        ),
        (
            a.create_key(authorizations=[role(org, "owner", "planet", org)], name="k"),
            Status.INVALID_ARGUMENT,
            "resource_type",
        ),
        (a.check_permissions(permissions=[]), Status.INVALID_ARGUMENT, "permissions"),
        (a.list_authorizations(organization_id=org, resource_ids=["nope"]), Status.INVALID_ARGUMENT, "resource_ids[0]"),
        (a.add_role(request=app.AddRoleRequest()), Status.INVALID_ARGUMENT, "authorization"),
        (
            a.add_role(authorization=role(org, "owner", "organization", org, identity_id=str(uuid.uuid4()))),
            Status.NOT_FOUND,
            "identity_id",
        ),
        (
            a.update_organization_metadata(organization_id=org, data=Struct.from_dict({"blob": "x" * 300_000})),
            Status.INVALID_ARGUMENT,
            "data",
        ),
        (a.rotate_key(id=str(uuid.uuid4())), Status.NOT_FOUND, "id"),
    ]
    for call, expected, field in cases:
        status, message = await status_of(call)
        assert (status, field in message) == (expected, True), (expected, field, status, message)
    # Unimplemented RPCs answer UNIMPLEMENTED with their name.
    status, message = await status_of(a.get_billing_service_config(org_id=org))
    assert status == Status.UNIMPLEMENTED and "GetBillingServiceConfig" in message


async def test_a_failed_write_leaves_nothing_behind(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    before = len((await owner.app.list_keys(org_id=org)).api_keys)
    # The second authorization names a resource outside the organization: the whole create_key is refused.
    status, _ = await status_of(
        owner.app.create_key(
            authorizations=[
                role(org, "owner", "organization", org),
                role(org, "owner", "location", str(uuid.uuid4())),
            ],
            name="half",
        )
    )
    assert status == Status.NOT_FOUND
    assert len((await owner.app.list_keys(org_id=org)).api_keys) == before


async def test_state_survives_a_restart_on_a_file(tmp_path: Path) -> None:
    db = tmp_path / "fleet.db"
    async with LocalFleet(db) as first, connect(first, first.api_key_id, first.api_key) as conn:
        org = first.organization_id
        made = (await conn.app.create_location(organization_id=org, name="Persisted")).location
        assert made is not None
        old_key = (first.api_key_id, first.api_key)
    async with LocalFleet(db) as second:
        # The same organization is reused, a fresh key is minted and the old one still works.
        assert second.organization_id == org and second.api_key_id != old_key[0]
        async with connect(second, *old_key) as again:
            names = [loc.name for loc in (await again.app.list_locations(organization_id=org)).locations]
            assert names == ["My Location", "Persisted"]
    with closing(sqlite3.connect(db)) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Keys are stored hashed: the clear key appears nowhere in the file.
        assert all(old_key[1] not in str(row) for row in check.execute("SELECT * FROM api_keys"))


async def test_store_runs_off_the_loop_and_rolls_back_failed_writes(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "s.db", ["CREATE TABLE IF NOT EXISTS t (v TEXT PRIMARY KEY);"])
    try:
        loop_thread = threading.get_ident()
        assert await store.read(lambda conn: threading.get_ident()) != loop_thread

        def half(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO t VALUES ('first')")
            conn.execute("INSERT INTO t VALUES ('first')")  # violates the key: the whole write rolls back

        with pytest.raises(sqlite3.IntegrityError):
            await store.write(half)
        assert await store.read(lambda conn: conn.execute("SELECT COUNT(*) FROM t").fetchone()[0]) == 0
        assert await store.write(lambda conn: conn.execute("INSERT INTO t VALUES ('ok')").rowcount) == 1
        assert await store.read(lambda conn: conn.execute("PRAGMA foreign_keys").fetchone()[0]) == 1
        assert await store.read(lambda conn: conn.execute("PRAGMA synchronous").fetchone()[0]) == 2  # FULL
    finally:
        await store.close()

    def committed() -> list[tuple[str]]:
        with closing(sqlite3.connect(tmp_path / "s.db")) as conn:
            return conn.execute("SELECT v FROM t").fetchall()

    assert await asyncio.to_thread(committed) == [("ok",)]


async def test_delete_organization_refuses_while_machines_remain(owner: Conn) -> None:
    org = (await owner.app.create_organization(name="Doomed")).organization
    assert org is not None
    location = (await owner.app.create_location(organization_id=org.id, name="Yard")).location
    assert location is not None
    robot = await owner.app.new_robot(name="rover", location=location.id)
    await owner.app.create_fragment(name="frag", organization_id=org.id)
    status, message = await status_of(owner.app.delete_organization(organization_id=org.id))
    assert status == Status.FAILED_PRECONDITION and "machines" in message
    status, _ = await status_of(owner.app.delete_location(location_id=location.id))
    assert status == Status.FAILED_PRECONDITION
    await owner.app.delete_robot(id=robot.id)
    await owner.app.delete_organization(organization_id=org.id)  # its location and fragment go with it
    assert (await status_of(owner.app.get_location(location_id=location.id)))[0] == Status.NOT_FOUND

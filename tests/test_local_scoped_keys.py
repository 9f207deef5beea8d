"""The scoped-key authorization matrix: keys scoped owner/operator x organization/location/machine, every RPC the
local fleet server serves, aimed inside and outside each key's scope.

Outside its scope a key gets ``PERMISSION_DENIED`` or ``NOT_FOUND``, or an answer that holds nothing of what lies
outside (no id, no secret), and the database is byte for byte what it was (its full SQL dump is compared after
every call). Inside its scope an owner key is not refused. The served RPCs are read from the server itself: one
that has no case below fails :func:`test_every_served_rpc_has_a_case`, so an RPC added later cannot slip past.

Everything runs over real gRPC on loopback against an in-memory fleet, each key's requests built from the same
case table, sent as their encoded bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from _local.raw import raw_call, raw_channel
from _local.scoped import bearer, mint, role
from grpclib.client import Channel
from grpclib.const import Status
from test_local_machines import Conn, connect, new_machine

from fleetwire.local import LocalFleet
from fleetwire.local.server import LocalAppService
from fleetwire.local.services.robot_service import LocalRobotService
from fleetwire_api.google.protobuf import Struct, Value
from fleetwire_api.services import AppServiceBase, RobotServiceBase
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.app.packages.v1 import PackageType
from fleetwire_api.viam.common.v1 import LogEntry

DENIED = {Status.PERMISSION_DENIED, Status.NOT_FOUND}


@dataclass(frozen=True)
class Target:
    """The resources a call is aimed at (one organization's worth), and what of them must never leak."""

    org: str
    location: str
    robot: str
    part: str
    fragment: str
    key: str
    location_secret: str
    part_secret: str
    item: str
    module: str
    member: str
    invited: str = "carol@example.com"
    oauth_app: str = ""
    """The client id of one OAuth application of the organization."""
    markers: frozenset[str] = field(default_factory=frozenset[str])
    """Strings that must not appear in an answer (ids and secrets of resources outside the caller's scope)."""


Build = Callable[[Target], Any]


@dataclass(frozen=True)
class Case:
    """One RPC: its level (the resource its check is on; ``""``: none) and its request for a target."""

    level: str
    build: Build
    reads: bool = False
    """A read: an owner key is checked not to be refused inside its scope."""
    filters: bool = False
    """A listing: outside its scope it may answer, with what lies outside left out."""
    creates_own: bool = False
    own_rows: bool = False
    """Writes only rows keyed by the calling key (its push tokens), aimed at no target: allowed for every key."""
    """Creates a resource of the caller's own, aimed at no target: allowed (a change) for an organization owner."""
    empty: Callable[[bytes], bool] | None = None
    """For an answer that echoes the request's ids: whether it grants nothing (instead of the marker check)."""


def _no_permissions(reply: bytes) -> bool:
    answer = app.CheckPermissionsResponse.parse(reply)
    return all(not entry.permissions for entry in answer.authorized_permissions)


def _auth(t: Target, role_name: str = "operator", kind: str = "location") -> app.Authorization:
    resource = {"organization": t.org, "location": t.location, "robot": t.robot}[kind]
    return role(t.org, role_name, kind, resource, identity_id=t.key)


def _config(**values: float) -> Struct:
    return Struct(fields={k: Value(number_value=v) for k, v in values.items()})


_PUBLIC_ITEM = app.Visibility.PUBLIC
CASES: dict[str, Case] = {
    # organizations and members
    "GetUserIDByEmail": Case("", lambda t: app.GetUserIdByEmailRequest(email="owner@fleetwire.local")),
    "CreateOrganization": Case("", lambda t: app.CreateOrganizationRequest(name="mine"), creates_own=True),
    "ListOrganizations": Case("", lambda t: app.ListOrganizationsRequest(), reads=True),
    "GetOrganizationsWithAccessToLocation": Case(
        "location", lambda t: app.GetOrganizationsWithAccessToLocationRequest(location_id=t.location), reads=True
    ),
    "ListOrganizationsByUser": Case("", lambda t: app.ListOrganizationsByUserRequest(user_id=t.member)),
    "GetOrganization": Case("organization", lambda t: app.GetOrganizationRequest(organization_id=t.org), reads=True),
    "GetOrganizationNamespaceAvailability": Case(
        "", lambda t: app.GetOrganizationNamespaceAvailabilityRequest(public_namespace="free-space")
    ),
    "UpdateOrganization": Case(
        "organization", lambda t: app.UpdateOrganizationRequest(organization_id=t.org, name="x")
    ),
    "UpdateOrganizationNamespace": Case(
        "organization",
        lambda t: app.UpdateOrganizationNamespaceRequest(organization_id=t.org, new_public_namespace="taken-over"),
    ),
    "DeleteOrganization": Case("organization", lambda t: app.DeleteOrganizationRequest(organization_id=t.org)),
    "GetOrganizationMetadata": Case(
        "organization", lambda t: app.GetOrganizationMetadataRequest(organization_id=t.org), reads=True
    ),
    "UpdateOrganizationMetadata": Case(
        "organization", lambda t: app.UpdateOrganizationMetadataRequest(organization_id=t.org, data=_config(x=1))
    ),
    "ListOrganizationMembers": Case(
        "organization", lambda t: app.ListOrganizationMembersRequest(organization_id=t.org), reads=True
    ),
    "CreateOrganizationInvite": Case(
        "organization",
        lambda t: app.CreateOrganizationInviteRequest(
            organization_id=t.org, email="mallory@example.com", authorizations=[_auth(t, "owner", "organization")]
        ),
    ),
    "UpdateOrganizationInviteAuthorizations": Case(
        "organization",
        lambda t: app.UpdateOrganizationInviteAuthorizationsRequest(
            organization_id=t.org, email=t.invited, add_authorizations=[_auth(t, "owner", "organization")]
        ),
    ),
    "DeleteOrganizationMember": Case(
        "organization", lambda t: app.DeleteOrganizationMemberRequest(organization_id=t.org, user_id=t.member)
    ),
    "DeleteOrganizationInvite": Case(
        "organization", lambda t: app.DeleteOrganizationInviteRequest(organization_id=t.org, email=t.invited)
    ),
    "ResendOrganizationInvite": Case(
        "organization", lambda t: app.ResendOrganizationInviteRequest(organization_id=t.org, email=t.invited)
    ),
    # locations
    "CreateLocation": Case(
        "organization",
        lambda t: app.CreateLocationRequest(organization_id=t.org, name="planted", parent_location_id=t.location),
    ),
    "GetLocation": Case("location", lambda t: app.GetLocationRequest(location_id=t.location), reads=True),
    "UpdateLocation": Case("location", lambda t: app.UpdateLocationRequest(location_id=t.location, name="renamed")),
    "DeleteLocation": Case("location", lambda t: app.DeleteLocationRequest(location_id=t.location)),
    "GetLocationMetadata": Case(
        "location", lambda t: app.GetLocationMetadataRequest(location_id=t.location), reads=True
    ),
    "UpdateLocationMetadata": Case(
        "location", lambda t: app.UpdateLocationMetadataRequest(location_id=t.location, data=_config(x=1))
    ),
    "ListLocations": Case(
        "organization", lambda t: app.ListLocationsRequest(organization_id=t.org), reads=True, filters=True
    ),
    "ShareLocation": Case(
        "location", lambda t: app.ShareLocationRequest(location_id=t.location, organization_id=t.org)
    ),
    "UnshareLocation": Case(
        "location", lambda t: app.UnshareLocationRequest(location_id=t.location, organization_id=t.org)
    ),
    "LocationAuth": Case("location", lambda t: app.LocationAuthRequest(location_id=t.location), reads=True),
    "CreateLocationSecret": Case("location", lambda t: app.CreateLocationSecretRequest(location_id=t.location)),
    "DeleteLocationSecret": Case(
        "location", lambda t: app.DeleteLocationSecretRequest(location_id=t.location, secret_id=t.location_secret)
    ),
    # machines, parts, logs
    "GetRobot": Case("robot", lambda t: app.GetRobotRequest(id=t.robot), reads=True),
    "GetRoverRentalRobots": Case("organization", lambda t: app.GetRoverRentalRobotsRequest(org_id=t.org), reads=True),
    "GetRobotParts": Case("robot", lambda t: app.GetRobotPartsRequest(robot_id=t.robot), reads=True),
    "GetRobotPart": Case("robot", lambda t: app.GetRobotPartRequest(id=t.part), reads=True),
    "GetRobotPartLogs": Case("robot", lambda t: app.GetRobotPartLogsRequest(id=t.part), reads=True),
    "TailRobotPartLogs": Case("robot", lambda t: app.TailRobotPartLogsRequest(id=t.part)),
    "GetRobotPartHistory": Case("robot", lambda t: app.GetRobotPartHistoryRequest(id=t.part), reads=True),
    "UpdateRobotPart": Case(
        "robot", lambda t: app.UpdateRobotPartRequest(id=t.part, name="renamed", robot_config=_config(x=1))
    ),
    "NewRobotPart": Case("robot", lambda t: app.NewRobotPartRequest(robot_id=t.robot, part_name="planted")),
    "DeleteRobotPart": Case("robot", lambda t: app.DeleteRobotPartRequest(part_id=t.part)),
    "GetRobotAPIKeys": Case("robot", lambda t: app.GetRobotApiKeysRequest(robot_id=t.robot), reads=True),
    "MarkPartAsMain": Case("robot", lambda t: app.MarkPartAsMainRequest(part_id=t.part)),
    "MarkPartForRestart": Case("robot", lambda t: app.MarkPartForRestartRequest(part_id=t.part)),
    "CreateRobotPartSecret": Case("robot", lambda t: app.CreateRobotPartSecretRequest(part_id=t.part)),
    "DeleteRobotPartSecret": Case(
        "robot", lambda t: app.DeleteRobotPartSecretRequest(part_id=t.part, secret_id=t.part_secret)
    ),
    "ListRobots": Case("location", lambda t: app.ListRobotsRequest(location_id=t.location), reads=True),
    "NewRobot": Case("location", lambda t: app.NewRobotRequest(name="planted", location=t.location)),
    "UpdateRobot": Case("robot", lambda t: app.UpdateRobotRequest(id=t.robot, name="renamed", location=t.location)),
    "DeleteRobot": Case("robot", lambda t: app.DeleteRobotRequest(id=t.robot)),
    # fragments
    "ListFragments": Case("organization", lambda t: app.ListFragmentsRequest(organization_id=t.org), reads=True),
    "GetFragment": Case("organization", lambda t: app.GetFragmentRequest(id=t.fragment), reads=True),
    "CreateFragment": Case(
        "organization", lambda t: app.CreateFragmentRequest(name="planted", config=_config(), organization_id=t.org)
    ),
    "UpdateFragment": Case(
        "organization", lambda t: app.UpdateFragmentRequest(id=t.fragment, name="renamed", config=_config(x=1))
    ),
    "DeleteFragment": Case("organization", lambda t: app.DeleteFragmentRequest(id=t.fragment)),
    "GetFragmentHistory": Case("organization", lambda t: app.GetFragmentHistoryRequest(id=t.fragment), reads=True),
    # roles
    "AddRole": Case("organization", lambda t: app.AddRoleRequest(authorization=_auth(t, "owner", "organization"))),
    "RemoveRole": Case("organization", lambda t: app.RemoveRoleRequest(authorization=_auth(t))),
    "ChangeRole": Case(
        "organization",
        lambda t: app.ChangeRoleRequest(
            old_authorization=_auth(t), new_authorization=_auth(t, "owner", "organization")
        ),
    ),
    "ListAuthorizations": Case(
        "organization", lambda t: app.ListAuthorizationsRequest(organization_id=t.org), reads=True
    ),
    "CheckPermissions": Case(
        "",
        lambda t: app.CheckPermissionsRequest(
            permissions=[
                app.AuthorizedPermissions(
                    resource_type="location", resource_id=t.location, permissions=["read_location"]
                )
            ]
        ),
        empty=_no_permissions,
    ),
    # registry
    "GetRegistryItem": Case("organization", lambda t: app.GetRegistryItemRequest(item_id=t.item), reads=True),
    "CreateRegistryItem": Case(
        "organization",
        lambda t: app.CreateRegistryItemRequest(organization_id=t.org, name="planted", type=PackageType.ML_MODEL),
    ),
    "UpdateRegistryItem": Case(
        "organization",
        lambda t: app.UpdateRegistryItemRequest(
            item_id=t.item, type=PackageType.ML_MODEL, description="taken", visibility=_PUBLIC_ITEM
        ),
    ),
    "ListRegistryItems": Case("organization", lambda t: app.ListRegistryItemsRequest(organization_id=t.org)),
    "DeleteRegistryItem": Case("organization", lambda t: app.DeleteRegistryItemRequest(item_id=t.item)),
    "CreateModule": Case("organization", lambda t: app.CreateModuleRequest(organization_id=t.org, name="planted")),
    "UpdateModule": Case(
        "organization",
        lambda t: app.UpdateModuleRequest(
            module_id=t.module, visibility=_PUBLIC_ITEM, url="https://example.com", description="taken", entrypoint="x"
        ),
    ),
    "UploadModuleFile": Case(
        "organization",
        lambda t: app.UploadModuleFileRequest(
            module_file_info=app.ModuleFileInfo(module_id=t.module, version="9.9.9", platform="linux/amd64")
        ),
    ),
    "GetModule": Case("organization", lambda t: app.GetModuleRequest(module_id=t.module), reads=True),
    "ListModules": Case("organization", lambda t: app.ListModulesRequest(organization_id=t.org)),
    # keys
    "CreateKey": Case(
        "organization", lambda t: app.CreateKeyRequest(authorizations=[_auth(t, "owner", "organization")])
    ),
    "DeleteKey": Case("organization", lambda t: app.DeleteKeyRequest(id=t.key)),
    "ListKeys": Case("organization", lambda t: app.ListKeysRequest(org_id=t.org), reads=True),
    "RotateKey": Case("organization", lambda t: app.RotateKeyRequest(id=t.key)),
    "CreateKeyFromExistingKeyAuthorizations": Case(
        "organization", lambda t: app.CreateKeyFromExistingKeyAuthorizationsRequest(id=t.key)
    ),
    # 0.85.1's additions: metadata, several locations, favourites, config properties
    "GetRobotMetadata": Case("robot", lambda t: app.GetRobotMetadataRequest(id=t.robot), reads=True),
    "UpdateRobotMetadata": Case("robot", lambda t: app.UpdateRobotMetadataRequest(id=t.robot, data=_config(x=1))),
    "GetRobotPartMetadata": Case("robot", lambda t: app.GetRobotPartMetadataRequest(id=t.part), reads=True),
    "UpdateRobotPartMetadata": Case(
        "robot", lambda t: app.UpdateRobotPartMetadataRequest(id=t.part, data=_config(x=1))
    ),
    "ListRobotsForLocations": Case(
        "location", lambda t: app.ListRobotsForLocationsRequest(location_ids=[t.location]), reads=True
    ),
    "SetConfigProperty": Case(
        "robot",
        lambda t: app.SetConfigPropertyRequest(
            robot_part_id=t.part,
            property_changes=[app.ConfigPropertyChange(path="planted", value=Value(number_value=1))],
        ),
    ),
    "AddFavoriteMachine": Case("robot", lambda t: app.AddFavoriteMachineRequest(machine_id=t.robot)),
    "RemoveFavoriteMachine": Case("robot", lambda t: app.RemoveFavoriteMachineRequest(machine_id=t.robot)),
    "ListFavoriteMachines": Case("", lambda t: app.ListFavoriteMachinesRequest(), filters=True),
    # registry deprecation
    "DeprecateRegistryItem": Case(
        "organization", lambda t: app.DeprecateRegistryItemRequest(item_id=t.item, message="taken")
    ),
    "UndeprecateRegistryItem": Case("organization", lambda t: app.UndeprecateRegistryItemRequest(item_id=t.item)),
    "DeprecateRegistryItemVersion": Case(
        "organization",
        lambda t: app.DeprecateRegistryItemVersionRequest(item_id=t.module, version="1.0.0", message="taken"),
    ),
    "UndeprecateRegistryItemVersion": Case(
        "organization", lambda t: app.UndeprecateRegistryItemVersionRequest(item_id=t.module, version="1.0.0")
    ),
    # app settings: the caller's push tokens, the organization's Firebase config and OAuth applications
    "UploadDevicePushToken": Case(
        "",
        lambda t: app.UploadDevicePushTokenRequest(app_id="fb", device_token="planted", device_uuid="d"),
        own_rows=True,
    ),
    "GetDevicePushTokens": Case("", lambda t: app.GetDevicePushTokensRequest(app_id="fb"), filters=True),
    "DeleteDevicePushToken": Case(
        "", lambda t: app.DeleteDevicePushTokenRequest(app_id="fb", device_uuid="d"), own_rows=True
    ),
    "SetFirebaseConfig": Case(
        "organization", lambda t: app.SetFirebaseConfigRequest(org_id=t.org, app_id="planted", config_json="{}")
    ),
    "GetFirebaseConfig": Case("organization", lambda t: app.GetFirebaseConfigRequest(org_id=t.org), reads=True),
    "DeleteFirebaseConfig": Case("organization", lambda t: app.DeleteFirebaseConfigRequest(org_id=t.org, app_id="fb")),
    "CreateOAuthApp": Case(
        "organization",
        lambda t: app.CreateOAuthAppRequest(org_id=t.org, client_name="planted", oauth_config=app.OAuthConfig()),
    ),
    "ReadOAuthApp": Case(
        "organization", lambda t: app.ReadOAuthAppRequest(org_id=t.org, client_id=t.oauth_app), reads=True
    ),
    "ListOAuthApps": Case("organization", lambda t: app.ListOAuthAppsRequest(org_id=t.org), reads=True),
    "UpdateOAuthApp": Case(
        "organization",
        lambda t: app.UpdateOAuthAppRequest(
            org_id=t.org, client_id=t.oauth_app, client_name="taken", oauth_config=app.OAuthConfig()
        ),
    ),
    "DeleteOAuthApp": Case("organization", lambda t: app.DeleteOAuthAppRequest(org_id=t.org, client_id=t.oauth_app)),
    "CreateOAuthAppUser": Case(
        "organization",
        lambda t: app.CreateOAuthAppUserRequest(
            org_id=t.org,
            application_id=t.oauth_app,
            email="eve@example.com",
            first_name="E",
            last_name="V",
            password="planted-password",
        ),
    ),
    # RobotService, with the key's token
    "Config": Case("robot", lambda t: app.ConfigRequest(id=t.part), reads=True),
    "Log": Case("robot", lambda t: app.LogRequest(id=t.part, logs=[LogEntry(level="info", message="planted")])),
    "NeedsRestart": Case("robot", lambda t: app.NeedsRestartRequest(id=t.part), reads=True),
}

_SERVICES: tuple[tuple[str, type[Any], type[Any]], ...] = (
    ("viam.app.v1.AppService", AppServiceBase, LocalAppService),
    ("viam.app.v1.RobotService", RobotServiceBase, LocalRobotService),
)


def served_rpcs() -> Iterator[tuple[str, str]]:
    """``(service, method)`` of every RPC the server implements (its generated base only answers UNIMPLEMENTED)."""
    for service, base, served in _SERVICES:
        for path, handler in base.__mapping__(base()).items():
            attribute = handler.func.args[0].__name__  # the generated handler: partial(serve_*, self.<method>)
            if getattr(served, attribute) is not getattr(base, attribute):
                yield service, path.rsplit("/", 1)[1]


def test_every_served_rpc_has_a_case() -> None:
    served = {method for _, method in served_rpcs()}
    missing = sorted(served - CASES.keys())
    assert not missing, f"served RPCs with no case in the scoped-key matrix: {missing}"
    stale = sorted(CASES.keys() - served)
    assert not stale, f"cases for RPCs the server does not serve: {stale}"


# --- the world ------------------------------------------------------------------------------------------------


async def _target(owner: Conn, org: str, location: str, robot: str, part: str, namespace: str) -> Target:
    await owner.app.update_organization(organization_id=org, public_namespace=namespace)
    location_secret = (await owner.app.location_auth(location_id=location)).auth
    assert location_secret is not None
    part_message = (await owner.app.get_robot_part(id=part)).part
    assert part_message is not None
    fragment = (await owner.app.create_fragment(name=f"f-{namespace}", config=_config(), organization_id=org)).fragment
    assert fragment is not None
    item = f"{namespace}:item"
    await owner.app.create_registry_item(organization_id=org, name="item", type=PackageType.ML_MODEL)
    module = (await owner.app.create_module(organization_id=org, name="mod")).module_id
    key = await owner.app.create_key(authorizations=[role(org, "operator", "location", location)], name="bystander")
    await owner.app.create_organization_invite(
        organization_id=org, email="carol@example.com", authorizations=[role(org, "operator", "location", location)]
    )
    members = (await owner.app.list_organization_members(organization_id=org)).members
    await owner.app.set_firebase_config(org_id=org, app_id="fb", config_json="{}")
    oauth = await owner.app.create_o_auth_app(org_id=org, client_name="portal", oauth_config=app.OAuthConfig())
    secrets = [s.secret for s in location_secret.secrets] + [s.secret for s in part_message.secrets]
    secrets.append(oauth.client_secret)
    return Target(
        org=org,
        location=location,
        robot=robot,
        part=part,
        fragment=fragment.id,
        key=key.id,
        location_secret=location_secret.secrets[0].id,
        part_secret=part_message.secrets[0].id,
        item=item,
        module=module,
        member=members[0].user_id,
        oauth_app=oauth.client_id,
        markers=frozenset(secrets),
    )


@dataclass
class World:
    """Organization A (the keys' own) and O (another), each with one of everything."""

    fleet: LocalFleet
    owner: Conn
    a: Target
    la_sibling: Target
    """A's second location, machine and part (outside a location or machine key of LA/MA)."""
    o: Target


async def build_world(fleet: LocalFleet, owner: Conn) -> World:
    org_a = fleet.organization_id
    la = fleet.location_id
    lb = (await owner.app.create_location(organization_id=org_a, name="lb")).location
    assert lb is not None
    ma, pa = await new_machine(owner, la, "ma")
    mb, pb = await new_machine(owner, lb.id, "mb")
    a = await _target(owner, org_a, la, ma, pa, "space-a")
    sibling_part = (await owner.app.get_robot_part(id=pb)).part
    lb_auth = (await owner.app.location_auth(location_id=lb.id)).auth
    assert sibling_part is not None and lb_auth is not None
    sibling = replace(
        a,
        location=lb.id,
        robot=mb,
        part=pb,
        location_secret=lb_auth.secrets[0].id,
        part_secret=sibling_part.secrets[0].id,
        markers=frozenset(
            [lb.id, mb, pb, *(s.secret for s in lb_auth.secrets), *(s.secret for s in sibling_part.secrets)]
        ),
    )
    org_o = (await owner.app.create_organization(name="other")).organization
    assert org_o is not None
    lo = (await owner.app.create_location(organization_id=org_o.id, name="lo")).location
    assert lo is not None
    mo, po = await new_machine(owner, lo.id, "mo")
    o = await _target(owner, org_o.id, lo.id, mo, po, "space-o")
    o = replace(o, markers=o.markers | {org_o.id, lo.id, mo, po, o.fragment, o.key, o.module, o.oauth_app})
    return World(fleet, owner, a, sibling, o)


SCOPES = [(r, s) for r in ("owner", "operator") for s in ("organization", "location", "robot")]
_LEVELS = {
    "organization": ("organization", "location", "robot"),
    "location": ("location", "robot"),
    "robot": ("robot",),
}


async def _dump(fleet: LocalFleet) -> list[str]:
    return await fleet.context.store.read(lambda conn: list(conn.iterdump()))


async def _call(
    channel: Channel, metadata: dict[str, str], service: str, method: str, request: Any
) -> tuple[Status, str, bytes]:
    status, message, replies = await raw_call(
        channel,
        f"/{service}/{method}",
        bytes(request),
        metadata=metadata,
        streaming=method == "TailRobotPartLogs",
        timeout=5,
    )
    return status, message, b"".join(replies)


async def _run_scope(role_name: str, scope: str) -> list[str]:
    """Every served RPC as a key of ``role_name`` on A's ``scope``; return the failures found."""
    failures: list[str] = []
    async with LocalFleet() as fleet:
        owner = await connect(fleet, fleet.api_key_id, fleet.api_key)
        world = await build_world(fleet, owner)
        a = world.a
        resource = {"organization": a.org, "location": a.location, "robot": a.robot}[scope]
        _, key = await mint(fleet, owner, a.org, role_name, scope, resource)
        metadata = bearer(key)
        channel = raw_channel(fleet.host, fleet.port)
        outside = [("other organization", world.o)]
        if scope != "organization":
            outside.append(("sibling", world.la_sibling))
        try:
            for service, method in served_rpcs():
                case = CASES[method]
                for label, target in outside:
                    before = await _dump(fleet)
                    status, message, reply = await _call(channel, metadata, service, method, case.build(target))
                    where = f"{role_name}/{scope} {method} on {label}"
                    if status in (Status.UNKNOWN, Status.INTERNAL):
                        failures.append(f"{where}: {status.name} {message}")
                    if case.empty is not None:
                        if status == Status.OK and not case.empty(reply):
                            failures.append(f"{where}: granted something")
                    else:
                        leaked = [m for m in target.markers if m.encode() in reply]
                        if leaked:
                            failures.append(f"{where}: answered {status.name} with {leaked}")
                    refused = status in DENIED or status == Status.INVALID_ARGUMENT
                    if case.level and not case.filters and not refused:
                        failures.append(f"{where}: {status.name} {message}, not refused")
                    may_change = case.own_rows or (case.creates_own and (role_name, scope) == ("owner", "organization"))
                    if not may_change and await _dump(fleet) != before:
                        failures.append(f"{where}: changed the database ({status.name})")
                inside = role_name == "owner" and case.reads and case.level in _LEVELS[scope]
                if inside:
                    status, message, _ = await _call(channel, metadata, service, method, case.build(a))
                    if status in DENIED or status in (Status.UNAUTHENTICATED, Status.UNKNOWN, Status.INTERNAL):
                        failures.append(f"{role_name}/{scope} {method} inside: {status.name} {message}")
        finally:
            channel.close()
            key.channel.close()
            owner.channel.close()
    return failures


@pytest.mark.parametrize(("role_name", "scope"), SCOPES, ids=[f"{r}-{s}" for r, s in SCOPES])
def test_a_scoped_key_reaches_nothing_outside_its_scope(role_name: str, scope: str) -> None:
    failures = asyncio.run(_run_scope(role_name, scope))
    assert not failures, "\n".join(failures)

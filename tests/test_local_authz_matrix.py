"""Acceptance (issue 4): the authorization matrix. For every one of the 70 ``AppClient`` methods of seed 001, a key
scoped to organization B, aimed at organization A's resources, gets ``PERMISSION_DENIED`` or ``NOT_FOUND`` and never
data; methods that are not scoped to a resource reveal nothing of A. Org A's own key is the positive control.

Both organizations live in one ``LocalFleet``; B and its owner key are created through the API with A's key. Calls go
through the official ``viam-sdk`` AppClient over real gRPC on loopback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from _local.fleet import DENIED, Session, authenticate, log_entry, session
from _spec.surface import appclient_methods, permission_strings
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from viam.app.app_client import APIKeyAuthorization, Fragment
from viam.gen.app.v1.robot_pb2 import NeedsRestartRequest
from viam.proto.app import Authorization, AuthorizedPermissions, ModuleFileInfo, RegistryItemStatus, Visibility
from viam.proto.app.packages import PackageType

from fleetwire.local import LocalFleet

T = TypeVar("T")

NAMESPACE_A = "org-a-space"
ITEM_A = f"{NAMESPACE_A}:a-item"
INVITED = "carol@example.com"


@dataclass
class World:
    """Organization A with one of everything, organization B with an owner key, and a loop to drive them."""

    loop: asyncio.AbstractEventLoop
    fleet: LocalFleet
    a: Session
    b: Session
    ids: dict[str, str] = field(default_factory=dict)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)


async def build(world_loop: asyncio.AbstractEventLoop, fleet: LocalFleet, stack: AsyncExitStack) -> World:
    a = await stack.enter_async_context(session(fleet.host, fleet.port, fleet.api_key_id, fleet.api_key))
    app = a.app
    ids = {"org": fleet.organization_id, "location": fleet.location_id, "user": fleet.user_id}
    org = ids["org"]
    await app.update_organization(org, public_namespace=NAMESPACE_A)
    ids["child_location"] = (await app.create_location(org, "A child", parent_location_id=ids["location"])).id
    before = {secret.id for secret in (await app.location_auth(ids["location"])).secrets}
    after = {secret.id for secret in (await app.create_location_secret(ids["location"])).secrets}
    (ids["location_secret"],) = after - before
    ids["robot"] = await app.new_robot("A robot", ids["location"])
    parts = await app.get_robot_parts(ids["robot"])
    ids["part"] = next(part.id for part in parts if part.main_part)
    ids["extra_part"] = await app.new_robot_part(ids["robot"], "A extra")
    before = {secret.id for secret in (await app.get_robot_part(ids["part"])).secrets or []}
    after = {secret.id for secret in (await app.create_robot_part_secret(ids["part"])).secrets or []}
    (ids["part_secret"],) = after - before
    await app.update_robot_part(ids["part"], "A main", robot_config={"components": [{"name": "a-motor"}]})
    await a.push_logs(ids["part"], [log_entry("A secret log line", "error")])
    fragment = await app.create_fragment(org, "A fragment", config={"components": []})
    await app.update_fragment(fragment.id, "A fragment v2")
    ids["fragment"] = fragment.id
    await app.create_organization_invite(org, INVITED, send_email_invite=False)
    await app.create_registry_item(org, "a-item", PackageType.PACKAGE_TYPE_ML_MODEL)
    ids["module"], _ = await app.create_module(org, "a_mod")
    owner_of_a = [APIKeyAuthorization("owner", "organization", org)]
    ids["key2_secret"], ids["key2"] = await app.create_key(org, owner_of_a, "A second key")

    org_b = await app.create_organization("Org B")
    ids["org_b"] = org_b.id
    key_b, key_b_id = await app.create_key(org_b.id, [APIKeyAuthorization("owner", "organization", org_b.id)], "B")
    ids["key_b"] = key_b_id
    b = await stack.enter_async_context(session(fleet.host, fleet.port, key_b_id, key_b))
    return World(loop=world_loop, fleet=fleet, a=a, b=b, ids=ids)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    loop = asyncio.new_event_loop()
    try:
        with LocalFleet() as fleet:
            stack = AsyncExitStack()
            try:
                yield loop.run_until_complete(build(loop, fleet, stack))
            finally:
                loop.run_until_complete(stack.aclose())
    finally:
        loop.close()


async def denied(call: Awaitable[object]) -> None:
    """``call`` must fail with PERMISSION_DENIED or NOT_FOUND; any answer is a leak."""
    try:
        result = await call
    except GRPCError as exc:
        assert exc.status in DENIED, f"expected PERMISSION_DENIED or NOT_FOUND, got {exc.status.name}: {exc.message}"
        return
    pytest.fail(f"another organization's key got an answer: {result!r}")


async def key_works(world: World, key_id: str, key: str) -> bool:
    channel = Channel(world.fleet.host, world.fleet.port)
    try:
        await authenticate(channel, key_id, key)
    except GRPCError:
        return False
    finally:
        channel.close()
    return True


# --- one case per seed method: B's key against A ---------------------------------------------------------------------

Case = Callable[[World], Awaitable[None]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[name] = fn
        return fn

    return register


@case("get_user_id_by_email")
async def _(w: World) -> None:
    try:
        await w.b.app.get_user_id_by_email("nobody-at-all@example.com")
    except GRPCError as exc:
        assert exc.status == Status.NOT_FOUND
    else:
        pytest.fail("an unknown email resolved to a user")
    # A's user created org B, so B may see that user's id (and only because the user is B's member).
    try:
        found = await w.b.app.get_user_id_by_email(w.fleet.user_email)
    except GRPCError as exc:
        assert exc.status in DENIED
    else:
        members, _ = await w.b.app.list_organization_members(w.ids["org_b"])
        assert found == w.ids["user"] and found in [member.user_id for member in members]


@case("create_organization")
async def _(w: World) -> None:
    created = await w.b.app.create_organization("B's new org")
    assert created.id not in {w.ids["org"], w.ids["org_b"]}
    assert w.ids["org"] not in [org.id for org in await w.b.app.list_organizations()]
    await denied(w.b.app.get_organization(w.ids["org"]))


@case("list_organizations")
async def _(w: World) -> None:
    visible = [org.id for org in await w.b.app.list_organizations()]
    assert w.ids["org_b"] in visible and w.ids["org"] not in visible


@case("get_organizations_with_access_to_location")
async def _(w: World) -> None:
    await denied(w.b.app.get_organizations_with_access_to_location(w.ids["location"]))


@case("list_organizations_by_user")
async def _(w: World) -> None:
    try:
        details = await w.b.app.list_organizations_by_user(w.ids["user"])
    except GRPCError as exc:
        assert exc.status in DENIED
    else:
        assert w.ids["org"] not in [d.org_id for d in details], "B's key learned that the user belongs to A"


@case("get_organization")
async def _(w: World) -> None:
    await denied(w.b.app.get_organization(w.ids["org"]))


@case("get_organization_namespace_availability")
async def _(w: World) -> None:
    # Namespaces are global: B learns only that A's is taken, nothing about A.
    assert await w.b.app.get_organization_namespace_availability(NAMESPACE_A) is False


@case("update_organization")
async def _(w: World) -> None:
    await denied(w.b.app.update_organization(w.ids["org"], name="pwned"))
    assert (await w.a.app.get_organization(w.ids["org"])).name != "pwned"


@case("delete_organization")
async def _(w: World) -> None:
    await denied(w.b.app.delete_organization(w.ids["org"]))
    assert (await w.a.app.get_organization(w.ids["org"])).id == w.ids["org"]


@case("list_organization_members")
async def _(w: World) -> None:
    await denied(w.b.app.list_organization_members(w.ids["org"]))


@case("create_organization_invite")
async def _(w: World) -> None:
    await denied(w.b.app.create_organization_invite(w.ids["org"], "mallory@example.com", send_email_invite=False))
    _, invites = await w.a.app.list_organization_members(w.ids["org"])
    assert "mallory@example.com" not in [invite.email for invite in invites]


@case("update_organization_invite_authorizations")
async def _(w: World) -> None:
    grab = Authorization(
        authorization_type="role",
        authorization_id="organization_owner",
        resource_type="organization",
        resource_id=w.ids["org"],
        identity_id="",
        organization_id=w.ids["org"],
        identity_type="",
    )
    await denied(w.b.app.update_organization_invite_authorizations(w.ids["org"], INVITED, add_authorizations=[grab]))


@case("delete_organization_member")
async def _(w: World) -> None:
    await denied(w.b.app.delete_organization_member(w.ids["org"], w.ids["user"]))
    members, _ = await w.a.app.list_organization_members(w.ids["org"])
    assert w.ids["user"] in [member.user_id for member in members]


@case("delete_organization_invite")
async def _(w: World) -> None:
    await denied(w.b.app.delete_organization_invite(w.ids["org"], INVITED))
    _, invites = await w.a.app.list_organization_members(w.ids["org"])
    assert INVITED in [invite.email for invite in invites]


@case("resend_organization_invite")
async def _(w: World) -> None:
    await denied(w.b.app.resend_organization_invite(w.ids["org"], INVITED))


@case("create_location")
async def _(w: World) -> None:
    await denied(w.b.app.create_location(w.ids["org"], "evil"))
    # Nor may B hang a location of its own under A's.
    await denied(w.b.app.create_location(w.ids["org_b"], "evil child", parent_location_id=w.ids["location"]))


@case("get_location")
async def _(w: World) -> None:
    await denied(w.b.app.get_location(w.ids["location"]))


@case("update_location")
async def _(w: World) -> None:
    await denied(w.b.app.update_location(w.ids["location"], name="pwned"))
    assert (await w.a.app.get_location(w.ids["location"])).name != "pwned"


@case("delete_location")
async def _(w: World) -> None:
    await denied(w.b.app.delete_location(w.ids["child_location"]))
    assert (await w.a.app.get_location(w.ids["child_location"])).id == w.ids["child_location"]


@case("list_locations")
async def _(w: World) -> None:
    await denied(w.b.app.list_locations(w.ids["org"]))


@case("share_location")
async def _(w: World) -> None:
    await denied(w.b.app.share_location(w.ids["org_b"], w.ids["location"]))
    orgs = await w.a.app.get_organizations_with_access_to_location(w.ids["location"])
    assert [o.id for o in orgs] == [w.ids["org"]]


@case("unshare_location")
async def _(w: World) -> None:
    await denied(w.b.app.unshare_location(w.ids["org"], w.ids["location"]))


@case("location_auth")
async def _(w: World) -> None:
    await denied(w.b.app.location_auth(w.ids["location"]))


@case("create_location_secret")
async def _(w: World) -> None:
    await denied(w.b.app.create_location_secret(w.ids["location"]))


@case("delete_location_secret")
async def _(w: World) -> None:
    await denied(w.b.app.delete_location_secret(w.ids["location_secret"], w.ids["location"]))
    secrets = (await w.a.app.location_auth(w.ids["location"])).secrets
    assert w.ids["location_secret"] in [secret.id for secret in secrets]


@case("get_robot")
async def _(w: World) -> None:
    await denied(w.b.app.get_robot(w.ids["robot"]))


@case("get_rover_rental_robots")
async def _(w: World) -> None:
    await denied(w.b.app.get_rover_rental_robots(w.ids["org"]))


@case("get_robot_parts")
async def _(w: World) -> None:
    await denied(w.b.app.get_robot_parts(w.ids["robot"]))


@case("get_robot_part")
async def _(w: World) -> None:
    await denied(w.b.app.get_robot_part(w.ids["part"]))


@case("get_robot_part_logs")
async def _(w: World) -> None:
    await denied(w.b.app.get_robot_part_logs(w.ids["part"]))


@case("tail_robot_part_logs")
async def _(w: World) -> None:
    stream = await w.b.app.tail_robot_part_logs(w.ids["part"], errors_only=False)
    try:
        batch = await asyncio.wait_for(stream.next(), 10)
    except GRPCError as exc:
        assert exc.status in DENIED, exc
    except asyncio.TimeoutError:
        pytest.fail("the tail of another organization's part was accepted and left open")
    except StopAsyncIteration:
        pytest.fail("the tail of another organization's part ended with OK instead of an error")
    else:
        pytest.fail(f"another organization's key tailed logs: {batch!r}")


@case("get_robot_part_history")
async def _(w: World) -> None:
    await denied(w.b.app.get_robot_part_history(w.ids["part"]))


@case("update_robot_part")
async def _(w: World) -> None:
    await denied(w.b.app.update_robot_part(w.ids["part"], "pwned", robot_config={"components": []}))
    assert (await w.a.app.get_robot_part(w.ids["part"])).name == "A main"


@case("new_robot_part")
async def _(w: World) -> None:
    await denied(w.b.app.new_robot_part(w.ids["robot"], "evil"))


@case("delete_robot_part")
async def _(w: World) -> None:
    await denied(w.b.app.delete_robot_part(w.ids["extra_part"]))
    assert (await w.a.app.get_robot_part(w.ids["extra_part"])).id == w.ids["extra_part"]


@case("get_robot_api_keys")
async def _(w: World) -> None:
    await denied(w.b.app.get_robot_api_keys(w.ids["robot"]))


@case("mark_part_as_main")
async def _(w: World) -> None:
    await denied(w.b.app.mark_part_as_main(w.ids["extra_part"]))
    assert (await w.a.app.get_robot_part(w.ids["part"])).main_part is True


@case("mark_part_for_restart")
async def _(w: World) -> None:
    await denied(w.b.app.mark_part_for_restart(w.ids["part"]))
    needs = await w.a.robot.NeedsRestart(NeedsRestartRequest(id=w.ids["part"]), metadata=w.a.metadata, timeout=10)
    assert needs.must_restart is False


@case("create_robot_part_secret")
async def _(w: World) -> None:
    await denied(w.b.app.create_robot_part_secret(w.ids["part"]))


@case("delete_robot_part_secret")
async def _(w: World) -> None:
    await denied(w.b.app.delete_robot_part_secret(w.ids["part"], w.ids["part_secret"]))
    secrets = (await w.a.app.get_robot_part(w.ids["part"])).secrets or []
    assert w.ids["part_secret"] in [secret.id for secret in secrets]


@case("list_robots")
async def _(w: World) -> None:
    await denied(w.b.app.list_robots(w.ids["location"]))


@case("new_robot")
async def _(w: World) -> None:
    await denied(w.b.app.new_robot("evil", w.ids["location"]))


@case("update_robot")
async def _(w: World) -> None:
    await denied(w.b.app.update_robot(w.ids["robot"], "pwned", w.ids["location"]))
    assert (await w.a.app.get_robot(w.ids["robot"])).name == "A robot"


@case("delete_robot")
async def _(w: World) -> None:
    await denied(w.b.app.delete_robot(w.ids["robot"]))
    assert (await w.a.app.get_robot(w.ids["robot"])).id == w.ids["robot"]


@case("list_fragments")
async def _(w: World) -> None:
    await denied(w.b.app.list_fragments(w.ids["org"], show_public=False, visibilities=[Fragment.Visibility.PRIVATE]))


@case("get_fragment")
async def _(w: World) -> None:
    await denied(w.b.app.get_fragment(w.ids["fragment"]))


@case("create_fragment")
async def _(w: World) -> None:
    await denied(w.b.app.create_fragment(w.ids["org"], "evil"))


@case("update_fragment")
async def _(w: World) -> None:
    await denied(w.b.app.update_fragment(w.ids["fragment"], "pwned", visibility=Fragment.Visibility.PUBLIC))
    fragment = await w.a.app.get_fragment(w.ids["fragment"])
    assert (fragment.name, fragment.visibility) == ("A fragment v2", Fragment.Visibility.PRIVATE)


@case("delete_fragment")
async def _(w: World) -> None:
    await denied(w.b.app.delete_fragment(w.ids["fragment"]))


@case("get_fragment_history")
async def _(w: World) -> None:
    await denied(w.b.app.get_fragment_history(w.ids["fragment"]))


@case("add_role")
async def _(w: World) -> None:
    await denied(w.b.app.add_role(w.ids["org"], w.ids["key_b"], "owner", "organization", w.ids["org"]))
    # Granting inside B's own organization on a resource of A is just as forbidden.
    await denied(w.b.app.add_role(w.ids["org_b"], w.ids["key_b"], "owner", "location", w.ids["location"]))
    await denied(w.b.app.add_role(w.ids["org_b"], w.ids["key_b"], "owner", "robot", w.ids["robot"]))
    await denied(w.b.app.get_robot(w.ids["robot"]))


@case("remove_role")
async def _(w: World) -> None:
    await denied(w.b.app.remove_role(w.ids["org"], w.ids["user"], "owner", "organization", w.ids["org"]))


@case("change_role")
async def _(w: World) -> None:
    org, user = w.ids["org"], w.ids["user"]
    change = w.b.app.change_role(org, user, "owner", "organization", org, w.ids["key_b"], "owner", "organization", org)
    await denied(change)


@case("list_authorizations")
async def _(w: World) -> None:
    await denied(w.b.app.list_authorizations(w.ids["org"]))


@case("check_permissions")
async def _(w: World) -> None:
    every = list(permission_strings())
    asked = [
        AuthorizedPermissions(resource_type="organization", resource_id=w.ids["org"], permissions=every),
        AuthorizedPermissions(resource_type="location", resource_id=w.ids["location"], permissions=every),
        AuthorizedPermissions(resource_type="robot", resource_id=w.ids["robot"], permissions=every),
    ]
    try:
        granted = await w.b.app.check_permissions(asked)
    except GRPCError as exc:
        assert exc.status in DENIED
    else:
        leaked = [(p.resource_type, p.resource_id, list(p.permissions)) for p in granted if p.permissions]
        assert leaked == [], "B's key holds permissions on A's resources"


@case("get_registry_item")
async def _(w: World) -> None:
    await denied(w.b.app.get_registry_item(ITEM_A))
    await denied(w.b.app.get_registry_item(f"{w.ids['org']}:a-item"))


@case("create_registry_item")
async def _(w: World) -> None:
    await denied(w.b.app.create_registry_item(w.ids["org"], "evil", PackageType.PACKAGE_TYPE_ML_MODEL))


@case("update_registry_item")
async def _(w: World) -> None:
    change = w.b.app.update_registry_item(
        ITEM_A, PackageType.PACKAGE_TYPE_ML_MODEL, "pwned", Visibility.VISIBILITY_PUBLIC
    )
    await denied(change)
    item = await w.a.app.get_registry_item(ITEM_A)
    assert item.description != "pwned" and item.visibility != Visibility.VISIBILITY_PUBLIC


@case("list_registry_items")
async def _(w: World) -> None:
    statuses = [
        RegistryItemStatus.REGISTRY_ITEM_STATUS_PUBLISHED,
        RegistryItemStatus.REGISTRY_ITEM_STATUS_IN_DEVELOPMENT,
    ]
    await denied(
        w.b.app.list_registry_items(
            w.ids["org"], [PackageType.PACKAGE_TYPE_ML_MODEL], [Visibility.VISIBILITY_PRIVATE], [], statuses
        )
    )


@case("delete_registry_item")
async def _(w: World) -> None:
    await denied(w.b.app.delete_registry_item(ITEM_A))
    assert (await w.a.app.get_registry_item(ITEM_A)).name == "a-item"


@case("create_module")
async def _(w: World) -> None:
    await denied(w.b.app.create_module(w.ids["org"], "evil_mod"))


@case("update_module")
async def _(w: World) -> None:
    await denied(w.b.app.update_module(w.ids["module"], "https://evil.example.com", "pwned", None, "evil", public=True))
    module = await w.a.app.get_module(w.ids["module"])
    assert module.description != "pwned" and module.visibility != Visibility.VISIBILITY_PUBLIC


@case("upload_module_file")
async def _(w: World) -> None:
    info = ModuleFileInfo(module_id=w.ids["module"], version="9.9.9", platform="linux/amd64")
    await denied(w.b.app.upload_module_file(info, b"evil bytes"))
    assert "9.9.9" not in [v.version for v in (await w.a.app.get_module(w.ids["module"])).versions]


@case("get_module")
async def _(w: World) -> None:
    await denied(w.b.app.get_module(w.ids["module"]))


@case("list_modules")
async def _(w: World) -> None:
    await denied(w.b.app.list_modules(w.ids["org"]))


@case("create_key")
async def _(w: World) -> None:
    await denied(w.b.app.create_key(w.ids["org"], [APIKeyAuthorization("owner", "organization", w.ids["org"])], "evil"))
    # A key of B's own organization that claims authority over A is just as forbidden.
    claim = [APIKeyAuthorization("owner", "organization", w.ids["org"])]
    await denied(w.b.app.create_key(w.ids["org_b"], claim, "evil2"))
    await denied(w.b.app.create_key(w.ids["org_b"], [APIKeyAuthorization("owner", "robot", w.ids["robot"])], "evil3"))


@case("delete_key")
async def _(w: World) -> None:
    await denied(w.b.app.delete_key(w.ids["key2"]))
    assert await key_works(w, w.ids["key2"], w.ids["key2_secret"])


@case("create_key_from_existing_key_authorizations")
async def _(w: World) -> None:
    await denied(w.b.app.create_key_from_existing_key_authorizations(w.ids["key2"]))


@case("list_keys")
async def _(w: World) -> None:
    await denied(w.b.app.list_keys(w.ids["org"]))


@case("rotate_key")
async def _(w: World) -> None:
    await denied(w.b.app.rotate_key(w.ids["key2"]))
    assert await key_works(w, w.ids["key2"], w.ids["key2_secret"])


# --- the tests -------------------------------------------------------------------------------------------------------


def test_matrix_covers_exactly_the_seed_methods() -> None:
    methods = appclient_methods()
    assert len(methods) == 70 and len(set(methods)) == 70
    assert set(CASES) == set(methods), {"missing": set(methods) - set(CASES), "extra": set(CASES) - set(methods)}


@pytest.mark.parametrize("method", appclient_methods())
def test_other_organizations_key_gets_nothing(world: World, method: str) -> None:
    if method not in CASES:
        pytest.fail(f"no authorization case for seed method {method}")
    world.run(_await(CASES[method](world)))


POSITIVE: dict[str, Callable[[World], Awaitable[object]]] = {
    "get_organization": lambda w: w.a.app.get_organization(w.ids["org"]),
    "list_organization_members": lambda w: w.a.app.list_organization_members(w.ids["org"]),
    "list_locations": lambda w: w.a.app.list_locations(w.ids["org"]),
    "get_location": lambda w: w.a.app.get_location(w.ids["location"]),
    "location_auth": lambda w: w.a.app.location_auth(w.ids["location"]),
    "list_robots": lambda w: w.a.app.list_robots(w.ids["location"]),
    "get_robot": lambda w: w.a.app.get_robot(w.ids["robot"]),
    "get_robot_part": lambda w: w.a.app.get_robot_part(w.ids["part"]),
    "get_robot_part_logs": lambda w: w.a.app.get_robot_part_logs(w.ids["part"]),
    "get_robot_part_history": lambda w: w.a.app.get_robot_part_history(w.ids["part"]),
    "get_fragment": lambda w: w.a.app.get_fragment(w.ids["fragment"]),
    "get_fragment_history": lambda w: w.a.app.get_fragment_history(w.ids["fragment"]),
    "list_authorizations": lambda w: w.a.app.list_authorizations(w.ids["org"]),
    "get_registry_item": lambda w: w.a.app.get_registry_item(ITEM_A),
    "get_module": lambda w: w.a.app.get_module(w.ids["module"]),
    "list_modules": lambda w: w.a.app.list_modules(w.ids["org"]),
    "list_keys": lambda w: w.a.app.list_keys(w.ids["org"]),
}


@pytest.mark.parametrize("method", sorted(POSITIVE))
def test_own_key_succeeds(world: World, method: str) -> None:
    result = world.run(_await(POSITIVE[method](world)))
    assert result is not None


async def _await(call: Awaitable[T]) -> T:
    return await call


def test_organization_a_is_intact(world: World) -> None:
    async def check() -> None:
        app, ids = world.a.app, world.ids
        org = await app.get_organization(ids["org"])
        assert org.name != "pwned" and org.public_namespace == NAMESPACE_A
        assert {ids["location"], ids["child_location"]} <= {loc.id for loc in await app.list_locations(ids["org"])}
        assert {p.id for p in await app.get_robot_parts(ids["robot"])} == {ids["part"], ids["extra_part"]}
        assert [entry.message for entry in await app.get_robot_part_logs(ids["part"])] == ["A secret log line"]
        assert (await app.get_fragment(ids["fragment"])).name == "A fragment v2"
        assert await key_works(world, ids["key2"], ids["key2_secret"])
        assert await key_works(world, world.fleet.api_key_id, world.fleet.api_key)
        keys = {entry.api_key.id for entry in await app.list_keys(ids["org"])}
        assert keys == {world.fleet.api_key_id, ids["key2"]}, "keys appeared in or vanished from organization A"
        assert ids["key_b"] not in [a.identity_id for a in await app.list_authorizations(ids["org"])]

    world.run(check())

"""Acceptance (issue 4): the official ``viam-sdk`` AppClient drives the local fleet server through every group of the
seeds' methods and gets the results the seeds describe.

Everything goes over real gRPC on loopback to a ``LocalFleet`` on in-memory SQLite; the official SDK is the oracle for
the wire format, so nothing here uses fleetwire's own client.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import itertools
import json
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import pytest
from _local.fleet import DENIED, Session, authenticate, log_entry, session
from _spec.surface import appclient_methods, permission_strings
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from viam.app.app_client import APIKeyAuthorization, AppClient, Fragment, LogEntry
from viam.gen.app.v1.robot_pb2 import ConfigRequest, NeedsRestartRequest
from viam.proto.app import Authorization, AuthorizedPermissions, Model, ModuleFileInfo, RegistryItemStatus, Visibility
from viam.proto.app.packages import PackageType

from fleetwire.local import LocalFleet
from fleetwire_api.viam.app import v1 as wire

pytestmark = pytest.mark.anyio


@pytest.fixture
async def owner(fleet: LocalFleet) -> AsyncIterator[Session]:
    async with session(fleet.host, fleet.port, fleet.api_key_id, fleet.api_key) as connected:
        yield connected


async def status_of(call: Awaitable[object]) -> Status:
    """The status of the GRPCError ``call`` raises; fails the test when it returns normally."""
    try:
        result = await call
    except GRPCError as exc:
        return exc.status
    pytest.fail(f"expected a GRPCError, got {result!r}")


async def invalid_field(call: Awaitable[object]) -> str:
    """The message of the INVALID_ARGUMENT ``call`` raises (the issue: it names the field)."""
    try:
        result = await call
    except GRPCError as exc:
        assert exc.status == Status.INVALID_ARGUMENT, exc
        return exc.message or ""
    pytest.fail(f"expected INVALID_ARGUMENT, got {result!r}")


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def main_part_id(app: AppClient, robot_id: str) -> str:
    parts = await app.get_robot_parts(robot_id)
    mains = [part.id for part in parts if part.main_part]
    assert len(mains) == 1, f"a machine has exactly one main part, got {parts}"
    return mains[0]


# --- users, organizations, members, invites --------------------------------------------------------------------------


async def test_users_and_organizations(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id = fleet.organization_id

    assert await app.get_user_id_by_email(fleet.user_email) == fleet.user_id
    assert await status_of(app.get_user_id_by_email("nobody-at-all@example.com")) == Status.NOT_FOUND

    assert org_id in [org.id for org in await app.list_organizations()]
    org = await app.get_organization(org_id)
    assert org.id == org_id and org.name
    assert org.HasField("created_on")
    assert org_id in [details.org_id for details in await app.list_organizations_by_user(fleet.user_id)]
    assert await status_of(app.get_organization("not-an-org-id")) in {Status.INVALID_ARGUMENT, Status.NOT_FOUND}

    # Namespaces: lowercase alphanumerics and dashes; "" is invalid (seed 002 Raises).
    assert await app.get_organization_namespace_availability("acme-robotics") is True
    for bad in ["", "Bad Namespace!", "UPPER"]:
        assert await status_of(app.get_organization_namespace_availability(bad)) == Status.INVALID_ARGUMENT, bad

    updated = await app.update_organization(org_id, name="Artoo's Org", public_namespace="acme-robotics")
    assert (updated.name, updated.public_namespace) == ("Artoo's Org", "acme-robotics")
    assert (await app.get_organization(org_id)).name == "Artoo's Org"
    assert await app.get_organization_namespace_availability("acme-robotics") is False
    # The namespace is set once: a second one is refused, and a name-only update keeps it.
    assert await status_of(app.update_organization(org_id, public_namespace="another-name")) != Status.OK
    renamed = await app.update_organization(org_id, name="R2 Org")
    assert (renamed.name, renamed.public_namespace) == ("R2 Org", "acme-robotics")

    second = await app.create_organization("Second Org")
    assert second.name == "Second Org" and is_uuid(second.id) and second.id != org_id
    assert (await app.get_organization(second.id)).name == "Second Org"
    taken = await status_of(app.update_organization(second.id, public_namespace="acme-robotics"))
    assert taken in {Status.ALREADY_EXISTS, Status.FAILED_PRECONDITION}
    await app.delete_organization(second.id)
    assert await status_of(app.get_organization(second.id)) in DENIED
    assert second.id not in [org.id for org in await app.list_organizations()]


async def test_members_and_invites(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id = fleet.organization_id
    bob = "bob@example.com"

    members, invites = await app.list_organization_members(org_id)
    me = [member for member in members if member.user_id == fleet.user_id]
    assert len(me) == 1 and fleet.user_email in me[0].emails
    assert list(invites) == []

    location_operator = Authorization(
        authorization_type="role",
        authorization_id="location_operator",
        resource_type="location",
        resource_id=fleet.location_id,
        identity_id="",
        organization_id=org_id,
        identity_type="",
    )
    invite = await app.create_organization_invite(org_id, bob, send_email_invite=False)
    assert (invite.email, invite.organization_id) == (bob, org_id)
    # No authorizations given: full owner permissions on the organization (seed 000).
    owner_auths = [
        auth
        for auth in invite.authorizations
        if (auth.authorization_id, auth.resource_type, auth.resource_id)
        == ("organization_owner", "organization", org_id)
    ]
    assert owner_auths, invite.authorizations
    assert bob in [pending.email for pending in (await app.list_organization_members(org_id))[1]]
    carol = await app.create_organization_invite(
        org_id, "carol@example.com", [location_operator], send_email_invite=False
    )
    assert [(a.authorization_id, a.resource_id) for a in carol.authorizations] == [
        ("location_operator", fleet.location_id)
    ]

    # Seed 002: an invalid email, or an existing member, is refused.
    assert await status_of(app.create_organization_invite(org_id, "not-an-email")) == Status.INVALID_ARGUMENT
    assert await status_of(app.create_organization_invite(org_id, fleet.user_email)) != Status.OK

    added = await app.update_organization_invite_authorizations(org_id, bob, add_authorizations=[location_operator])
    assert ("location_operator", fleet.location_id) in [
        (a.authorization_id, a.resource_id) for a in added.authorizations
    ]
    removed = await app.update_organization_invite_authorizations(
        org_id, bob, remove_authorizations=[location_operator]
    )
    assert ("location_operator", fleet.location_id) not in [
        (a.authorization_id, a.resource_id) for a in removed.authorizations
    ]
    assert len(removed.authorizations) == 1
    # Seed 002: no authorizations at all, or removing the only one, is an error.
    assert await status_of(app.update_organization_invite_authorizations(org_id, bob)) != Status.OK
    only = removed.authorizations[0]
    assert await status_of(
        app.update_organization_invite_authorizations(org_id, bob, remove_authorizations=[only])
    ) in {
        Status.INVALID_ARGUMENT,
        Status.FAILED_PRECONDITION,
    }

    resent = await app.resend_organization_invite(org_id, bob)
    assert (resent.email, resent.organization_id) == (bob, org_id)
    await app.delete_organization_invite(org_id, bob)
    assert bob not in [pending.email for pending in (await app.list_organization_members(org_id))[1]]
    assert await status_of(app.delete_organization_invite(org_id, bob)) == Status.NOT_FOUND
    assert await status_of(app.resend_organization_invite(org_id, bob)) == Status.NOT_FOUND

    # Removing a member: the member is gone afterwards, or the last owner is protected.
    second = await app.create_organization("Member Org")
    members, _ = await app.list_organization_members(second.id)
    assert fleet.user_id in [member.user_id for member in members]
    try:
        await app.delete_organization_member(second.id, fleet.user_id)
    except GRPCError as exc:
        assert exc.status == Status.FAILED_PRECONDITION, exc
    else:
        members, _ = await app.list_organization_members(second.id)
        assert fleet.user_id not in [member.user_id for member in members]
    assert await status_of(app.delete_organization_member(org_id, str(uuid.uuid4()))) == Status.NOT_FOUND


# --- locations: nesting, sharing, secrets ----------------------------------------------------------------------------


async def test_locations_nesting_and_updates(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id, root_id = fleet.organization_id, fleet.location_id

    root = await app.get_location(root_id)
    assert root.id == root_id and root.name
    assert [(o.organization_id, o.primary) for o in root.organizations] == [(org_id, True)]

    child = await app.create_location(org_id, "Robotville", parent_location_id=root_id)
    assert (child.name, child.parent_location_id) == ("Robotville", root_id) and is_uuid(child.id)
    bay = await app.create_location(org_id, "Bay 1", parent_location_id=child.id)
    assert bay.parent_location_id == child.id
    assert {root_id, child.id, bay.id} <= {location.id for location in await app.list_locations(org_id)}

    # Seed 002: an empty name or a nonexistent parent is refused; so is a missing location id.
    assert "name" in await invalid_field(app.create_location(org_id, ""))
    assert "location_id" in await invalid_field(app.get_location())
    assert "location_id" in await invalid_field(app.location_auth())
    assert "location_id" in await invalid_field(app.list_robots())
    assert "location" in await invalid_field(app.new_robot("homeless"))
    missing_parent = app.create_location(org_id, "Orphan", parent_location_id=str(uuid.uuid4()))
    assert await status_of(missing_parent) in {Status.NOT_FOUND, Status.INVALID_ARGUMENT}

    # Seed 000's three update_location examples, in order.
    moved = await app.update_location(bay.id, name="", parent_location_id=root_id)
    assert (moved.name, moved.parent_location_id) == ("Bay 1", root_id)
    renamed = await app.update_location(bay.id, name="Land Before Robots")
    assert (renamed.name, renamed.parent_location_id) == ("Land Before Robots", root_id)
    top = await app.update_location(bay.id, name="", parent_location_id="")
    assert (top.name, top.parent_location_id) == ("Land Before Robots", "")
    assert (await app.get_location(bay.id)).parent_location_id == ""

    assert await status_of(app.update_location(child.id, parent_location_id=child.id)) != Status.OK
    assert await status_of(app.update_location(str(uuid.uuid4()), name="x")) == Status.NOT_FOUND

    await app.delete_location(bay.id)
    assert await status_of(app.get_location(bay.id)) == Status.NOT_FOUND
    assert bay.id not in {location.id for location in await app.list_locations(org_id)}
    assert await status_of(app.delete_location("garbage id")) in {Status.INVALID_ARGUMENT, Status.NOT_FOUND}


async def test_location_sharing(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id = fleet.organization_id
    shared = await app.create_location(org_id, "Shared Yard")
    partner = await app.create_organization("Partner Org")

    await app.share_location(partner.id, shared.id)
    with_access = await app.get_organizations_with_access_to_location(shared.id)
    assert {identity.id for identity in with_access} == {org_id, partner.id}
    location = await app.get_location(shared.id)
    assert sorted((o.organization_id, o.primary) for o in location.organizations) == sorted(
        [(org_id, True), (partner.id, False)]
    )
    assert shared.id in {loc.id for loc in await app.list_locations(partner.id)}

    await app.unshare_location(partner.id, shared.id)
    assert {identity.id for identity in await app.get_organizations_with_access_to_location(shared.id)} == {org_id}
    assert shared.id not in {loc.id for loc in await app.list_locations(partner.id)}


async def test_location_secrets(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    location = await app.create_location(fleet.organization_id, "Secret Garden")

    auth = await app.location_auth(location.id)
    assert auth.location_id == location.id
    before = {secret.id for secret in auth.secrets}

    created = await app.create_location_secret(location.id)
    new_ids = {secret.id for secret in created.secrets} - before
    assert len(new_ids) == 1 and len(created.secrets) == len(before) + 1
    (new_id,) = new_ids
    assert next(secret.secret for secret in created.secrets if secret.id == new_id)

    await app.delete_location_secret(new_id, location.id)
    assert {secret.id for secret in (await app.location_auth(location.id)).secrets} == before
    assert await status_of(app.delete_location_secret(str(uuid.uuid4()), location.id)) == Status.NOT_FOUND
    assert await status_of(app.location_auth(str(uuid.uuid4()))) == Status.NOT_FOUND


# --- machines, parts, configs, history, part secrets -----------------------------------------------------------------


async def test_machines_parts_and_configs(fleet: LocalFleet, owner: Session, tmp_path: Path) -> None:
    app = owner.app
    org_id, location_id = fleet.organization_id, fleet.location_id

    robot_id = await app.new_robot("beepboop", location_id)
    assert is_uuid(robot_id)
    robot = await app.get_robot(robot_id)
    assert (robot.id, robot.name, robot.location) == (robot_id, "beepboop", location_id)
    assert robot_id in [r.id for r in await app.list_robots(location_id)]
    assert await status_of(app.new_robot("lost", str(uuid.uuid4()))) in {Status.NOT_FOUND, Status.INVALID_ARGUMENT}
    assert await app.get_rover_rental_robots(org_id) == []

    first_main = await main_part_id(app, robot_id)
    part_id = await app.new_robot_part(robot_id, "myNewSubPart")
    part = await app.get_robot_part(part_id)
    assert (part.id, part.name, part.robot, part.location_id, part.main_part) == (
        part_id,
        "myNewSubPart",
        robot_id,
        location_id,
        False,
    )
    assert {p.id for p in await app.get_robot_parts(robot_id)} == {first_main, part_id}
    assert "name" in await invalid_field(app.new_robot_part(robot_id, ""))

    # A config change is visible to the SDK, to a dest file (config_json), to the machine, and leaves history.
    config: dict[str, Any] = {"components": [{"name": "motor1", "type": "motor", "model": "fake"}]}
    updated = await app.update_robot_part(part_id, "renamed-part", robot_config=config)
    assert (updated.name, updated.robot_config) == ("renamed-part", config)
    dest = tmp_path / "part.json"
    fetched = await app.get_robot_part(part_id, dest=str(dest))
    assert fetched.robot_config == config
    assert json.loads(dest.read_text()) == config
    machine_config = await owner.robot.Config(ConfigRequest(id=part_id), metadata=owner.metadata, timeout=10)
    assert [component.name for component in machine_config.config.components] == ["motor1"]

    history = await app.get_robot_part_history(part_id)
    assert history and all((entry.part, entry.robot) == (part_id, robot_id) for entry in history)
    assert "myNewSubPart" in [entry.old.name for entry in history if entry.old is not None]
    await app.update_robot_part(part_id, "renamed-part", robot_config={"components": []})
    assert len(await app.get_robot_part_history(part_id)) == len(history) + 1
    assert await status_of(app.update_robot_part(str(uuid.uuid4()), "x")) == Status.NOT_FOUND
    assert await status_of(app.update_robot_part(part_id, "")) == Status.INVALID_ARGUMENT

    await app.mark_part_as_main(part_id)
    assert {p.id: p.main_part for p in await app.get_robot_parts(robot_id)} == {first_main: False, part_id: True}

    needs = await owner.robot.NeedsRestart(NeedsRestartRequest(id=part_id), metadata=owner.metadata, timeout=10)
    assert needs.must_restart is False
    await app.mark_part_for_restart(part_id)
    needs = await owner.robot.NeedsRestart(NeedsRestartRequest(id=part_id), metadata=owner.metadata, timeout=10)
    assert needs.must_restart is True

    before = {secret.id for secret in (await app.get_robot_part(part_id)).secrets or []}
    with_secret = await app.create_robot_part_secret(part_id)
    new_ids = {secret.id for secret in with_secret.secrets or []} - before
    assert len(new_ids) == 1
    await app.delete_robot_part_secret(part_id, new_ids.pop())
    assert {secret.id for secret in (await app.get_robot_part(part_id)).secrets or []} == before
    assert await status_of(app.delete_robot_part_secret(part_id, str(uuid.uuid4()))) == Status.NOT_FOUND

    _, key_id = await app.create_key(org_id, [APIKeyAuthorization("owner", "robot", robot_id)], "robot-key")
    assert key_id in [key.api_key.id for key in await app.get_robot_api_keys(robot_id)]

    other = await app.create_location(org_id, "Elsewhere")
    moved = await app.update_robot(robot_id, "Orange-Robot", other.id)
    assert (moved.name, moved.location) == ("Orange-Robot", other.id)
    assert robot_id in [r.id for r in await app.list_robots(other.id)]

    await app.delete_robot_part(first_main)
    assert [p.id for p in await app.get_robot_parts(robot_id)] == [part_id]
    await app.delete_robot(robot_id)
    assert await status_of(app.get_robot(robot_id)) == Status.NOT_FOUND
    assert robot_id not in [r.id for r in await app.list_robots(other.id)]
    assert await status_of(app.get_robot_part(part_id)) == Status.NOT_FOUND
    for bad in ["not-a-real-id", str(uuid.uuid4())]:
        assert await status_of(app.get_robot(bad)) in {Status.NOT_FOUND, Status.INVALID_ARGUMENT}
        assert await status_of(app.get_robot_parts(bad)) in {Status.NOT_FOUND, Status.INVALID_ARGUMENT}
        assert await status_of(app.get_robot_part(bad)) in {Status.NOT_FOUND, Status.INVALID_ARGUMENT}


# --- logs: push as a machine, read back with filters and paging, tail live -------------------------------------------


def messages(entries: list[LogEntry]) -> list[str]:
    return [entry.message for entry in entries]


async def test_logs_filters_and_paging(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    robot_id = await app.new_robot("logger", fleet.location_id)
    part_id = await main_part_id(app, robot_id)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

    def text(i: int) -> str:
        return f"entry {i:03d}" + (" needle" if i % 5 == 0 else "")

    def level(i: int) -> str:
        return "error" if i % 3 == 0 else "info"

    entries = [log_entry(text(i), level(i), start + datetime.timedelta(seconds=i)) for i in range(30)]
    await owner.push_logs(part_id, entries[:15])
    await owner.push_logs(part_id, entries[15:])

    newest_first = [text(i) for i in reversed(range(30))]
    assert messages(await app.get_robot_part_logs(part_id, num_log_entries=0)) == newest_first
    assert messages(await app.get_robot_part_logs(part_id, num_log_entries=7)) == newest_first[:7]
    assert messages(await app.get_robot_part_logs(part_id, filter="needle", num_log_entries=0)) == [
        text(i) for i in reversed(range(30)) if i % 5 == 0
    ]
    errors = await app.get_robot_part_logs(part_id, log_levels=["error"], num_log_entries=0)
    assert messages(errors) == [text(i) for i in reversed(range(30)) if i % 3 == 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        errors_only = await owner.raw.get_robot_part_logs(
            request=wire.GetRobotPartLogsRequest(id=part_id, errors_only=True)
        )
    assert {entry.level for entry in errors_only.logs} == {"error"}

    # Many more entries: the SDK follows page tokens to get all of them, newest first, without duplicates.
    more = [log_entry(f"bulk {i:04d}", "debug", start + datetime.timedelta(minutes=10, seconds=i)) for i in range(250)]
    await owner.push_logs(part_id, more)
    everything = await app.get_robot_part_logs(part_id, num_log_entries=0)
    assert len(everything) == 280 and len(set(messages(everything))) == 280
    times = [entry.time for entry in everything]
    assert all(a is not None and b is not None and a >= b for a, b in itertools.pairwise(times))

    pages: list[list[str]] = []
    token = ""
    while True:
        page = await owner.raw.get_robot_part_logs(id=part_id, page_token=token)
        pages.append([entry.message for entry in page.logs])
        token = page.next_page_token
        if not token:
            break
        assert len(pages) < 100, "page tokens never end"
    assert len(pages) >= 2, "280 entries should not come back as one page"
    assert [m for page in pages for m in page] == messages(everything)

    bad_token = owner.raw.get_robot_part_logs(id=part_id, page_token="definitely not a token")
    assert await status_of(bad_token) == Status.INVALID_ARGUMENT
    assert await status_of(app.get_robot_part_logs(str(uuid.uuid4()))) == Status.NOT_FOUND


class Tail:
    """A running ``tail_robot_part_logs`` of the official SDK, its entries collected into a queue."""

    def __init__(self, app: AppClient, part_id: str, *, errors_only: bool, filter: str | None = None) -> None:
        self.app, self.part_id, self.errors_only, self.filter = app, part_id, errors_only, filter
        self.queue: asyncio.Queue[LogEntry] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        stream = await self.app.tail_robot_part_logs(self.part_id, errors_only=self.errors_only, filter=self.filter)

        async def pump() -> None:
            async for batch in stream:
                for entry in batch:
                    self.queue.put_nowait(entry)

        self.task = asyncio.create_task(pump())

    async def wait_subscribed(self, push_probe: Callable[[], Awaitable[None]], deadline_s: float = 10.0) -> None:
        """Push probe entries until one arrives: from then on the subscription is live. Drains the queue."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + deadline_s
        while loop.time() < deadline:
            await push_probe()
            try:
                entry = await asyncio.wait_for(self.queue.get(), 0.2)
            except asyncio.TimeoutError:
                continue
            if entry.message.startswith("probe"):
                return
        pytest.fail(f"tail of {self.part_id} never delivered a probe")

    async def collect(self, count: int, deadline_s: float = 10.0) -> list[LogEntry]:
        """The next ``count`` non-probe entries, in arrival order."""
        got: list[LogEntry] = []
        while len(got) < count:
            entry = await asyncio.wait_for(self.queue.get(), deadline_s)
            if not entry.message.startswith("probe"):
                got.append(entry)
        return got

    def drain(self) -> list[LogEntry]:
        """Everything queued right now that is not a probe."""
        got: list[LogEntry] = []
        while not self.queue.empty():
            entry = self.queue.get_nowait()
            if not entry.message.startswith("probe"):
                got.append(entry)
        return got

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, GRPCError):
                await self.task


async def test_tail_streams_live_logs_per_subscriber(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    part_id = await main_part_id(app, await app.new_robot("talker", fleet.location_id))
    other_part = await main_part_id(app, await app.new_robot("quiet", fleet.location_id))

    everything = Tail(app, part_id, errors_only=False)
    errors_with_needle = Tail(app, part_id, errors_only=True, filter="needle")
    elsewhere = Tail(app, other_part, errors_only=False)
    tails = [everything, errors_with_needle, elsewhere]
    for tail in tails:
        await tail.start()
    try:
        for tail in tails:

            async def probe(tail: Tail = tail) -> None:
                await owner.push_logs(tail.part_id, [log_entry("probe needle", "error")])

            await tail.wait_subscribed(probe)

        live = [
            log_entry(f"live {i:02d}" + (" needle" if i % 2 else ""), "error" if i % 3 else "info") for i in range(20)
        ]
        for i in range(0, 20, 5):
            await owner.push_logs(part_id, live[i : i + 5])

        assert [entry.message for entry in await everything.collect(20)] == [entry.message for entry in live]
        wanted = [entry.message for entry in live if entry.level == "error" and "needle" in entry.message]
        assert [entry.message for entry in await errors_with_needle.collect(len(wanted))] == wanted
        # A marker pushed after everything else proves the other part's subscriber saw no foreign entries.
        await owner.push_logs(other_part, [log_entry("marker")])
        assert [entry.message for entry in await elsewhere.collect(1)] == ["marker"]
        assert errors_with_needle.drain() == []
    finally:
        for tail in tails:
            await tail.stop()


# --- fragments -------------------------------------------------------------------------------------------------------


async def test_fragments_visibility_and_history(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id = fleet.organization_id
    config: dict[str, Any] = {"components": [{"name": "cam", "type": "camera"}]}

    fragment = await app.create_fragment(org_id, "cool_fragment", config=config)
    assert (fragment.name, fragment.organization_owner, fragment.fragment) == ("cool_fragment", org_id, config)
    assert fragment.visibility == Fragment.Visibility.PRIVATE and fragment.public is False
    got = await app.get_fragment(fragment.id)
    assert (got.id, got.name, got.fragment) == (fragment.id, "cool_fragment", config)
    assert await status_of(app.create_fragment(org_id, "")) == Status.INVALID_ARGUMENT

    public = await app.update_fragment(
        fragment.id, "better_name", config={"components": []}, visibility=Fragment.Visibility.PUBLIC
    )
    assert (public.name, public.visibility, public.fragment) == (
        "better_name",
        Fragment.Visibility.PUBLIC,
        {"components": []},
    )
    # Not passing config or visibility leaves them unchanged (seed 000).
    kept = await app.update_fragment(fragment.id, "best_name")
    assert (kept.name, kept.visibility, kept.fragment) == ("best_name", Fragment.Visibility.PUBLIC, {"components": []})

    private = await app.create_fragment(org_id, "secret_fragment")
    unlisted = await app.create_fragment(org_id, "unlisted_fragment")
    await app.update_fragment(unlisted.id, "unlisted_fragment", visibility=Fragment.Visibility.PUBLIC_UNLISTED)

    async def listed(*visibilities: Fragment.Visibility) -> set[str]:
        return {f.id for f in await app.list_fragments(org_id, visibilities=list(visibilities))}

    assert await listed(Fragment.Visibility.PUBLIC) == {fragment.id}
    assert await listed(Fragment.Visibility.PRIVATE) == {private.id}
    assert await listed(Fragment.Visibility.PUBLIC_UNLISTED) == {unlisted.id}
    assert await listed() == {fragment.id}  # empty: only public ones (seed 000)
    everything = await listed(
        Fragment.Visibility.PRIVATE, Fragment.Visibility.PUBLIC, Fragment.Visibility.PUBLIC_UNLISTED
    )
    assert everything == {fragment.id, private.id, unlisted.id}

    history = await app.get_fragment_history(fragment.id)
    assert len(history) == 2 and all(entry.fragment == fragment.id for entry in history)
    assert {entry.old.name for entry in history} == {"cool_fragment", "better_name"}
    assert len(await app.get_fragment_history(fragment.id, page_limit=1)) == 1
    for n in range(12):
        await app.update_fragment(fragment.id, f"edit {n}")
    assert len(await app.get_fragment_history(fragment.id)) == 10  # "The default page limit is 10." (seed 000)
    seen: list[str] = []
    token = ""
    while True:
        page = await owner.raw.get_fragment_history(id=fragment.id, page_token=token, page_limit=1)
        seen += [entry.old.name for entry in page.history if entry.old is not None]
        token = page.next_page_token
        if not token:
            break
        assert len(seen) < 100, "fragment history page tokens never end"
    assert sorted(seen) == sorted(["better_name", "cool_fragment", "best_name", *[f"edit {n}" for n in range(11)]])

    await app.delete_fragment(fragment.id)
    assert await status_of(app.get_fragment(fragment.id)) == Status.NOT_FOUND
    assert await status_of(app.delete_fragment(fragment.id)) == Status.NOT_FOUND
    assert await status_of(app.get_fragment("garbage")) in {Status.NOT_FOUND, Status.INVALID_ARGUMENT}


# --- roles, authorizations, permissions ------------------------------------------------------------------------------


def role_rows(auths: list[Authorization]) -> set[tuple[str, str, str]]:
    return {(a.identity_id, a.authorization_id, a.resource_id) for a in auths}


async def test_roles_authorizations_and_permissions(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id, location_id, user_id = fleet.organization_id, fleet.location_id, fleet.user_id
    robot_id = await app.new_robot("guarded", location_id)

    assert any(
        (a.authorization_id, a.resource_type, a.resource_id) == ("organization_owner", "organization", org_id)
        for a in await app.list_authorizations(org_id)
    )

    await app.add_role(org_id, user_id, "operator", "location", location_id)
    scoped = await app.list_authorizations(org_id, resource_ids=[location_id])
    assert (user_id, "location_operator", location_id) in role_rows(scoped)
    assert {a.resource_id for a in scoped} == {location_id}

    await app.change_role(org_id, user_id, "operator", "location", location_id, user_id, "owner", "robot", robot_id)
    rows = role_rows(await app.list_authorizations(org_id))
    assert (user_id, "location_operator", location_id) not in rows
    assert (user_id, "robot_owner", robot_id) in rows
    await app.remove_role(org_id, user_id, "owner", "robot", robot_id)
    assert (user_id, "robot_owner", robot_id) not in role_rows(await app.list_authorizations(org_id))

    # Seed 002: invalid role, resource type that does not match the resource, nonexistent resource.
    bad_role = app.add_role(org_id, user_id, cast(Any, "superuser"), "location", location_id)
    assert await status_of(bad_role) == Status.INVALID_ARGUMENT
    assert await status_of(app.add_role(org_id, user_id, "owner", "robot", location_id)) in {
        Status.INVALID_ARGUMENT,
        Status.NOT_FOUND,
    }
    assert await status_of(app.add_role(org_id, user_id, "owner", "location", str(uuid.uuid4()))) == Status.NOT_FOUND

    # check_permissions: the owner holds every permission of seed 002; invalid ones are filtered out; [] is an error.
    every = list(permission_strings())
    granted = await app.check_permissions(
        [AuthorizedPermissions(resource_type="organization", resource_id=org_id, permissions=every)]
    )
    assert [(p.resource_type, p.resource_id) for p in granted] == [("organization", org_id)]
    assert set(granted[0].permissions) == set(every)
    filtered = await app.check_permissions(
        [
            AuthorizedPermissions(
                resource_type="robot", resource_id=robot_id, permissions=["read_robot", "not_a_permission"]
            )
        ]
    )
    assert [list(p.permissions) for p in filtered if p.resource_id == robot_id] in ([["read_robot"]], [])
    assert "not_a_permission" not in [name for p in filtered for name in p.permissions]
    assert "read_robot" in [name for p in filtered for name in p.permissions]
    assert "permissions" in await invalid_field(app.check_permissions([]))

    # An operator key: may operate machines, may not change the organization or mint keys.
    op_key, op_id = await app.create_key(org_id, [APIKeyAuthorization("operator", "organization", org_id)], "operator")
    async with session(fleet.host, fleet.port, op_id, op_key) as operator:
        asked = ["read_robot", "control_robot", "write_organization", "write_robot"]
        held = await operator.app.check_permissions(
            [AuthorizedPermissions(resource_type="organization", resource_id=org_id, permissions=asked)]
        )
        names = {name for p in held for name in p.permissions}
        assert "control_robot" in names and "read_robot" in names
        assert "write_organization" not in names
        assert (await operator.app.get_robot(robot_id)).id == robot_id
        assert (
            await status_of(operator.app.update_organization(org_id, name="operator was here"))
            == Status.PERMISSION_DENIED
        )
        owner_auth = [APIKeyAuthorization("owner", "organization", org_id)]
        assert await status_of(operator.app.create_key(org_id, owner_auth, "escalate")) == Status.PERMISSION_DENIED
    assert (await app.get_organization(org_id)).name != "operator was here"

    # A key scoped to one location reaches that location's machines and not its sibling's.
    yard = await app.create_location(org_id, "Yard")
    yard_robot = await app.new_robot("yard-bot", yard.id)
    loc_key, loc_id = await app.create_key(org_id, [APIKeyAuthorization("owner", "location", yard.id)], "yard")
    async with session(fleet.host, fleet.port, loc_id, loc_key) as yard_owner:
        assert [r.id for r in await yard_owner.app.list_robots(yard.id)] == [yard_robot]
        assert await status_of(yard_owner.app.list_robots(location_id)) in DENIED
        assert await status_of(yard_owner.app.get_robot(robot_id)) in DENIED


# --- registry items and modules --------------------------------------------------------------------------------------


async def test_registry_items(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id = fleet.organization_id
    await app.update_organization(org_id, public_namespace="acme")

    await app.create_registry_item(org_id, "my-model", PackageType.PACKAGE_TYPE_ML_MODEL)
    item = await app.get_registry_item("acme:my-model")
    assert (item.name, item.organization_id, item.type, item.public_namespace) == (
        "my-model",
        org_id,
        PackageType.PACKAGE_TYPE_ML_MODEL,
        "acme",
    )
    assert (await app.get_registry_item(f"{org_id}:my-model")).item_id == item.item_id
    duplicate = app.create_registry_item(org_id, "my-model", PackageType.PACKAGE_TYPE_ML_MODEL)
    assert await status_of(duplicate) == Status.ALREADY_EXISTS

    await app.update_registry_item(
        "acme:my-model", PackageType.PACKAGE_TYPE_ML_MODEL, "a fine model", Visibility.VISIBILITY_PUBLIC
    )
    item = await app.get_registry_item("acme:my-model")
    assert (item.description, item.visibility) == ("a fine model", Visibility.VISIBILITY_PUBLIC)

    statuses = [
        RegistryItemStatus.REGISTRY_ITEM_STATUS_PUBLISHED,
        RegistryItemStatus.REGISTRY_ITEM_STATUS_IN_DEVELOPMENT,
    ]

    async def found(**changes: Any) -> bool:
        query: dict[str, Any] = {
            "organization_id": org_id,
            "types": [PackageType.PACKAGE_TYPE_ML_MODEL],
            "visibilities": [Visibility.VISIBILITY_PUBLIC],
            "platforms": [],
            "statuses": statuses,
        }
        query.update(changes)
        return item.item_id in [listed.item_id for listed in await app.list_registry_items(**query)]

    assert await found()
    assert await found(search_term="my-mo")
    assert not await found(search_term="zzz-nothing")
    assert not await found(visibilities=[Visibility.VISIBILITY_PRIVATE])
    assert not await found(types=[PackageType.PACKAGE_TYPE_ML_TRAINING])

    await app.delete_registry_item("acme:my-model")
    assert await status_of(app.get_registry_item("acme:my-model")) == Status.NOT_FOUND


async def test_modules(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id = fleet.organization_id
    await app.update_organization(org_id, public_namespace="acme")

    module_id, _ = await app.create_module(org_id, "hover_mod")
    assert (await app.get_module(module_id)).name == "hover_mod"
    assert (await app.get_module("acme:hover_mod")).module_id == module_id
    assert "name" in await invalid_field(app.create_module(org_id, ""))
    assert await status_of(app.create_module(org_id, "hover_mod")) == Status.ALREADY_EXISTS

    model = Model(api="rdk:component:base", model="acme:hover_mod:wheeled")
    url = await app.update_module(
        module_id, url="https://docs.example.com/hover", description="A base.", models=[model], entrypoint="exec"
    )
    assert isinstance(url, str)
    module = await app.get_module(module_id)
    assert (module.url, module.description, module.entrypoint, module.visibility) == (
        "https://docs.example.com/hover",
        "A base.",
        "exec",
        Visibility.VISIBILITY_PRIVATE,
    )
    assert [(m.api, m.model) for m in module.models] == [("rdk:component:base", "acme:hover_mod:wheeled")]

    info = ModuleFileInfo(module_id=module_id, version="1.0.0", platform="linux/amd64")
    file_url = await app.upload_module_file(info, b"\x7fELF fake module binary")
    assert isinstance(file_url, str) and file_url
    versions = (await app.get_module(module_id)).versions
    assert [(v.version, [f.platform for f in v.files]) for v in versions] == [("1.0.0", ["linux/amd64"])]
    bad_version = ModuleFileInfo(module_id=module_id, version="not-semver", platform="linux/amd64")
    assert await status_of(app.upload_module_file(bad_version, b"x")) == Status.INVALID_ARGUMENT

    assert module_id in [m.module_id for m in await app.list_modules(org_id)]
    assert await status_of(app.get_module("acme:no-such-module")) == Status.NOT_FOUND


# --- API keys and authentication -------------------------------------------------------------------------------------


async def test_api_keys_and_authentication(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id = fleet.organization_id

    key, key_id = await app.create_key(org_id, [APIKeyAuthorization("owner", "organization", org_id)], "my_key")
    async with session(fleet.host, fleet.port, key_id, key) as second:
        assert (await second.app.get_organization(org_id)).id == org_id
    listed = {entry.api_key.id: entry for entry in await app.list_keys(org_id)}
    assert listed[key_id].api_key.name == "my_key"
    assert ("organization", org_id) in [(a.resource_type, a.resource_id) for a in listed[key_id].authorizations]
    assert fleet.api_key_id in listed
    assert "authorizations" in await invalid_field(app.create_key(org_id, []))

    copy_key, copy_id = await app.create_key_from_existing_key_authorizations(key_id)
    assert copy_id != key_id
    listed = {entry.api_key.id: entry for entry in await app.list_keys(org_id)}

    def grants(entry_id: str) -> set[tuple[str, str, str]]:
        return {(a.authorization_id, a.resource_type, a.resource_id) for a in listed[entry_id].authorizations}

    assert grants(copy_id) == grants(key_id)

    async def auth_status(entity: str, secret: str) -> Status:
        channel = Channel(fleet.host, fleet.port)
        try:
            await authenticate(channel, entity, secret)
        except GRPCError as exc:
            return exc.status
        finally:
            channel.close()
        return Status.OK

    assert await auth_status(copy_id, copy_key) == Status.OK
    new_key, new_id = await app.rotate_key(key_id)
    assert await auth_status(new_id, new_key) == Status.OK
    assert await auth_status(key_id, key) == Status.UNAUTHENTICATED  # rotation invalidates the old key

    await app.delete_key(copy_id)
    assert await auth_status(copy_id, copy_key) == Status.UNAUTHENTICATED
    assert copy_id not in [entry.api_key.id for entry in await app.list_keys(org_id)]
    assert await status_of(app.delete_key(str(uuid.uuid4()))) == Status.NOT_FOUND

    assert await auth_status(fleet.api_key_id, "wrong secret") == Status.UNAUTHENTICATED
    assert await auth_status(str(uuid.uuid4()), fleet.api_key) == Status.UNAUTHENTICATED
    anonymous = AppClient(owner.channel, {})
    assert await status_of(anonymous.list_organizations()) == Status.UNAUTHENTICATED
    forged = AppClient(owner.channel, {"authorization": "Bearer forged-token"})
    assert await status_of(forged.get_organization(org_id)) == Status.UNAUTHENTICATED


def test_scenario_calls_every_seed_method() -> None:
    """The scenario above is only complete while it calls each of seed 001's 70 methods through the official SDK."""
    source = Path(__file__).read_text(encoding="utf-8")
    methods = appclient_methods()
    assert len(methods) == 70
    assert [name for name in methods if f".{name}(" not in source] == []

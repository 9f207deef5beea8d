"""The local fleet server's rules against a hostile key, over real loopback gRPC on a real SQLite store.

Who may create organizations, share and move locations; the escalation path through a new organization; history
entries keeping their visibility; part secrets checked before a body is read; open tails ending when their caller
is revoked or their token expires; the database file's modes and its single-server lock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from _local.raw import field, raw_call, raw_channel
from _local.scoped import mint, role
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from test_local_machines import Conn, connect, new_machine, status_of

from fleetwire.local import LocalFleet
from fleetwire.local.context import TOKEN_EXPIRY_TIMER
from fleetwire.local.store.files import DatabaseInUseError
from fleetwire_api.google.protobuf import Struct, Value
from fleetwire_api.services import RobotServiceAsyncClient
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.common.v1 import LogEntry

pytestmark = pytest.mark.anyio

DENIED = {Status.PERMISSION_DENIED, Status.NOT_FOUND}


async def new_org(owner: Conn, name: str) -> str:
    org = (await owner.app.create_organization(name=name)).organization
    assert org is not None
    return org.id


async def new_location(owner: Conn, org_id: str, name: str, parent: str = "") -> str:
    location = (
        await owner.app.create_location(organization_id=org_id, name=name, parent_location_id=parent or None)
    ).location
    assert location is not None
    return location.id


async def test_only_organization_owners_create_organizations(fleet: LocalFleet, owner: Conn) -> None:
    robot_id, _ = await new_machine(owner, fleet.location_id, "m")
    org = fleet.organization_id
    scoped = [
        await mint(fleet, owner, org, "operator", "organization", org),
        await mint(fleet, owner, org, "owner", "location", fleet.location_id),
        await mint(fleet, owner, org, "owner", "robot", robot_id),
    ]
    for _, conn in scoped:
        status, message = await status_of(conn.app.create_organization(name="mine"))
        assert status == Status.PERMISSION_DENIED and "owner role on an organization" in message
    names = {o.name for o in (await owner.app.list_organizations()).organizations}
    assert "mine" not in names
    _, org_owner = await mint(fleet, owner, org, "owner", "organization", org)
    created = (await org_owner.app.create_organization(name="allowed")).organization
    assert created is not None and created.name == "allowed"


async def test_escalation_through_a_new_organization_is_closed(fleet: LocalFleet, owner: Conn) -> None:
    """Finding 1, step by step: create org -> share the location -> mint a key there -> revoke the first key."""
    org, la = fleet.organization_id, fleet.location_id
    _, part_id = await new_machine(owner, la, "victim")
    key_id, location_owner = await mint(fleet, owner, org, "owner", "location", la)

    # 1. A location owner cannot create an organization to be owner of.
    assert (await status_of(location_owner.app.create_organization(name="x")))[0] == Status.PERMISSION_DENIED

    # 2. Even owning another organization (given by the owner), it cannot share a location it does not own the
    #    organization of into it.
    x = await new_org(owner, "x")
    await owner.app.add_role(authorization=role(x, "owner", "organization", x, identity_id=key_id))
    status, _ = await status_of(location_owner.app.share_location(location_id=la, organization_id=x))
    assert status == Status.PERMISSION_DENIED
    shared = await owner.app.get_organizations_with_access_to_location(location_id=la)
    assert [o.id for o in shared.organization_identities] == [org]

    # 3. A key it mints in its own organization reaches nothing of the location's.
    minted = await location_owner.app.create_key(authorizations=[role(x, "owner", "organization", x)], name="minted")
    child = await connect(fleet, minted.id, minted.key)
    for call in (
        child.app.get_location(location_id=la),
        child.app.location_auth(location_id=la),
        child.app.get_robot_part(id=part_id),
        child.app.update_robot_part(id=part_id, name="taken", robot_config=Struct()),
    ):
        assert (await status_of(call))[0] in DENIED

    # 4. Revoking the first key leaves the minted one exactly where it was: outside.
    await owner.app.delete_key(id=key_id)
    assert (await status_of(location_owner.app.get_location(location_id=la)))[0] == Status.UNAUTHENTICATED
    assert (await status_of(child.app.location_auth(location_id=la)))[0] in DENIED
    part = (await owner.app.get_robot_part(id=part_id)).part
    assert part is not None and part.name != "taken"
    for conn in (location_owner, child):
        conn.channel.close()


async def test_sharing_needs_owner_rights_on_the_owning_organization(fleet: LocalFleet, owner: Conn) -> None:
    org, la = fleet.organization_id, fleet.location_id
    other = await new_org(owner, "other")
    _, location_owner = await mint(fleet, owner, org, "owner", "location", la)
    _, org_operator = await mint(fleet, owner, org, "operator", "organization", org)
    for conn in (location_owner, org_operator):
        assert (await status_of(conn.app.share_location(location_id=la, organization_id=other)))[0] in DENIED
    _, org_owner = await mint(fleet, owner, org, "owner", "organization", org)
    await org_owner.app.share_location(location_id=la, organization_id=other)
    shared = await owner.app.get_organizations_with_access_to_location(location_id=la)
    assert {o.id for o in shared.organization_identities} == {org, other}


async def test_moving_a_location_needs_write_rights_on_both_parents(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    l1 = await new_location(owner, org, "l1")
    l1a = await new_location(owner, org, "l1a", parent=l1)
    l2 = await new_location(owner, org, "l2")
    key_id, both = await mint(fleet, owner, org, "owner", "location", l1)
    await owner.app.add_role(authorization=role(org, "owner", "location", l2, identity_id=key_id))
    _, only_l1 = await mint(fleet, owner, org, "owner", "location", l1)

    def parent_of(location: app.Location | None) -> str:
        assert location is not None
        return location.parent_location_id

    # New parent out of reach.
    status, _ = await status_of(only_l1.app.update_location(location_id=l1a, parent_location_id=l2))
    assert status == Status.PERMISSION_DENIED
    # Old parent (the organization's top level) out of reach.
    status, _ = await status_of(both.app.update_location(location_id=l1, parent_location_id=l2))
    assert status == Status.PERMISSION_DENIED
    status, _ = await status_of(both.app.update_location(location_id=l1a, parent_location_id=""))
    assert status == Status.PERMISSION_DENIED
    assert parent_of((await owner.app.get_location(location_id=l1a)).location) == l1
    assert parent_of((await owner.app.get_location(location_id=l1)).location) == ""
    # Both parents in reach; and the organization's owner moves anything.
    assert parent_of((await both.app.update_location(location_id=l1a, parent_location_id=l2)).location) == l2
    assert parent_of((await owner.app.update_location(location_id=l1, parent_location_id=l2)).location) == l2
    # Renaming is not a move: location rights are enough.
    renamed = (await only_l1.app.update_location(location_id=l1, name="renamed")).location
    assert renamed is not None and renamed.name == "renamed"


async def test_fragment_history_keeps_the_visibility_each_entry_had(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    outsider_org = await new_org(owner, "outsider")
    _, outsider = await mint(fleet, owner, outsider_org, "owner", "organization", outsider_org)

    def config(**values: float) -> Struct:
        return Struct(fields={k: Value(number_value=v) for k, v in values.items()})

    fragment = (await owner.app.create_fragment(name="f", config=config(secret=1), organization_id=org)).fragment
    assert fragment is not None
    await owner.app.update_fragment(id=fragment.id, name="f", config=config(secret=2))  # entry: private, secret=1
    public = app.FragmentVisibility.PUBLIC
    await owner.app.update_fragment(id=fragment.id, name="f", config=config(secret=2), visibility=public)
    await owner.app.update_fragment(id=fragment.id, name="f", config=config(open=3))  # entry: public, secret=2

    def values(history: list[app.FragmentHistoryEntry]) -> list[dict[str, float]]:
        out: list[dict[str, float]] = []
        for entry in history:
            assert entry.config is not None
            out.append({k: v.number_value or 0.0 for k, v in entry.config.fields.items()})
        return out

    inside = (await owner.app.get_fragment_history(id=fragment.id)).history
    assert values(inside) == [{"secret": 2}, {"secret": 2}, {"secret": 1}]
    outside = (await outsider.app.get_fragment_history(id=fragment.id)).history
    assert values(outside) == [{"secret": 2}]  # only the entry written while the fragment was public
    assert all(e.old is not None and e.old.visibility == public for e in outside)
    first = await outsider.app.get_fragment_history(id=fragment.id, page_limit=1)
    assert len(first.history) == 1 and first.next_page_token == ""
    outsider.channel.close()


# --- a part secret is checked before the body is read --------------------------------------------------------

ROBOT_CONFIG = "/viam.app.v1.RobotService/Config"
UNDECODABLE_CONFIG_REQUEST = field(1, b"\xff\xfe")  # ``id`` is not valid UTF-8


async def _secret_of(owner: Conn, part_id: str) -> str:
    part = (await owner.app.get_robot_part(id=part_id)).part
    assert part is not None and part.secret
    return part.secret


async def test_a_part_secret_is_checked_before_the_body_is_read(fleet: LocalFleet, owner: Conn) -> None:
    _, part_a = await new_machine(owner, fleet.location_id, "machine-a")
    _, part_b = await new_machine(owner, fleet.location_id, "machine-b")
    robot_gone, part_gone = await new_machine(owner, fleet.location_id, "machine-gone")
    secret_a, secret_gone = await _secret_of(owner, part_a), await _secret_of(owner, part_gone)
    await owner.app.delete_robot(id=robot_gone)

    channel = raw_channel(fleet.host, fleet.port)
    try:
        # A secret that opens a part lets the body be read: these bytes are refused for what they are.
        status, _, _ = await raw_call(channel, ROBOT_CONFIG, UNDECODABLE_CONFIG_REQUEST, metadata={"secret": secret_a})
        assert status == Status.INVALID_ARGUMENT
        # A secret of no part, or of a deleted part, is refused from the headers: the body is never decoded.
        # (The same first characters are not enough: the lookup by them is followed by a whole comparison.)
        for secret in ("not-a-part-secret", secret_gone, "s" * 5000, secret_a[:8] + "0" * 24, secret_a + "0"):
            status, message, _ = await raw_call(
                channel, ROBOT_CONFIG, UNDECODABLE_CONFIG_REQUEST, metadata={"secret": secret}
            )
            assert status == Status.UNAUTHENTICATED, (status, message)
            assert message and secret not in message
    finally:
        channel.close()

    as_a = RobotServiceAsyncClient(owner.channel, metadata={"secret": secret_a}, timeout=10)
    status, message = await status_of(as_a.config(id=part_b))  # a real secret, naming another part
    assert status == Status.UNAUTHENTICATED and "does not match" in message
    status, _ = await status_of(as_a.needs_restart(id=part_gone))
    assert status == Status.UNAUTHENTICATED
    config = (await as_a.config(id=part_a)).config
    assert config is not None and config.cloud is not None and config.cloud.id == part_a


# --- open tails end when their caller loses access ---------------------------------------------------------------


async def _tail_status(conn: Conn, part_id: str, got: asyncio.Queue[LogEntry]) -> tuple[Status, str]:
    try:
        async for response in conn.app.tail_robot_part_logs(id=part_id):
            for entry in response.logs:
                got.put_nowait(entry)
    except GRPCError as exc:
        return exc.status, exc.message or ""
    return Status.OK, ""


async def _push(owner: Conn, part_id: str, message: str) -> None:
    await owner.robot.log(id=part_id, logs=[LogEntry(level="info", message=message, time=datetime.now(timezone.utc))])


async def _open_tail(
    fleet: LocalFleet, owner: Conn, conn: Conn, part_id: str
) -> tuple[asyncio.Task[tuple[Status, str]], asyncio.Queue[LogEntry]]:
    """Open a tail as ``conn`` and prove it live (one entry delivered) before anything is revoked."""
    got: asyncio.Queue[LogEntry] = asyncio.Queue()
    before = fleet.context.logs.subscriber_count(part_id)
    task = asyncio.create_task(_tail_status(conn, part_id, got))
    await asyncio.wait_for(fleet.context.logs.wait_for_subscribers(part_id, before + 1), 10)
    await _push(owner, part_id, "before")
    assert (await asyncio.wait_for(got.get(), 10)).message == "before"
    return task, got


async def _ends_within_a_second(task: asyncio.Task[tuple[Status, str]]) -> Status:
    status, message = await asyncio.wait_for(task, 1.0)
    assert message, "the status names the reason"
    return status


@pytest.fixture
async def tailed(fleet: LocalFleet, owner: Conn) -> tuple[str, str]:
    """A machine in the bootstrap location: its id and its main part's id."""
    return await new_machine(owner, fleet.location_id, "tailed")


@pytest.mark.parametrize("change", ["delete_key", "rotate_key"])
async def test_tail_ends_when_its_key_is_deleted_or_rotated(
    fleet: LocalFleet, owner: Conn, tailed: tuple[str, str], change: str
) -> None:
    key_id, conn = await mint(fleet, owner, fleet.organization_id, "operator", "location", fleet.location_id)
    task, _ = await _open_tail(fleet, owner, conn, tailed[1])
    await getattr(owner.app, change)(id=key_id)
    assert await _ends_within_a_second(task) == Status.UNAUTHENTICATED
    conn.channel.close()


async def test_tail_ends_when_its_role_is_removed(fleet: LocalFleet, owner: Conn, tailed: tuple[str, str]) -> None:
    org, la = fleet.organization_id, fleet.location_id
    key_id, conn = await mint(fleet, owner, org, "operator", "location", la)
    watcher_task, watcher_got = await _open_tail(fleet, owner, owner, tailed[1])  # keeps its rights throughout
    task, _ = await _open_tail(fleet, owner, conn, tailed[1])
    assert (await asyncio.wait_for(watcher_got.get(), 10)).message == "before"  # the second "before" push
    await owner.app.remove_role(authorization=role(org, "operator", "location", la, identity_id=key_id))
    assert await _ends_within_a_second(task) == Status.PERMISSION_DENIED
    await _push(owner, tailed[1], "after")
    assert (await asyncio.wait_for(watcher_got.get(), 10)).message == "after"
    assert not watcher_task.done()
    watcher_task.cancel()
    conn.channel.close()


async def test_tail_ends_when_its_location_is_unshared(fleet: LocalFleet, owner: Conn, tailed: tuple[str, str]) -> None:
    la = fleet.location_id
    other = await new_org(owner, "partner")
    await owner.app.share_location(location_id=la, organization_id=other)
    _, conn = await mint(fleet, owner, other, "operator", "organization", other)
    task, _ = await _open_tail(fleet, owner, conn, tailed[1])
    await owner.app.unshare_location(location_id=la, organization_id=other)
    assert await _ends_within_a_second(task) == Status.PERMISSION_DENIED
    conn.channel.close()


TOKEN_LIFETIME = timedelta(seconds=2)


def _expiry_timers() -> list[asyncio.Task[object]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == TOKEN_EXPIRY_TIMER and not task.done()]


async def test_tail_ends_when_its_token_expires() -> None:
    async with LocalFleet(token_lifetime=TOKEN_LIFETIME) as fleet:
        owner = await connect(fleet, fleet.api_key_id, fleet.api_key)
        _, part_id = await new_machine(owner, fleet.location_id, "expiring")
        # The machine pushes with its part secret, which does not expire; the tail's token is fresh.
        machine = RobotServiceAsyncClient(owner.channel, metadata={"secret": await _secret_of(owner, part_id)})
        issued = time.monotonic()
        tailer = await connect(fleet, fleet.api_key_id, fleet.api_key)
        got: asyncio.Queue[LogEntry] = asyncio.Queue()
        task = asyncio.create_task(_tail_status(tailer, part_id, got))
        await asyncio.wait_for(fleet.context.logs.wait_for_subscribers(part_id, 1), 10)
        await machine.log(id=part_id, logs=[LogEntry(level="info", message="before", time=datetime.now(timezone.utc))])
        assert (await asyncio.wait_for(got.get(), 10)).message == "before"
        timers = _expiry_timers()

        status, message = await asyncio.wait_for(task, TOKEN_LIFETIME.total_seconds() + 5)
        ended = time.monotonic() - issued
        assert status == Status.UNAUTHENTICATED and "expired" in message
        assert ended >= TOKEN_LIFETIME.total_seconds() - 0.05, "ended by the expiry, not before it"
        assert len(timers) == 1  # one timer, armed when the tail opened, which ended it
        await asyncio.wait(timers, timeout=10)
        assert timers[0].done() and not timers[0].cancelled()

        # A tail that ends otherwise (its caller hangs up) cancels its timer.
        fresh = await connect(fleet, fleet.api_key_id, fleet.api_key)
        hung_up = asyncio.create_task(_tail_status(fresh, part_id, got))
        await asyncio.wait_for(fleet.context.logs.wait_for_subscribers(part_id, 1), 10)
        await machine.log(id=part_id, logs=[LogEntry(level="info", message="again", time=datetime.now(timezone.utc))])
        assert (await asyncio.wait_for(got.get(), 10)).message == "again"  # live: its check ran, its timer is armed
        (timer,) = _expiry_timers()
        hung_up.cancel()
        await asyncio.wait([timer], timeout=10)
        assert timer.cancelled()
        for conn in (owner, tailer, fresh):
            conn.channel.close()


@pytest.mark.parametrize(("value", "error"), [(5, TypeError), (timedelta(0), ValueError), (timedelta(-1), ValueError)])
def test_token_lifetime_is_checked(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="token_lifetime"):
        LocalFleet(token_lifetime=value)  # pyright: ignore[reportArgumentType]


# --- the database file ----------------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_files_are_private_and_served_by_one_server(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "fleet.db"
    old_umask = os.umask(0o022)  # the usual umask, which would make new files 0644
    try:
        async with LocalFleet(db) as first:
            owner = await connect(first, first.api_key_id, first.api_key)
            await new_machine(owner, first.location_id, "m")
            for name in ("fleet.db", "fleet.db-wal", "fleet.db-shm", "fleet.db.lock"):
                assert _mode(tmp_path / name) == 0o600, name
            with pytest.raises(DatabaseInUseError, match="already served by another fleetwire server") as refused:
                async with LocalFleet(db):
                    pass
            assert isinstance(refused.value, OSError) and str(db) in str(refused.value)
            assert (tmp_path / "fleet.db.lock").exists()  # the refused server left the first one's lock alone
            owner.channel.close()
            assert first.context.store.loose_files == ()
    finally:
        os.umask(old_umask)
    assert not (tmp_path / "fleet.db.lock").exists()  # removed as the first server let go
    db.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="fleetwire.local"):
        async with LocalFleet(db) as second:  # the first one's lock went with it
            assert second.context.store.loose_files == (
                f"{db} is mode 0644: other users may read the secrets in it (chmod 600 it)",
            )
    assert "mode 0644" in caplog.text

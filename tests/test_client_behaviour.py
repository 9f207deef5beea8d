"""The overlay conveniences, on both clients, against a real grpclib server on 127.0.0.1 (tests/_client/server.py):
default location id, config export, log paging, tail, retries, timeouts, typed errors, argument checks, secrets.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from _client.server import ACCESS_TOKEN, API_KEY, API_KEY_ID, CONFIG, PART_SECRET, ServerThread
from grpclib.const import Status
from grpclib.exceptions import GRPCError

import fleetwire
from fleetwire import AppClient, AsyncAppClient, RetryPolicy
from fleetwire_api.viam.app import v1 as app_pb

pytestmark = pytest.mark.anyio

FAST_RETRY = RetryPolicy(max_attempts=4, initial_backoff=0.001, max_backoff=0.01)
KINDS = ("async", "blocking")


@pytest.fixture
def server() -> Iterator[ServerThread]:
    srv = ServerThread().start()
    yield srv
    srv.stop()


class Client:
    """One test body for both clients: ``await c.call(name, ...)`` runs the async method, or the blocking one in a
    worker thread (the blocking client must never run on the loop's own thread)."""

    def __init__(self, kind: str, client: Any) -> None:
        self.kind = kind
        self.client = client

    @property
    def aio(self) -> AsyncAppClient:
        return self.client if self.kind == "async" else self.client.aio

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self.client, name)
        if self.kind == "async":
            return await method(*args, **kwargs)
        return await anyio.to_thread.run_sync(lambda: method(*args, **kwargs))

    async def run(self, fn: Callable[[], Any]) -> Any:
        return await anyio.to_thread.run_sync(fn)


async def open_client(kind: str, server: ServerThread, location_id: str | None = "loc-default") -> Client:
    if kind == "async":
        client: Any = await AsyncAppClient.connect(
            server.url, api_key=API_KEY, api_key_id=API_KEY_ID, location_id=location_id
        )
        client.retry = FAST_RETRY
    else:
        client = await anyio.to_thread.run_sync(
            lambda: AppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID, location_id=location_id)
        )
        client.aio.retry = FAST_RETRY
    return Client(kind, client)


async def close_client(c: Client) -> None:
    if c.kind == "async":
        await c.client.close()
    else:
        await anyio.to_thread.run_sync(c.client.close)


@pytest.fixture(params=KINDS)
async def client(request: pytest.FixtureRequest, server: ServerThread) -> AsyncIterator[Client]:
    c = await open_client(request.param, server)
    yield c
    await close_client(c)


@pytest.fixture(params=KINDS)
async def bare_client(request: pytest.FixtureRequest, server: ServerThread) -> AsyncIterator[Client]:
    """A client with no default location id."""
    c = await open_client(request.param, server, location_id=None)
    yield c
    await close_client(c)


# -- connecting ----------------------------------------------------------------------------------------------------


async def test_connect_authenticates_with_the_api_key_and_sends_the_bearer_token(
    client: Client, server: ServerThread
) -> None:
    org = await client.call("get_organization", "org-1")
    assert org.id == "org-1"
    (auth,) = server.state.calls_to("Authenticate")
    assert auth.request.entity == API_KEY_ID
    assert (auth.request.credentials.type, auth.request.credentials.payload) == ("api-key", API_KEY)
    (call,) = server.state.calls_to("GetOrganization")
    assert call.metadata["authorization"] == f"Bearer {ACCESS_TOKEN}"


async def test_connect_reads_the_key_from_the_environment(server: ServerThread, monkeypatch: Any) -> None:
    monkeypatch.setenv("VIAM_API_KEY", API_KEY)
    monkeypatch.setenv("VIAM_API_KEY_ID", API_KEY_ID)
    async with await AsyncAppClient.connect(server.url) as cloud:
        assert (await cloud.get_organization("o")).id == "o"


@pytest.mark.parametrize("missing", ["api_key", "api_key_id"])
async def test_connect_names_a_missing_credential(server: ServerThread, monkeypatch: Any, missing: str) -> None:
    monkeypatch.delenv("VIAM_API_KEY", raising=False)
    monkeypatch.delenv("VIAM_API_KEY_ID", raising=False)
    given: dict[str, Any] = {"api_key": API_KEY, "api_key_id": API_KEY_ID}
    del given[missing]
    with pytest.raises(ValueError, match=rf"^{missing} is required"):
        await AsyncAppClient.connect(server.url, **given)
    with pytest.raises(ValueError, match=rf"^{missing} is required"):
        AppClient.connect(server.url, **given)
    assert server.state.calls == []


async def test_a_wrong_key_is_unauthenticated_and_not_echoed(server: ServerThread) -> None:
    with pytest.raises(fleetwire.UnauthenticatedError) as caught:
        await AsyncAppClient.connect(server.url, api_key="wrong-key-value", api_key_id=API_KEY_ID)
    assert isinstance(caught.value, GRPCError)
    assert "wrong-key-value" not in str(caught.value) + repr(caught.value)


# -- default location id -------------------------------------------------------------------------------------------

LOCATION_CALLS: list[tuple[str, tuple[Any, ...], str, str]] = [
    # method, positional args other than location_id, RPC, request field that carries the location
    ("get_location", (), "GetLocation", "location_id"),
    ("location_auth", (), "LocationAuth", "location_id"),
    ("create_location_secret", (), "CreateLocationSecret", "location_id"),
    ("delete_location_secret", ("secret-1",), "DeleteLocationSecret", "location_id"),
    ("list_robots", (), "ListRobots", "location_id"),
    ("new_robot", ("rover",), "NewRobot", "location"),
    ("update_robot", ("robot-1", "rover"), "UpdateRobot", "location"),
]


@pytest.mark.parametrize(("method", "args", "rpc", "field"), LOCATION_CALLS, ids=[c[0] for c in LOCATION_CALLS])
async def test_location_id_defaults_to_the_clients(
    client: Client, server: ServerThread, method: str, args: tuple[Any, ...], rpc: str, field: str
) -> None:
    await client.call(method, *args)
    await client.call(method, *args, location_id="loc-explicit")
    sent = [getattr(c.request, field) for c in server.state.calls_to(rpc)]
    assert sent == ["loc-default", "loc-explicit"]


@pytest.mark.parametrize(("method", "args", "rpc", "field"), LOCATION_CALLS, ids=[c[0] for c in LOCATION_CALLS])
async def test_no_location_id_anywhere_is_a_value_error_before_any_call(
    bare_client: Client, server: ServerThread, method: str, args: tuple[Any, ...], rpc: str, field: str
) -> None:
    with pytest.raises(ValueError, match="location_id"):
        await bare_client.call(method, *args)
    assert server.state.calls_to(rpc) == []


# -- config export -------------------------------------------------------------------------------------------------


async def test_get_robot_part_writes_the_config_as_indented_json(client: Client, tmp_path: Path) -> None:
    dest = tmp_path / "config.json"
    part = await client.call("get_robot_part", "part-1", dest=str(dest), indent=2)
    assert isinstance(part, fleetwire.RobotPart) and part.id == "part-1"
    assert json.loads(dest.read_text()) == CONFIG
    assert dest.read_text() == json.dumps(CONFIG, indent=2) + "\n"  # a text file: its last line ends
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]  # no temporary file left behind


async def test_a_failed_export_raises_and_leaves_the_earlier_file_intact(client: Client, tmp_path: Path) -> None:
    dest = tmp_path / "config.json"
    dest.write_text('{"earlier": true}')
    with pytest.raises(ValueError):  # the server's config_json is not JSON
        await client.call("get_robot_part", "broken-config", dest=str(dest))
    assert dest.read_text() == '{"earlier": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


async def test_an_export_error_names_the_users_path_not_the_temporary_file(client: Client, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "config.json"
    with pytest.raises(FileNotFoundError) as raised:
        await client.call("get_robot_part", "part-1", dest=str(missing))
    assert raised.value.filename == str(missing)
    assert str(missing) in str(raised.value) and ".tmp" not in str(raised.value)

    a_directory = tmp_path / "exports"
    a_directory.mkdir()
    with pytest.raises(IsADirectoryError) as raised:
        await client.call("get_robot_part_logs", "part-1", dest=str(a_directory), num_log_entries=3)
    assert raised.value.filename == str(a_directory) and ".tmp" not in str(raised.value)
    assert list(a_directory.iterdir()) == [] and [p.name for p in tmp_path.iterdir()] == ["exports"]


def test_a_log_export_failing_midway_leaves_the_earlier_file_intact(tmp_path: Path) -> None:
    from fleetwire.export import write_logs

    dest = tmp_path / "logs.txt"
    dest.write_text("earlier\n")
    entry = fleetwire.LogEntry("h", "info", None, "rdk", "m", None, "", None)

    def entries() -> Iterator[fleetwire.LogEntry]:
        yield entry
        yield entry
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_logs(dest, entries())
    assert dest.read_text() == "earlier\n"
    assert [p.name for p in tmp_path.iterdir()] == ["logs.txt"]


# -- log paging ----------------------------------------------------------------------------------------------------


async def test_all_10000_entries_in_pages_of_100_come_back_once_in_order(client: Client, server: ServerThread) -> None:
    entries = await client.call("get_robot_part_logs", "part-1", num_log_entries=0)
    assert [e.message for e in entries] == [f"entry {n}" for n in range(10_000)]
    tokens = [c.request.page_token for c in server.state.calls_to("GetRobotPartLogs")]
    assert tokens == ["", *[str(n) for n in range(100, 10_000, 100)]]


async def test_num_log_entries_250_returns_250_and_stops_paging(client: Client, server: ServerThread) -> None:
    entries = await client.call("get_robot_part_logs", "part-1", num_log_entries=250)
    assert [e.message for e in entries] == [f"entry {n}" for n in range(250)]
    assert [c.request.page_token for c in server.state.calls_to("GetRobotPartLogs")] == ["", "100", "200"]


async def test_default_num_log_entries_is_one_page_of_100(client: Client, server: ServerThread) -> None:
    entries = await client.call("get_robot_part_logs", "part-1", filter="entry", log_levels=["info", "error"])
    assert len(entries) == 100
    (call,) = server.state.calls_to("GetRobotPartLogs")
    assert (call.request.id, call.request.filter, call.request.levels) == ("part-1", "entry", ["info", "error"])


@pytest.mark.parametrize(("suffix", "jsonl"), [(".txt", False), (".jsonl", True), (".ndjson", True)])
async def test_logs_export_as_text_or_json_lines(client: Client, tmp_path: Path, suffix: str, jsonl: bool) -> None:
    dest = tmp_path / f"logs{suffix}"
    entries = await client.call("get_robot_part_logs", "part-1", dest=str(dest), num_log_entries=3)
    lines = dest.read_text().splitlines()
    assert len(lines) == 3 == len(entries)
    if jsonl:
        records = [json.loads(line) for line in lines]
        assert [r["message"] for r in records] == ["entry 0", "entry 1", "entry 2"]
        assert records[1]["time"] == "2026-01-01T00:00:01+00:00"
        assert records[0]["caller"] == {"File": "motor.go", "Line": 0.0}
    else:
        assert lines[1].split("\t")[:3] == ["2026-01-01 00:00:01+00:00", "INFO", "rdk"]
        assert lines[1].endswith("entry 1") and "motor.go:1" in lines[1]


async def test_iterator_yields_every_entry_once_in_order(client: Client) -> None:
    if client.kind == "async":
        stream = client.client.iter_robot_part_logs("part-1")
        messages = [e.message async for e in stream]
    else:
        messages = await client.run(lambda: [e.message for e in client.client.iter_robot_part_logs("part-1")])
    assert messages == [f"entry {n}" for n in range(10_000)]


async def test_iterator_prefetches_the_next_page_while_the_caller_reads(client: Client, server: ServerThread) -> None:
    second_page = server.state.page_requested["100"]
    if client.kind == "async":
        stream = client.client.iter_robot_part_logs("part-1", page_size=100)
        first = await stream.__anext__()
        # The caller holds only the first entry, yet the server is asked for page 2 without further reads.
        assert await anyio.to_thread.run_sync(second_page.wait, 10)
        await stream.aclose()
    else:

        def read_one() -> Any:
            with client.client.iter_robot_part_logs("part-1", page_size=100) as stream:
                first = next(stream)
                assert second_page.wait(10)
                return first

        first = await client.run(read_one)
    assert first.message == "entry 0"
    calls = server.state.calls_to("GetRobotPartLogs")
    assert [c.request.page_token for c in calls] == ["", "100"]  # prefetch reaches one page ahead, no further
    assert calls[0].request.limit == 100


async def test_iterator_respects_num_log_entries(client: Client) -> None:
    if client.kind == "async":
        got = [e async for e in client.client.iter_robot_part_logs("part-1", num_log_entries=150)]
    else:
        got = await client.run(lambda: list(client.client.iter_robot_part_logs("part-1", num_log_entries=150)))
    assert len(got) == 150


# -- live tail -----------------------------------------------------------------------------------------------------


async def test_tail_yields_batches_and_closing_early_ends_the_server_stream(
    client: Client, server: ServerThread
) -> None:
    if client.kind == "async":
        stream = await client.client.tail_robot_part_logs("part-1", errors_only=False, filter="motor")
        batches = [await stream.next(), await stream.__anext__()]
        await stream.aclose()
    else:

        def read_two() -> list[Any]:
            with client.client.tail_robot_part_logs("part-1", errors_only=False, filter="motor") as stream:
                return [next(stream), stream.next()]

        batches = await client.run(read_two)
    assert [[e.message for e in b] for b in batches] == [["entry 0", "entry 1"], ["entry 2", "entry 3"]]
    assert all(isinstance(e, fleetwire.LogEntry) for b in batches for e in b)
    assert await anyio.to_thread.run_sync(server.state.tail_closed.wait, 10), "the server stream is still open"
    (call,) = server.state.calls_to("TailRobotPartLogs")
    assert (call.request.id, call.request.errors_only, call.request.filter) == ("part-1", False, "motor")


async def test_tail_has_no_default_deadline(server: ServerThread) -> None:
    # A client whose default deadline is tiny can still tail: the deadline applies to unary calls only.
    async with await AsyncAppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID, timeout=0.5) as c:
        stream = await c.tail_robot_part_logs("part-1")
        async with stream:
            async for _ in stream:
                if server.state.tail_batches_sent > 200:
                    break
        with pytest.raises(fleetwire.DeadlineExceededError):
            await c.list_organizations()


# -- retries and timeouts ------------------------------------------------------------------------------------------


async def test_reads_retry_unavailable_then_succeed(client: Client, server: ServerThread) -> None:
    server.state.fail["GetOrganization"] = [Status.UNAVAILABLE, Status.UNAVAILABLE]
    org = await client.call("get_organization", "org-1")
    assert org.id == "org-1"
    assert len(server.state.calls_to("GetOrganization")) == 3


async def test_reads_give_up_after_max_attempts(client: Client, server: ServerThread) -> None:
    server.state.fail["GetOrganization"] = [Status.UNAVAILABLE] * 10
    with pytest.raises(fleetwire.UnavailableError):
        await client.call("get_organization", "org-1")
    assert len(server.state.calls_to("GetOrganization")) == FAST_RETRY.max_attempts


async def test_writes_are_never_retried(client: Client, server: ServerThread) -> None:
    server.state.fail["CreateOrganization"] = [Status.UNAVAILABLE]
    with pytest.raises(fleetwire.UnavailableError):
        await client.call("create_organization", "acme")
    assert len(server.state.calls_to("CreateOrganization")) == 1


async def test_other_statuses_are_not_retried(client: Client, server: ServerThread) -> None:
    server.state.fail["GetOrganization"] = [Status.INTERNAL, Status.INTERNAL]
    with pytest.raises(fleetwire.InternalError):
        await client.call("get_organization", "org-1")
    assert len(server.state.calls_to("GetOrganization")) == 1


def test_backoff_is_jittered_exponential_and_capped() -> None:
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=0.5, multiplier=2.0)
    for retry, bound in [(0, 0.1), (1, 0.2), (2, 0.4), (3, 0.5), (10, 0.5)]:
        waits = [policy.backoff(retry) for _ in range(200)]
        assert all(0 <= w <= bound for w in waits)
        assert len(set(waits)) > 100  # random, not a fixed schedule


async def test_per_call_timeout_raises_deadline_exceeded(client: Client, server: ServerThread) -> None:
    with pytest.raises(fleetwire.DeadlineExceededError) as caught:
        await client.call("list_organizations", timeout=0.2)
    assert isinstance(caught.value, GRPCError)
    assert len(server.state.calls_to("ListOrganizations")) == 1  # a deadline is not retried


async def test_client_default_timeout_applies(server: ServerThread) -> None:
    async with await AsyncAppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID, timeout=0.2) as c:
        assert c.timeout == 0.2
        with pytest.raises(fleetwire.DeadlineExceededError):
            await c.list_organizations()
        server.state.hold.set()
        assert [o.id for o in await c.list_organizations(timeout=5)] == ["o1"]


# -- errors --------------------------------------------------------------------------------------------------------

STATUS_ERRORS = [
    (Status.NOT_FOUND, fleetwire.NotFoundError),
    (Status.PERMISSION_DENIED, fleetwire.PermissionDeniedError),
    (Status.INVALID_ARGUMENT, fleetwire.InvalidArgumentError),
    (Status.UNAUTHENTICATED, fleetwire.UnauthenticatedError),
    (Status.ALREADY_EXISTS, fleetwire.AlreadyExistsError),
    (Status.FAILED_PRECONDITION, fleetwire.FailedPreconditionError),
    (Status.RESOURCE_EXHAUSTED, fleetwire.ResourceExhaustedError),
    (Status.UNIMPLEMENTED, fleetwire.UnimplementedError),
    (Status.INTERNAL, fleetwire.InternalError),
    (Status.ABORTED, fleetwire.AbortedError),
    (Status.CANCELLED, fleetwire.CallCancelledError),
    (Status.UNKNOWN, fleetwire.UnknownError),
]


@pytest.mark.parametrize(("status", "error"), STATUS_ERRORS, ids=[s.name for s, _ in STATUS_ERRORS])
async def test_statuses_become_typed_errors(client: Client, server: ServerThread, status: Status, error: type) -> None:
    server.state.fail["CreateOrganization"] = [status]
    with pytest.raises(error) as caught:
        await client.call("create_organization", "acme")
    assert isinstance(caught.value, GRPCError) and isinstance(caught.value, fleetwire.FleetwireError)
    assert caught.value.status is status
    assert "CreateOrganization failed on purpose" in str(caught.value)


async def test_an_unimplemented_rpc_is_unimplemented_error(client: Client) -> None:
    with pytest.raises(fleetwire.UnimplementedError):
        await client.call("get_robot", "robot-1")


async def test_a_token_echoed_by_the_server_is_redacted(client: Client, server: ServerThread) -> None:
    server.state.error_message = f"bad header authorization: Bearer {ACCESS_TOKEN}; api_key={API_KEY}"
    server.state.fail["CreateOrganization"] = [Status.PERMISSION_DENIED]
    with pytest.raises(fleetwire.PermissionDeniedError) as caught:
        await client.call("create_organization", "acme")
    text = str(caught.value) + repr(caught.value) + str(caught.value.message)
    assert ACCESS_TOKEN not in text and API_KEY not in text
    assert "<redacted>" in text


async def test_an_unreachable_server_is_unavailable_after_retries() -> None:
    with pytest.raises(fleetwire.UnavailableError):
        await AsyncAppClient.connect("127.0.0.1:1", api_key=API_KEY, api_key_id=API_KEY_ID)


# -- client-side argument checks -----------------------------------------------------------------------------------

BAD_ARGUMENTS: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = [
    ("get_organization", ("",), {}, "org_id"),
    ("get_robot_part", ("  ",), {}, "robot_part_id"),
    ("get_robot_part_logs", ("part-1",), {"num_log_entries": -1}, "num_log_entries"),
    ("check_permissions", ([],), {}, "permissions"),
    ("add_role", ("org", "user", "admin", "robot", "r1"), {}, "role"),
    ("add_role", ("org", "user", "owner", "machine", "r1"), {}, "resource_type"),
    ("remove_role", ("org", "", "owner", "robot", "r1"), {}, "identity_id"),
    ("change_role", ("org", "u", "owner", "robot", "r1", "u", "owner", "fleet", "r1"), {}, "new_resource_type"),
    ("delete_location_secret", ("",), {}, "secret_id"),
]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "name"), BAD_ARGUMENTS, ids=[f"{m}-{n}" for m, *_, n in BAD_ARGUMENTS]
)
async def test_bad_arguments_raise_value_error_naming_them_before_any_call(
    client: Client, server: ServerThread, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], name: str
) -> None:
    before = len(server.state.calls)
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        await client.call(method, *args, **kwargs)
    assert len(server.state.calls) == before


def test_api_key_authorization_checks_the_seed_literals() -> None:
    auth = fleetwire.APIKeyAuthorization(role="owner", resource_type="robot", resource_id="r1")
    assert (auth.role, auth.resource_type, auth.resource_id) == ("owner", "robot", "r1")
    with pytest.raises(ValueError, match="role"):
        fleetwire.APIKeyAuthorization(role="admin", resource_type="robot", resource_id="r1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="resource_type"):
        fleetwire.APIKeyAuthorization(role="owner", resource_type="part", resource_id="r1")  # type: ignore[arg-type]


async def test_check_permissions_sends_the_list(client: Client, server: ServerThread) -> None:
    perms = [
        app_pb.AuthorizedPermissions(resource_type="organization", resource_id="o", permissions=["read_robot_logs"])
    ]
    got = await client.call("check_permissions", perms)
    assert [p.permissions for p in got] == [["read_robot_logs"]]


# -- secrets -------------------------------------------------------------------------------------------------------


async def test_no_secret_in_reprs_or_logs(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    part = await client.call("get_robot_part", "part-1")
    assert part.secret == PART_SECRET
    texts = [repr(client.client), str(client.client), repr(client.aio), repr(part), str(part), repr(client.aio.raw)]
    texts.append(caplog.text)
    for text in texts:
        for secret in (API_KEY, ACCESS_TOKEN, PART_SECRET):
            assert secret not in text, text
    assert "127.0.0.1" in repr(client.client)

"""The argument contract, the conflict error and the pagers of both clients, over real gRPC against the recording
server (tests/_spec/server.py).

A wrong type is a `TypeError` naming the argument, a wrong value an `ArgumentError` naming it, and neither sends
anything; an official SDK object where a fleetwire one belongs names both. A stale `last_known_update` answered with
ABORTED is a `ConflictError`. The `iter_*` pagers follow page tokens one page ahead and stop when asked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _spec import data as d
from _spec.server import ACCESS_TOKEN, SpecServer
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

import fleetwire
from fleetwire._config_path import PathSyntaxError, parse_path
from fleetwire_api.viam.app import v1 as app

TOKEN = "contract-token"
API_KEY = "c0ntract-t3st-ap1-k3y-00000000secret"
API_KEY_ID = "1e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b"

Call = Callable[[Any], Any]


def official_key_authorization() -> Any:
    from viam.app.app_client import APIKeyAuthorization

    return APIKeyAuthorization(role="owner", resource_type="robot", resource_id=d.ROBOT_ID)


def official_fragment_import() -> Any:
    from viam.proto.app import FragmentImport

    return FragmentImport(fragment_id=d.FRAGMENT_ID)


# (label, call, expected error, text the message must hold)
REJECTED: list[tuple[str, Call, type[Exception], str]] = [
    ("unknown role", lambda c: c.add_role(d.ORG_ID, d.USER_ID, "boss", "organization", d.ORG_ID),
     fleetwire.ArgumentError, "role must be one of"),
    ("unknown resource type", lambda c: c.add_role(d.ORG_ID, d.USER_ID, "owner", "planet", d.ORG_ID),
     fleetwire.ArgumentError, "resource_type must be one of"),
    ("config not a mapping", lambda c: c.update_robot_part(d.PART_ID, "n", robot_config=[1, 2]),
     TypeError, "robot_config must be a mapping"),
    ("empty config of the wrong type", lambda c: c.update_robot_part(d.PART_ID, "n", robot_config=[]),
     TypeError, "robot_config must be a mapping"),
    ("config value not JSON", lambda c: c.update_robot_part(d.PART_ID, "n", {"a": {"b": {1, 2}}}),
     TypeError, "robot_config['a']['b'] must be a JSON-able value"),
    ("config list item not JSON", lambda c: c.create_fragment(d.ORG_ID, "f", {"a": [1, object()]}),
     TypeError, "config['a'][1] must be a JSON-able value"),
    ("config key not str", lambda c: c.update_fragment(d.FRAGMENT_ID, "f", {"a": {3: "x"}}),
     TypeError, "config['a'] has a key of type int"),
    ("machine name not str", lambda c: c.new_robot(123, d.LOC_ID), TypeError, "name must be a str"),
    ("entry count as text", lambda c: c.get_robot_part_logs(d.PART_ID, num_log_entries="5"),
     TypeError, "num_log_entries must be an int"),
    ("negative entry count", lambda c: c.get_robot_part_logs(d.PART_ID, num_log_entries=-1),
     fleetwire.ArgumentError, "num_log_entries must be at least 0"),
    ("unknown log order", lambda c: c.get_robot_part_logs(d.PART_ID, order=7),
     fleetwire.ArgumentError, "order is not a LogOrder: 7"),
    ("start as text", lambda c: c.get_robot_part_history(d.PART_ID, start="yesterday"),
     TypeError, "start must be a datetime"),
    ("stale marker as text", lambda c: c.update_robot_part(d.PART_ID, "n", last_known_update="now"),
     TypeError, "last_known_update must be a datetime"),
    ("bad property path", lambda c: c.set_config_property(d.PART_ID, {"components..speed": 1}),
     fleetwire.ArgumentError, "path 'components..speed' is invalid"),
    ("property value not JSON", lambda c: c.set_config_property(d.PART_ID, {"a.b": {1}}),
     TypeError, "property_changes['a.b'] must be a JSON-able value"),
    ("official APIKeyAuthorization", lambda c: c.create_key(d.ORG_ID, [official_key_authorization()]),
     TypeError, "viam.app.app_client.APIKeyAuthorization): use fleetwire.APIKeyAuthorization"),
    ("official protobuf message",
     lambda c: c.update_organization(d.ORG_ID, default_fragments=[official_fragment_import()]),
     TypeError, "app.v1.app_pb2.FragmentImport): use fleetwire.proto.app.FragmentImport"),
    ("location ids as text", lambda c: c.list_robots_for_locations(d.LOC_ID), TypeError, "location_ids must be a list"),
    ("unknown visibility", lambda c: c.update_fragment(d.FRAGMENT_ID, "f", visibility="secret"),
     fleetwire.ArgumentError, "visibility must be one of"),
    ("metadata value not JSON", lambda c: c.update_organization_metadata(d.ORG_ID, {"k": object()}),
     TypeError, "metadata['k'] must be a JSON-able value"),
    ("resource ids as text", lambda c: c.list_authorizations(d.ORG_ID, resource_ids="abc"),
     TypeError, "resource_ids must be a list"),
    ("flag as int", lambda c: c.get_registry_item(d.MODULE_ID, include_markdown_documentation=1),
     TypeError, "include_markdown_documentation must be a bool"),
    ("unknown package type", lambda c: c.list_registry_items(d.ORG_ID, [99], [], [], []),
     fleetwire.ArgumentError, "types[0] is not a PackageType"),
]  # fmt: skip


@pytest.fixture(scope="module")
def blocking(server: SpecServer) -> Iterator[fleetwire.AppClient]:
    client = fleetwire.AppClient.connect(server.address, api_key=API_KEY, api_key_id=API_KEY_ID)
    try:
        yield client
    finally:
        client.close()


def run_async(server: SpecServer, call: Call) -> Any:
    """Run ``call`` on an AsyncAppClient over a fresh channel to ``server``."""

    async def run() -> Any:
        channel = Channel("127.0.0.1", server.port)
        try:
            result = call(fleetwire.AsyncAppClient(channel, {"authorization": f"Bearer {TOKEN}"}))
            if asyncio.iscoroutine(result):
                result = await result
            if isinstance(result, fleetwire.LogsStream):
                return [item async for item in result]
            return result
        finally:
            channel.close()

    return asyncio.run(run())


def run_blocking(client: fleetwire.AppClient, call: Call) -> Any:
    result = call(client)
    return list(result) if isinstance(result, fleetwire.BlockingStream) else result


@pytest.mark.parametrize(("label", "call", "error", "text"), REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected_before_anything_is_sent(
    label: str, call: Call, error: type[Exception], text: str, server: SpecServer, blocking: fleetwire.AppClient
) -> None:
    server.script.reset()
    with pytest.raises(error) as raised_async:
        run_async(server, call)
    with pytest.raises(error) as raised_blocking:
        run_blocking(blocking, call)
    for raised in (raised_async, raised_blocking):
        assert text in str(raised.value)
        if error is TypeError:
            assert not isinstance(raised.value, fleetwire.ArgumentError)
    assert server.script.taken() == [], f"{label}: a call went out"


def test_argument_error_is_a_value_error_and_a_grpc_error() -> None:
    error = fleetwire.ArgumentError("x must be positive")
    assert isinstance(error, ValueError) and isinstance(error, fleetwire.InvalidArgumentError)
    assert isinstance(error, GRPCError) and error.status is Status.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("rpc", "call", "what", "reply"),
    [
        ("UpdateRobotPart", lambda c: c.update_robot_part(d.PART_ID, "n", last_known_update=d.T1),
         "machine part", app.UpdateRobotPartResponse()),
        ("UpdateFragment", lambda c: c.update_fragment(d.FRAGMENT_ID, "f", last_known_update=d.T1),
         "fragment", app.UpdateFragmentResponse()),
    ],
)  # fmt: skip
def test_a_stale_update_is_a_conflict_error(
    rpc: str, call: Call, what: str, reply: Any, server: SpecServer, blocking: fleetwire.AppClient
) -> None:
    stale = GRPCError(Status.ABORTED, "last_known_update is older than the stored change")
    for run in (lambda: run_async(server, call), lambda: run_blocking(blocking, call)):
        server.script.reset([(rpc, stale)])
        with pytest.raises(fleetwire.ConflictError) as raised:
            run()
        error = raised.value
        assert isinstance(error, fleetwire.AbortedError) and isinstance(error, fleetwire.FleetwireError)
        assert isinstance(error, GRPCError) and error.status is Status.ABORTED
        assert f"{what} " in str(error) and "changed since it was read" in str(error)
        assert "reload it and re-apply the change" in str(error)
        assert [c.rpc for c in server.script.taken()] == [rpc]


def test_aborted_elsewhere_stays_an_aborted_error(server: SpecServer) -> None:
    server.script.reset([("UpdateRobot", GRPCError(Status.ABORTED, "busy"))])
    with pytest.raises(fleetwire.AbortedError) as raised:
        run_async(server, lambda c: c.update_robot(d.ROBOT_ID, "n", d.LOC_ID))
    assert not isinstance(raised.value, fleetwire.ConflictError)


def history_page(n: int, token: str) -> app.GetRobotPartHistoryResponse:
    entry = d.part_history_entry()
    entry.old.name = f"old-{n}"  # type: ignore[union-attr]
    return app.GetRobotPartHistoryResponse(history=[entry], next_page_token=token)


def test_part_history_pager_follows_tokens_and_keeps_the_query(
    server: SpecServer, blocking: fleetwire.AppClient
) -> None:
    pages = [("GetRobotPartHistory", history_page(n, token)) for n, token in enumerate(["t1", "t2", ""])]
    query = {"start": d.T0, "end": d.T3, "page_limit": 1}
    for run in (run_async, lambda _s, call: run_blocking(blocking, call)):
        server.script.reset(pages)
        entries = run(server, lambda c: c.iter_robot_part_history(d.PART_ID, **query))
        assert [e.old.name for e in entries] == ["old-0", "old-1", "old-2"]
        sent = [call.request for call in server.script.taken()]
        assert sent == [
            app.GetRobotPartHistoryRequest(id=d.PART_ID, start=d.T0, end=d.T3, page_limit=1, page_token=token)
            for token in ("", "t1", "t2")
        ]


def test_part_history_pager_stops_at_the_limit(server: SpecServer) -> None:
    server.script.reset([("GetRobotPartHistory", history_page(n, f"t{n + 1}")) for n in range(2)])
    entries = run_async(server, lambda c: c.iter_robot_part_history(d.PART_ID, num_entries=1))
    assert [e.old.name for e in entries] == ["old-0"]
    assert len(server.script.taken()) == 1  # the limit was reached with the first page: no second request
    assert server.script.unanswered() == ["GetRobotPartHistory"]


def test_fragment_history_pager(server: SpecServer, blocking: fleetwire.AppClient) -> None:
    entry = d.fragment_history_entry()
    pages = [
        ("GetFragmentHistory", app.GetFragmentHistoryResponse(history=[entry, entry], next_page_token="n")),
        ("GetFragmentHistory", app.GetFragmentHistoryResponse(history=[entry])),
    ]
    for run in (run_async, lambda _s, call: run_blocking(blocking, call)):
        server.script.reset(pages)
        entries = run(server, lambda c: c.iter_fragment_history(d.FRAGMENT_ID, page_limit=2))
        assert len(entries) == 3 and all(isinstance(e, fleetwire.FragmentHistoryEntry) for e in entries)
        assert [call.request for call in server.script.taken()] == [
            app.GetFragmentHistoryRequest(id=d.FRAGMENT_ID, page_token=token, page_limit=2) for token in ("", "n")
        ]


def test_registry_pager_continues_after_the_last_item_and_stops_on_an_empty_page(
    server: SpecServer, blocking: fleetwire.AppClient
) -> None:
    a, b, c_ = (d.registry_item(f"acme:{name}") for name in ("a", "b", "c"))
    pages = [
        ("ListRegistryItems", app.ListRegistryItemsResponse(items=[a, b])),
        ("ListRegistryItems", app.ListRegistryItemsResponse(items=[c_])),
        ("ListRegistryItems", app.ListRegistryItemsResponse()),
    ]
    for run in (run_async, lambda _s, call: run_blocking(blocking, call)):
        server.script.reset(pages)
        items = run(server, lambda c: c.iter_registry_items(d.ORG_ID, [], [], [], [], "acme"))
        assert [item.item_id for item in items] == ["acme:a", "acme:b", "acme:c"]
        sent = [call.request for call in server.script.taken()]
        assert sent == [
            app.ListRegistryItemsRequest(organization_id=d.ORG_ID, search_term="acme", page_token=token)
            for token in ("", "acme:b", "acme:c")
        ]


def test_registry_pager_stops_when_the_server_ignores_the_token(server: SpecServer) -> None:
    same = app.ListRegistryItemsResponse(items=[d.registry_item("acme:a"), d.registry_item("acme:b")])
    server.script.reset([("ListRegistryItems", same), ("ListRegistryItems", same)])
    items = run_async(server, lambda c: c.iter_registry_items("", [], [], [], []))
    assert [item.item_id for item in items] == ["acme:a", "acme:b"]
    assert len(server.script.taken()) == 2


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("components[0].attributes.speed", ("components", 0, "attributes", "speed")),
        ('services[1]["x.y"]', ("services", 1, "x.y")),
        ('["a[b]"].c', ("a[b]", "c")),
        ('a["quote \\" inside"][10]', ("a", 'quote " inside', 10)),
        ("network", ("network",)),
    ],
)
def test_config_paths(path: str, steps: tuple[object, ...]) -> None:
    assert parse_path(path) == steps


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "empty"),
        ("a..b", "empty key at character 2"),
        ("a.", "empty key at character 2"),
        ("[0].a", "starts with a key"),
        ("a[01]", "leading zero"),
        ("a[-1]", "neither a list index"),
        ("a[", "never closed"),
        ("a]", "unexpected ']'"),
        ('a["b"c]', "followed by ']'"),
        ('a["b]', "bad quoted key"),
        (".a", "unexpected '.'"),
    ],
)
def test_bad_config_paths(path: str, reason: str) -> None:
    with pytest.raises(PathSyntaxError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        parse_path(path)


def test_blocking_client_authenticated_once(server: SpecServer, blocking: fleetwire.AppClient) -> None:
    server.script.reset([("GetRobot", app.GetRobotResponse(robot=d.robot()))])
    blocking.get_robot(d.ROBOT_ID)
    assert server.script.taken()[0].header("authorization") == [f"Bearer {ACCESS_TOKEN}"]

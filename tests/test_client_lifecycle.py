"""A client's life: calls after close() are refused with ClientClosedError, a blocking client dropped without close()
stops its thread and closes its connection, and TLS against a plaintext server says what is wrong.

Real gRPC over loopback (the test server of tests/_client, and the local fleet for the machine-side client); every
wait is bounded.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _client.relay import Relay
from _client.server import API_KEY, API_KEY_ID, ServerThread

from fleetwire import AppClient, AsyncAppClient, ClientClosedError, FleetwireError, UnavailableError
from fleetwire.local import LocalFleet
from fleetwire.machine import MachinePartClient, log_entry

WAIT_S = 10.0
PROC_NET_TCP = Path("/proc/net/tcp")
ESTABLISHED = "01"


@pytest.fixture
def server() -> Iterator[ServerThread]:
    running = ServerThread().start()
    try:
        yield running
    finally:
        running.stop()


def connections_to(port: int) -> int:
    """The established TCP connections whose server end is ``port`` on this machine (Linux's socket table)."""
    count = 0
    for line in PROC_NET_TCP.read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if int(local.rsplit(":", 1)[1], 16) == port and state == ESTABLISHED:
            count += 1
    return count


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT_S} s: {what}")
        time.sleep(0.02)


def test_a_blocking_call_after_close_says_the_client_is_closed(server: ServerThread) -> None:
    client = AppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID, location_id="loc-default")
    client.close()
    calls = len(server.state.calls)
    with pytest.raises(ClientClosedError, match="client is closed") as raised:
        client.get_location()
    assert isinstance(raised.value, FleetwireError)
    assert "loop" not in str(raised.value)  # nothing about the client's insides
    with pytest.raises(ClientClosedError):
        client.raw.get_location(location_id="loc-raw")
    with pytest.raises(ClientClosedError):
        client.tail_robot_part_logs("part-1").next()
    client.close()  # still idempotent
    assert len(server.state.calls) == calls  # nothing was sent


def test_an_async_call_after_close_is_refused_instead_of_dialing_again(server: ServerThread) -> None:
    async def main() -> None:
        client = await AsyncAppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID)
        assert (await client.get_organization("org-1")).id == "org-1"
        await client.close()
        calls = len(server.state.calls)
        with pytest.raises(ClientClosedError, match="client is closed"):
            await client.get_organization("org-1")
        with pytest.raises(ClientClosedError):
            await client.get_robot_part_logs("part-1")
        with pytest.raises(ClientClosedError):
            await client.tail_robot_part_logs("part-1").next()
        assert len(server.state.calls) == calls

    asyncio.run(main())
    if PROC_NET_TCP.exists():
        wait_until(lambda: connections_to(server.port) == 0, "the closed client's connection ends")


@pytest.mark.skipif(not PROC_NET_TCP.exists(), reason="counts connections in Linux's socket table")
def test_a_dropped_blocking_client_stops_its_thread_and_closes_its_connection(server: ServerThread) -> None:
    before = set(threading.enumerate())
    client = AppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID, location_id="loc-default")
    assert client.get_location().id == "loc-default"
    (loop_thread,) = (t for t in set(threading.enumerate()) - before if t.name.startswith("fleetwire-app-client-"))
    assert connections_to(server.port) == 1

    del client  # no close()
    gc.collect()
    loop_thread.join(WAIT_S)
    assert not loop_thread.is_alive()
    wait_until(lambda: connections_to(server.port) == 0, "the dropped client's connection ends")


def test_a_stream_keeps_its_unreferenced_client_alive_until_read(server: ServerThread) -> None:
    # The client is referenced by nothing but the stream it handed out: collecting it must not end the stream.
    entries = AppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID).iter_robot_part_logs(
        "part-1", num_log_entries=3
    )
    gc.collect()
    assert [entry.message for entry in entries] == ["entry 0", "entry 1", "entry 2"]


def test_the_machine_part_client_is_closed_and_released_the_same_way(local_fleet: LocalFleet) -> None:
    with AppClient.connect(local_fleet.address, api_key=local_fleet.api_key, api_key_id=local_fleet.api_key_id) as app:
        (part,) = app.get_robot_parts(app.new_robot("rover", local_fleet.location_id))
    before = set(threading.enumerate())
    machine = MachinePartClient.connect(local_fleet.address, part_id=part.id, secret=part.secret)
    machine.log([log_entry("info", "up")])
    (loop_thread,) = (t for t in set(threading.enumerate()) - before if t.name.startswith("fleetwire-machine-part-"))
    machine.close()
    with pytest.raises(ClientClosedError):
        machine.log([log_entry("info", "after close")])
    assert not loop_thread.is_alive()  # close() joins it

    dropped = MachinePartClient.connect(local_fleet.address, part_id=part.id, secret=part.secret)
    (dropped_thread,) = (t for t in threading.enumerate() if t.name.startswith("fleetwire-machine-part-"))
    del dropped
    gc.collect()
    dropped_thread.join(WAIT_S)
    assert not dropped_thread.is_alive()


def test_tls_against_a_plaintext_server_hints_at_tls_false(local_fleet: LocalFleet) -> None:
    with pytest.raises(UnavailableError) as raised:
        AppClient.connect(local_fleet.address, api_key=local_fleet.api_key, api_key_id=local_fleet.api_key_id, tls=True)
    message = str(raised.value)
    assert "WRONG_VERSION_NUMBER" in message or "record layer" in message.lower(), message
    assert "the server may not use TLS: try tls=False" in message
    # The same server in plaintext, as a loopback address gets by default, works.
    with AppClient.connect(local_fleet.address, api_key=local_fleet.api_key, api_key_id=local_fleet.api_key_id) as ok:
        assert ok.list_organizations()


def test_tls_against_a_plaintext_server_fails_at_the_first_try(local_fleet: LocalFleet) -> None:
    # The server answers every TLS handshake in plaintext: retrying cannot help, so the hint comes at once.
    with Relay(local_fleet.port) as relay:
        started = time.monotonic()
        with pytest.raises(UnavailableError, match="the server may not use TLS: try tls=False"):
            AppClient.connect(relay.address, api_key=local_fleet.api_key, api_key_id=local_fleet.api_key_id, tls=True)
        assert relay.accepted == 1  # dialed once: no retry
    assert time.monotonic() - started < WAIT_S


def test_a_connection_dropped_at_once_is_still_retried(local_fleet: LocalFleet) -> None:
    # A transient failure (the connection closed before a byte is read) is retried, and the retry gets through.
    with Relay(local_fleet.port, drop_first=2) as relay:
        with AppClient.connect(relay.address, api_key=local_fleet.api_key, api_key_id=local_fleet.api_key_id) as ok:
            assert ok.list_organizations()
        assert relay.accepted == 3

"""The log pager reads a page's next page token before decoding the page, and requests the next page at once.

Against the test server (its own thread and event loop): the next request is on the wire before the page before it is
decoded, the requests are exactly those of paging one page after the other (none past ``num_log_entries``), retries
and typed errors still apply. With canned pages (the pager's own ``fetch`` interface): the loop guard, closing early,
and pages whose layout the token scan does not know.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from _client.server import API_KEY, API_KEY_ID, ServerThread
from grpclib.const import Status

import fleetwire
import fleetwire.logs
from fleetwire import AsyncAppClient, LogEntry, RetryPolicy
from fleetwire.logs import LogPager, LogsStream, scan_page
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.common import v1 as common

pytestmark = pytest.mark.anyio

FAST_RETRY = RetryPolicy(max_attempts=4, initial_backoff=0.001, max_backoff=0.01)


@pytest.fixture
def server() -> Iterator[ServerThread]:
    srv = ServerThread().start()
    srv.state.log_count = 500  # five pages of 100
    yield srv
    srv.stop()


@pytest.fixture
async def client(server: ServerThread) -> AsyncIterator[AsyncAppClient]:
    async with await AsyncAppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID) as c:
        c.retry = FAST_RETRY
        yield c


def tokens(server: ServerThread) -> list[str]:
    return [c.request.page_token for c in server.state.calls_to("GetRobotPartLogs")]


async def read_stream(client: AsyncAppClient, limit: int) -> list[LogEntry]:
    async with client.iter_robot_part_logs("part-1", num_log_entries=limit) as entries:
        return [e async for e in entries]


@pytest.mark.parametrize("kind", ["list", "stream"])
async def test_the_next_page_is_on_the_wire_before_this_page_is_decoded(
    client: AsyncAppClient, server: ServerThread, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    decode = fleetwire.logs.decode_page
    waited: list[str] = []

    def decode_after_the_next_request(data: bytes) -> tuple[list[LogEntry], str]:
        scanned = scan_page(data)
        assert scanned is not None
        if scanned[1]:
            # This blocks the client's event loop: the server can only see the next request if it was sent before.
            assert server.state.page_requested[scanned[1]].wait(10), f"page {scanned[1]} was not requested first"
            waited.append(scanned[1])
        return decode(data)

    monkeypatch.setattr(fleetwire.logs, "decode_page", decode_after_the_next_request)
    if kind == "list":
        entries = await client.get_robot_part_logs("part-1", num_log_entries=0)
    else:
        entries = await read_stream(client, 0)
    assert [e.message for e in entries] == [f"entry {n}" for n in range(500)]
    assert waited == ["100", "200", "300", "400"]
    assert tokens(server) == ["", "100", "200", "300", "400"]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(1, [""]), (100, [""]), (101, ["", "100"]), (200, ["", "100"]), (250, ["", "100", "200"]), (0, None)],
)
@pytest.mark.parametrize("kind", ["list", "stream"])
async def test_no_page_past_the_limit_is_requested(
    client: AsyncAppClient, server: ServerThread, kind: str, limit: int, expected: list[str] | None
) -> None:
    if kind == "list":
        entries = await client.get_robot_part_logs("part-1", num_log_entries=limit)
    else:
        entries = await read_stream(client, limit)
    assert [e.message for e in entries] == [f"entry {n}" for n in range(limit or 500)]
    assert tokens(server) == (expected or ["", "100", "200", "300", "400"])


async def test_pages_are_retried_on_unavailable(client: AsyncAppClient, server: ServerThread) -> None:
    server.state.fail["GetRobotPartLogs"] = [Status.UNAVAILABLE, Status.UNAVAILABLE]
    entries = await client.get_robot_part_logs("part-1", num_log_entries=0)
    assert len(entries) == 500
    assert tokens(server) == ["", "", "", "100", "200", "300", "400"]


@pytest.mark.parametrize("kind", ["list", "stream"])
async def test_a_failing_page_raises_the_typed_error(client: AsyncAppClient, server: ServerThread, kind: str) -> None:
    server.state.fail["GetRobotPartLogs"] = [Status.NOT_FOUND]
    with pytest.raises(fleetwire.NotFoundError):
        if kind == "list":
            await client.get_robot_part_logs("part-1", num_log_entries=0)
        else:
            await read_stream(client, 0)


# -- canned pages ----------------------------------------------------------------------------------------------------


def page(first: int, count: int, token: str, tail: bytes = b"") -> bytes:
    entries = [common.LogEntry(host="h", message=f"entry {n}") for n in range(first, first + count)]
    return bytes(app.GetRobotPartLogsResponse(logs=entries, next_page_token=token)) + tail


class Pages:
    """A ``fetch`` over canned pages by token; a token without a page waits until cancelled."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.requested: list[str] = []
        self.cancelled: list[str] = []

    async def __call__(self, token: str) -> bytes:
        self.requested.append(token)
        if token in self.pages:
            return self.pages[token]
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.append(token)
            raise
        raise AssertionError("unreachable")


async def messages(pager: LogPager, limit: int = 0) -> list[str]:
    return [e.message for e in await pager.collect(limit)]


async def test_a_token_seen_before_ends_the_paging() -> None:
    fetch = Pages({"": page(0, 2, "a"), "a": page(2, 2, "b"), "b": page(4, 2, "a")})
    assert await messages(LogPager(fetch)) == [f"entry {n}" for n in range(6)]
    assert fetch.requested == ["", "a", "b"]


async def test_pages_the_scan_cannot_read_are_paged_after_decoding() -> None:
    unknown = b"\x18\x01"  # a field the page does not declare: only the decode knows the token for sure
    fetch = Pages({"": page(0, 2, "a", unknown), "a": page(2, 2, "", unknown)})
    assert scan_page(fetch.pages[""]) is None
    assert await messages(LogPager(fetch)) == [f"entry {n}" for n in range(4)]
    assert await messages(LogPager(fetch), limit=2) == ["entry 0", "entry 1"]
    assert fetch.requested == ["", "a", ""]


async def test_closing_the_stream_cancels_the_page_in_flight() -> None:
    fetch = Pages({"": page(0, 3, "never")})
    stream = LogsStream(LogPager(fetch).chunks())
    assert (await stream.next()).message == "entry 0"
    assert fetch.requested == ["", "never"]  # already in flight while the first page is read
    await stream.aclose()
    assert fetch.cancelled == ["never"]


async def test_a_page_that_fails_to_decode_cancels_the_request_in_flight() -> None:
    broken_entry = b"\x0a\x04\x1a\x02\x08\xff"  # an entry whose time ends inside a varint
    fetch = Pages({"": broken_entry + bytes(app.GetRobotPartLogsResponse(next_page_token="never"))})
    with pytest.raises(EOFError):  # betterproto2's error for the malformed page
        await messages(LogPager(fetch))
    assert fetch.requested == ["", "never"]
    assert fetch.cancelled == ["never"]

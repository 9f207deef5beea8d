"""The call path under the raw clients: the event-loop portal of the blocking clients, requests leaving in one write,
and the queue of calls beyond a channel's stream limit. Real gRPC on loopback; no sleeps, every wait bounded.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import pytest
from grpclib.client import Channel
from grpclib.server import Server, Stream

from fleetwire_api.services import AppServiceAsyncClient, AppServiceBase, _runtime
from fleetwire_api.services._runtime import LoopPortal
from fleetwire_api.viam.app.v1 import GetRobotRequest, GetRobotResponse, Robot

WAIT = 10.0  # upper bound for anything a test waits on; reached only when something is broken
SHORT_TIMEOUT = 0.5  # a per-call deadline that a call queued behind a held one can never meet
HEADERS, DATA, END_STREAM = 0x1, 0x0, 0x1  # HTTP/2 frame types and flag (RFC 9113)

pytestmark = pytest.mark.anyio


class HoldingApp(AppServiceBase):
    """``GetRobot`` for ids starting with "held" waits until released; counts the calls inside the handler."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.inside = 0
        self.seen: list[str] = []
        self.changed = asyncio.Event()

    async def get_robot(
        self, request: GetRobotRequest, stream: Stream[GetRobotRequest, GetRobotResponse]
    ) -> GetRobotResponse:
        self.seen.append(request.id)
        self.inside += 1
        self.changed.set()
        try:
            if request.id.startswith("held"):
                await asyncio.wait_for(self.release.wait(), WAIT)
        finally:
            self.inside -= 1
        return GetRobotResponse(robot=Robot(id=request.id))

    async def until_inside(self, count: int) -> None:
        async def reached() -> None:
            while self.inside < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(reached(), WAIT)


@pytest.fixture
async def holding() -> AsyncIterator[tuple[HoldingApp, int]]:
    app = HoldingApp()
    server = Server([app])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    await server.start(sock=listener)
    try:
        yield app, listener.getsockname()[1]
    finally:
        app.release.set()
        server.close()
        await server.wait_closed()


def frames(data: bytes) -> list[tuple[int, int]]:
    """(type, flags) of each HTTP/2 frame in ``data``."""
    out: list[tuple[int, int]] = []
    offset = 0
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 3], "big")
        out.append((data[offset + 3], data[offset + 4]))
        offset += 9 + length
    return out


async def test_a_unary_request_leaves_in_one_write(holding: tuple[HoldingApp, int]) -> None:
    _, port = holding
    channel = Channel("127.0.0.1", port)
    try:
        client = AppServiceAsyncClient(channel)
        await client.get_robot(id="warm-up")  # connected, settings exchanged
        # The socket transport under the coalescing one (grpclib keeps it on its connection object).
        real: Any = channel._protocol.connection._transport._transport  # pyright: ignore
        writes: list[bytes] = []
        write = real.write

        def spy(data: bytes) -> None:
            writes.append(bytes(data))
            write(data)

        real.write = spy
        response = await client.get_robot(id="one-write")
    finally:
        channel.close()
    assert response == GetRobotResponse(robot=Robot(id="one-write"))
    # HEADERS then DATA with END_STREAM, together in the first write (acknowledgements of the answer come later).
    assert [kind for kind, _ in frames(writes[0])] == [HEADERS, DATA]
    assert frames(writes[0])[1][1] & END_STREAM


async def test_calls_beyond_the_stream_limit_wait_their_turn(
    holding: tuple[HoldingApp, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, port = holding
    monkeypatch.setattr(_runtime, "STREAMS_PER_CHANNEL", 2)
    channel = Channel("127.0.0.1", port)
    try:
        client = AppServiceAsyncClient(channel)
        await client.get_robot(id="warm-up")
        calls = asyncio.gather(*(client.get_robot(id=f"held-{n}") for n in range(5)))
        await app.until_inside(2)
        # Three calls are queued in the client: no stream was opened for them.
        assert channel._protocol.connection._connection.open_outbound_streams == 2  # pyright: ignore
        app.release.set()
        responses = await asyncio.wait_for(calls, WAIT)
    finally:
        channel.close()
    assert [r.robot.id for r in responses if r.robot] == [f"held-{n}" for n in range(5)]
    assert sorted(app.seen) == sorted(["warm-up"] + [f"held-{n}" for n in range(5)])


async def test_time_spent_queueing_counts_against_the_timeout(
    holding: tuple[HoldingApp, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, port = holding
    monkeypatch.setattr(_runtime, "STREAMS_PER_CHANNEL", 1)
    channel = Channel("127.0.0.1", port)
    try:
        client = AppServiceAsyncClient(channel)
        first = asyncio.ensure_future(client.get_robot(id="held"))
        await app.until_inside(1)
        with pytest.raises(asyncio.TimeoutError):  # the builtin TimeoutError only from 3.11 on
            await client.get_robot(id="queued", timeout=SHORT_TIMEOUT)
        assert app.seen == ["held"]  # the queued call never reached the server
        app.release.set()
        assert (await asyncio.wait_for(first, WAIT)).robot == Robot(id="held")
        assert (await client.get_robot(id="after")).robot == Robot(id="after")  # its slot was given back
    finally:
        channel.close()


# ---------------------------------------------------------------------------------------------------------------------
# LoopPortal


def test_the_portal_runs_sync_and_async_functions_and_hands_errors_back() -> None:
    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    async def fail() -> None:
        raise KeyError("from the loop")

    with LoopPortal("test-portal") as portal:
        assert portal.call(add, 2, 3) == 5
        assert portal.call(threading.current_thread).name == "test-portal"
        with pytest.raises(KeyError, match="from the loop"):
            portal.call(fail)
        # From inside the loop thread a blocking call would wait for itself: refused.
        with pytest.raises(RuntimeError, match="wait for itself"):
            portal.call(portal.call, add, 1, 1)


def test_closing_the_portal_cancels_a_running_call_and_leaves_no_thread() -> None:
    before = set(threading.enumerate())
    portal = LoopPortal("test-portal-close")
    started = threading.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    async def resolve() -> object:
        # The default executor's resolver threads must be joined on close as well.
        return await asyncio.get_running_loop().getaddrinfo("localhost", 80)

    assert portal.call(resolve)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(portal.call, forever)
        assert started.wait(WAIT)
        portal.close()
        with pytest.raises(concurrent.futures.CancelledError):
            waiting.result(WAIT)
    portal.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        portal.call(threading.current_thread)
    assert set(threading.enumerate()) <= before


_caller_value: contextvars.ContextVar[str] = contextvars.ContextVar("caller_value", default="unset")


@pytest.mark.parametrize("debug", [False, True], ids=["task-made-by-the-caller", "asyncio-debug-mode"])
def test_a_coroutine_call_runs_in_the_loop_thread_with_the_callers_context(debug: bool) -> None:
    async def where() -> tuple[str, str, bool]:
        await asyncio.sleep(0)
        task = asyncio.current_task()
        return threading.current_thread().name, _caller_value.get(), task is not None

    async def fail() -> None:
        await asyncio.sleep(0)
        raise KeyError("from the loop")

    with LoopPortal("test-portal-context") as portal:
        portal.loop.set_debug(debug)  # debug mode forbids queuing from another thread: the loop thread makes the task
        token = _caller_value.set("from the caller")
        try:
            assert portal.call(where) == ("test-portal-context", "from the caller", True)
        finally:
            _caller_value.reset(token)
        with pytest.raises(KeyError, match="from the loop"):
            portal.call(fail)
        with pytest.raises(TypeError):  # a bad call of the coroutine function fails in the caller, as a call would
            portal.call(where, "unexpected")


def test_many_threads_calling_at_once_all_get_their_answers() -> None:
    # Calls from many threads share wake-ups of the loop: every call must still be run, none left queued.
    async def echo(n: int) -> int:
        await asyncio.sleep(0)
        return n

    # The portal closes first: a call left waiting is cancelled then, and the test fails instead of hanging.
    with concurrent.futures.ThreadPoolExecutor(16) as pool, LoopPortal("test-portal-threads") as portal:
        answers = [pool.submit(portal.call, echo, n) for n in range(2000)]
        assert [answer.result(WAIT) for answer in answers] == list(range(2000))


def test_a_hand_over_interrupted_before_the_wake_up_leaves_later_calls_working(monkeypatch: pytest.MonkeyPatch) -> None:
    async def one() -> int:
        return 1

    with concurrent.futures.ThreadPoolExecutor(1) as pool, LoopPortal("test-portal-interrupted") as portal:
        real = portal.loop.call_soon_threadsafe
        calls = 0

        def interrupted_once(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        monkeypatch.setattr(portal.loop, "call_soon_threadsafe", interrupted_once)
        with pytest.raises(KeyboardInterrupt):
            portal.call(one)
        monkeypatch.undo()
        assert pool.submit(portal.call, one).result(WAIT) == 1  # a later call is not left waiting for a wake-up


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Python's own Ctrl-C handler for the test, as in an interactive shell.

    A run started in the background from a non-interactive shell inherits an ignored SIGINT, and Python then installs
    no handler at start-up: a SIGINT would do nothing. The test is about what Ctrl-C does where it reaches the program.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_while_waiting_cancels_the_call_in_the_loop() -> None:
    main = threading.main_thread()
    assert threading.current_thread() is main  # Python runs signal handlers in the main thread only
    with LoopPortal("test-portal-ctrl-c") as portal:
        cancelled = threading.Event()

        async def interrupt_then_wait() -> None:
            # A real SIGINT to the caller, as Ctrl-C: it interrupts the caller's wait for this call.
            signal.pthread_kill(cast("int", main.ident), signal.SIGINT)
            try:
                await asyncio.wait_for(asyncio.Event().wait(), WAIT)  # bounded: ends the call if no Ctrl-C came
            except asyncio.CancelledError:
                cancelled.set()
                raise

        with pytest.raises(KeyboardInterrupt):
            portal.call(interrupt_then_wait)
        assert cancelled.wait(WAIT)
        assert portal.call(asyncio.sleep, 0) is None  # the portal still serves calls


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_the_ctrl_c_test_passes_in_a_run_that_ignores_sigint() -> None:
    # `( trap '' INT; uv run --group test pytest ) &`: the whole run inherits SIG_IGN for SIGINT.
    test = f"{__file__}::test_ctrl_c_while_waiting_cancels_the_call_in_the_loop"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # only sets one signal disposition
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout

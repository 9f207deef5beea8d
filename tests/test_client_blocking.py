"""The generated blocking ``AppClient``: same surface as ``AsyncAppClient``, one event-loop thread per client, safe
from a thread pool and from inside a running event loop, and no thread left behind once closed. Also: the
generated file is current, and codegen's drift check catches a hand edit of it.
"""

from __future__ import annotations

import asyncio
import inspect
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from _client.server import API_KEY, API_KEY_ID, ServerThread

import fleetwire
from codegen.render import GENERATED, OVERLAY_ARTIFACTS, SRC, check
from fleetwire import AppClient, AsyncAppClient, BlockingStream, LogsStream


@pytest.fixture
def server() -> Iterator[ServerThread]:
    srv = ServerThread().start()
    yield srv
    srv.stop()


def portal_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("fleetwire-app-client")]


def connect(server: ServerThread) -> AppClient:
    return AppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID, location_id="loc-default")


def public_methods(cls: type) -> dict[str, object]:
    """The public functions defined on ``cls`` or the method groups it is composed of (its bases)."""
    members: dict[str, object] = {}
    for klass in reversed(cls.__mro__[:-1]):
        members.update(vars(klass))
    return {n: m for n, m in members.items() if not n.startswith("_") and callable(m)}


def test_the_blocking_client_has_every_async_method_with_the_same_signature_and_docs() -> None:
    async_methods = public_methods(AsyncAppClient)
    blocking_methods = public_methods(AppClient)
    assert set(async_methods) - {"close"} <= set(blocking_methods)
    assert len(async_methods) >= 72  # the 70 seed methods, iter_robot_part_logs, connect (close is handwritten)
    for name, method in async_methods.items():
        if name == "close":
            continue
        ours = inspect.signature(getattr(AppClient, name))
        theirs = inspect.signature(getattr(AsyncAppClient, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        for a, b in zip(ours.parameters.values(), theirs.parameters.values(), strict=True):
            assert (a.kind, a.default, a.annotation) == (b.kind, b.default, b.annotation), f"{name}.{a.name}"
        expected_return = str(theirs.return_annotation).replace("LogsStream[", "BlockingStream[")
        assert str(ours.return_annotation) == expected_return, name
        doc = inspect.getdoc(getattr(AppClient, name)) or ""
        expected_doc = inspect.getdoc(method) or ""
        for old, new in (("await ", ""), ("async with ", "with "), ("async for ", "for ")):
            expected_doc = expected_doc.replace(old, new)
        assert doc == expected_doc, name


def test_blocking_calls_and_streams(server: ServerThread) -> None:
    with connect(server) as cloud:
        assert cloud.get_location().id == "loc-default"
        assert cloud.location_id == "loc-default"
        entries = cloud.iter_robot_part_logs("part-1", num_log_entries=5)
        assert isinstance(entries, BlockingStream)
        assert [e.message for e in entries] == [f"entry {n}" for n in range(5)]
        with cloud.tail_robot_part_logs("part-1") as tail:
            assert len(next(tail)) == 2
        assert server.state.tail_closed.wait(10)
        # raw reaches the RPCs the overlay does not wrap, with the client's metadata
        location = cloud.raw.get_location(location_id="loc-raw").location
        assert location is not None and location.id == "loc-raw"
    assert all(c.metadata["authorization"].startswith("Bearer ") for c in server.state.calls if c.rpc != "Authenticate")


def test_async_streams_are_closable_async_iterators(server: ServerThread) -> None:
    async def main() -> None:
        async with await AsyncAppClient.connect(server.url, api_key=API_KEY, api_key_id=API_KEY_ID) as cloud:
            stream = cloud.iter_robot_part_logs("part-1")
            assert isinstance(stream, LogsStream)
            async with stream:
                assert (await stream.next()).message == "entry 0"
            # The live tail as the README shows it (no await), and awaited as the official SDK's callers do.
            async with cloud.tail_robot_part_logs("part-1") as tail:
                assert [e.message for e in await tail.next()] == ["entry 0", "entry 1"]
            assert await asyncio.to_thread(server.state.tail_closed.wait, 10)  # the server saw the call end
            server.state.tail_closed.clear()
            awaited = await cloud.tail_robot_part_logs("part-1")
            assert isinstance(awaited, LogsStream)
            assert len(await awaited.next()) == 2
            await awaited.aclose()
            assert await asyncio.to_thread(server.state.tail_closed.wait, 10)

    asyncio.run(main())


def test_one_client_from_a_thread_pool(server: ServerThread) -> None:
    with connect(server) as cloud, ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: cloud.get_organization(f"org-{n}").id, range(64)))
        logs = list(pool.map(lambda _: len(cloud.get_robot_part_logs("part-1", num_log_entries=150)), range(8)))
    assert results == [f"org-{n}" for n in range(64)]
    assert logs == [150] * 8
    assert len(server.state.calls_to("GetOrganization")) == 64


def test_inside_a_running_event_loop(server: ServerThread) -> None:
    # The server runs in its own thread: a blocking call blocks this loop, by design, like in a notebook cell.
    async def notebook_cell() -> list[str]:
        with connect(server) as cloud:
            return [cloud.get_location().id, cloud.list_robots()[0].id]

    assert asyncio.run(notebook_cell()) == ["loc-default", "r1"]


def test_closing_leaves_no_thread_behind(server: ServerThread) -> None:
    before = set(threading.enumerate())
    clients = [connect(server) for _ in range(3)]
    assert len(portal_threads()) == 3
    for cloud in clients:
        cloud.get_organization("o")
        cloud.close()
        cloud.close()  # idempotent
    assert portal_threads() == []
    assert set(threading.enumerate()) <= before


def test_a_failed_connect_leaves_no_thread_behind(server: ServerThread) -> None:
    with pytest.raises(fleetwire.UnauthenticatedError):
        AppClient.connect(server.url, api_key="nope", api_key_id=API_KEY_ID)
    assert portal_threads() == []


def test_a_stream_closed_after_its_client_is_harmless(server: ServerThread) -> None:
    cloud = connect(server)
    stream = cloud.iter_robot_part_logs("part-1")
    next(stream)
    cloud.close()
    stream.close()
    assert portal_threads() == []


def test_errors_and_validation_cross_the_thread_boundary(server: ServerThread) -> None:
    with connect(server) as cloud:
        with pytest.raises(fleetwire.UnimplementedError):
            cloud.get_robot("robot-1")
        with pytest.raises(ValueError, match="org_id"):
            cloud.get_organization("")


# -- the generated file --------------------------------------------------------------------------------------------


def test_generated_blocking_client_is_current_and_starts_with_the_header() -> None:
    path = SRC / OVERLAY_ARTIFACTS["blocking_overlay.py.j2"]
    assert path.read_text().startswith("# Generated by fleetwire codegen from viam-sdk==")
    assert [line for line in check() if "src/fleetwire/_blocking.py" in line] == []


def test_a_hand_edit_of_the_blocking_client_is_reported(tmp_path: Path) -> None:
    overlay = tmp_path / "src"
    shutil.copytree(SRC / "fleetwire", overlay / "fleetwire", ignore=shutil.ignore_patterns("__pycache__", "local"))
    edited = overlay / "fleetwire" / "_blocking.py"
    edited.write_text(edited.read_text().replace("def get_robot(", "def get_robot_by_hand(", 1))
    diff = "".join(check(GENERATED, overlay=overlay))
    assert "src/fleetwire/_blocking.py (committed)" in diff
    assert "-    def get_robot_by_hand(" in diff and "+    def get_robot(" in diff
    assert [p.name for p in (overlay / "fleetwire").iterdir() if "staging" in p.name] == []


def test_a_new_async_method_appears_in_the_blocking_client(tmp_path: Path) -> None:
    """A method added to one of the method-group modules ``AsyncAppClient`` is composed of gets its blocking twin."""
    from codegen.render import render_overlay

    overlay = tmp_path / "src"
    shutil.copytree(SRC / "fleetwire" / "_methods", overlay / "fleetwire" / "_methods")
    shutil.copytree(SRC / "fleetwire" / "objects", overlay / "fleetwire" / "objects")  # rendered from the same root
    shutil.copy(SRC / "fleetwire" / "aio.py", overlay / "fleetwire" / "aio.py")
    group = overlay / "fleetwire" / "_methods" / "locations.py"
    source = group.read_text()
    anchor = "    async def create_location("
    addition = (
        "    async def ping(self, word: str = 'hi', *, timeout: float | None = None) -> str:\n"
        '        """Say ``word`` back."""\n'
        "        return word\n\n" + anchor
    )
    group.write_text(source.replace(anchor, addition, 1))
    rendered = render_overlay(overlay, "0")["fleetwire/_blocking.py"]
    assert "def ping(" in rendered and "functools.partial(self.aio.ping, word=word, timeout=timeout)" in rendered

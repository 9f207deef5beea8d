"""Message classes are created on first use: the import and the first call create only the classes they need.

Each check runs in a fresh interpreter (this test process has long since created every class) and reads which
messages exist from the message pool, where each class registers itself when created.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(code: str) -> object:
    """Run ``code`` in a fresh interpreter from the repository root; return the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=100,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


_CREATED = """
def created():
    from fleetwire_api.message_pool import default_message_pool
    return sorted(url.rpartition("/")[2] for url in dict.keys(default_message_pool.url_to_type))
"""


def test_importing_the_clients_creates_almost_no_message_class() -> None:
    created = _run(
        _CREATED
        + """
import json
from fleetwire import AppClient, AsyncAppClient
print(json.dumps(created()))
"""
    )
    assert isinstance(created, list)
    # google.protobuf's Struct, Value and ListValue live in their package (see codegen/message_modules.py).
    assert set(created) <= {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}


def test_first_get_robot_creates_only_the_classes_it_uses() -> None:
    """A real call over gRPC to the bench's canned server, decoded by the fast codec into the client's types."""
    found = _run(
        _CREATED
        + """
import asyncio, json, subprocess, sys
server = subprocess.Popen(
    [sys.executable, "-m", "bench.server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
)
try:
    port = int(server.stdout.readline())
    from grpclib.client import Channel
    from fleetwire import AsyncAppClient

    async def call():
        channel = Channel("127.0.0.1", port)
        try:
            return await AsyncAppClient(channel, {"authorization": "Bearer bench-token"}).get_robot("r1")
        finally:
            channel.close()

    robot = asyncio.run(call())
finally:
    server.stdin.close()
    server.wait()
import fleetwire_api.google.protobuf as wkt
from fleetwire_api.message_pool import _CLASSES
print(json.dumps({"created": created(), "total": len(_CLASSES), "robot": [robot.id, robot.online_state.name],
                  "timestamp_created": "Timestamp" in vars(wkt)}))
"""
    )
    assert isinstance(found, dict)
    created = set(found["created"])
    assert {"viam.app.v1.GetRobotRequest", "viam.app.v1.GetRobotResponse", "viam.app.v1.Robot"} <= created
    assert found["robot"][0]  # a real answer, its enum read through the lazily set enum constants
    assert len(created) <= 8 < found["total"] // 10
    assert not found["timestamp_created"]  # Robot's times are datetimes: the Timestamp class is never needed


def test_any_unpacks_a_type_not_created_yet() -> None:
    found = _run(
        _CREATED
        + """
import json
from fleetwire_api.google.protobuf import Any
payload = Any(type_url="type.googleapis.com/viam.app.v1.Organization", value=bytes.fromhex("0a026f31120474657374"))
before = "viam.app.v1.Organization" in created()
message = payload.unpack()
from fleetwire_api.viam.app.v1 import Organization
print(json.dumps([before, type(message) is Organization, message.id, message.name,
                  Any.pack(message).type_url, "viam.app.v1.Organization" in created()]))
"""
    )
    assert found == [False, True, "o1", "test", "type.googleapis.com/viam.app.v1.Organization", True]


def test_fast_codec_creates_enums_with_the_first_decoder_that_reads_them() -> None:
    """Decoding a message whose enums were never created gives betterproto2's own result."""
    found = _run(
        """
import json
import fleetwire_api.viam.app.v1 as app
from fleetwire_api.services import _codec
data = bytes(app.ListRobotsResponse(robots=[app.Robot(id="r", online_state=app.OnlineState(2))]))
enum_set = "_EM_viam_app_v1_OnlineState" in vars(_codec)
fast = _codec.decode(app.ListRobotsResponse, data)
same = fast == app.ListRobotsResponse.FromString(data)
member = fast.robots[0].online_state is app.OnlineState(2)
print(json.dumps([enum_set, same, member, _codec.decode_fast(app.ListRobotsResponse, data) == fast]))
"""
    )
    assert found == [False, True, True, True]


def test_threads_creating_the_same_classes_at_once_get_one_class_each() -> None:
    """The blocking client's loop thread and its callers may first touch a class at the same moment: each name
    must still be created once, and every thread must get that one class."""
    result = _run(
        """
import json, threading
from fleetwire_api.viam.app import v1 as app
names = [name for name in app.__all__ if not name.startswith("_")]
start = threading.Barrier(8)
seen = []
def touch():
    start.wait()
    seen.append({name: id(getattr(app, name)) for name in names})
threads = [threading.Thread(target=touch) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"threads": len(seen), "distinct": len({json.dumps(s, sort_keys=True) for s in seen}),
                  "names": len(names)}))
"""
    )
    assert isinstance(result, dict)
    assert result["threads"] == 8
    assert result["names"] > 300  # every message and enum of viam.app.v1
    assert result["distinct"] == 1  # all threads saw the very same class for every name

"""Review of the deferred list elements of RPC responses (``fleetwire_api.services._deferred``): cases the first tests
did not reach, where an untouched element must still behave as the one betterproto2 decodes eagerly.

- ``Any.pack`` looks the type URL up by ``type(message)``, which is the private subclass until the first touch.
- A process forked while another thread is decoding an element must be able to touch its own copies of elements: the
  lock held by that thread at the fork would otherwise be held forever in the child.
- The error of a malformed element is betterproto2's alone, not chained to the fast decoder's, as for an eager decode.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

import betterproto2
import pytest
from test_perf6_deferred_elements import LISTING

from fleetwire_api.google import protobuf as pb
from fleetwire_api.services import codec
from fleetwire_api.viam.app import v1 as app


def _robots(n: int) -> bytes:
    robots = [app.Robot(id=f"id-{i}", name=f"rover-{i}", location="loc", seconds_since_online=i) for i in range(n)]
    return bytes(app.ListRobotsResponse(robots=robots))


@pytest.mark.parametrize(("cls", "attribute"), LISTING, ids=[f"{c.__name__}.{a}" for c, a in LISTING])
def test_an_untouched_element_packs_into_any_as_the_eager_one(cls: type[betterproto2.Message], attribute: str) -> None:
    element_type: type[Any] = cls._betterproto.cls_by_field[attribute]
    data = bytes(cls(**{attribute: [element_type()]}))
    eager: Any = getattr(cls.FromString(data), attribute)[0]
    deferred: Any = getattr(codec.decode(cls, data), attribute)[0]
    assert type(deferred) is not element_type  # untouched: the case under review
    assert pb.Any.pack(deferred) == pb.Any.pack(eager)
    assert pb.Any.pack(deferred).unpack() == eager


def _decoding_thread(data: bytes, entered: threading.Event, release: threading.Event) -> threading.Thread:
    """A thread that touches an element of ``data`` and stops inside its decoder until ``release`` is set."""

    def hold(frame: FrameType, event: str, _: Any) -> None:
        if event == "call" and frame.f_code.co_name.startswith("_d_") and not entered.is_set():
            entered.set()
            release.wait()

    def touch() -> None:
        robots = codec.decode(app.ListRobotsResponse, data).robots
        sys.settrace(hold)  # this thread only
        try:
            _ = robots[0].name
        finally:
            sys.settrace(None)

    return threading.Thread(target=touch)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # 3.12+ warns about forking a process with threads
def test_a_child_forked_while_another_thread_decodes_an_element_can_touch_elements() -> None:
    data = _robots(3)
    robots = codec.decode(app.ListRobotsResponse, data).robots
    entered, release = threading.Event(), threading.Event()
    thread = _decoding_thread(data, entered, release)
    thread.start()
    try:
        entered.wait()  # the other thread is now inside a first touch, in the decoder
        pid = os.fork()
        if pid == 0:  # the child: a hang here is the failure; the alarm turns it into a signal exit
            signal.alarm(20)
            ok = robots[1].name == "rover-1" and type(robots[1]) is app.Robot
            os._exit(0 if ok else 1)
    finally:
        release.set()
        thread.join()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (
        f"child: {'killed by signal ' + str(os.WTERMSIG(status)) if os.WIFSIGNALED(status) else status}"
    )


def test_a_malformed_elements_error_does_not_chain_the_fast_decoders_own() -> None:
    bad = b"\x12\x02\xff\xfe"  # Robot.name = two bytes that are not UTF-8
    with pytest.raises(Exception) as eager:
        app.Robot.FromString(bad)
    robot = codec.decode(app.ListRobotsResponse, b"\x0a\x04" + bad).robots[0]
    with pytest.raises(eager.type) as deferred:
        _ = robot.name
    # The traceback a caller sees is betterproto2's alone, as for an eager decode (no "During handling of ...").
    assert type(deferred.value.__context__) is type(eager.value.__context__)

"""List elements of RPC responses are decoded on first touch (``fleetwire_api.services._deferred``).

Whatever a caller does first with such an element (read or set a field, compare, print, copy, pickle, encode,
``dataclasses``...) must give exactly what it gives on the element betterproto2 decodes eagerly, and leave behind an
ordinary instance of the element's class: same type, same instance dict in the same order. Each operation is tried as
the *first* touch of a fresh element, for hypothesis-generated responses of every response type that has a list.

The oracle for "which responses have lists" is the official descriptors (services of the whole closure), not our
codegen, so a response the generator forgot to defer is noticed too.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import threading
from collections.abc import Callable
from typing import Any

import betterproto2
import pytest
from _support.fleetwire_schema import closure_files, is_map_entry, our_class
from google.protobuf import descriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_codec_fast import messages, snapshot

from fleetwire_api.services import codec
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")


# The lists the clients wrap at once (``RobotPart.from_proto`` and the like): deferring them would only add the cost of
# a first touch, so they stay eager.
EAGER = {
    ("GetRobotPartsResponse", "parts"),
    ("GetRobotPartHistoryResponse", "history"),
    ("ListFragmentsResponse", "fragments"),
    ("GetFragmentHistoryResponse", "history"),
    ("GetRobotPartLogsResponse", "logs"),
    ("TailRobotPartLogsResponse", "logs"),
}


def _listing_responses() -> list[tuple[type[betterproto2.Message], str]]:
    """(response class, attribute of one of its lists of messages), for every RPC response of the schema."""
    out: dict[tuple[str, str], tuple[type[betterproto2.Message], str]] = {}
    for file in closure_files():
        for service in file.services_by_name.values():
            for method in service.methods:
                response: descriptor.Descriptor = method.output_type
                for field in response.fields:
                    element = field.message_type
                    if field.is_repeated and element is not None and not is_map_entry(element):
                        cls = our_class(response)
                        assert cls is not None and issubclass(cls, betterproto2.Message), response.full_name
                        out[(response.full_name, field.name)] = (cls, field.name)
    return sorted(out.values(), key=lambda pair: (pair[0].__qualname__, pair[1]))


LISTING = [(cls, attribute) for cls, attribute in _listing_responses() if (cls.__name__, attribute) not in EAGER]


def _elements(cls: type[betterproto2.Message], attribute: str, data: bytes) -> list[Any]:
    """A fresh decode of ``data``: the list ``attribute`` of the response, elements untouched."""
    elements: list[Any] = getattr(codec.decode(cls, data), attribute)
    return elements


def _touch(operation: Callable[[Any], Any], element: Any) -> tuple[str, Any]:
    """``operation(element)``'s outcome: its value, or the type of the error it raised."""
    try:
        return ("value", operation(element))
    except Exception as exc:  # the outcome, whatever it is, is what must match
        return ("raised", type(exc))


def _first_field(element: Any) -> str | None:
    """The first field's name, read from the class (so not a touch of the element); None for a message without any."""
    fields = dataclasses.fields(type(element))
    return fields[0].name if fields else None


def _state(element: Any) -> list[tuple[str, Any]]:
    return [(name, snapshot(value)) for name, value in vars(element).items()]


def _set_first_field(element: Any) -> Any:
    name = _first_field(element)
    if name is not None:
        setattr(element, name, getattr(type(element)(), name))  # a new value of the field's type, set untouched
    return _state(element)


def _delete_first_field(element: Any) -> Any:
    name = _first_field(element)
    if name is not None:
        delattr(element, name)
    return list(vars(element))


# Each: a first touch whose outcome must be the same on a deferred element and on an eagerly decoded one. Values go
# through ``snapshot`` (types, attribute order, floats by their bits: NaN included).
FIRST_TOUCHES: dict[str, Callable[[Any], Any]] = {
    "read the first field": lambda e: snapshot(getattr(e, _first_field(e) or "_unknown_fields")),
    "read every field": lambda e: [snapshot(getattr(e, f.name)) for f in dataclasses.fields(type(e))],
    "read _unknown_fields": lambda e: e._unknown_fields,
    "read __class__": lambda e: e.__class__,
    "read __dict__": lambda e: list(e.__dict__),
    "vars": _state,
    "isinstance": lambda e: isinstance(e, betterproto2.Message),
    "repr": repr,
    "str": str,
    "format": lambda e: f"{e}",
    "bool": bool,
    "dir": lambda e: sorted(dir(e)),
    "hash": hash,
    "bytes": bytes,
    "codec.encode": codec.encode,
    "SerializeToString": lambda e: e.SerializeToString(),
    "to_dict": lambda e: snapshot(e.to_dict()),
    "pickle": lambda e: snapshot(pickle.loads(pickle.dumps(e))),
    "copy": lambda e: snapshot(copy.copy(e)),
    "deepcopy": lambda e: snapshot(copy.deepcopy(e)),
    "asdict": lambda e: snapshot(dataclasses.asdict(e)),
    "replace": lambda e: snapshot(dataclasses.replace(e)),
    "set a field": _set_first_field,
    "delete a field": _delete_first_field,
}
CHANGING = {"set a field", "delete a field"}
NOT_DECODING = {"hash"}  # messages are unhashable: the element need not be decoded to say so


@pytest.mark.parametrize(("cls", "attribute"), LISTING, ids=[f"{c.__name__}.{a}" for c, a in LISTING])
def test_a_deferred_element_behaves_as_the_eager_one_whatever_touches_it_first(
    cls: type[betterproto2.Message], attribute: str
) -> None:
    element_type: type[Any] = cls._betterproto.cls_by_field[attribute]

    @settings(
        max_examples=4,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(elements=st.lists(messages(element_type, 1), min_size=1, max_size=3))
    def run(elements: list[Any]) -> None:
        data = bytes(cls(**{attribute: elements}))
        untouched = _elements(cls, attribute, data)
        assert all(type(e) is not element_type and issubclass(type(e), element_type) for e in untouched)
        for name, operation in FIRST_TOUCHES.items():
            deferred = _elements(cls, attribute, data)
            eager: list[Any] = getattr(cls.FromString(data), attribute)
            for fresh, reference in zip(deferred, eager, strict=True):
                assert _touch(operation, fresh) == _touch(operation, reference), name
                assert (type(fresh) is element_type) is (name not in NOT_DECODING), name
            if name not in CHANGING | NOT_DECODING:
                assert [snapshot(e) for e in deferred] == [snapshot(e) for e in eager], name
        # ``==`` and ``!=`` in every pairing of deferred and eager elements.
        eager = getattr(cls.FromString(data), attribute)
        for left, right in (
            (_elements(cls, attribute, data), eager),
            (eager, _elements(cls, attribute, data)),
            (_elements(cls, attribute, data), _elements(cls, attribute, data)),
        ):
            for a, b in zip(left, right, strict=True):
                assert a == b or _has_nan(a)
                assert (a != b) is not (a == b)

    run()


def _has_nan(element: Any) -> bool:
    """NaN fields make ``==`` False whatever the decode (betterproto2 compares NaN equal only at the top level)."""
    return "nan" in repr(element)


def test_every_listing_response_of_the_api_is_covered() -> None:
    # ListRobotsResponse.robots is the reason this exists; the oracle must keep finding it.
    assert (app.ListRobotsResponse, "robots") in LISTING
    assert len(LISTING) >= 20
    assert {(cls.__name__, attribute) for cls, attribute in _listing_responses()} >= EAGER


@pytest.mark.parametrize(("name", "attribute"), sorted(EAGER))
def test_the_lists_the_clients_wrap_at_once_are_decoded_eagerly(name: str, attribute: str) -> None:
    cls: type[betterproto2.Message] = getattr(app, name)
    element_type: type[Any] = cls._betterproto.cls_by_field[attribute]
    elements = _elements(cls, attribute, bytes(cls(**{attribute: [element_type()]})))
    assert [type(e) for e in elements] == [element_type]


def _robots(n: int) -> bytes:
    robots = [app.Robot(id=f"id-{i}", name=f"rover-{i}", location="loc", seconds_since_online=i) for i in range(n)]
    return bytes(app.ListRobotsResponse(robots=robots))


def test_an_untouched_element_names_its_class_like_the_class() -> None:
    robot = _elements(app.ListRobotsResponse, "robots", _robots(1))[0]
    deferred = type(robot)
    assert (deferred.__name__, deferred.__qualname__, deferred.__module__) == (
        "Robot",
        app.Robot.__qualname__,
        app.Robot.__module__,
    )
    assert repr(deferred) == repr(app.Robot)
    # Calling the type of an untouched element builds an ordinary instance.
    built = deferred(name="x")
    assert type(built) is app.Robot and built == app.Robot(name="x")


def test_a_malformed_element_fails_on_first_touch_with_betterproto2s_error_and_stays_deferred() -> None:
    good = bytes(app.Robot(name="fine"))
    bad = b"\x12\x02\xff\xfe"  # Robot.name = two bytes that are not UTF-8
    with pytest.raises(Exception) as reference:  # whatever betterproto2 raises is the expectation
        app.Robot.FromString(bad)
    data = bytes(app.ListRobotsResponse(robots=[app.Robot.FromString(good)])) + b"\x0a\x04" + bad
    robots = codec.decode(app.ListRobotsResponse, data).robots  # the response itself decodes
    assert len(robots) == 2 and robots[0].name == "fine"
    for _ in range(2):  # and again: the element is left as it was
        with pytest.raises(reference.type):
            _ = robots[1].name
    assert type(robots[1]) is not app.Robot


def test_an_element_off_the_fast_layout_decodes_as_betterproto2_does() -> None:
    # Robot.id sent as a varint: the fast decoder refuses it and betterproto2 decides, as for an eager decode.
    element = b"\x08\x05\x12\x01a"
    data = b"\x0a" + bytes([len(element)]) + element
    reference = app.ListRobotsResponse.FromString(data).robots[0]
    robot = codec.decode(app.ListRobotsResponse, data).robots[0]
    assert snapshot(robot) == snapshot(reference)


def test_threads_touching_the_same_elements_at_once_all_see_them_decoded() -> None:
    data = _robots(2000)
    robots = codec.decode(app.ListRobotsResponse, data).robots
    expected = [(r.id, r.name, r.seconds_since_online) for r in app.ListRobotsResponse.FromString(data).robots]
    start = threading.Barrier(8)
    seen: list[list[tuple[str, str, int]]] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            start.wait()
            seen.append([(r.id, r.name, r.seconds_since_online) for r in robots])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert seen == [expected] * 8
    assert all(type(r) is app.Robot and "_deferred_bytes" not in vars(r) for r in robots)


def test_setting_a_field_of_an_untouched_element_keeps_the_others() -> None:
    robot = _elements(app.ListRobotsResponse, "robots", _robots(3))[2]
    robot.name = "renamed"
    assert (robot.id, robot.name, robot.seconds_since_online) == ("id-2", "renamed", 2)
    assert list(vars(robot)) == list(vars(app.Robot()))

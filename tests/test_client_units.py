"""Small pure pieces of the client: URL parsing and TLS choice, secret redaction, Struct <-> dict, wrapper models."""

from __future__ import annotations

import ssl
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fleetwire
from fleetwire._connect import is_loopback, parse_url, ssl_for
from fleetwire._convert import dict_to_struct, struct_to_dict
from fleetwire.errors import from_grpc_error, redact
from fleetwire_api.viam.app import v1 as app_pb
from fleetwire_api.viam.common import v1 as common_pb


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("app.viam.com:443", ("app.viam.com", 443)),
        ("app.viam.com", ("app.viam.com", 443)),
        ("https://app.viam.com:8443/", ("app.viam.com", 8443)),
        ("127.0.0.1:50051", ("127.0.0.1", 50051)),
        ("[::1]:8080", ("::1", 8080)),
        ("localhost:1", ("localhost", 1)),
    ],
)
def test_parse_url(url: str, expected: tuple[str, int]) -> None:
    assert parse_url(url) == expected


@pytest.mark.parametrize("url", ["", ":80", "host:0", "host:99999", "host:http"])
def test_parse_url_rejects_nonsense_naming_the_url(url: str) -> None:
    with pytest.raises(ValueError, match="url"):
        parse_url(url)


def test_loopback_is_plaintext_unless_tls_is_forced() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.3.2.1", "::1", "localhost", "LOCALHOST"))
    assert not any(is_loopback(h) for h in ("app.viam.com", "10.0.0.1", "128.0.0.1"))
    assert ssl_for("127.0.0.1", None) is None
    assert isinstance(ssl_for("127.0.0.1", True), ssl.SSLContext)
    assert isinstance(ssl_for("app.viam.com", None), ssl.SSLContext)
    assert ssl_for("app.viam.com", False) is None
    context = ssl.create_default_context()
    assert ssl_for("localhost", context) is context


def test_redact_hides_bearer_tokens_and_named_secrets() -> None:
    text = 'authorization: Bearer abc.DEF-123_x=; api_key=s3cr3t "secret": "hush" token=t0k'
    cleaned = redact(text)
    for secret in ("abc.DEF-123_x=", "s3cr3t", "hush", "t0k"):
        assert secret not in cleaned
    assert redact("robot part not found") == "robot part not found"


def test_typed_errors_keep_the_grpclib_fields() -> None:
    from grpclib.const import Status
    from grpclib.exceptions import GRPCError

    error = from_grpc_error(GRPCError(Status.NOT_FOUND, "no such part", ["detail"]))
    assert type(error) is fleetwire.NotFoundError
    assert (error.status, error.message, error.details) == (Status.NOT_FOUND, "no such part", ["detail"])
    assert str(error) == "NOT_FOUND: no such part"
    assert type(from_grpc_error(GRPCError(Status.DATA_LOSS, "x"))) is fleetwire.GRPCStatusError


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values, max_size=5))
def test_struct_round_trip(data: dict[str, object]) -> None:
    assert struct_to_dict(dict_to_struct(data)) == data
    assert struct_to_dict(app_pb.Fragment.parse(bytes(app_pb.Fragment(fragment=dict_to_struct(data)))).fragment) == data


def test_struct_rejects_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        dict_to_struct({"when": datetime.now()})


def test_robot_part_from_proto_and_back_hides_secrets_in_repr() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    proto = app_pb.RobotPart(
        id="p",
        name="main",
        secret="hush-hush",
        robot_config=dict_to_struct({"components": []}),
        created_on=when,
        secrets=[app_pb.SharedSecret(id="s", secret="hush-hush")],
        main_part=True,
    )
    part = fleetwire.RobotPart.from_proto(proto)
    assert (part.robot_config, part.created_on, part.main_part, part.user_supplied_info) == (
        {"components": []},
        when,
        True,
        None,
    )
    assert "hush-hush" not in repr(part)
    assert bytes(part.proto) == bytes(proto)


def test_log_entry_and_fragment_wrappers() -> None:
    entry = fleetwire.LogEntry.from_proto(
        common_pb.LogEntry(level="info", message="m", caller=dict_to_struct({"File": "a.go", "Line": 3}))
    )
    assert entry.caller == {"File": "a.go", "Line": 3.0} and entry.time is None and entry.fields == []
    assert fleetwire.LogEntry.from_proto(entry.proto) == entry
    fragment = fleetwire.Fragment.from_proto(
        app_pb.Fragment(id="f", visibility=app_pb.FragmentVisibility.PUBLIC_UNLISTED, fragment=dict_to_struct({}))
    )
    assert fragment.visibility is fleetwire.Fragment.Visibility.PUBLIC_UNLISTED
    assert fragment.visibility == "public_unlisted"
    assert fragment.proto.visibility == app_pb.FragmentVisibility.PUBLIC_UNLISTED
    for member in fleetwire.Fragment.Visibility:
        assert fleetwire.Fragment.Visibility.from_proto(member.to_proto()) is member


def test_history_entries() -> None:
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    entry = fleetwire.FragmentHistoryEntry.from_proto(
        app_pb.FragmentHistoryEntry(fragment="f", edited_on=when, old=app_pb.Fragment(id="f", name="old"))
    )
    assert (entry.fragment, entry.edited_on, entry.old.name) == ("f", when, "old")
    part_entry = fleetwire.RobotPartHistoryEntry.from_proto(
        app_pb.RobotPartHistoryEntry(part="p", robot="r", when=when, old=app_pb.RobotPart(id="p"))
    )
    assert part_entry.old is not None and part_entry.old.id == "p" and part_entry.when == when

"""Raw request bytes thrown at every RPC the local fleet server serves, with and without a token.

Bodies are hypothesis-generated: arbitrary bytes, and sequences of protobuf fields (every wire type, lengths that
lie, ids of real resources, invalid UTF-8, nested messages). Every answer must be a response that decodes as the
RPC's response type, or a status other than ``UNKNOWN``/``INTERNAL``; the server keeps serving after every batch;
and what the server logs for the whole run stays under a fixed size.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from _local.raw import raw_call, raw_channel, varint
from grpclib.const import Status
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_local_scoped_keys import served_rpcs

from fleetwire.local import LocalFleet
from fleetwire_api.proto.rpc.v1 import Credentials
from fleetwire_api.services import AppServiceBase, AuthServiceBase, RobotServiceBase
from fleetwire_api.viam.app import v1 as app

BATCHES = 45
"""Batches per run; each sends one body to every RPC (about 80), so a run sends some 3,600 bodies."""

LOG_LIMIT = 64 * 1024
"""Most bytes the server may log over the whole run."""

_BASES = {"viam.app.v1.AppService": AppServiceBase, "viam.app.v1.RobotService": RobotServiceBase}


def _rpcs() -> list[tuple[str, type[Any], bool]]:
    """``(path, response type, server-streaming)`` of every served RPC, and the AuthService's."""
    found: list[tuple[str, type[Any], bool]] = []
    for service, method in served_rpcs():
        base = _BASES[service]
        path = f"/{service}/{method}"
        handler = base.__mapping__(base())[path]
        found.append((path, handler.reply_type, handler.cardinality.server_streaming))
    auth = AuthServiceBase.__mapping__(AuthServiceBase())
    for path, handler in auth.items():
        found.append((path, handler.reply_type, False))
    return found


RPCS = _rpcs()


@dataclass(frozen=True)
class Known:
    """Ids of real resources, so that some bodies reach past the id checks."""

    values: tuple[bytes, ...]


def _payloads(known: Known) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=40),
        st.sampled_from(known.values),
        st.text(max_size=20).map(str.encode),
        st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"]),
    )


def _field(known: Known, depth: int) -> st.SearchStrategy[bytes]:
    number = st.integers(min_value=1, max_value=20)
    varint_field = st.tuples(number, st.integers(min_value=0, max_value=2**70)).map(
        lambda t: varint(t[0] << 3) + varint(t[1])  # above 2**64: an overlong varint
    )
    fixed = st.tuples(number, st.sampled_from([1, 5]), st.binary(min_size=0, max_size=8)).map(
        lambda t: varint(t[0] << 3 | t[1]) + t[2]
    )
    odd_wire = st.tuples(number, st.sampled_from([3, 4, 6, 7])).map(lambda t: varint(t[0] << 3 | t[1]))
    inner = _payloads(known) if depth == 0 else st.lists(_field(known, depth - 1), max_size=4).map(b"".join)
    lying = st.tuples(number, inner, st.integers(min_value=-3, max_value=3)).map(
        lambda t: varint(t[0] << 3 | 2) + varint(max(0, len(t[1]) + t[2])) + t[1]
    )
    return st.one_of(varint_field, fixed, odd_wire, lying)


def _body(known: Known) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=64), st.lists(_field(known, 2), max_size=6).map(b"".join))


def _batch(known: Known) -> st.SearchStrategy[list[tuple[int, bytes, bool]]]:
    """Batches of ``(index of the RPC, body, with a token)``: one body for every RPC, in a shuffled order."""
    calls = st.lists(st.tuples(_body(known), st.booleans()), min_size=len(RPCS), max_size=len(RPCS))
    order = st.permutations(range(len(RPCS)))
    return st.tuples(order, calls).map(
        lambda t: [(i, body, token) for i, (body, token) in zip(t[0], t[1], strict=True)]
    )


class _Sized(logging.Handler):
    """Counts what the server logs, and keeps any record that carries a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.size = 0
        self.tracebacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self.size += len(text) + 1
        if record.exc_info:
            self.tracebacks.append(text)


@contextmanager
def _server_log() -> Iterator[_Sized]:
    handler = _Sized()
    loggers = [logging.getLogger(name) for name in ("fleetwire.local", "grpclib", "asyncio")]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)


async def _token(fleet: LocalFleet) -> str:
    from grpclib.client import Channel

    from fleetwire_api.services import AuthServiceAsyncClient

    channel = Channel(fleet.host, fleet.port)
    try:
        credentials = Credentials(type="api-key", payload=fleet.api_key)
        auth = AuthServiceAsyncClient(channel, timeout=10)
        return (await auth.authenticate(entity=fleet.api_key_id, credentials=credentials)).access_token
    finally:
        channel.close()


async def _send(fleet: LocalFleet, token: str, batch: list[tuple[int, bytes, bool]]) -> list[str]:
    problems: list[str] = []
    channel = raw_channel(fleet.host, fleet.port)
    try:
        for index, body, with_token in batch:
            path, reply_type, streaming = RPCS[index]
            metadata = {"authorization": f"Bearer {token}"} if with_token else None
            status, message, replies = await raw_call(
                channel, path, body, metadata=metadata, streaming=streaming, timeout=10
            )
            if status in (Status.UNKNOWN, Status.INTERNAL, Status.DEADLINE_EXCEEDED):
                problems.append(f"{path} {body!r} token={with_token}: {status.name} {message}")
            for reply in replies:
                try:
                    reply_type.FromString(reply)
                except Exception as exc:
                    problems.append(f"{path} {body!r}: undecodable response ({exc})")
        # Still serving, for the token-holder: a plain read answers.
        location = app.GetLocationRequest(location_id=fleet.location_id)
        status, message, replies = await raw_call(
            channel,
            "/viam.app.v1.AppService/GetLocation",
            bytes(location),
            metadata={"authorization": f"Bearer {token}"},
        )
        if status != Status.OK or not replies:
            problems.append(f"the server stopped serving: {status.name} {message}")
    finally:
        channel.close()
    return problems


def test_raw_bytes_never_get_unknown_or_internal() -> None:
    with _server_log() as log, LocalFleet() as fleet:
        loop = asyncio.new_event_loop()
        try:
            token = loop.run_until_complete(_token(fleet))
            known = Known(
                tuple(
                    value.encode()
                    for value in (fleet.organization_id, fleet.location_id, fleet.api_key_id, fleet.user_id, "")
                )
            )
            problems: list[str] = []
            sent: list[int] = []

            @settings(
                max_examples=BATCHES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=(Phase.generate,),  # no shrinking: a batch that fails is reported as it is, without re-runs
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(_batch(known))
            def run(batch: list[tuple[int, bytes, bool]]) -> None:
                problems.extend(loop.run_until_complete(_send(fleet, token, batch)))
                sent.append(len(batch))

            run()
        finally:
            loop.close()
    assert sum(sent) >= 3000, f"only {sum(sent)} bodies were sent"
    assert not problems, "\n".join(problems[:20])
    assert not log.tracebacks, log.tracebacks[0]
    assert log.size < LOG_LIMIT, f"the server logged {log.size} bytes"

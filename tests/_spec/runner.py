"""Run a spec case through either client and check what the server received and what came back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import betterproto2

from .cases import Case, Lib
from .server import RecordedCall, Script

STREAMING_RESULT = "tail_robot_part_logs"  # returns an iterator of batches: drained so the batches can be checked


def _describe(message: betterproto2.Message) -> str:
    return f"{type(message).__name__}({message.to_dict(include_default_values=False)})"


def verify_exchanges(case: Case, calls: list[RecordedCall], token: str) -> None:
    """The server received exactly the case's RPCs, in order, with exactly the expected requests and bearer token."""
    assert [c.rpc for c in calls] == [e.rpc for e in case.exchanges], f"{case.id}: RPCs received"
    for n, (call, exchange) in enumerate(zip(calls, case.exchanges, strict=True)):
        where = f"{case.id}: {call.rpc} #{n + 1}"
        assert call.header("authorization") == [f"Bearer {token}"], f"{where}: authorization metadata"
        expect = exchange.expect
        if isinstance(expect, betterproto2.Message):
            assert call.requests == [expect], (
                f"{where}: got {[_describe(r) for r in call.requests]}, expected {_describe(expect)}"
            )
        elif isinstance(expect, tuple):
            assert call.requests == list(expect), (
                f"{where}: got {[_describe(r) for r in call.requests]}, expected {[_describe(r) for r in expect]}"
            )
        else:
            assert len(call.requests) == 1, f"{where}: {len(call.requests)} request messages"
            expect(call.requests[0])


async def call_async(client: Any, case: Case, lib: Lib, tmp: Path) -> Any:
    args, kwargs = case.call(lib, tmp)
    result = await getattr(client, case.method)(*args, **kwargs)
    if case.method == STREAMING_RESULT:
        result = [batch async for batch in result]
    return result


def call_blocking(client: Any, case: Case, lib: Lib, tmp: Path) -> Any:
    args, kwargs = case.call(lib, tmp)
    result = getattr(client, case.method)(*args, **kwargs)
    if case.method == STREAMING_RESULT:
        result = list(result)
    return result


def arm(script: Script, case: Case) -> None:
    script.reset((exchange.rpc, exchange.reply) for exchange in case.exchanges)


def finish(script: Script, case: Case, result: Any, tmp: Path, token: str) -> None:
    verify_exchanges(case, script.taken(), token)
    assert script.unanswered() == [], f"{case.id}: scripted replies never requested"
    case.check(result, tmp)

"""What the object layer tests share: one fixture runs a test on the async and on the blocking objects alike.

The local fleet runs in a thread of its own (the plugin's ``local_fleet``), so a blocking call made from the test's
event loop waits for a server that is not blocked by it. Tests write ``await do(obj.verb())``: ``do`` awaits what
the async layer returns and passes through what the blocking layer already computed.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

import fleetwire.objects
import fleetwire.objects.blocking
from fleetwire import AppClient, AsyncAppClient
from fleetwire.local import LocalFleet


async def do(value: Any) -> Any:
    """The result of a call on either layer: awaited if it is awaitable."""
    return await value if inspect.isawaitable(value) else value


async def items(iterable: Any) -> list[Any]:
    """Every item of an async or a plain iterator."""
    if hasattr(iterable, "__aiter__"):
        return [item async for item in iterable]
    return list(iterable)


@dataclass
class World:
    """A fresh fleet seen through one layer (``ns`` holds its classes), and a plain async client to check with."""

    mode: str
    ns: ModuleType
    fleet: Any
    plain: AsyncAppClient
    local: LocalFleet

    @property
    def org_id(self) -> str:
        return self.local.organization_id

    @property
    def location_id(self) -> str:
        return self.local.location_id


@pytest.fixture(name="world", params=["async", "blocking"])
async def world_fixture(request: pytest.FixtureRequest, local_fleet: LocalFleet) -> AsyncIterator[World]:
    """The object layer of one mode over a fresh local fleet, and a plain async client of its owner."""
    key, key_id = local_fleet.api_key, local_fleet.api_key_id
    plain = await AsyncAppClient.connect(local_fleet.address, api_key=key, api_key_id=key_id)
    try:
        if request.param == "async":
            yield World("async", fleetwire.objects, fleetwire.objects.Fleet(plain), plain, local_fleet)
        else:
            with AppClient.connect(local_fleet.address, api_key=key, api_key_id=key_id) as blocking:
                yield World(
                    "blocking",
                    fleetwire.objects.blocking,
                    fleetwire.objects.blocking.Fleet(blocking),
                    plain,
                    local_fleet,
                )
    finally:
        await plain.close()

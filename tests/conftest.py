"""Fixtures shared by the test modules: the async backend, an in-process local fleet, and its owner connected."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from test_local_machines import Conn, connect

from fleetwire.local import LocalFleet

# The recording server's `server` and `blocking_client`, shared by the modules that check the clients against it.
pytest_plugins = ["_spec.fixtures"]


@pytest.fixture
def anyio_backend() -> str:
    """Run ``@pytest.mark.anyio`` tests on asyncio: grpclib runs on asyncio only."""
    return "asyncio"


@pytest.fixture
async def fleet() -> AsyncIterator[LocalFleet]:
    """A local fleet server on an in-memory database, serving in the test's own event loop."""
    async with LocalFleet() as running:
        yield running


@pytest.fixture
async def owner(fleet: LocalFleet) -> AsyncIterator[Conn]:
    """The fleet's owner over loopback, with raw clients (a module with another kind of connection defines its own)."""
    conn = await connect(fleet, fleet.api_key_id, fleet.api_key)
    yield conn
    conn.channel.close()

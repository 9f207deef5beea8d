"""Fixtures shared by the test modules: the async backend, and an in-process local fleet."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fleetwire.local import LocalFleet


@pytest.fixture
def anyio_backend() -> str:
    """Run ``@pytest.mark.anyio`` tests on asyncio: grpclib runs on asyncio only."""
    return "asyncio"


@pytest.fixture
async def fleet() -> AsyncIterator[LocalFleet]:
    """A local fleet server on an in-memory database, serving in the test's own event loop."""
    async with LocalFleet() as running:
        yield running

"""pytest fixtures to test fleet scripts against a fresh local fleet (registered through the ``pytest11`` entry point).

- ``local_fleet``: a running :class:`fleetwire.local.LocalFleet` on an in-memory database, new for every test.
- ``local_fleet_credentials``: ``{"url", "api_key_id", "api_key"}`` of that fleet (an owner key of its organization).
- ``local_app_client``: a connected blocking ``fleetwire.AppClient`` (skips the test if the client is unavailable).
- ``local_async_app_client``: a connected ``fleetwire.AsyncAppClient``, for async tests run by the anyio pytest plugin
  (mark the test ``@pytest.mark.anyio``).
- ``local_machine_part``: a :class:`fleetwire.machine.MachinePartClient` acting as the main part of a new machine
  ``test-machine`` in the fleet's location (its ``part_id`` is the part's id), to push logs and read config as the
  machine would while ``local_app_client`` plays the fleet script.

Heavy modules (the server, sqlite, the clients) load only when a fixture is used.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fleetwire.local.fleet import LocalFleet
    from fleetwire.machine import MachinePartClient

__all__ = (
    "local_app_client",
    "local_async_app_client",
    "local_fleet",
    "local_fleet_credentials",
    "local_machine_part",
)

MACHINE_NAME = "test-machine"
"""The name of the machine ``local_machine_part`` creates."""


@pytest.fixture
def local_fleet() -> Iterator[LocalFleet]:
    """Run a fresh in-memory local fleet for one test, in a thread of its own."""
    from fleetwire.local.fleet import LocalFleet

    with LocalFleet() as fleet:
        yield fleet


@pytest.fixture
def local_fleet_credentials(local_fleet: LocalFleet) -> dict[str, str]:
    """Return ``{"url", "api_key_id", "api_key"}`` to connect to ``local_fleet``."""
    return local_fleet.credentials()


def _client_class(name: str) -> Any:
    try:
        module = importlib.import_module("fleetwire")
        return getattr(module, name)
    except (ImportError, AttributeError):
        pytest.skip(f"fleetwire.{name} is not available")


@pytest.fixture
def local_app_client(local_fleet: LocalFleet) -> Iterator[Any]:
    """Return a blocking ``fleetwire.AppClient`` connected to ``local_fleet`` (default location: its location)."""
    app_client = _client_class("AppClient")
    client = app_client.connect(
        local_fleet.address,
        api_key=local_fleet.api_key,
        api_key_id=local_fleet.api_key_id,
        location_id=local_fleet.location_id,
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
async def local_async_app_client(local_fleet: LocalFleet) -> AsyncIterator[Any]:
    """Return a ``fleetwire.AsyncAppClient`` connected to ``local_fleet``; needs an async test runner (anyio)."""
    async_app_client = _client_class("AsyncAppClient")
    client = await async_app_client.connect(
        local_fleet.address,
        api_key=local_fleet.api_key,
        api_key_id=local_fleet.api_key_id,
        location_id=local_fleet.location_id,
    )
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def local_machine_part(local_app_client: Any, local_fleet: LocalFleet) -> Iterator[MachinePartClient]:
    """Return a ``MachinePartClient`` for the main part of a new machine ``test-machine`` in ``local_fleet``."""
    from fleetwire.machine import MachinePartClient

    robot_id = local_app_client.new_robot(MACHINE_NAME, local_fleet.location_id)
    (part,) = local_app_client.get_robot_parts(robot_id)
    with MachinePartClient.connect(local_fleet.address, part_id=part.id, secret=part.secret) as machine:
        yield machine

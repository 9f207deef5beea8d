"""The recording server and a blocking client connected to it, one of each per test module that asks.

Registered for every test module by ``tests/conftest.py`` (``pytest_plugins``); a module that needs another kind of
server defines its own ``server`` fixture, which takes precedence.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import fleetwire

from . import data as d
from .server import SpecServer

API_KEY = "sp3c-t3st-ap1-k3y-0000000000secret"
API_KEY_ID = "0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b"


@pytest.fixture(scope="module")
def server() -> Iterator[SpecServer]:
    """The recording server (tests/_spec/server.py), on a loopback port, for the whole module."""
    with SpecServer() as spec_server:
        yield spec_server


@pytest.fixture(scope="module")
def blocking_client(server: SpecServer) -> Iterator[fleetwire.AppClient]:
    """A blocking ``AppClient`` of the recording server, with the seed's default location, for the whole module."""
    client = fleetwire.AppClient.connect(
        server.address, api_key=API_KEY, api_key_id=API_KEY_ID, location_id=d.DEFAULT_LOC_ID
    )
    try:
        yield client
    finally:
        client.close()

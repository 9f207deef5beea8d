"""Keys scoped to one resource, minted by the owner over the API, each with its own loopback connection."""

from __future__ import annotations

from typing import cast

from test_local_core import role
from test_local_machines import Conn, connect

from fleetwire.local import LocalFleet

__all__ = ("bearer", "mint", "role")


async def mint(
    fleet: LocalFleet, by: Conn, org_id: str, role_name: str, resource_type: str, resource_id: str
) -> tuple[str, Conn]:
    """Create a key holding one role (as ``by``, an owner of ``org_id``); return its id and a connection with it."""
    created = await by.app.create_key(
        authorizations=[role(org_id, role_name, resource_type, resource_id)], name=f"{resource_type}-{role_name}"
    )
    return created.id, await connect(fleet, created.id, created.key)


def bearer(conn: Conn) -> dict[str, str]:
    """The ``authorization`` metadata ``conn`` sends (``connect`` gives its clients a plain dict)."""
    metadata = cast("dict[str, str]", conn.app.metadata)
    return {"authorization": metadata["authorization"]}

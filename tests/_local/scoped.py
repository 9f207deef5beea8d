"""Keys scoped to one resource, minted by the owner over the API, each with its own loopback connection."""

from __future__ import annotations

from typing import cast

from test_local_machines import Conn, connect

from fleetwire.local import LocalFleet
from fleetwire_api.viam.app import v1 as app


def role(org_id: str, role_name: str, resource_type: str, resource_id: str, identity_id: str = "") -> app.Authorization:
    """An ``Authorization`` message for ``role_name`` on a resource, recorded under ``org_id``."""
    return app.Authorization(
        authorization_type="role",
        authorization_id=f"{resource_type}_{role_name}",
        resource_type=resource_type,
        resource_id=resource_id,
        organization_id=org_id,
        identity_id=identity_id,
        identity_type="api-key" if identity_id else "",
    )


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

"""``fleetwire whoami``: which API key the credentials are, on which server, and the organizations it reaches."""

from __future__ import annotations

import argparse
import sys

from .._blocking import AppClient
from ..errors import PermissionDeniedError
from .connection import connect, resolve
from .output import Column, emit, print_fields, print_json
from .rows import key_row

__all__ = ("whoami",)

_ORGANIZATION_COLUMNS = (Column("ID", "id"), Column("NAME", "name"), Column("ROLES", "roles"))


def _own_key(client: AppClient, org_id: str, key_id: str) -> dict[str, object] | None:
    """Return the key's row as the organization lists it; ``None`` when the key may not list the organization's keys."""
    try:
        keys = client.list_keys(org_id)
    except PermissionDeniedError:  # an operator key cannot read keys; its roles stay unknown
        return None
    return next((key_row(key) for key in keys if key.api_key is not None and key.api_key.id == key_id), None)


def whoami(args: argparse.Namespace) -> int:
    """``fleetwire whoami``: the key id (and name and roles, when the key may read them) and its organizations."""
    target = resolve(args)
    name: object = None
    organizations: list[dict[str, object]] = []
    with connect(args) as client:
        for org in client.list_organizations():
            own = _own_key(client, org.id, target.api_key_id)
            if own is not None:
                name = own["name"]
            roles = own["roles"] if own is not None else None
            organizations.append({"id": org.id, "name": org.name, "roles": roles})
    identity = {"url": target.url, "api_key_id": target.api_key_id, "api_key_name": name}
    if args.json:
        print_json({**identity, "organizations": organizations}, sys.stdout)
        return 0
    print_fields(identity, sys.stdout)
    sys.stdout.write("ORGANIZATIONS\n")
    emit(organizations, _ORGANIZATION_COLUMNS, as_json=False, out=sys.stdout, empty="no organizations")
    return 0

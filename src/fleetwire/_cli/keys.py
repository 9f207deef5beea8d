"""``fleetwire keys``: list, create, rotate and delete API keys. A new key is printed once: store it then."""

from __future__ import annotations

import argparse
import sys

from ..models import APIKeyAuthorization
from .connection import connect
from .failures import UsageError
from .output import emit, print_json
from .rows import KEY_COLUMNS, key_row
from .scope import organization_ids, single_organization

__all__ = ("create_key", "delete_key", "list_keys", "rotate_key")


def list_keys(args: argparse.Namespace) -> int:
    """``fleetwire keys list [--org-id ID]``: API keys (ids, names, roles; never the keys themselves)."""
    with connect(args) as client:
        rows = [key_row(key) for org_id in organization_ids(client, args.org_id) for key in client.list_keys(org_id)]
    emit(rows, KEY_COLUMNS, as_json=args.json, out=sys.stdout, empty="no API keys")
    return 0


def _print_secret(args: argparse.Namespace, verb: str, key_id: str, key: str) -> None:
    if args.json:
        print_json({"id": key_id, "key": key}, sys.stdout)
        return
    sys.stdout.write(f"{verb} API key {key_id}\n")
    sys.stdout.write(f"key: {key}\n")
    sys.stdout.write("Store the key now: it is not shown again.\n")


def create_key(args: argparse.Namespace) -> int:
    """``fleetwire keys create --role ROLE [--resource-type T --resource-id ID] [--name N]``."""
    if args.resource_type != "organization" and not args.resource_id:
        # Falling back to the organization's id would grant a role on a resource that does not exist.
        raise UsageError(f"--resource-type {args.resource_type} needs --resource-id (the {args.resource_type}'s id)")
    with connect(args) as client:
        org_id = single_organization(client, args.org_id)
        resource_id = args.resource_id or org_id
        auth = APIKeyAuthorization(args.role, args.resource_type, resource_id)
        key, key_id = client.create_key(org_id, [auth], args.name)
    _print_secret(args, "created", key_id, key)
    return 0


def rotate_key(args: argparse.Namespace) -> int:
    """``fleetwire keys rotate KEY_ID``: a new key with the same roles; the old one stops working."""
    with connect(args) as client:
        key, key_id = client.rotate_key(args.key_id)
    _print_secret(args, "rotated; the new", key_id, key)
    return 0


def delete_key(args: argparse.Namespace) -> int:
    """``fleetwire keys delete KEY_ID``."""
    with connect(args) as client:
        client.delete_key(args.key_id)
    if args.json:
        print_json({"id": args.key_id, "deleted": True}, sys.stdout)
    else:
        sys.stdout.write(f"deleted API key {args.key_id}\n")
    return 0

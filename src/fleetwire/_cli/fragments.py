"""``fleetwire fragments``: list, show, create and update fragments, and export one's config."""

from __future__ import annotations

import argparse
import json
import sys

from ..models import Fragment
from .config_files import checked_write, read_config
from .connection import connect
from .exporting import export_json
from .failures import UsageError
from .output import emit, print_details, print_json
from .rows import FRAGMENT_COLUMNS, fragment_row
from .scope import organization_ids, single_organization

__all__ = ("VISIBILITIES", "create_fragment", "export_fragment", "list_fragments", "show_fragment", "update_fragment")

VISIBILITIES = tuple(v.value for v in Fragment.Visibility if v is not Fragment.Visibility.UNSPECIFIED)
"""The ``--visibility`` choices: ``private``, ``public``, ``public_unlisted``."""


def list_fragments(args: argparse.Namespace) -> int:
    """``fleetwire fragments list [--org-id ID] [--public]``: private and public fragments (only public: --public)."""
    with connect(args) as client:
        rows: dict[str, dict[str, object]] = {}
        for org_id in organization_ids(client, args.org_id):
            for show_public in (True,) if args.public else (False, True):
                for fragment in client.list_fragments(org_id, show_public=show_public):
                    rows.setdefault(fragment.id, fragment_row(fragment))
    emit(list(rows.values()), FRAGMENT_COLUMNS, as_json=args.json, out=sys.stdout, empty="no fragments")
    return 0


def export_fragment(args: argparse.Namespace) -> int:
    """``fleetwire fragments export FRAGMENT_ID FILE``: write the fragment's config as JSON, atomically."""
    with connect(args) as client:
        fragment = client.get_fragment(args.fragment_id)
    export_json(args.file, dict(fragment.fragment or {}), indent=args.indent)
    if args.json:
        print_json({"fragment_id": fragment.id, "file": str(args.file)}, sys.stdout)
    else:
        sys.stdout.write(f"wrote the config of fragment {fragment.name} ({fragment.id}) to {args.file}\n")
    return 0


def show_fragment(args: argparse.Namespace) -> int:
    """``fleetwire fragments show FRAGMENT_ID``: a fragment's details and its config."""
    with connect(args) as client:
        row = fragment_row(client.get_fragment(args.fragment_id))
    print_details(row, "fragment", as_json=args.json, out=sys.stdout)
    return 0


def _report(args: argparse.Namespace, fragment: Fragment, verb: str) -> int:
    if args.json:
        print_json(fragment_row(fragment), sys.stdout)
    else:
        sys.stdout.write(f"{verb} fragment {fragment.name} ({fragment.id}), {fragment.visibility.value}\n")
    return 0


def create_fragment(args: argparse.Namespace) -> int:
    """``fleetwire fragments create NAME [--config FILE] [--org-id ID]``: a new private fragment."""
    config = read_config(args.config) if args.config is not None else None  # a bad file fails before any call
    with connect(args) as client:
        fragment = client.create_fragment(single_organization(client, args.org_id), args.name, config=config)
    return _report(args, fragment, "created")


def update_fragment(args: argparse.Namespace) -> int:
    """``fleetwire fragments update FRAGMENT_ID [--name N] [--config FILE] [--visibility V]``.

    The write carries the time the fragment was last updated as read, so a change made meanwhile is not overwritten.
    """
    if args.name is None and args.config is None and args.visibility is None:
        raise UsageError("nothing to update: pass --name, --config or --visibility")
    config = read_config(args.config) if args.config is not None else None
    visibility = Fragment.Visibility(args.visibility) if args.visibility is not None else None
    with connect(args) as client:
        current = client.get_fragment(args.fragment_id)
        with checked_write(f"fragment {current.name} ({current.id})"):
            fragment = client.update_fragment(
                current.id,
                args.name if args.name is not None else current.name,
                visibility=visibility,
                last_known_update=current.last_updated,
                # As JSON text: an empty {} empties the config (an empty `config` means no change, as it does
                # with the official client).
                fragment_config_json=json.dumps(config) if config is not None else None,
            )
    return _report(args, fragment, "updated")

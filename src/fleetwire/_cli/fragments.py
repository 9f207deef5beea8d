"""``fleetwire fragments``: list an organization's fragments and export one's config."""

from __future__ import annotations

import argparse
import sys

from .connection import connect
from .exporting import export_json
from .output import emit, print_json
from .rows import FRAGMENT_COLUMNS, fragment_row
from .scope import organization_ids

__all__ = ("export_fragment", "list_fragments")


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

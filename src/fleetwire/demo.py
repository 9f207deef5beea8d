"""``fleetwire demo``: the SDK end to end on a local fleet server, with no account, in a few seconds.

It starts :class:`~fleetwire.local.LocalFleet` in-process on a SQLite database in a temporary directory, then
with the blocking :class:`~fleetwire.AppClient` creates a location, machines and parts, updates and exports a
config, pushes logs as a simulated machine (``RobotService.Log``), pages and tails them, creates a fragment, adds
a role, creates and rotates an API key; then does a few calls concurrently with :class:`~fleetwire.AsyncAppClient`.
The temporary directory (database and exported config) is removed at the end unless ``--out DIR`` keeps the
exported config.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ._blocking import AppClient
from ._cli.background import BackgroundFleet
from ._cli.demo_async import concurrent_section
from ._cli.demo_blocking import EXPORT_NAME, BlockingTour
from ._cli.narrate import Narrator
from ._methods.base import DEFAULT_TIMEOUT

__all__ = ("run_demo",)


def _closing(say: Narrator, export_dir: Path, kept: bool, elapsed: float) -> None:
    say.section("Done")
    if kept:
        say.line(f"Kept the exported config: {export_dir / EXPORT_NAME}")
    else:
        say.line("Removed the temporary directory (database and exported config); nothing was left behind.")
        say.line("Run `fleetwire demo --out DIR` to keep the exported config.")
    say.line(f"Finished in {elapsed:.1f} s.")
    say.section("Next: a persistent local server")
    say.line("fleetwire serve --db fleetwire.db --credentials fleetwire-credentials.json")
    say.line("")
    say.line("Then, from a script (or try `fleetwire machines list --credentials fleetwire-credentials.json`):")
    say.line("")
    for text in _SNIPPET.strip("\n").splitlines():
        say.line(f"    {text}" if text else "")


_SNIPPET = """
import json
from fleetwire import AppClient

creds = json.load(open("fleetwire-credentials.json"))
with AppClient.connect(creds["url"], api_key=creds["api_key"], api_key_id=creds["api_key_id"]) as cloud:
    for org in cloud.list_organizations():
        print(org.name, [loc.name for loc in cloud.list_locations(org.id)])
"""


def run_demo(out: TextIO, keep_dir: Path | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> int:
    """Run the demo, printing to ``out``; keep the exported config in ``keep_dir`` if given. Returns 0.

    ``timeout`` is the seconds each call of the demo's clients may take (``fleetwire --timeout``).
    """
    started = time.perf_counter()
    say = Narrator(out)
    say.title("fleetwire demo: the fleet management SDK on a local fleet server, no account needed")
    with tempfile.TemporaryDirectory(prefix="fleetwire-demo-") as scratch:
        export_dir = keep_dir if keep_dir is not None else Path(scratch)
        export_dir.mkdir(parents=True, exist_ok=True)
        db = Path(scratch) / "fleet.db"
        with BackgroundFleet(db) as bg:
            fleet = bg.fleet
            say.line(f"Local fleet server on {fleet.address}, database {db} (temporary)")
            with AppClient.connect(
                fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id, timeout=timeout
            ) as client:
                tour = BlockingTour(say, bg, client, export_dir, timeout)
                tour.run()
                machine_ids: Sequence[str] = tour.machine_ids
                section = concurrent_section(
                    say, fleet.credentials(), tour.location_id, machine_ids, tour.part_id, timeout
                )
                asyncio.run(section)
    _closing(say, export_dir, keep_dir is not None, time.perf_counter() - started)
    return 0

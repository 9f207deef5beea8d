"""The demo's blocking section: one method per step, all through one :class:`~fleetwire.AppClient`."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

from .._blocking import AppClient
from ..errors import UnauthenticatedError
from ..machine import MachinePartClient, log_entry
from ..models import APIKeyAuthorization, LogEntry
from .background import BackgroundFleet
from .narrate import Narrator
from .output import Column
from .rows import FRAGMENT_COLUMNS, KEY_COLUMNS, LOCATION_COLUMNS, LOG_COLUMNS, key_row, location_row, log_row

__all__ = ("EXPORT_NAME", "BlockingTour")

EXPORT_NAME = "rover-1-main.config.json"
"""File name of the exported part config."""

LOG_BATCHES = 3
"""How many ``RobotService.Log`` calls the simulated machine makes before the logs are paged through."""

LOG_BATCH_SIZE = 100
"""Entries per simulated ``Log`` call (the server's default log page is 100 entries too)."""

LIVE_BATCHES = 3
"""Batches pushed while the live tail is open."""

_WAIT_S = 30.0
"""Upper bound on waiting for the live tail (a failure guard: it normally takes milliseconds)."""

_LEVELS = ("info", "info", "info", "debug", "info", "warn", "info", "info", "info", "error")

_CONFIG = {
    "components": [
        {"name": "left-motor", "api": "rdk:component:motor", "model": "rdk:builtin:fake", "attributes": {"pins": 2}},
        {"name": "right-motor", "api": "rdk:component:motor", "model": "rdk:builtin:fake", "attributes": {"pins": 2}},
        {"name": "base", "api": "rdk:component:base", "model": "rdk:builtin:wheeled", "attributes": {"width_mm": 400}},
    ]
}

_MACHINE_COLUMNS = (
    Column("MACHINE", "machine"),
    Column("MACHINE ID", "machine_id"),
    Column("PART", "part"),
    Column("PART ID", "part_id"),
    Column("MAIN", "main"),
)

_LIVE_COLUMNS = (Column("BATCH", "batch"), Column("LEVEL", "level"), Column("MESSAGE", "message"))


def _message(number: int) -> str:
    return f"odometry update #{number:03d}: moved {number % 7 + 1} cm"


class BlockingTour:
    """The blocking half of the demo: one method per step, sharing the client and the ids it creates."""

    def __init__(
        self, say: Narrator, bg: BackgroundFleet, client: AppClient, export_dir: Path, timeout: float | None
    ) -> None:
        """Tour the fleet of ``bg`` with ``client``, printing to ``say``; exports go to ``export_dir``.

        The other clients the tour connects (the machine, the rotated keys) get ``timeout``, as ``client`` did.
        """
        self.say, self.bg, self.client, self.export_dir = say, bg, client, export_dir
        self.timeout = timeout
        self.org_id = bg.fleet.organization_id
        self.location_id = ""
        self.machine_ids: list[str] = []
        self.part_id = ""
        self.part_secret = ""

    def run(self) -> None:
        """Run every step in order."""
        self.organizations()
        self.location()
        self.machines()
        self.config()
        self.push_logs()
        self.page_logs()
        self.tail_logs()
        self.fragment()
        self.rotate(*self.role())

    def _machine(self) -> MachinePartClient:
        """Connect as the simulated machine (rover-1's main part), with the tour client's timeout."""
        address = self.bg.fleet.address
        return MachinePartClient.connect(address, part_id=self.part_id, secret=self.part_secret, timeout=self.timeout)

    def organizations(self) -> None:
        """Show the organization the owner key sees."""
        self.say.step("Connect with AppClient (blocking), using the owner API key the server minted at start")
        self.say.line("client = AppClient.connect(address, api_key=..., api_key_id=...)")
        orgs = self.client.list_organizations()
        self.say.line(f"client.list_organizations() -> {len(orgs)} organization(s)")
        self.say.table([{"id": o.id, "name": o.name} for o in orgs], (Column("ID", "id"), Column("NAME", "name")))

    def location(self) -> None:
        """Create the demo location and list the organization's locations."""
        self.say.step("Create a location")
        location = self.client.create_location(self.org_id, "Demo warehouse")
        self.location_id = location.id
        rows = [location_row(loc, self.org_id) for loc in self.client.list_locations(self.org_id)]
        self.say.line(f'client.create_location(org_id, "Demo warehouse") -> {location.id}')
        self.say.table(rows, LOCATION_COLUMNS[:2] + LOCATION_COLUMNS[3:4])

    def machines(self) -> None:
        """Create two machines (each with a main part) and a second part on the first."""
        self.say.step("Create two machines; each gets a main part, rover-1 also a camera part")
        for name in ("rover-1", "rover-2"):
            self.machine_ids.append(self.client.new_robot(name, self.location_id))
        self.client.new_robot_part(self.machine_ids[0], "rover-1-camera")
        rows: list[dict[str, object]] = []
        for machine_id, name in zip(self.machine_ids, ("rover-1", "rover-2"), strict=True):
            for part in self.client.get_robot_parts(machine_id):
                rows.append(
                    {"machine": name, "machine_id": machine_id, "part": part.name, "part_id": part.id,
                     "main": part.main_part}
                )  # fmt: skip
                if part.main_part and machine_id == self.machine_ids[0]:
                    self.part_id, self.part_secret = part.id, part.secret
        self.say.table(rows, _MACHINE_COLUMNS)

    def config(self) -> None:
        """Update the main part's config, then export it to a JSON file."""
        self.say.step("Update rover-1-main's config and export it to a JSON file")
        part = self.client.get_robot_part(self.part_id)
        self.client.update_robot_part(self.part_id, part.name, robot_config=_CONFIG)
        dest = self.export_dir / EXPORT_NAME
        self.client.get_robot_part(self.part_id, dest=str(dest), indent=2)
        history = self.client.get_robot_part_history(self.part_id)
        self.say.line(f"client.update_robot_part(part_id, name, robot_config=...) -> history: {len(history)} change(s)")
        self.say.line(f"client.get_robot_part(part_id, dest=...) wrote {dest} ({dest.stat().st_size} bytes):")
        names = [str(c["name"]) for c in _CONFIG["components"]]
        self.say.line(f"components: {', '.join(names)}")

    def push_logs(self) -> None:
        """Push log entries as the simulated machine, through ``RobotService.Log``."""
        self.say.step("A simulated rover-1 pushes logs through RobotService.Log, authenticated by its part secret")
        with self._machine() as machine:
            for batch in range(LOG_BATCHES):
                numbers = range(batch * LOG_BATCH_SIZE + 1, (batch + 1) * LOG_BATCH_SIZE + 1)
                machine.log([log_entry(_LEVELS[n % 10], _message(n), logger="rdk.rover.base") for n in numbers])
        self.say.line(f"{LOG_BATCHES} Log calls x {LOG_BATCH_SIZE} entries = {LOG_BATCHES * LOG_BATCH_SIZE} stored")

    def page_logs(self) -> None:
        """Read the logs back: the newest few, all of them page by page, the errors only."""
        self.say.step("Page through the logs (the server returns 100 per page, newest first)")
        newest = self.client.get_robot_part_logs(self.part_id, num_log_entries=5)
        self.say.line("client.get_robot_part_logs(part_id, num_log_entries=5):")
        self.say.table([log_row(e) for e in newest], LOG_COLUMNS)
        with self.client.iter_robot_part_logs(self.part_id, page_size=LOG_BATCH_SIZE) as entries:
            total = sum(1 for _ in entries)
        errors = self.client.get_robot_part_logs(self.part_id, log_levels=["error"], num_log_entries=0)
        self.say.line(f"client.iter_robot_part_logs(part_id) streamed {total} entries page by page")
        self.say.line(f'client.get_robot_part_logs(part_id, log_levels=["error"], num_log_entries=0) -> {len(errors)}')

    def tail_logs(self) -> None:
        """Tail the logs live on a thread while the machine pushes batches; show each batch as it arrives."""
        self.say.step("Tail the logs live while the machine pushes more")
        received: queue.Queue[list[LogEntry] | BaseException] = queue.Queue()
        expected = LIVE_BATCHES * 2
        tailer = threading.Thread(target=self._tail, args=(expected, received), name="demo-tail", daemon=True)
        tailer.start()
        self.bg.wait_for_tails(self.part_id, 1, _WAIT_S)  # the tail is subscribed: nothing pushed now is missed
        rows: list[dict[str, object]] = []
        with self._machine() as machine:
            for batch in range(1, LIVE_BATCHES + 1):
                pushed_at = time.perf_counter()
                machine.log(
                    [log_entry("info", f"live {batch}.{n}: waypoint reached", logger="rdk.rover") for n in (1, 2)]
                )
                got = 0
                while got < 2:
                    item = received.get(timeout=_WAIT_S)
                    if isinstance(item, BaseException):
                        raise item
                    got += len(item)
                    rows.extend({"batch": batch, "level": e.level, "message": e.message} for e in item)
                delay_ms = 1000 * (time.perf_counter() - pushed_at)
                rows[-1]["message"] = f"{rows[-1]['message']}   (push to delivery: {delay_ms:.0f} ms)"
        tailer.join(_WAIT_S)
        self.say.line("with client.tail_robot_part_logs(part_id, errors_only=False) as tail: for batch in tail: ...")
        self.say.table(rows, _LIVE_COLUMNS)

    def _tail(self, expected: int, received: queue.Queue[list[LogEntry] | BaseException]) -> None:
        try:
            count = 0
            with self.client.tail_robot_part_logs(self.part_id, errors_only=False) as tail:
                for batch in tail:
                    received.put(batch)
                    count += len(batch)
                    if count >= expected:
                        return
        except BaseException as exc:  # handed to the main thread, which re-raises it
            received.put(exc)

    def fragment(self) -> None:
        """Create a fragment and list the organization's private fragments."""
        self.say.step("Create a fragment (a reusable piece of config)")
        created = self.client.create_fragment(self.org_id, "fake-base", config={"components": _CONFIG["components"]})
        self.say.line(f'client.create_fragment(org_id, "fake-base", config=...) -> {created.id}')
        rows = [
            {"id": f.id, "name": f.name, "visibility": f.visibility.value, "robot_part_count": f.robot_part_count,
             "created_on": f.created_on}
            for f in self.client.list_fragments(self.org_id, show_public=False)
        ]  # fmt: skip
        self.say.table(rows, FRAGMENT_COLUMNS)

    def role(self) -> tuple[str, str]:
        """Create a machine-scoped operator key, then grant it the location too; return its id and key."""
        self.say.step("Create an API key for rover-1 only, then add a role: operator of the whole location")
        auth = APIKeyAuthorization("operator", "robot", self.machine_ids[0])
        key, key_id = self.client.create_key(self.org_id, [auth], "rover-1 operator")
        self.client.add_role(self.org_id, key_id, "operator", "location", self.location_id)
        self.say.line('client.create_key(org_id, [APIKeyAuthorization("operator", "robot", rover_1)], ...)')
        self.say.line('client.add_role(org_id, key_id, "operator", "location", location_id)')
        keys = [key_row(k) for k in self.client.list_keys(self.org_id) if k.api_key and k.api_key.id == key_id]
        self.say.table(keys, KEY_COLUMNS[:2] + KEY_COLUMNS[3:])
        return key_id, key

    def rotate(self, key_id: str, old_key: str) -> None:
        """Rotate the key and show that the old key is refused and the new one works."""
        self.say.step("Rotate the key: the old secret stops working at once, the new one works")
        new_key, new_id = self.client.rotate_key(key_id)
        self.say.line(f"client.rotate_key(key_id) -> a new key (id {new_id})")
        address = self.bg.fleet.address
        try:
            AppClient.connect(address, api_key=old_key, api_key_id=key_id, timeout=self.timeout).close()
            self.say.line("old key -> still accepted (unexpected)")
        except UnauthenticatedError:
            self.say.line("old key -> UnauthenticatedError: rejected")
        with AppClient.connect(address, api_key=new_key, api_key_id=new_id, timeout=self.timeout) as rotated:
            machines = rotated.list_robots(self.location_id)
        self.say.line(f"new key -> connected; as operator it sees the location's {len(machines)} machines")

"""The ``fleetwire`` command as a real process: ``demo``, ``serve`` + the CLI (and its frozen start-up objects),
``logs --follow`` ended by Ctrl-C."""

from __future__ import annotations

import json
import os
import pty
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fleetwire import AppClient
from fleetwire._cli.background import BackgroundFleet
from fleetwire.machine import MachinePartClient, log_entry

DEADLINE_S = 60.0


def _default_sigint() -> None:
    # A test run started in the background inherits an ignored SIGINT; the command must see Ctrl-C as a user would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Process:
    """A ``python -m fleetwire.cli ...`` whose stdout is read line by line on a thread."""

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "fleetwire.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=cwd,
            preexec_fn=_default_sigint,  # only resets one signal disposition
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self) -> str:
        line = self.lines.get(timeout=DEADLINE_S)
        assert line is not None, f"the process ended early: {self.stderr()}"
        return line

    def wait_for(self, marker: str) -> str:
        while marker not in (line := self.next_line()):
            pass
        return line

    def interrupt(self) -> int:
        self.popen.send_signal(signal.SIGINT)
        return self.popen.wait(timeout=DEADLINE_S)

    def stderr(self) -> str:
        assert self.popen.stderr is not None
        if self.popen.poll() is None:
            return ""
        return self.popen.stderr.read()


@contextmanager
def running(*args: str, cwd: Path | None = None) -> Iterator[Process]:
    process = Process(*args, cwd=cwd)
    try:
        yield process
    finally:
        if process.popen.poll() is None:
            process.popen.kill()
            process.popen.wait(timeout=DEADLINE_S)
        for stream in (process.popen.stdout, process.popen.stderr):
            if stream is not None:
                stream.close()


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fleetwire.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=DEADLINE_S, cwd=cwd, check=False)


# --- demo -----------------------------------------------------------------------------------------------------------


def test_demo_runs_quickly_and_leaves_nothing_behind(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_cli("demo", cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert elapsed < 30, f"the demo took {elapsed:.1f} s"
    out = result.stdout
    for expected in (
        "Create a location",
        "Create two machines",
        "export it to a JSON file",
        "RobotService.Log",
        "Page through the logs",
        "Tail the logs live",
        "Create a fragment",
        "add a role",
        "Rotate the key",
        "AsyncAppClient, concurrently",
        "fleetwire serve --db fleetwire.db --credentials fleetwire-credentials.json",
        "AppClient.connect(",
    ):
        assert expected in out, expected
    assert "old key -> UnauthenticatedError: rejected" in out
    assert "live 3.2: waypoint reached" in out  # every live batch arrived through the tail
    assert "streamed 300 entries" in out
    assert "object at 0x" not in out and "Message(" not in out  # tables, not reprs
    database = re.search(r"database (\S+) \(temporary\)", out)
    assert database is not None
    assert not Path(database.group(1)).parent.exists()  # the temporary directory is gone
    assert list(tmp_path.iterdir()) == []  # nothing written to the working directory


def test_demo_out_keeps_the_exported_config(tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    result = run_cli("demo", "--out", str(keep), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    exported = keep / "rover-1-main.config.json"
    assert f"Kept the exported config: {exported}" in result.stdout
    config = json.loads(exported.read_text())
    assert [c["name"] for c in config["components"]] == ["left-motor", "right-motor", "base"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["kept", "rover-1-main.config.json"]


# --- serve, then the CLI against it ---------------------------------------------------------------------------------


def test_serve_then_cli_with_its_credentials_file(tmp_path: Path) -> None:
    credentials = tmp_path / "creds.json"
    with running("serve", "--db", str(tmp_path / "fleet.db"), "--port", "0", "--credentials", str(credentials)) as srv:
        srv.wait_for("Press Ctrl-C")
        orgs = run_cli("organizations", "list", "--credentials", str(credentials), "--json")
        assert orgs.returncode == 0, orgs.stderr
        assert [org["name"] for org in json.loads(orgs.stdout)] == ["My Organization"]
        table = run_cli("locations", "list", "--credentials", str(credentials))
        assert table.returncode == 0 and table.stdout.splitlines()[0].split()[:3] == ["ID", "ORGANIZATION", "NAME"]
        assert srv.interrupt() == 0
    down = run_cli("organizations", "list", "--credentials", str(credentials))
    assert down.returncode == 1
    assert down.stderr.startswith("fleetwire: server unreachable") and len(down.stderr.splitlines()) == 1


# --- logs --follow --------------------------------------------------------------------------------------------------


def test_logs_follow_streams_until_ctrl_c() -> None:
    with BackgroundFleet() as bg:
        fleet = bg.fleet
        with AppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id) as client:
            part = client.get_robot_parts(client.new_robot("follower", fleet.location_id))[0]
        connection = ["--url", fleet.address, "--api-key-id", fleet.api_key_id, "--api-key", fleet.api_key]
        with MachinePartClient.connect(fleet.address, part_id=part.id, secret=part.secret) as machine:
            machine.log([log_entry("info", f"history {n}", logger="rdk.old") for n in range(3)])
            with running("logs", part.id, "--follow", "--json", "--limit", "2", *connection) as follow:
                history = [json.loads(follow.next_line())["message"] for _ in range(2)]
                assert history == ["history 1", "history 2"]
                bg.wait_for_tails(part.id, 1)  # the command's live tail is subscribed
                for batch in range(3):
                    machine.log([log_entry("warn", f"live {batch}.{n}", logger="rdk.live") for n in range(2)])
                    live = [json.loads(follow.next_line()) for _ in range(2)]
                    assert [r["message"] for r in live] == [f"live {batch}.0", f"live {batch}.1"]
                    assert {r["level"] for r in live} == {"warn"}
                assert follow.interrupt() == 0
                assert follow.lines.get(timeout=DEADLINE_S) is None  # nothing else was printed
                assert follow.stderr() == ""
            bg.wait_for_tails(part.id, 0)  # the stream was closed, not left behind on the server


def test_logs_follow_table_output_and_levels() -> None:
    with BackgroundFleet() as bg:
        fleet = bg.fleet
        with AppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id) as client:
            part = client.get_robot_parts(client.new_robot("leveled", fleet.location_id))[0]
        connection = ["--url", fleet.address, "--api-key-id", fleet.api_key_id, "--api-key", fleet.api_key]
        with running("logs", part.id, "-f", "--levels", "error", *connection) as follow:
            bg.wait_for_tails(part.id, 1)
            with MachinePartClient.connect(fleet.address, part_id=part.id, secret=part.secret) as machine:
                machine.log(
                    [log_entry("info", "skipped", logger="rdk.x"), log_entry("error", "motor stalled", logger="rdk.x")]
                )
                machine.log([log_entry("error", "second failure", logger="rdk.x")])
            first, second = follow.next_line(), follow.next_line()
            assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  ERROR  rdk\.x\s+motor stalled$", first.rstrip())
            assert second.rstrip().endswith("second failure")
            assert follow.interrupt() == 0
            assert follow.lines.get(timeout=DEADLINE_S) is None


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "organizations", "locations", "machines", "parts", "logs", "fragments", "keys"):
        assert command in result.stdout
    assert "whoami" in result.stdout


def test_logs_follow_ends_when_the_server_stops(tmp_path: Path) -> None:
    credentials = tmp_path / "creds.json"
    with running("serve", "--db", str(tmp_path / "fleet.db"), "--port", "0", "--credentials", str(credentials)) as srv:
        srv.wait_for("Press Ctrl-C")
        stored = json.loads(credentials.read_text())
        with AppClient.connect(stored["url"], api_key=stored["api_key"], api_key_id=stored["api_key_id"]) as client:
            location_id = client.list_locations(client.list_organizations()[0].id)[0].id
            part = client.get_robot_parts(client.new_robot("orphan", location_id))[0]
        with MachinePartClient.connect(stored["url"], part_id=part.id, secret=part.secret) as machine:
            machine.log([log_entry("info", "before", logger="rdk.x")])
        with running("logs", part.id, "--follow", "--credentials", str(credentials)) as follow:
            assert follow.next_line().rstrip().endswith("before")  # history printed, tail open
            assert srv.interrupt() == 0
            # The server went away: the command finishes on its own, with one line saying why.
            code = follow.popen.wait(timeout=DEADLINE_S)
            err = follow.stderr()
            assert len(err.splitlines()) == 1 and "Traceback" not in err, err
            ended = (code, err) == (0, "fleetwire: the server ended the log stream\n")
            lost = code == 1 and err.startswith("fleetwire: server unreachable: ")
            assert ended or lost, (code, err)


# --- the question before a delete, on a real terminal ---------------------------------------------------------------


def _delete_on_a_terminal(bg: BackgroundFleet, robot_id: str, typed: bytes) -> subprocess.CompletedProcess[str]:
    fleet = bg.fleet
    connection = ["--url", fleet.address, "--api-key-id", fleet.api_key_id, "--api-key", fleet.api_key]
    controller, terminal = pty.openpty()
    try:
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "fleetwire.cli", "machines", "delete", robot_id, *connection],
                stdin=terminal,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        finally:
            os.close(terminal)  # the command holds its own copy
        os.write(controller, typed)  # typed ahead: the terminal holds it until the command reads its answer
        try:
            out, err = process.communicate(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate(timeout=DEADLINE_S)
            raise
    finally:
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_delete_asks_on_a_terminal() -> None:
    with BackgroundFleet() as bg:
        fleet = bg.fleet
        with AppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id) as client:
            robot_id = client.new_robot("on-tty", fleet.location_id)
            declined = _delete_on_a_terminal(bg, robot_id, b"n\n")
            assert declined.returncode == 1, declined
            assert declined.stderr == (
                f"Delete machine on-tty ({robot_id}) with its 1 part (on-tty-main)? [y/N] "
                "fleetwire: cancelled: nothing was changed\n"
            )
            assert client.get_robot(robot_id).name == "on-tty"
            accepted = _delete_on_a_terminal(bg, robot_id, b"y\n")
            assert accepted.returncode == 0, accepted
            assert accepted.stdout == f"deleted machine on-tty ({robot_id}) and 1 part\n"
            assert robot_id not in {robot.id for robot in client.list_robots(fleet.location_id)}


# Runs `fleetwire serve` through the command's own entry point, its standard output replaced by a writer that, on the
# announcement (printed once the server is serving), reports how many objects the collector holds frozen, then
# stops the server as Ctrl-C would (SIGTERM). Nothing is frozen in a fresh interpreter before that.
_SERVE_AND_COUNT_FROZEN = r"""
import gc, io, os, signal, sys
from fleetwire.cli import main

class Announced(io.TextIOBase):
    def write(self, text):
        sys.__stdout__.write(text)
        if "Press Ctrl-C to stop." in text:
            sys.__stdout__.write(f"frozen while serving: {gc.get_freeze_count()}\n")
            sys.__stdout__.flush()
            os.kill(os.getpid(), signal.SIGTERM)
        return len(text)

print(f"frozen before: {gc.get_freeze_count()}", flush=True)
sys.stdout = Announced()
sys.exit(main(["serve", "--port", "0", "--db", ":memory:"]))
"""


def test_serve_freezes_its_start_up_objects() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SERVE_AND_COUNT_FROZEN],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=DEADLINE_S,
    )
    assert done.returncode == 0, done
    counts = dict(re.findall(r"^frozen (before|while serving): (\d+)$", done.stdout, re.MULTILINE))
    assert counts.get("before") == "0", done.stdout
    # Start-up (the server, the generated classes, grpclib, sqlite3) makes tens of thousands of objects.
    assert int(counts.get("while serving", "0")) > 10_000, done.stdout
    assert "fleetwire: stopping" in done.stdout

"""``fleetwire serve`` in a real subprocess, and the pytest plugin's fixtures in a real pytest run."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import queue
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grpclib.client import Channel

from fleetwire_api.proto.rpc.v1 import AuthenticateRequest, Credentials
from fleetwire_api.services import AppServiceAsyncClient, AuthServiceAsyncClient

DEADLINE_S = 60.0


class Served:
    """A running ``fleetwire serve`` whose output is read line by line on a thread."""

    def __init__(self, args: list[str]) -> None:
        command = [sys.executable, "-m", "fleetwire.cli", "serve", *args]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, marker: str) -> str:
        """Block until a line containing ``marker`` is printed (or fail on exit / deadline)."""
        while True:
            line = self.lines.get(timeout=DEADLINE_S)
            if line is None:
                raise AssertionError(f"server exited before printing {marker!r}:\n{''.join(self.seen)}")
            self.seen.append(line)
            if marker in line:
                return line

    def rest(self) -> str:
        """Everything printed until the process closed its output."""
        while (line := self.lines.get(timeout=DEADLINE_S)) is not None:
            self.seen.append(line)
        return "".join(self.seen)


@contextmanager
def serve(*args: str) -> Iterator[Served]:
    served = Served(list(args))
    try:
        yield served
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=DEADLINE_S)


def value_after(text: str, label: str) -> str:
    line = next(line for line in text.splitlines() if line.strip().startswith(label))
    return line.split(":", 1)[1].split()[0]


async def organization_ids(url: str, key_id: str, key: str) -> list[str]:
    host, _, port = url.rpartition(":")
    channel = Channel(host, int(port))
    try:
        auth = AuthServiceAsyncClient(channel)
        token = await auth.authenticate(
            request=AuthenticateRequest(entity=key_id, credentials=Credentials(type="api-key", payload=key))
        )
        client = AppServiceAsyncClient(channel, metadata={"authorization": f"Bearer {token.access_token}"})
        return [org.id for org in (await client.list_organizations()).organizations]
    finally:
        channel.close()


def test_serve_prints_credentials_once_writes_them_0600_and_stops_on_sigint(tmp_path: Path) -> None:
    db, creds = tmp_path / "fleet.db", tmp_path / "creds.json"
    with serve("--db", str(db), "--port", "0", "--credentials", str(creds)) as first:
        first.wait_for("Press Ctrl-C")
        printed = "".join(first.seen)
        assert stat.S_IMODE(creds.stat().st_mode) == 0o600
        data = json.loads(creds.read_text())
        assert set(data) == {"url", "api_key_id", "api_key"}
        assert f"listening on {data['url']}" in printed
        assert value_after(printed, "API key id") == data["api_key_id"]
        assert printed.count(data["api_key"]) == 1  # shown exactly once
        org_id = value_after(printed, "organization id")
        assert asyncio.run(organization_ids(data["url"], data["api_key_id"], data["api_key"])) == [org_id]
        first.process.send_signal(signal.SIGINT)
        assert first.process.wait(timeout=DEADLINE_S) == 0
        assert "stopping" in first.rest()
        assert "Traceback" not in "".join(first.seen)

    # Restarting on the same database keeps the organization; the new key and the old one both work.
    with serve("--db", str(db), "--port", "0", "--credentials", str(creds)) as second:
        second.wait_for("Press Ctrl-C")
        again = json.loads(creds.read_text())
        assert again["api_key_id"] != data["api_key_id"]
        assert asyncio.run(organization_ids(again["url"], again["api_key_id"], again["api_key"])) == [org_id]
        assert asyncio.run(organization_ids(again["url"], data["api_key_id"], data["api_key"])) == [org_id]
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(timeout=DEADLINE_S) == 0


def test_serve_on_an_existing_database_without_credentials_prints_no_key(tmp_path: Path) -> None:
    db = tmp_path / "fleet.db"
    with serve("--db", str(db), "--port", "0") as first:
        first.wait_for("Press Ctrl-C")
        assert "API key:" in "".join(first.seen)
        first.process.send_signal(signal.SIGINT)
        assert first.process.wait(timeout=DEADLINE_S) == 0
    with serve("--db", str(db), "--port", "0") as second:
        second.wait_for("Press Ctrl-C")
        assert "API keys:        unchanged" in "".join(second.seen)
        second.process.send_signal(signal.SIGINT)
        assert second.process.wait(timeout=DEADLINE_S) == 0


def test_serve_reports_a_busy_port_and_a_bad_email_without_a_traceback(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        with serve("--db", ":memory:", "--port", str(port)) as served:
            assert served.process.wait(timeout=DEADLINE_S) == 1
            output = served.rest()
            assert "fleetwire serve:" in output and "Traceback" not in output
    with serve("--db", str(tmp_path / "x.db"), "--port", "0", "--email", "not an email") as served:
        assert served.process.wait(timeout=DEADLINE_S) == 2
        assert "--email" in served.rest()


def test_pytest_plugin_fixtures(tmp_path: Path) -> None:
    (tmp_path / "test_user_script.py").write_text(
        textwrap.dedent(
            """
            import json, uuid
            import pytest

            @pytest.fixture
            def anyio_backend():
                return "asyncio"

            def test_fresh_fleet_per_test(local_fleet, local_fleet_credentials):
                assert local_fleet_credentials == {
                    "url": local_fleet.address, "api_key_id": local_fleet.api_key_id, "api_key": local_fleet.api_key,
                }
                uuid.UUID(local_fleet.organization_id); uuid.UUID(local_fleet.location_id)
                assert local_fleet.address == f"127.0.0.1:{local_fleet.port}"
                assert local_fleet.api_key not in repr(local_fleet)

            def test_blocking_client(local_app_client, local_fleet):
                org = local_app_client.get_organization(local_fleet.organization_id)
                assert org.id == local_fleet.organization_id

            @pytest.mark.anyio
            async def test_async_client(local_async_app_client, local_fleet):
                org = await local_async_app_client.get_organization(local_fleet.organization_id)
                assert org.id == local_fleet.organization_id

            def test_machine_part(local_machine_part, local_app_client):
                from fleetwire.machine import log_entry

                local_machine_part.log([log_entry("error", "motor stalled")])
                entries = local_app_client.get_robot_part_logs(local_machine_part.part_id)
                assert [entry.message for entry in entries] == ["motor stalled"]
            """
        )
    )
    registered = any(ep.value == "fleetwire.pytest_plugin" for ep in importlib.metadata.entry_points(group="pytest11"))
    plugin = [] if registered else ["-p", "fleetwire.pytest_plugin"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *plugin, "-q", "-rs", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S * 2,
        env=env,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "4 passed" in output, output

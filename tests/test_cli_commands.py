"""Every everyday ``fleetwire`` command against a real local fleet (in-process, real gRPC over loopback, SQLite).

Each command runs through ``fleetwire.cli.main([...])`` with its output captured; both the table and the ``--json``
output are checked against what the server holds.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _cli import Result, assert_one_line_error, run_main

from fleetwire import AppClient, UnauthenticatedError
from fleetwire._cli.background import BackgroundFleet
from fleetwire.machine import MachinePartClient, log_entry

CONFIG = {"components": [{"name": "arm", "api": "rdk:component:arm", "model": "rdk:builtin:fake", "attributes": {}}]}
FRAGMENT_CONFIG = {"services": [{"name": "nav", "api": "rdk:service:navigation"}]}
LOG_COUNT = 30


@dataclass
class Seeded:
    """The fleet the commands read, and the ids the tests look for."""

    bg: BackgroundFleet
    org_id: str
    location_id: str
    robot_ids: list[str]
    part_id: str
    part_secret: str
    private_fragment_id: str
    public_fragment_id: str

    @property
    def connection(self) -> list[str]:
        fleet = self.bg.fleet
        return ["--url", fleet.address, "--api-key-id", fleet.api_key_id, "--api-key", fleet.api_key]


@pytest.fixture(scope="module")
def seeded() -> Iterator[Seeded]:
    with BackgroundFleet() as bg:
        fleet = bg.fleet
        with AppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id) as client:
            org_id = fleet.organization_id
            location = client.create_location(org_id, "Test yard")
            robot_ids = [client.new_robot(name, location.id) for name in ("alpha", "bravo")]
            part = client.get_robot_parts(robot_ids[0])[0]
            client.update_robot_part(part.id, part.name, robot_config=CONFIG)
            private = client.create_fragment(org_id, "private-frag", config=FRAGMENT_CONFIG)
            public = client.create_fragment(org_id, "public-frag", config={})
            client.update_fragment(public.id, "public-frag", config={}, public=True)
        with MachinePartClient.connect(fleet.address, part_id=part.id, secret=part.secret) as machine:
            levels = ("info", "warn", "error")
            machine.log([log_entry(levels[n % 3], f"entry {n:02d}", logger="rdk.test") for n in range(LOG_COUNT)])
        yield Seeded(bg, org_id, location.id, robot_ids, part.id, part.secret, private.id, public.id)


@pytest.fixture
def cli(seeded: Seeded, capsys: pytest.CaptureFixture[str]):
    def run(*argv: str, connect: bool = True) -> Result:
        return run_main(capsys, [*argv, *(seeded.connection if connect else [])])

    return run


def header(result: Result) -> list[str]:
    return result.lines()[0].split()


# --- listings -------------------------------------------------------------------------------------------------------


def test_organizations_table_and_json(cli, seeded: Seeded) -> None:
    table = cli("organizations", "list")
    assert table.code == 0
    assert header(table)[:2] == ["ID", "NAME"]
    assert seeded.org_id in table.out and "My Organization" in table.out
    document = cli("organizations", "list", "--json").json()
    assert [org["id"] for org in document] == [seeded.org_id]


def test_locations_table_and_json(cli, seeded: Seeded) -> None:
    table = cli("locations", "list")
    assert table.code == 0
    assert "ORGANIZATION" in header(table)
    assert "Test yard" in table.out
    rows = cli("locations", "list", "--json", "--org-id", seeded.org_id).json()
    assert isinstance(rows, list)
    yard = next(row for row in rows if row["id"] == seeded.location_id)
    assert yard["name"] == "Test yard" and yard["organization_id"] == seeded.org_id and yard["robot_count"] == 2


def test_columns_are_aligned(cli) -> None:
    lines = cli("machines", "list").lines()
    starts = {line.index(line.split()[1]) for line in lines[1:]}
    assert len(starts) == 1 and lines[0].index("NAME") in starts  # every NAME cell starts under its header


def test_machines_all_and_by_location(cli, seeded: Seeded) -> None:
    table = cli("machines", "list")
    assert table.code == 0
    assert {"alpha", "bravo"} <= {line.split()[1] for line in table.lines()[1:]}
    rows = cli("machines", "list", "--location-id", seeded.location_id, "--json").json()
    assert sorted(row["id"] for row in rows) == sorted(seeded.robot_ids)
    assert {row["location_id"] for row in rows} == {seeded.location_id}


def test_empty_listing_says_so(cli, seeded: Seeded) -> None:
    assert cli("machines", "list", "--location-id", seeded.bg.fleet.location_id).out == "(no machines)\n"
    assert cli("machines", "list", "--location-id", seeded.bg.fleet.location_id, "--json").json() == []


def test_parts_list_never_shows_secrets(cli, seeded: Seeded) -> None:
    table = cli("parts", "list", seeded.robot_ids[0])
    assert table.code == 0
    assert header(table)[:3] == ["ID", "NAME", "MACHINE"]
    assert "alpha-main" in table.out
    document = cli("parts", "list", seeded.robot_ids[0], "--json")
    [row] = document.json()
    assert row["id"] == seeded.part_id and row["main_part"] is True
    assert seeded.part_secret not in table.out + document.out


def test_parts_show(cli, seeded: Seeded) -> None:
    table = cli("parts", "show", seeded.part_id)
    assert table.code == 0
    assert header(table) == ["FIELD", "VALUE"]
    assert "CONFIG" in table.lines()
    assert json.loads(table.out.split("CONFIG\n", 1)[1]) == CONFIG
    document = cli("parts", "show", seeded.part_id, "--json")
    row = document.json()
    assert isinstance(row, dict)
    assert row["robot_config"] == CONFIG and row["robot_id"] == seeded.robot_ids[0]
    assert seeded.part_secret not in table.out + document.out


def test_parts_export(cli, seeded: Seeded, tmp_path: Path) -> None:
    dest = tmp_path / "part.json"
    result = cli("parts", "export", seeded.part_id, str(dest), "--indent", "2")
    assert result.code == 0 and str(dest) in result.out
    assert json.loads(dest.read_text()) == CONFIG
    assert dest.read_text().endswith("}\n")  # a text file: its last line ends
    again = cli("parts", "export", seeded.part_id, str(dest), "--json").json()
    assert again == {"part_id": seeded.part_id, "file": str(dest)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part.json"]  # no temporary file left beside it


# --- logs -----------------------------------------------------------------------------------------------------------


def test_logs_oldest_first_with_limit(cli, seeded: Seeded) -> None:
    result = cli("logs", seeded.part_id, "--limit", "5")
    assert result.code == 0
    messages = [line.split("rdk.test")[1].strip() for line in result.lines()]
    assert messages == [f"entry {n:02d}" for n in range(LOG_COUNT - 5, LOG_COUNT)]


def test_logs_json_lines(cli, seeded: Seeded) -> None:
    result = cli("logs", seeded.part_id, "--limit", "0", "--json")
    records = [json.loads(line) for line in result.lines()]
    assert len(records) == LOG_COUNT
    assert records[0]["message"] == "entry 00" and records[-1]["message"] == "entry 29"
    assert {"time", "level", "logger_name", "message"} <= set(records[0])


def test_logs_levels_and_filter(cli, seeded: Seeded) -> None:
    errors = [json.loads(line) for line in cli("logs", seeded.part_id, "--levels", "ERROR", "--json").lines()]
    assert len(errors) == LOG_COUNT // 3 and {r["level"] for r in errors} == {"error"}
    two = cli("logs", seeded.part_id, "--levels", "warn,error", "--limit", "0").lines()
    assert len(two) == 2 * LOG_COUNT // 3
    filtered = cli("logs", seeded.part_id, "--filter", "entry 1", "--limit", "0").lines()
    assert len(filtered) == 10 and all("entry 1" in line for line in filtered)


def test_logs_since(cli, seeded: Seeded) -> None:
    assert len(cli("logs", seeded.part_id, "--since", "1h", "--limit", "0").lines()) == LOG_COUNT
    assert cli("logs", seeded.part_id, "--since", "2999-01-01T00:00:00Z").out == ""


def test_logs_export_to_file(cli, seeded: Seeded, tmp_path: Path) -> None:
    jsonl = tmp_path / "logs.jsonl"
    result = cli("logs", seeded.part_id, "--limit", "0", "--output", str(jsonl))
    assert result.code == 0 and result.out == "" and f"wrote {LOG_COUNT} log entries" in result.err
    assert [json.loads(line)["message"] for line in jsonl.read_text().splitlines()][-1] == "entry 29"
    text = tmp_path / "logs.txt"
    cli("logs", seeded.part_id, "--limit", "3", "-o", str(text))
    lines = text.read_text().splitlines()
    assert len(lines) == 3 and lines[-1].endswith("entry 29") and "\tERROR\t" in lines[-1]


# --- fragments ------------------------------------------------------------------------------------------------------


def test_fragments_list_both_visibilities(cli, seeded: Seeded) -> None:
    table = cli("fragments", "list")
    assert table.code == 0
    assert header(table)[:3] == ["ID", "NAME", "VISIBILITY"]
    assert "private-frag" in table.out and "public-frag" in table.out
    rows = cli("fragments", "list", "--json").json()
    assert {row["id"]: row["visibility"] for row in rows} == {
        seeded.private_fragment_id: "private",
        seeded.public_fragment_id: "public",
    }
    public = cli("fragments", "list", "--public", "--json").json()
    assert [row["id"] for row in public] == [seeded.public_fragment_id]


def test_fragments_export(cli, seeded: Seeded, tmp_path: Path) -> None:
    dest = tmp_path / "fragment.json"
    result = cli("fragments", "export", seeded.private_fragment_id, str(dest))
    assert result.code == 0 and "private-frag" in result.out
    assert json.loads(dest.read_text()) == FRAGMENT_CONFIG
    assert dest.read_text().endswith("}\n")


# --- API keys -------------------------------------------------------------------------------------------------------


def test_keys_create_list_rotate_delete(cli, seeded: Seeded) -> None:
    fleet = seeded.bg.fleet
    created = cli("keys", "create", "--role", "operator", "--resource-type", "location",
                  "--resource-id", seeded.location_id, "--name", "ci-key", "--json").json()  # fmt: skip
    assert isinstance(created, dict)
    key_id, key = created["id"], created["key"]
    with AppClient.connect(fleet.address, api_key=key, api_key_id=key_id) as as_key:
        assert {r.id for r in as_key.list_robots(seeded.location_id)} == set(seeded.robot_ids)

    table = cli("keys", "list")
    assert "ci-key" in table.out and "location_operator" in table.out and key not in table.out
    rows = cli("keys", "list", "--json").json()
    assert any(row["id"] == key_id and row["authorizations"][0]["resource_id"] == seeded.location_id for row in rows)

    rotated = cli("keys", "rotate", key_id)
    assert rotated.code == 0 and "not shown again" in rotated.out
    new_id = rotated.out.split()[rotated.out.split().index("key") + 1]
    new_key = next(line.split(": ", 1)[1] for line in rotated.lines() if line.startswith("key: "))
    with pytest.raises(UnauthenticatedError):
        AppClient.connect(fleet.address, api_key=key, api_key_id=key_id)
    AppClient.connect(fleet.address, api_key=new_key, api_key_id=new_id).close()

    deleted = cli("keys", "delete", new_id)
    assert deleted.code == 0 and new_id in deleted.out
    assert new_id not in cli("keys", "list").out
    with pytest.raises(UnauthenticatedError):
        AppClient.connect(fleet.address, api_key=new_key, api_key_id=new_id)


def test_keys_create_table_prints_key_once(cli) -> None:
    result = cli("keys", "create", "--role", "owner")
    assert result.code == 0
    assert result.lines()[0].startswith("created API key ") and result.lines()[1].startswith("key: ")


# --- where credentials come from ------------------------------------------------------------------------------------


def test_credentials_from_environment(cli, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIAM_API_KEY", seeded.bg.fleet.api_key)
    monkeypatch.setenv("VIAM_API_KEY_ID", seeded.bg.fleet.api_key_id)
    result = cli("organizations", "list", "--json", "--url", seeded.bg.fleet.address, connect=False)
    assert result.code == 0 and result.json()[0]["id"] == seeded.org_id  # type: ignore[index]


def test_credentials_file(cli, seeded: Seeded, tmp_path: Path) -> None:
    path = tmp_path / "creds.json"
    path.write_text(json.dumps(seeded.bg.fleet.credentials()))
    result = cli("machines", "list", "--credentials", str(path), connect=False)
    assert result.code == 0 and "alpha" in result.out


def test_flags_override_credentials_file(cli, seeded: Seeded, tmp_path: Path) -> None:
    path = tmp_path / "creds.json"
    path.write_text(json.dumps({**seeded.bg.fleet.credentials(), "api_key": "wrong-key-0123456789"}))
    bad = cli("organizations", "list", "--credentials", str(path), connect=False)
    assert_one_line_error(bad, "bad credentials")
    good = cli("organizations", "list", "--credentials", str(path), "--api-key", seeded.bg.fleet.api_key, connect=False)
    assert good.code == 0


def test_a_dash_led_key_parses_with_an_equals_sign(cli, seeded: Seeded) -> None:
    fleet = seeded.bg.fleet
    argv = ["--url", fleet.address, "--api-key-id", fleet.api_key_id, "--api-key=-not-the-key"]
    assert_one_line_error(cli("organizations", "list", *argv, connect=False), "bad credentials")


def test_no_credentials(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIAM_API_KEY", raising=False)
    monkeypatch.delenv("VIAM_API_KEY_ID", raising=False)
    assert_one_line_error(cli("organizations", "list", connect=False), "no credentials", "--credentials")


def test_unreadable_credentials_file(cli, tmp_path: Path) -> None:
    assert_one_line_error(
        cli("organizations", "list", "--credentials", str(tmp_path / "missing.json"), connect=False),
        "cannot read credentials file",
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert_one_line_error(cli("organizations", "list", "--credentials", str(broken), connect=False), "not valid JSON")


# --- bad input ------------------------------------------------------------------------------------------------------

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    "argv",
    [
        ("parts", "list", UNKNOWN),
        ("parts", "show", UNKNOWN),
        ("logs", UNKNOWN),
        ("logs", UNKNOWN, "--follow"),
        ("fragments", "export", UNKNOWN, "unused.json"),
        ("keys", "rotate", UNKNOWN),
        ("keys", "delete", UNKNOWN),
        ("locations", "list", "--org-id", UNKNOWN),
    ],
)
def test_unknown_ids(cli, argv: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*argv)
    assert_one_line_error(result)
    assert "not found" in result.err or "permission denied" in result.err
    assert list(tmp_path.iterdir()) == []


def test_unknown_part_export_keeps_existing_file(cli, tmp_path: Path) -> None:
    dest = tmp_path / "config.json"
    dest.write_text('{"earlier": true}')
    assert_one_line_error(cli("parts", "export", UNKNOWN, str(dest)), "not found")
    assert dest.read_text() == '{"earlier": true}'
    assert list(tmp_path.iterdir()) == [dest]


def test_malformed_id(cli) -> None:
    assert_one_line_error(cli("parts", "show", "not-an-id"), "invalid argument")


def test_wrong_credentials(cli, seeded: Seeded) -> None:
    result = cli("machines", "list", "--url", seeded.bg.fleet.address, "--api-key-id", seeded.bg.fleet.api_key_id,
                 "--api-key", "not-the-key-0123456789", connect=False)  # fmt: skip
    assert_one_line_error(result, "bad credentials")


def test_unreachable_server(cli) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    result = cli("organizations", "list", "--url", f"127.0.0.1:{port}", "--api-key-id", "a", "--api-key", "b",
                 connect=False)  # fmt: skip
    assert_one_line_error(result, "server unreachable")


@pytest.mark.parametrize("command", ["parts", "fragments", "logs"])
def test_unwritable_export_path(cli, seeded: Seeded, tmp_path: Path, command: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    dest = blocker / "out.json"  # its parent is a file: cannot be created
    argv = {
        "parts": ("parts", "export", seeded.part_id, str(dest)),
        "fragments": ("fragments", "export", seeded.private_fragment_id, str(dest)),
        "logs": ("logs", seeded.part_id, "--output", str(dest)),
    }[command]
    assert_one_line_error(cli(*argv), "cannot write", str(dest))
    assert list(tmp_path.iterdir()) == [blocker] and blocker.read_text() == ""


def test_missing_export_directory(cli, seeded: Seeded, tmp_path: Path) -> None:
    dest = tmp_path / "no" / "such" / "dir" / "part.json"
    assert_one_line_error(cli("parts", "export", seeded.part_id, str(dest)), "cannot write", "No such file")
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_traceback(cli, capsys: pytest.CaptureFixture[str]) -> None:
    result = cli("parts", "show", UNKNOWN, "--debug")
    assert result.code == 1
    assert "Traceback" in result.err and result.err.strip().splitlines()[-1].startswith("fleetwire: not found")


def test_usage_errors_exit_2(cli) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli("logs", UNKNOWN, "--limit", "-1")
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        cli("keys", "create")  # --role is required

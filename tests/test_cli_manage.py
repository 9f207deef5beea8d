"""The ``fleetwire`` commands that change the fleet, against one real local fleet (loopback gRPC, SQLite) per module.

Every command runs through ``fleetwire.cli.main([...])``; each test makes the locations, machines and parts it
changes, so the tests share the server but not their state. What each command did is checked through a separate
client, not through the command's own output.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli import Result, Terminal, assert_one_line_error, run_main
from grpclib.events import SendMessage, listen

from fleetwire import AppClient, NotFoundError
from fleetwire._cli import fragments as fragments_cli
from fleetwire._cli.background import BackgroundFleet
from fleetwire.machine import MachinePartClient, log_entry
from fleetwire.models import APIKeyAuthorization
from fleetwire_api.viam.app import v1 as app_pb


@pytest.fixture(scope="module")
def bg() -> Iterator[BackgroundFleet]:
    with BackgroundFleet() as running:
        yield running


@pytest.fixture(scope="module")
def client(bg: BackgroundFleet) -> Iterator[AppClient]:
    """The owner, connected: the independent view of what the commands did."""
    fleet = bg.fleet
    with AppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id) as connected:
        yield connected


@pytest.fixture
def cli(bg: BackgroundFleet, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    fleet = bg.fleet
    connection = ["--url", fleet.address, "--api-key-id", fleet.api_key_id, "--api-key", fleet.api_key]

    def run(*argv: str, stdin: io.StringIO | None = None) -> Result:
        # Without a terminal unless a test gives one: what a script or CI sees.
        monkeypatch.setattr("sys.stdin", stdin if stdin is not None else io.StringIO(""))
        return run_main(capsys, [*argv, *connection])

    return run


def new_machine(client: AppClient, bg: BackgroundFleet, name: str, *extra_parts: str) -> tuple[str, list[str]]:
    """Create a machine in the default location, with extra parts; return its id and its part ids (main first)."""
    robot_id = client.new_robot(name, bg.fleet.location_id)
    [main] = client.get_robot_parts(robot_id)
    return robot_id, [main.id, *(client.new_robot_part(robot_id, part) for part in extra_parts)]


def as_dict(result: Result) -> dict[str, object]:
    assert result.code == 0, result
    document = result.json()
    assert isinstance(document, dict)
    return document


# --- locations ------------------------------------------------------------------------------------------------------


def test_location_create_rename_delete(cli, client: AppClient, bg: BackgroundFleet) -> None:
    org_id = bg.fleet.organization_id
    created = as_dict(cli("locations", "create", "Depot", "--json"))
    location_id = str(created["id"])
    assert created["name"] == "Depot" and created["organization_id"] == org_id
    assert client.get_location(location_id).name == "Depot"

    renamed = cli("locations", "rename", location_id, "North depot")
    assert renamed.code == 0 and renamed.out == f"renamed location {location_id}: Depot -> North depot\n"
    assert client.get_location(location_id).name == "North depot"

    child = as_dict(cli("locations", "create", "Bay 1", "--parent-location-id", location_id, "--json"))
    assert client.get_location(str(child["id"])).parent_location_id == location_id
    refused = cli("locations", "delete", location_id, "--yes")
    assert_one_line_error(refused, "not empty", f"sub-location Bay 1 ({child['id']})")
    assert client.get_location(location_id).name == "North depot"

    assert cli("locations", "delete", str(child["id"]), "--yes").code == 0
    deleted = as_dict(cli("locations", "delete", location_id, "--yes", "--json"))
    assert deleted == {"id": location_id, "deleted": True}
    assert location_id not in {location.id for location in client.list_locations(org_id)}


def test_location_with_machines_is_not_deleted(cli, client: AppClient) -> None:
    location = client.create_location(client.list_organizations()[0].id, "Busy yard")
    robot_id = client.new_robot("resident", location.id)
    assert_one_line_error(cli("locations", "delete", location.id, "--yes"), f"machine resident ({robot_id})")
    assert [robot.id for robot in client.list_robots(location.id)] == [robot_id]


# --- machines -------------------------------------------------------------------------------------------------------


def test_machine_create_rename(cli, client: AppClient, bg: BackgroundFleet) -> None:
    created = as_dict(cli("machines", "create", "rover", "--location-id", bg.fleet.location_id, "--json"))
    robot_id = str(created["id"])
    [main] = client.get_robot_parts(robot_id)
    assert created["main_part_id"] == main.id and main.main_part and created["location_id"] == bg.fleet.location_id

    table = cli("machines", "rename", robot_id, "rover-2")
    assert table.code == 0 and table.out == f"renamed machine {robot_id}: rover -> rover-2\n"
    robot = client.get_robot(robot_id)
    assert robot.name == "rover-2" and robot.location == bg.fleet.location_id


def test_machine_create_needs_a_location(cli) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli("machines", "create", "nowhere")
    assert exit_info.value.code == 2


def test_machine_status_before_and_after_it_is_seen(cli, client: AppClient, bg: BackgroundFleet) -> None:
    robot_id, [main_id, arm_id] = new_machine(client, bg, "watched", "arm")
    before = as_dict(cli("machines", "status", robot_id, "--json"))
    assert before["online_state"] == "awaiting setup" and before["last_access"] is None
    assert before["seconds_since_online"] is None
    assert {part["id"]: part["online_state"] for part in before["parts"]} == {  # type: ignore[union-attr]
        main_id: "awaiting setup",
        arm_id: "awaiting setup",
    }

    secret = client.get_robot_part(main_id).secret
    with MachinePartClient.connect(bg.fleet.address, part_id=main_id, secret=secret) as machine:
        machine.log([log_entry("info", "up")])  # a RobotService call: the part is seen now
    after = as_dict(cli("machines", "status", robot_id, "--json"))
    assert after["online_state"] == "online" and after["last_access"] is not None
    assert isinstance(after["seconds_since_online"], int) and 0 <= after["seconds_since_online"] < 60
    parts = {part["id"]: part for part in after["parts"]}  # type: ignore[union-attr]
    assert parts[main_id]["online_state"] == "online" and parts[main_id]["main_part"] is True
    assert parts[arm_id]["online_state"] == "awaiting setup" and parts[arm_id]["last_access"] is None

    table = cli("machines", "status", robot_id)
    assert table.code == 0
    fields = [line.split() for line in table.lines()[: table.lines().index("PARTS")]]
    assert ["ID", robot_id] in fields and ["NAME", "watched"] in fields and ["ONLINE", "STATE", "online"] in fields
    assert ["LOCATION", "ID", bg.fleet.location_id] in fields
    assert any(line.startswith(arm_id) and "awaiting setup" in line for line in table.lines())
    assert secret not in table.out


def test_machine_delete_takes_its_main_part(cli, client: AppClient, bg: BackgroundFleet) -> None:
    robot_id, [main_id] = new_machine(client, bg, "short-lived")
    deleted = as_dict(cli("machines", "delete", robot_id, "--yes", "--json"))
    assert deleted == {"id": robot_id, "deleted": True, "deleted_parts": [main_id]}
    with pytest.raises(NotFoundError):
        client.get_robot(robot_id)


def test_machine_with_several_parts_needs_with_parts(cli, client: AppClient, bg: BackgroundFleet) -> None:
    robot_id, [main_id, arm_id, cam_id] = new_machine(client, bg, "busy", "arm", "cam")
    refused = cli("machines", "delete", robot_id, "--yes")
    assert_one_line_error(refused, "has 3 parts", f"part arm ({arm_id})", f"part cam ({cam_id})", "--with-parts")
    assert {part.id for part in client.get_robot_parts(robot_id)} == {main_id, arm_id, cam_id}

    deleted = cli("machines", "delete", robot_id, "--with-parts", "--yes")
    assert deleted.code == 0 and deleted.out == f"deleted machine busy ({robot_id}) and 3 parts\n"
    with pytest.raises(NotFoundError):
        client.get_robot_part(arm_id)


# --- the confirmation before a delete -------------------------------------------------------------------------------


def test_delete_asks_and_yes_deletes(cli, client: AppClient, bg: BackgroundFleet) -> None:
    robot_id, _ = new_machine(client, bg, "asked-yes")
    terminal = Terminal("y\n")
    result = cli("machines", "delete", robot_id, stdin=terminal)
    assert result.code == 0 and terminal.asked == 1
    assert result.err == f"Delete machine asked-yes ({robot_id}) with its 1 part (asked-yes-main)? [y/N] "
    with pytest.raises(NotFoundError):
        client.get_robot(robot_id)


@pytest.mark.parametrize("answer", ["n\n", "\n", "maybe\n", ""], ids=["no", "enter", "other", "end-of-input"])
def test_delete_asks_and_anything_but_yes_keeps(cli, client: AppClient, bg: BackgroundFleet, answer: str) -> None:
    name = f"asked-no-{len(answer)}-{answer.strip()}"
    robot_id, _ = new_machine(client, bg, name)
    result = cli("machines", "delete", robot_id, "--json", stdin=Terminal(answer))
    assert result.code == 1 and result.out == ""
    assert result.err.startswith(f"Delete machine {name} ") and "Traceback" not in result.err
    # The terminal echoes the answer, so stderr holds the question, then the reason (after a newline at end of input).
    assert result.err.endswith(f"? [y/N] {'' if answer else chr(10)}fleetwire: cancelled: nothing was changed\n")
    assert client.get_robot(robot_id).name == name


def test_delete_refuses_what_was_added_while_asking(cli, client: AppClient, bg: BackgroundFleet) -> None:
    robot_id, [main_id] = new_machine(client, bg, "grown")
    added: list[str] = []
    result = cli(
        "machines",
        "delete",
        robot_id,
        stdin=Terminal("y\n", lambda: added.append(client.new_robot_part(robot_id, "late"))),
    )
    assert result.code == 1 and result.err.endswith(
        "fleetwire: the parts of machine grown ("
        + robot_id
        + ") changed; nothing was deleted (run the command again)\n"
    )
    assert {part.id for part in client.get_robot_parts(robot_id)} == {main_id, *added}

    location = client.create_location(bg.fleet.organization_id, "Filled meanwhile")
    result = cli(
        "locations", "delete", location.id, stdin=Terminal("y\n", lambda: client.new_robot("squatter", location.id))
    )
    assert result.code == 1 and "is no longer empty; nothing was deleted" in result.err
    assert client.get_location(location.id).name == "Filled meanwhile"


@pytest.mark.parametrize("kind", ["location", "machine", "part"])
def test_delete_without_a_terminal_needs_yes(cli, client: AppClient, bg: BackgroundFleet, kind: str) -> None:
    robot_id, [_, part_id] = new_machine(client, bg, f"kept-{kind}", "spare")
    location = client.create_location(bg.fleet.organization_id, f"Empty {kind}")
    target = {"location": location.id, "machine": robot_id, "part": part_id}[kind]
    piped = io.StringIO("y\n")  # an answer on a pipe is not a person's answer
    result = cli(f"{kind}s", "delete", target, *(["--with-parts"] if kind == "machine" else []), stdin=piped)
    assert_one_line_error(result, "not confirmed", "--yes", "stdin is not a terminal", "nothing was changed", code=2)
    assert piped.read() == "y\n"  # never read
    assert client.get_location(location.id).name == f"Empty {kind}"
    assert {part.id for part in client.get_robot_parts(robot_id)} >= {part_id}


# --- parts ----------------------------------------------------------------------------------------------------------


def test_part_create_rename_restart_delete(cli, client: AppClient, bg: BackgroundFleet) -> None:
    robot_id, [main_id] = new_machine(client, bg, "assembled")
    created = as_dict(cli("parts", "create", robot_id, "gripper", "--json"))
    part_id = str(created["id"])
    assert created["robot_id"] == robot_id and created["main_part"] is False
    client.update_robot_part(part_id, "gripper", robot_config={"components": []})

    renamed = cli("parts", "rename", part_id, "gripper-2")
    assert renamed.code == 0 and renamed.out == f"renamed part {part_id}: gripper -> gripper-2\n"
    part = client.get_robot_part(part_id)
    assert part.name == "gripper-2" and part.robot_config == {"components": []}  # the config stayed

    with MachinePartClient.connect(bg.fleet.address, part_id=part_id, secret=part.secret) as machine:
        assert machine.needs_restart() is False
        restarted = cli("parts", "restart", part_id, "--json")
        assert as_dict(restarted) == {"id": part_id, "marked_for_restart": True}
        assert machine.needs_restart() is True

    assert as_dict(cli("parts", "delete", part_id, "--yes", "--json")) == {"id": part_id, "deleted": True}
    assert [p.id for p in client.get_robot_parts(robot_id)] == [main_id]


def test_main_part_is_not_deleted(cli, client: AppClient, bg: BackgroundFleet) -> None:
    robot_id, [main_id] = new_machine(client, bg, "single")
    assert_one_line_error(cli("parts", "delete", main_id, "--yes"), "main part", "machines delete")
    assert [p.id for p in client.get_robot_parts(robot_id)] == [main_id]


UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    "argv",
    [
        ("locations", "rename", UNKNOWN, "x"),
        ("locations", "delete", UNKNOWN, "--yes"),
        ("machines", "status", UNKNOWN),
        ("machines", "rename", UNKNOWN, "x"),
        ("machines", "delete", UNKNOWN, "--yes"),
        ("parts", "create", UNKNOWN, "x"),
        ("parts", "rename", UNKNOWN, "x"),
        ("parts", "delete", UNKNOWN, "--yes"),
        ("parts", "restart", UNKNOWN),
        ("fragments", "show", UNKNOWN),
        ("fragments", "update", UNKNOWN, "--name", "x"),
    ],
)
def test_unknown_ids(cli, argv: tuple[str, ...]) -> None:
    result = cli(*argv)
    assert_one_line_error(result)
    assert "not found" in result.err or "permission denied" in result.err


# --- config import --------------------------------------------------------------------------------------------------

OLD = {"components": [{"name": "arm", "model": "fake", "attributes": {"speed": 1}}]}
NEW = {"components": [{"name": "arm", "model": "fake", "attributes": {"speed": 2}}]}


def part_with_config(client: AppClient, bg: BackgroundFleet, name: str) -> str:
    _, [part_id] = new_machine(client, bg, name)
    client.update_robot_part(part_id, f"{name}-main", robot_config=OLD)
    return part_id


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def test_import_dry_run_shows_the_difference_only(cli, client: AppClient, bg: BackgroundFleet, tmp_path: Path) -> None:
    part_id = part_with_config(client, bg, "dry")
    result = cli("parts", "import", part_id, str(write(tmp_path / "new.json", NEW)), "--dry-run")
    assert result.code == 0
    assert f"--- part dry-main ({part_id})" in result.lines() and f"+++ {tmp_path / 'new.json'}" in result.lines()
    changed = [line for line in result.lines() if line[:1] in "+-" and line[:3] not in ("---", "+++")]
    assert [line.replace(" ", "") for line in changed] == ['-"speed":1', '+"speed":2']
    assert result.lines()[-1] == "dry run: nothing was imported"
    assert client.get_robot_part(part_id).robot_config == OLD


def test_import_with_yes(cli, client: AppClient, bg: BackgroundFleet, tmp_path: Path) -> None:
    part_id = part_with_config(client, bg, "direct")
    result = cli("parts", "import", part_id, str(write(tmp_path / "new.json", NEW)), "--yes", "--json")
    report = as_dict(result)
    assert report["imported"] is True and report["changed"] is True and report["part_id"] == part_id
    assert any(line.replace(" ", "") == '+"speed":2' for line in report["diff"])  # type: ignore[union-attr]
    assert client.get_robot_part(part_id).robot_config == NEW  # integers stay integers

    again = cli("parts", "import", part_id, str(tmp_path / "new.json"))
    assert again.code == 0 and again.out.startswith("no change:")


def test_import_asks_after_showing_the_difference(cli, client: AppClient, bg: BackgroundFleet, tmp_path: Path) -> None:
    part_id = part_with_config(client, bg, "asked")
    declined = cli("parts", "import", part_id, str(write(tmp_path / "new.json", NEW)), stdin=Terminal("no\n"))
    assert declined.code == 1 and "+" in declined.out and "Replace the config of part asked-main" in declined.err
    assert client.get_robot_part(part_id).robot_config == OLD
    accepted = cli("parts", "import", part_id, str(tmp_path / "new.json"), stdin=Terminal("yes\n"))
    assert (
        accepted.code == 0
        and accepted.lines()[-1] == f"imported {tmp_path / 'new.json'} into part asked-main ({part_id})"
    )
    assert client.get_robot_part(part_id).robot_config == NEW
    piped = cli("parts", "import", part_id, str(write(tmp_path / "old.json", OLD)))
    assert piped.code == 2 and "--yes" in piped.err
    assert client.get_robot_part(part_id).robot_config == NEW


def test_import_refuses_when_the_part_changed_meanwhile(
    cli, client: AppClient, bg: BackgroundFleet, tmp_path: Path
) -> None:
    part_id = part_with_config(client, bg, "raced")
    theirs = {"components": [], "services": [{"name": "theirs"}]}

    def someone_else_edits() -> None:  # between the command's read and its write
        client.update_robot_part(part_id, "raced-main", robot_config=theirs)

    result = cli(
        "parts", "import", part_id, str(write(tmp_path / "new.json", NEW)), stdin=Terminal("y\n", someone_else_edits)
    )
    assert result.code == 1
    question, reason = result.err.splitlines()[-1].split("[y/N] ")  # the terminal echoed "y" on its own line
    assert question.startswith("Replace the config of part raced-main")
    assert reason.startswith("fleetwire: conflict: part raced-main") and "nothing was changed" in reason
    assert client.get_robot_part(part_id).robot_config == theirs  # their change stands; the import changed nothing


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "cannot read"), ("{not json", "is not valid JSON"), ("[1, 2]", "must hold a JSON object")],
)
def test_import_bad_file(
    cli, client: AppClient, bg: BackgroundFleet, tmp_path: Path, content: str | None, problem: str
) -> None:
    part_id = part_with_config(client, bg, f"badfile{len(problem)}")
    path = tmp_path / "config.json"
    if content is not None:
        path.write_text(content)
    assert_one_line_error(cli("parts", "import", part_id, str(path), "--yes"), problem, str(path))
    assert client.get_robot_part(part_id).robot_config == OLD


def test_import_into_an_unknown_part(cli, tmp_path: Path) -> None:
    assert_one_line_error(cli("parts", "import", UNKNOWN, str(write(tmp_path / "new.json", NEW)), "--yes"), "not found")


# --- fragments ------------------------------------------------------------------------------------------------------


def test_fragment_create_show_update(cli, client: AppClient, tmp_path: Path) -> None:
    config = {"services": [{"name": "nav", "api": "rdk:service:navigation", "attributes": {"retries": 3}}]}
    created = as_dict(
        cli("fragments", "create", "nav-defaults", "--config", str(write(tmp_path / "f.json", config)), "--json")
    )
    fragment_id = str(created["id"])
    assert created["visibility"] == "private" and created["fragment"] == config
    assert client.get_fragment(fragment_id).fragment == config

    shown = cli("fragments", "show", fragment_id)
    assert shown.code == 0 and shown.lines()[0].split() == ["FIELD", "VALUE"]
    assert json.loads(shown.out.split("CONFIG\n", 1)[1]) == config
    assert as_dict(cli("fragments", "show", fragment_id, "--json"))["name"] == "nav-defaults"

    updated = cli("fragments", "update", fragment_id, "--name", "nav-v2", "--visibility", "public")
    assert updated.code == 0 and updated.out == f"updated fragment nav-v2 ({fragment_id}), public\n"
    fragment = client.get_fragment(fragment_id)
    assert fragment.name == "nav-v2" and fragment.visibility.value == "public" and fragment.fragment == config

    replaced = as_dict(
        cli("fragments", "update", fragment_id, "--config", str(write(tmp_path / "g.json", {})), "--json")
    )
    assert replaced["name"] == "nav-v2" and client.get_fragment(fragment_id).fragment == {}


def test_fragment_update_refuses_when_the_fragment_changed_meanwhile(
    cli, client: AppClient, bg: BackgroundFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fragment = client.create_fragment(bg.fleet.organization_id, "raced-frag", {"fps": 30})
    theirs = {"fps": 60}
    real_connect = fragments_cli.connect

    @contextlib.contextmanager
    def connect_and_race(args: argparse.Namespace) -> Iterator[AppClient]:
        # The command's own client, with a real second writer stepping in just as its update is about to be sent:
        # after the command read the fragment, before its write reaches the server.
        with real_connect(args) as command_client:

            async def someone_else_writes(event: SendMessage) -> None:
                if isinstance(event.message, app_pb.UpdateFragmentRequest):
                    client.update_fragment(fragment.id, fragment.name, fragment_config_json=json.dumps(theirs))

            listen(command_client.aio.raw.channel, SendMessage, someone_else_writes)
            yield command_client

    monkeypatch.setattr(fragments_cli, "connect", connect_and_race)
    emptied = str(write(tmp_path / "empty.json", {}))
    assert_one_line_error(
        cli("fragments", "update", fragment.id, "--config", emptied, "--name", "mine"),
        f"conflict: fragment raced-frag ({fragment.id}) was changed since it was read; nothing was changed",
    )
    stored = client.get_fragment(fragment.id)
    assert (stored.name, stored.fragment) == ("raced-frag", theirs)  # their change stands; the command's is not in
    assert [entry.old.fragment for entry in client.get_fragment_history(fragment.id)] == [{"fps": 30}]


def test_fragment_update_needs_a_change(cli) -> None:
    assert_one_line_error(cli("fragments", "update", UNKNOWN), "nothing to update", "--name", code=2)


# --- whoami ---------------------------------------------------------------------------------------------------------


def test_whoami_owner(cli, bg: BackgroundFleet) -> None:
    me = as_dict(cli("whoami", "--json"))
    fleet = bg.fleet
    assert me["api_key_id"] == fleet.api_key_id and me["url"] == fleet.address
    assert me["api_key_name"] == "fleetwire bootstrap key"
    assert me["organizations"] == [
        {
            "id": fleet.organization_id,
            "name": "My Organization",
            "roles": [f"organization_owner on organization {fleet.organization_id}"],
        }
    ]
    table = cli("whoami")
    assert table.code == 0 and fleet.api_key not in table.out and "ORGANIZATIONS" in table.lines()


def test_whoami_operator_key(bg: BackgroundFleet, client: AppClient, capsys: pytest.CaptureFixture[str]) -> None:
    fleet = bg.fleet
    auth = APIKeyAuthorization("operator", "location", fleet.location_id)
    key, key_id = client.create_key(fleet.organization_id, [auth], "ops")
    me = run_main(capsys, ["whoami", "--json", "--url", fleet.address, "--api-key-id", key_id, "--api-key", key])
    document = as_dict(me)
    assert document["api_key_id"] == key_id and key not in me.out
    assert [org["id"] for org in document["organizations"]] == [fleet.organization_id]  # type: ignore[union-attr]


# --- options and usage ----------------------------------------------------------------------------------------------


def test_timeout_before_or_after_the_command(cli, capsys: pytest.CaptureFixture[str], bg: BackgroundFleet) -> None:
    fleet = bg.fleet
    connection = ["--url", fleet.address, "--api-key-id", fleet.api_key_id, "--api-key", fleet.api_key]
    assert run_main(capsys, ["--timeout", "5", "organizations", "list", *connection]).code == 0
    assert cli("organizations", "list", "--timeout", "2.5").code == 0
    for bad in ("0", "-1", "soon", "inf"):
        with pytest.raises(SystemExit) as exit_info:
            cli("organizations", "list", "--timeout", bad)
        assert exit_info.value.code == 2
    assert "positive number of seconds" in capsys.readouterr().err


def test_keys_create_for_a_machine_needs_its_id(cli, client: AppClient, bg: BackgroundFleet) -> None:
    before = {key.api_key.id for key in client.list_keys(bg.fleet.organization_id) if key.api_key}
    for kind in ("robot", "location"):
        result = cli("keys", "create", "--role", "operator", "--resource-type", kind)
        assert_one_line_error(result, f"--resource-type {kind} needs --resource-id", code=2)
    assert {key.api_key.id for key in client.list_keys(bg.fleet.organization_id) if key.api_key} == before


def test_machines_list_scope_flags_are_alternatives(
    cli, capsys: pytest.CaptureFixture[str], bg: BackgroundFleet
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli("machines", "list", "--location-id", bg.fleet.location_id, "--org-id", bg.fleet.organization_id)
    assert exit_info.value.code == 2
    assert "--org-id: not allowed with argument --location-id" in capsys.readouterr().err


def test_bare_command_and_bare_group_print_help(capsys: pytest.CaptureFixture[str]) -> None:
    top = run_main(capsys, [])
    assert top.code == 0 and top.out.startswith("usage: fleetwire") and "whoami" in top.out and top.err == ""
    group = run_main(capsys, ["machines"])
    assert group.code == 0 and group.out.startswith("usage: fleetwire machines")
    assert all(action in group.out for action in ("list", "status", "create", "rename", "delete"))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_main(capsys, ["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"fleetwire {importlib.metadata.version('fleetwire')}\n"


@pytest.fixture(scope="module")
def logged_part(bg: BackgroundFleet, client: AppClient) -> str:
    """A part that logged one entry at each level."""
    part = client.get_robot_parts(client.new_robot("chatty", bg.fleet.location_id))[0]
    with MachinePartClient.connect(bg.fleet.address, part_id=part.id, secret=part.secret) as machine:
        machine.log([log_entry(level, f"a {level} entry") for level in ("debug", "info", "warn", "error")])
    return part.id


@pytest.mark.parametrize(
    ("spelled", "levels"),
    [
        ("warning", {"warn"}),
        ("WARN,err", {"warn", "error"}),
        ("Error", {"error"}),
        ("info,warning,warn", {"info", "warn"}),
    ],
)
def test_log_levels_common_spellings(cli, logged_part: str, spelled: str, levels: set[str]) -> None:
    result = cli("logs", logged_part, "--levels", spelled, "--json")
    assert result.code == 0
    assert sorted(json.loads(line)["level"] for line in result.lines()) == sorted(levels)


@pytest.mark.parametrize("spelled", ["bogus", "warn,bogus", ","])
def test_log_levels_unknown_are_rejected(
    cli, capsys: pytest.CaptureFixture[str], logged_part: str, spelled: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli("logs", logged_part, "--levels", spelled)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown log level" in err and "debug, info, warn, error, fatal" in err


def test_readme_example_keys_look_like_issued_keys(client: AppClient, bg: BackgroundFleet) -> None:
    issued = re.compile(r"[a-z0-9]{32}")
    key, _ = client.create_key(
        bg.fleet.organization_id, [APIKeyAuthorization("owner", "organization", bg.fleet.organization_id)], "probe"
    )
    assert issued.fullmatch(key), key  # what the server hands out
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r'(?:^key: |API key:\s+|"key": ")([^\s"]+)', readme, re.MULTILINE)
    assert len(examples) >= 3
    assert [example for example in examples if not issued.fullmatch(example)] == []

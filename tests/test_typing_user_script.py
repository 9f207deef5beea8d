"""A user's script type-checks against fleetwire as installed: mypy and pyright both see our public types, not Any.

The script lives in a temporary directory with no configuration of ours, so each checker finds `fleetwire` the way it
finds any installed distribution (the project is installed in the test environment): mypy reads it only because it
ships `py.typed`. Each check also plants one type error that only a checker seeing real types can find, so a checker
that resolved everything to Any (and so reported nothing) fails the test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """\
from typing import assert_type

from fleetwire import AppClient, AsyncAppClient, LogEntry, LogsStream, NotFoundError, RobotPart
from fleetwire_api.viam.app.v1 import Location, Robot


def blocking(client: AppClient) -> None:
    assert_type(client.get_robot("robot-id"), Robot)
    assert_type(client.list_robots(), list[Robot])
    assert_type(client.get_robot_part("part-id"), RobotPart)
    assert_type(client.get_location(), Location)
    for batch in client.tail_robot_part_logs("part-id"):
        assert_type(batch, list[LogEntry])
    reveal_type(client.get_robot("robot-id"))


async def asynchronous() -> None:
    async with await AsyncAppClient.connect(api_key="k", api_key_id="i") as client:
        assert_type(client, AsyncAppClient)
        assert_type(await client.get_robot("robot-id"), Robot)
        assert_type(client.iter_robot_part_logs("part-id"), LogsStream[LogEntry])
        try:
            await client.delete_robot("robot-id")
        except NotFoundError as error:
            assert_type(error.message, str | None)


def planted(client: AppClient) -> None:
    name: int = client.get_robot("robot-id").name  # PLANTED: a str is not an int
"""


def _planted_line() -> int:
    return next(n for n, line in enumerate(SCRIPT.splitlines(), start=1) if "# PLANTED" in line)


@pytest.fixture
def user_script(tmp_path: Path) -> Path:
    script = tmp_path / "fleet_script.py"
    script.write_text(SCRIPT)
    return script


def _run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=100)
    return result.stdout + result.stderr


def test_mypy_sees_our_types(user_script: Path) -> None:
    cache = user_script.parent / ".mypy_cache"
    output = _run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), "--no-incremental", user_script.name],
        user_script.parent,
    )
    assert "py.typed" not in output, output  # "module is installed, but missing library stubs or py.typed marker"
    assert re.search(
        r'fleet_script\.py:\d+: note: Revealed type is "fleetwire_api\.viam\.app\.v1\.[\w.]*Robot"', output
    ), output
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert len(errors) == 1, output
    assert errors[0].startswith(f"fleet_script.py:{_planted_line()}: error: Incompatible types in assignment"), output


def test_pyright_sees_our_types(user_script: Path) -> None:
    output = _run(
        [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, "--outputjson", user_script.name],
        user_script.parent,
    )
    report = json.loads(output[output.index("{") :])
    diagnostics = report["generalDiagnostics"]
    revealed = [d["message"] for d in diagnostics if d["severity"] == "information"]
    assert any(re.search(r'Type of "client\.get_robot\("robot-id"\)" is "Robot"', m) for m in revealed), diagnostics
    errors = [d for d in diagnostics if d["severity"] == "error"]
    assert [d["range"]["start"]["line"] + 1 for d in errors] == [_planted_line()], errors

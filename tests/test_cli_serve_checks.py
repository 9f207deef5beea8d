"""``fleetwire serve`` refuses what it cannot do before writing anything, in one line, without a traceback.

Each case runs the real command in a subprocess and then looks at the directory it was pointed at: a refused start
leaves no database behind (a bootstrapped database whose key was never shown would lock its user out).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

DEADLINE_S = 60.0


def fleetwire(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fleetwire.cli", *args]
    return subprocess.run(
        command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=DEADLINE_S, check=False
    )


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return fleetwire("serve", *args)


def assert_refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fleetwire serve: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_database_in_a_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    assert_refused(serve("--db", str(missing / "x.db"), "--port", "0"), "--db", f"directory {missing} does not exist")
    assert list(tmp_path.iterdir()) == []


def test_database_that_is_a_directory_or_not_a_database(tmp_path: Path) -> None:
    assert_refused(serve("--db", str(tmp_path), "--port", "0"), "is a directory")
    garbage = tmp_path / "notes.db"
    garbage.write_text("not a database\n")
    garbage.chmod(0o600)  # private, as the server wants its database: the refusal is the only line
    assert_refused(serve("--db", str(garbage), "--port", "0"), f"cannot use database {garbage}", "not a database")
    assert garbage.read_text() == "not a database\n"
    assert [path.name for path in tmp_path.iterdir()] == ["notes.db"]  # its lock file went with the refusal


def test_credentials_in_a_missing_directory_writes_no_database(tmp_path: Path) -> None:
    result = serve("--db", str(tmp_path / "fleet.db"), "--port", "0", "--credentials", str(tmp_path / "no" / "c.json"))
    assert_refused(result, "--credentials", "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_busy_port_names_the_port_and_writes_no_database(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = serve("--db", str(tmp_path / "fleet.db"), "--port", str(port))
    assert_refused(result, f"port {port} on 127.0.0.1 is already in use", "--port")
    assert list(tmp_path.iterdir()) == []  # the port was checked before the database was created


def test_timeout_is_refused_as_serve_makes_no_calls(tmp_path: Path) -> None:
    result = fleetwire("--timeout", "5", "serve", "--db", str(tmp_path / "fleet.db"))
    assert result.returncode == 2 and result.stdout == "", result
    assert result.stderr.splitlines() == [
        "fleetwire serve: --timeout limits the calls a command makes to a server; serve makes none (drop it)"
    ]
    assert list(tmp_path.iterdir()) == []
    after = serve("--timeout", "5", "--db", str(tmp_path / "fleet.db"))  # after the command it is no serve option
    assert after.returncode == 2 and "unrecognized arguments: --timeout 5" in after.stderr
    assert list(tmp_path.iterdir()) == []

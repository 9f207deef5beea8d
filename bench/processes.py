"""The benchmark's child processes: ending a server that reads its orders from stdin, counting a command's
instructions under valgrind."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping

__all__ = ("instructions_of", "stop")


def stop(server: subprocess.Popen[str]) -> None:
    """Close ``server``'s stdin (its cue to exit) and wait for it; kill it if it has not exited within 20 s."""
    if server.stdin is not None:
        server.stdin.close()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def instructions_of(command: list[str], env: Mapping[str, str] | None = None) -> int:
    """The machine instructions ``command`` executes, start-up included, counted by valgrind's lackey."""
    output = subprocess.run(
        ["valgrind", "--tool=lackey", "--basic-counts=yes", *command],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stderr
    found = re.search(r"guest instrs:\s+([\d,]+)", output)
    if found is None:
        raise RuntimeError(f"valgrind printed no instruction count for {command!r}")
    return int(found[1].replace(",", ""))

"""``fleetwire demo`` in-process: every step runs, the tables are tables, and no thread or file is left behind."""

from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path

import pytest
from _cli import run_main

from fleetwire.demo import run_demo


def test_demo_steps_in_order_and_nothing_left_running() -> None:
    before = set(threading.enumerate())
    out = io.StringIO()
    assert run_demo(out) == 0
    assert set(threading.enumerate()) == before  # server, client and tail threads all joined
    text = out.getvalue()
    steps = re.findall(r"^\s*(\d+)\. ", text, flags=re.MULTILINE)
    assert steps == [str(n) for n in range(1, 11)]
    live = re.findall(r"^\s+(\d)\s+info\s+live \d\.\d: waypoint reached", text, flags=re.MULTILINE)
    assert live == ["1", "1", "2", "2", "3", "3"]  # each pushed batch arrived through the tail, in order
    assert "-> 30" in text  # 300 pushed entries, every tenth an error
    assert "Removed the temporary directory" in text


def test_demo_keeps_the_export_when_asked(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_demo(out, keep_dir=tmp_path) == 0
    [exported] = tmp_path.iterdir()
    assert exported.name == "rover-1-main.config.json"
    assert json.loads(exported.read_text())["components"][2]["name"] == "base"
    assert f"Kept the exported config: {exported}" in out.getvalue()


@pytest.mark.parametrize(
    "argv", [["--timeout", "1e-6", "demo"], ["demo", "--timeout", "1e-6"]], ids=["before", "after"]
)
def test_demo_calls_take_the_timeout(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    # A microsecond is too short for the first call (connecting): the demo stops there, as any command would.
    before = set(threading.enumerate())
    result = run_main(capsys, argv)
    assert result.code == 1, result
    assert result.err.splitlines() == ["fleetwire: timed out: the call did not finish within its timeout"]
    assert set(threading.enumerate()) == before  # the server and the client stopped on the way out

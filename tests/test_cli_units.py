"""The CLI's building blocks on their own: tables, ``--since`` parsing, the progress line, import hygiene."""

from __future__ import annotations

import argparse
import datetime
import io
import subprocess
import sys

import pytest

from fleetwire._cli.output import Column, cell, format_table, jsonable
from fleetwire._cli.progress import Progress
from fleetwire._cli.timespec import since

UTC = datetime.timezone.utc


def test_table_pads_columns_to_widest_cell() -> None:
    rows = [{"a": "x", "b": 1}, {"a": "longer", "b": None}]
    text = format_table(rows, (Column("A", "a"), Column("B", "b")))
    assert text.splitlines() == ["A       B", "x       1", "longer  -"]


def test_cells_and_json_values() -> None:
    moment = datetime.datetime(2024, 5, 1, 12, 30, 5, 123, tzinfo=UTC)
    assert cell(moment) == "2024-05-01 12:30:05"
    assert cell(moment.isoformat()) == "2024-05-01 12:30:05"
    assert cell(True) == "yes" and cell([]) == "-" and cell(["a", "b"]) == "a, b"
    assert jsonable({"when": moment, "items": (1, 2)}) == {"when": moment.isoformat(), "items": [1, 2]}


def test_since_durations_and_iso() -> None:
    now = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert since("15m", now=now) == now - datetime.timedelta(minutes=15)
    assert since("2h", now=now) == now - datetime.timedelta(hours=2)
    assert since("7d", now=now) == now - datetime.timedelta(days=7)
    assert since("2024-05-01T10:00:00Z") == datetime.datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert since("2024-05-01T10:00:00") == datetime.datetime(2024, 5, 1, 10, tzinfo=UTC)  # naive: UTC
    with pytest.raises(argparse.ArgumentTypeError, match="not a time"):
        since("yesterday")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_only_on_a_terminal() -> None:
    piped = io.StringIO()
    with Progress("logs", total=10, stream=piped) as bar:
        bar.advance(5)
    assert piped.getvalue() == ""

    quick = _Terminal()
    with Progress("logs", total=10, stream=quick) as bar:
        bar.advance(5)
    assert quick.getvalue() == ""  # short work: no flicker

    terminal = _Terminal()
    with Progress("logs", total=10, stream=terminal, delay=0) as bar:
        bar.advance(5)
    drawn = terminal.getvalue()
    assert "logs [" in drawn and "5/10" in drawn
    assert drawn.endswith("\r\x1b[K")  # the line is cleared at the end


def test_import_fleetwire_loads_no_cli_code() -> None:
    code = (
        "import sys, fleetwire; "
        "bad = sorted(m for m in sys.modules if m in ('argparse', 'sqlite3', 'fleetwire.cli', 'fleetwire.demo') "
        "or m.startswith(('fleetwire._cli', 'fleetwire.local.'))); "
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=100)
    assert result.stdout.strip() == ""

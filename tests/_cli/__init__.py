"""Helpers for the CLI tests: run ``fleetwire.cli.main([...])`` with its output captured, and check its errors."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from fleetwire.cli import main

__all__ = ("Result", "Terminal", "assert_one_line_error", "run_main")


@dataclass
class Result:
    """What a command printed and its exit code."""

    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)

    def lines(self) -> list[str]:
        return self.out.splitlines()


def run_main(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Result:
    """Run the ``fleetwire`` command in-process with ``argv``; return its exit code and output."""
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def assert_one_line_error(result: Result, *fragments: str, code: int = 1) -> None:
    """Check ``result`` failed with ``code``, printing nothing but one ``fleetwire: ...`` line holding ``fragments``."""
    assert result.code == code, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("fleetwire: ")
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0]


class Terminal(io.StringIO):
    """Stdin as a terminal where the user types ``answer``; ``before_answer`` runs while the user is thinking."""

    def __init__(self, answer: str, before_answer: Callable[[], object] | None = None) -> None:
        super().__init__(answer)
        self.before_answer = before_answer
        self.asked = 0

    def isatty(self) -> bool:
        return True

    def readline(self, size: int = -1, /) -> str:
        self.asked += 1
        if self.before_answer is not None:
            self.before_answer()
        return super().readline(size)

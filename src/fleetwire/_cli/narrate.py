"""The demo's printer: numbered steps, indented lines, tables and JSON, flushed as they are written."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from .output import Column, format_table, jsonable

__all__ = ("Narrator",)

_INDENT = "    "


class Narrator:
    """Print a walkthrough to ``out``: ``step()`` starts a numbered section, the rest prints inside it."""

    def __init__(self, out: TextIO) -> None:
        """Write to ``out``."""
        self.out = out
        self._number = 0

    def title(self, text: str) -> None:
        """Print a headline, underlined."""
        self._write(f"{text}\n{'=' * len(text)}\n")

    def step(self, text: str) -> None:
        """Start the next numbered step."""
        self._number += 1
        self._write(f"\n{self._number:>2}. {text}\n")

    def section(self, text: str) -> None:
        """Start an unnumbered section."""
        self._write(f"\n{text}\n{'-' * len(text)}\n")

    def line(self, text: str = "") -> None:
        """Print one indented line."""
        self._write(f"{_INDENT}{text}\n" if text else "\n")

    def table(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> None:
        """Print rows as an indented, aligned table."""
        for text in format_table(rows, columns).splitlines():
            self.line(text)

    def json(self, document: object) -> None:
        """Print a JSON document, indented."""
        for text in json.dumps(jsonable(document), indent=2).splitlines():
            self.line(text)

    def raw(self, text: str) -> None:
        """Print text as is (no indent)."""
        self._write(text if text.endswith("\n") else text + "\n")

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

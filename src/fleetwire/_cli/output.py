"""Printing results: aligned text tables for people, one JSON document (or JSON Lines) for scripts.

Every command builds plain rows (``dict`` of JSON-compatible values); :func:`emit` prints them either way, so the
table and the ``--json`` output always agree.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, cast

__all__ = (
    "Column",
    "cell",
    "emit",
    "format_table",
    "jsonable",
    "print_details",
    "print_fields",
    "print_json",
    "print_record",
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """One table column: its ``header`` and the row ``key`` it shows."""

    header: str
    key: str


def jsonable(value: object) -> Any:
    """Return ``value`` with datetimes as ISO 8601 strings and enums as their names (recursively)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.name if not isinstance(value, str) else value.value
    if isinstance(value, Mapping):
        items = cast("Mapping[object, object]", value)
        return {str(key): jsonable(item) for key, item in items.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in cast("Sequence[object]", value)]
    return value


def cell(value: object) -> str:
    """Format one value for a table: ``-`` for nothing, dates to the second in UTC, lists comma-separated."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        parsed = _iso_datetime(value)
        return cell(parsed) if parsed is not None else value
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(item) for item in cast("Sequence[object]", value)) or "-"
    return str(value)


def _iso_datetime(text: str) -> datetime.datetime | None:
    if len(text) < 19 or text[4] != "-" or text[10] != "T":
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def format_table(rows: Iterable[Row], columns: Sequence[Column]) -> str:
    """Return ``rows`` as a text table with a header line, columns padded to their widest cell."""
    body = [[cell(row.get(column.key)) for column in columns] for row in rows]
    header = [column.header for column in columns]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(columns))]
    lines = [
        "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *body]
    ]
    return "\n".join(lines)


def print_json(document: object, out: TextIO) -> None:
    """Print one JSON document (indented)."""
    out.write(json.dumps(jsonable(document), indent=2) + "\n")


def print_record(record: object, out: TextIO) -> None:
    """Print one JSON Lines record and flush it (for streams a script reads as they come)."""
    out.write(json.dumps(jsonable(record)) + "\n")
    out.flush()


def emit(rows: Sequence[Row], columns: Sequence[Column], *, as_json: bool, out: TextIO, empty: str) -> None:
    """Print ``rows`` as one JSON array (``as_json``) or as a table; ``empty`` is printed for no rows."""
    if as_json:
        print_json(list(rows), out)
    elif not rows:
        out.write(f"({empty})\n")
    else:
        out.write(format_table(rows, columns) + "\n")


def print_fields(row: Row, out: TextIO) -> None:
    """Print one record as a FIELD/VALUE table, one line per key (``last_access`` shows as ``LAST ACCESS``)."""
    fields = [{"field": key.upper().replace("_", " "), "value": value} for key, value in row.items()]
    out.write(format_table(fields, (Column("FIELD", "field"), Column("VALUE", "value"))) + "\n")


def print_details(row: Row, config_key: str, *, as_json: bool, out: TextIO) -> None:
    """Print one record as JSON (``as_json``), or as a FIELD/VALUE table and then its config (``config_key``)."""
    if as_json:
        print_json(row, out)
        return
    print_fields({key: value for key, value in row.items() if key != config_key}, out)
    out.write("CONFIG\n")
    print_json(row[config_key], out)

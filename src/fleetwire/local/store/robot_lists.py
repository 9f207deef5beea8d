"""The machines of each location as ``ListRobots`` reads them, reused while the ``robots`` table is unchanged.

``ListRobots`` reads every machine of a location, and turning those rows into Python objects costs more than the
rest of the call. Triggers count every change to the columns it reads in ``robots_epoch`` (whoever makes it: this
server, a tool or another process on the same file), so the rows of a location are read again only when that
counter has moved since they were read. Used on the store thread; the answer built from the rows is unchanged (the
seconds since a machine was seen are worked out on every call, from the rows).
"""

from __future__ import annotations

import sqlite3

from .memo import BoundedMemo
from .robot_rows import ROBOT_COLUMNS, RobotColumns

__all__ = ("SCHEMA", "RobotLists")

_COUNTED = ROBOT_COLUMNS.split(", ")  # every column ListRobots reads

SCHEMA = "\n".join(
    (
        "CREATE TABLE IF NOT EXISTS robots_epoch (id INTEGER PRIMARY KEY CHECK (id = 0), n INTEGER NOT NULL);",
        "INSERT OR IGNORE INTO robots_epoch (id, n) VALUES (0, 0);",
        "CREATE TRIGGER IF NOT EXISTS robots_epoch_insert AFTER INSERT ON robots "
        "BEGIN UPDATE robots_epoch SET n = n + 1; END;",
        "CREATE TRIGGER IF NOT EXISTS robots_epoch_delete AFTER DELETE ON robots "
        "BEGIN UPDATE robots_epoch SET n = n + 1; END;",
        "CREATE TRIGGER IF NOT EXISTS robots_epoch_update AFTER UPDATE ON robots WHEN "
        + " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _COUNTED)
        + " BEGIN UPDATE robots_epoch SET n = n + 1; END;",
    )
)
"""The change counter of ``robots`` and its triggers; applied after the ``robots`` table exists."""

_LIST_QUERY = f"SELECT {ROBOT_COLUMNS} FROM robots WHERE location_id = ? ORDER BY name, id"

_MAX_LOCATIONS = 1_000


class RobotLists:
    """The :data:`ROBOT_COLUMNS` rows of each location's machines, by name, valid for one value of ``robots_epoch``."""

    def __init__(self, max_locations: int = _MAX_LOCATIONS) -> None:
        """Create an empty cache of at most ``max_locations`` lists (it is emptied when full)."""
        self._lists: BoundedMemo[str, tuple[RobotColumns, ...]] = BoundedMemo(max_locations)
        self._epoch = -1

    def rows(self, conn: sqlite3.Connection, location_id: str) -> tuple[RobotColumns, ...]:
        """Return the rows of ``location_id``'s machines in ``ListRobots`` order (read again if anything changed)."""
        epoch = conn.execute("SELECT n FROM robots_epoch").fetchone()[0]
        if epoch != self._epoch:
            self._lists.clear()
            self._epoch = epoch

        def read() -> tuple[RobotColumns, ...]:
            cursor = conn.cursor()
            cursor.row_factory = None  # plain tuples: the keys of the memo of encoded machines
            return tuple(cursor.execute(_LIST_QUERY, (location_id,)).fetchall())

        return self._lists.remember(location_id, read)

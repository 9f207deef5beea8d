"""A simulated machine part: pushes log entries through ``viam.app.v1.RobotService/Log`` as a real machine does.

It uses the generated raw blocking ``RobotServiceClient`` and authenticates with the part's secret (metadata
``secret``), the way viam-server does.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from types import TracebackType

from fleetwire_api.google.protobuf import Struct
from fleetwire_api.services import BlockingChannel, RobotServiceClient
from fleetwire_api.viam.common.v1 import LogEntry

from .._connect import parse_url

__all__ = ("SimulatedMachine", "log_entry")


def log_entry(level: str, logger: str, message: str, *, host: str = "rover") -> LogEntry:
    """Build one log entry stamped now, with a caller like viam-server's (``File``/``Line``)."""
    caller = Struct.from_dict({"File": f"{logger.replace('.', '/')}.go", "Line": 42, "Defined": True})
    return LogEntry(
        host=host,
        level=level,
        time=datetime.datetime.now(datetime.timezone.utc),
        logger_name=logger,
        message=message,
        caller=caller,
    )


class SimulatedMachine:
    """One machine part talking to the fleet server at ``url`` with its part ``secret``.

    ``with SimulatedMachine(url, part_id, secret) as machine: machine.push([...])``.
    """

    def __init__(self, url: str, part_id: str, secret: str) -> None:
        """Open a plaintext channel to ``url`` (loopback) for ``part_id``."""
        host, port = parse_url(url)
        self.part_id = part_id
        self._channel = BlockingChannel.connect(host, port)
        self._robot = RobotServiceClient(self._channel, timeout=30.0, metadata={"secret": secret})

    def push(self, entries: Sequence[LogEntry]) -> None:
        """Send ``entries`` in one ``RobotService.Log`` call; returns once the server stored them."""
        self._robot.log(id=self.part_id, logs=entries)

    def close(self) -> None:
        """Close the channel and its event-loop thread."""
        self._channel.close()

    def __enter__(self) -> SimulatedMachine:
        """Return self."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the machine's channel."""
        self.close()

"""The machine side of a fleet: act as one machine part, with the part's secret, as a real machine does.

A machine part talks to ``viam.app.v1.RobotService``: it pushes its log entries (``Log``), fetches its config
(``Config``) and asks whether it must restart (``NeedsRestart``), authenticated by one of its part secrets (call
metadata ``secret``). These clients do the same, so a fleet script can be tested end to end against the local fleet
server: a machine that logs, a script that reads those logs or marks the part for restart::

    from fleetwire.machine import MachinePartClient, log_entry

    with MachinePartClient.connect("127.0.0.1:8080", part_id=part.id, secret=part.secret) as machine:
        machine.log([log_entry("error", "motor stalled", logger="rdk.base")])
        config = machine.config()            # the part's config, typed as a machine receives it
        if machine.needs_restart():          # True once after the part was marked for restart
            ...

:class:`AsyncMachinePartClient` is the asyncio twin. Get a part's id and secret from the app side
(``client.get_robot_parts(robot_id)``: ``part.id``, ``part.secret``). The pytest plugin's ``local_machine_part``
fixture gives a connected :class:`MachinePartClient` for a part of the local fleet.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from fleetwire_api.google.protobuf import Struct

from ._bridge import release_when_dropped, start_portal
from ._methods.args import require_text
from ._methods.base import DEFAULT_TIMEOUT, refuse_calls
from ._retry import RetryPolicy, call_with_retry
from ._wire import app_pb, common_pb, services
from .errors import ArgumentError

if TYPE_CHECKING:
    import ssl

    from grpclib.client import Channel

    from ._wire import LoopPortal

__all__ = ("AsyncMachinePartClient", "MachinePartClient", "log_entry")

R = TypeVar("R")


def log_entry(
    level: str,
    message: str,
    *,
    logger: str = "rdk",
    host: str = "",
    time: datetime.datetime | None = None,
    caller: dict[str, Any] | None = None,
) -> common_pb.LogEntry:
    """Build one log entry as a machine sends it.

    Args:
        level: ``"debug"``, ``"info"``, ``"warn"``, ``"error"`` or ``"fatal"``, as viam-server writes them.
        message: The text of the entry.
        logger: The name of the logger that wrote it (``"rdk.components.motor"``, ...).
        host: The machine's host name.
        time: When it happened (default: now, in UTC).
        caller: Where in the machine's code it was written, e.g. ``{"File": "motor.go", "Line": 42}``.

    Returns:
        The wire ``LogEntry`` that :meth:`AsyncMachinePartClient.log` sends.

    """
    return common_pb.LogEntry(
        host=host,
        level=level,
        time=time if time is not None else datetime.datetime.now(datetime.timezone.utc),
        logger_name=logger,
        message=message,
        caller=Struct.from_dict(caller) if caller is not None else None,
    )


class AsyncMachinePartClient:
    """One machine part's connection to ``RobotService``, for asyncio code.

    Build it from an open channel, or let :meth:`connect` dial the server. Every call authenticates with the part's
    secret and takes a keyword-only ``timeout`` in seconds (default: the client's). Failures raise the same typed
    errors as :class:`~fleetwire.AsyncAppClient` (a wrong secret: ``UnauthenticatedError``).
    """

    def __init__(self, channel: Channel, part_id: str, secret: str, *, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        """Act as part ``part_id`` over ``channel`` (which this client does not close).

        Args:
            channel: An open grpclib channel to the fleet server.
            part_id: The machine part's id.
            secret: One of the part's secrets.
            timeout: The default deadline of every call in seconds; ``None`` for no deadline.

        Raises:
            TypeError: If ``part_id`` or ``secret`` is not a string.
            ArgumentError: If ``part_id`` or ``secret`` is empty, or ``timeout`` is not positive.

        """
        from ._logging import protect_library_logs

        require_text("part_id", part_id)
        require_text("secret", secret)
        self.part_id = part_id
        """The id of the part this client acts as."""
        if timeout is not None and timeout <= 0:
            raise ArgumentError("timeout must be positive (or None for no deadline)")
        protect_library_logs()  # the secret travels in call metadata, which HTTP/2's debug logs would print
        self._channel = channel
        self._owns_channel = False
        self.timeout = timeout
        """The default deadline of every call, in seconds."""
        self.raw = services.RobotServiceAsyncClient(channel, timeout=timeout, metadata={"secret": secret})
        """The generated raw ``viam.app.v1.RobotService`` client, authenticated by the part's secret."""

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        part_id: str,
        secret: str,
        timeout: float | None = DEFAULT_TIMEOUT,
        tls: bool | ssl.SSLContext | None = None,
    ) -> AsyncMachinePartClient:
        """Open a channel to the fleet server at ``url`` for part ``part_id``; the client returned closes it.

        Args:
            url: The server as ``host:port``, such as the address ``fleetwire serve`` prints.
            part_id: The machine part's id.
            secret: One of the part's secrets.
            timeout: The default deadline of every call in seconds; ``None`` for no deadline.
            tls: ``None`` uses TLS except for loopback hosts; ``True`` or ``False`` forces it on or off; an
                ``SSLContext`` is used as given.

        Returns:
            The client; close it with ``await client.close()``, or use it as ``async with client:``.

        Raises:
            TypeError: If an argument has the wrong type.
            ValueError: If ``url`` is not ``host:port``, or ``part_id`` or ``secret`` is empty.

        """
        from grpclib.client import Channel

        from ._connect import parse_url, ssl_for

        require_text("url", url)
        host, port = parse_url(url)
        client = cls(Channel(host, port, ssl=ssl_for(host, tls)), part_id, secret, timeout=timeout)
        client._owns_channel = True
        return client

    def _call(self, rpc: Callable[[], Awaitable[R]], *, idempotent: bool) -> Awaitable[R]:
        # Reads are retried on UNAVAILABLE like the app client's; Log and NeedsRestart change state, so never.
        return call_with_retry(rpc, idempotent=idempotent, policy=RetryPolicy())

    async def log(self, entries: Sequence[common_pb.LogEntry], *, timeout: float | None = None) -> None:
        """Push log entries, as the machine's logger does; returns once the server stored them.

        Args:
            entries: The entries, oldest first (build them with :func:`log_entry`); the local server takes at most
                10,000 per call.
            timeout: Seconds the call may take (default: the client's timeout).

        """
        if isinstance(entries, (str, bytes)) or not isinstance(entries, Sequence):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"entries must be a sequence of LogEntry, got {type(entries).__name__}")
        request = app_pb.LogRequest(id=self.part_id, logs=list(entries))
        await self._call(functools.partial(self.raw.log, request=request, timeout=timeout), idempotent=False)

    async def config(self, *, timeout: float | None = None) -> app_pb.RobotConfig:
        """Fetch the part's config the way the machine receives it (components, services, modules, ...).

        Args:
            timeout: Seconds the call may take (default: the client's timeout).

        Returns:
            The typed config; ``config.cloud`` names the part, its machine and its location.

        """
        request = app_pb.ConfigRequest(id=self.part_id)
        response = await self._call(
            functools.partial(self.raw.config, request=request, timeout=timeout), idempotent=True
        )
        return response.config if response.config is not None else app_pb.RobotConfig()

    async def needs_restart(self, *, timeout: float | None = None) -> bool:
        """Ask whether the part must restart; a mark set by ``mark_part_for_restart`` is reported once, then cleared.

        Args:
            timeout: Seconds the call may take (default: the client's timeout).

        """
        request = app_pb.NeedsRestartRequest(id=self.part_id)
        response = await self._call(
            functools.partial(self.raw.needs_restart, request=request, timeout=timeout), idempotent=False
        )
        return response.must_restart

    async def close(self) -> None:
        """Close the channel if this client opened it (:meth:`connect`); idempotent.

        A call after that raises :class:`~fleetwire.ClientClosedError`.
        """
        if self._owns_channel:
            self._owns_channel = False
            self._channel.close()
            refuse_calls(self.raw)

    async def __aenter__(self) -> AsyncMachinePartClient:
        """Return self; the client is closed on exit."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the client (see :meth:`close`)."""
        await self.close()

    def __repr__(self) -> str:
        """Show the part, never its secret."""
        return f"{type(self).__name__}(part_id={self.part_id!r})"


class MachinePartClient:
    """One machine part's connection to ``RobotService``, for blocking code.

    The blocking twin of :class:`AsyncMachinePartClient`, with the same methods: each call runs in an event-loop
    thread the client owns, so it can be shared by threads and used inside a running event loop (a notebook).
    """

    def __init__(self, client: AsyncMachinePartClient, portal: LoopPortal, *, owns_portal: bool = False) -> None:
        """Wrap ``client``, whose channel belongs to the event loop of ``portal``.

        With ``owns_portal``, :meth:`close` also closes the async client and stops the event-loop thread;
        :meth:`connect` builds it that way.
        """
        self.aio = client
        """The async client every call goes through."""
        self.portal = portal
        """The portal into the client's event loop."""
        # Dropped without close(), the client still closes its connection and stops its thread (when collected).
        self._release = release_when_dropped(self, portal, client.close) if owns_portal else None

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        part_id: str,
        secret: str,
        timeout: float | None = DEFAULT_TIMEOUT,
        tls: bool | ssl.SSLContext | None = None,
    ) -> MachinePartClient:
        """Open a channel to the fleet server at ``url`` for part ``part_id``; the client returned closes it.

        The arguments are :meth:`AsyncMachinePartClient.connect`'s.

        Returns:
            The client; close it with ``client.close()``, or use it as ``with client:``.

        """
        portal = start_portal("machine-part")
        try:
            client = portal.call(
                functools.partial(
                    AsyncMachinePartClient.connect, url, part_id=part_id, secret=secret, timeout=timeout, tls=tls
                )
            )
        except BaseException:
            portal.close()
            raise
        return cls(client, portal, owns_portal=True)

    @property
    def part_id(self) -> str:
        """The id of the part this client acts as."""
        return self.aio.part_id

    def log(self, entries: Sequence[common_pb.LogEntry], *, timeout: float | None = None) -> None:
        """Push log entries (see :meth:`AsyncMachinePartClient.log`)."""
        self.portal.call(functools.partial(self.aio.log, entries, timeout=timeout))

    def config(self, *, timeout: float | None = None) -> app_pb.RobotConfig:
        """Fetch the part's config (see :meth:`AsyncMachinePartClient.config`)."""
        return self.portal.call(functools.partial(self.aio.config, timeout=timeout))

    def needs_restart(self, *, timeout: float | None = None) -> bool:
        """Ask whether the part must restart (see :meth:`AsyncMachinePartClient.needs_restart`)."""
        return self.portal.call(functools.partial(self.aio.needs_restart, timeout=timeout))

    def close(self) -> None:
        """Close the client's channel (when it opened it) and stop its event-loop thread; idempotent.

        A call after that raises :class:`~fleetwire.ClientClosedError`.
        """
        if self._release is not None:
            self._release()

    def __enter__(self) -> MachinePartClient:
        """Return self; the client is closed on exit."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the client (see :meth:`close`)."""
        self.close()

    def __repr__(self) -> str:
        """Show the part, never its secret."""
        return f"MachinePartClient(part_id={self.part_id!r})"

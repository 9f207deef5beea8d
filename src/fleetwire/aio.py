"""``AsyncAppClient``: the 94 fleet management methods of the official SDK's ``AppClient``, plus conveniences.

The methods run over the generated raw client; the conveniences are the default location id, config and log
export, log paging and tailing, timeouts, retries of reads and typed errors. They live in one module per
resource group under ``fleetwire._methods`` (organizations, locations, machines, parts, part logs, fragments,
access, registry, modules, metadata, settings), each a class over the shared connection of
:class:`~fleetwire._methods.base.ClientBase`; ``AsyncAppClient`` composes them.

These modules are the single source of truth for the client surface: the blocking :class:`fleetwire.AppClient`
is generated from them by ``codegen/overlay.py`` (``python -m codegen``), which reads this class's bases in the
order listed here, so every public method must keep its parameters explicit (no ``*args``/``**kwargs``) and its
docstring complete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._methods.access import AccessMethods
from ._methods.base import DEFAULT_TIMEOUT, refuse_calls
from ._methods.fragments import FragmentMethods
from ._methods.locations import LocationMethods
from ._methods.machines import MachineMethods
from ._methods.metadata import MetadataMethods
from ._methods.modules import ModuleMethods
from ._methods.organizations import OrganizationMethods
from ._methods.part_logs import PartLogMethods
from ._methods.parts import PartMethods
from ._methods.registry import RegistryMethods
from ._methods.settings import SettingsMethods
from .errors import ArgumentError

if TYPE_CHECKING:
    import ssl

__all__ = ("DEFAULT_TIMEOUT", "ArgumentError", "AsyncAppClient")


class AsyncAppClient(
    OrganizationMethods,
    LocationMethods,
    MachineMethods,
    PartMethods,
    PartLogMethods,
    FragmentMethods,
    AccessMethods,
    RegistryMethods,
    ModuleMethods,
    MetadataMethods,
    SettingsMethods,
):
    """Asyncio client for the fleet management RPCs of the app server.

    The methods, parameters, defaults and return shapes are those of the official SDK's async ``AppClient``, so
    code written for that client runs on this one. Build it from an open channel and call metadata, or let
    :meth:`connect` dial the server::

        async with await AsyncAppClient.connect(api_key="...", api_key_id="...", location_id="loc-1") as client:
            machines = await client.list_robots()

    Every method also takes a ``timeout`` in seconds: positional where the official method has it so, keyword-only
    elsewhere. Reads are retried on ``UNAVAILABLE`` with jittered exponential backoff, as ``retry`` says; writes are
    never retried. Arguments are checked before any call: a wrong type raises ``TypeError`` and a wrong value
    :class:`ArgumentError`, both naming the argument. ``raw`` reaches every AppService RPC.
    """

    @classmethod
    async def connect(
        cls,
        url: str | None = None,
        *,
        api_key: str | None = None,
        api_key_id: str | None = None,
        location_id: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        tls: bool | ssl.SSLContext | None = None,
    ) -> AsyncAppClient:
        """Dial the app server with an API key; the client returned owns (and closes) its channel.

        Args:
            url: The server as ``host:port`` (default ``app.viam.com:443``).
            api_key: The API key (default: the ``VIAM_API_KEY`` environment variable).
            api_key_id: The API key's id (default: the ``VIAM_API_KEY_ID`` environment variable).
            location_id: The location used when a method's ``location_id`` is omitted.
            timeout: The default deadline of every call in seconds; ``None`` for no deadline.
            tls: ``None`` uses TLS except for loopback hosts; ``True`` or ``False`` forces it on or off; an
                ``SSLContext`` is used as given.

        Returns:
            The connected client; close it with ``await client.close()``, or use it as ``async with client:``.

        Raises:
            ValueError: If the key or the key id is missing (the message names which), or ``url`` is not
                ``host:port``.
            UnauthenticatedError: If the server rejects the key.

        Example:
            ::

                client = await AsyncAppClient.connect("app.viam.com:443", api_key="...", api_key_id="...")

        """
        from ._connect import dial  # grpclib's client, ssl and the auth client: what connecting needs

        dialed = await dial(url, api_key=api_key, api_key_id=api_key_id, timeout=timeout, tls=tls)
        client = cls(dialed.channel, dialed.metadata, location_id, timeout=timeout)
        client._owns_channel = True
        return client

    async def close(self) -> None:
        """Close the channel if this client opened it (:meth:`connect`); idempotent.

        A call after that raises :class:`~fleetwire.ClientClosedError`. (A client built on your own channel leaves it
        open, and usable.)
        """
        if self._owns_channel:
            self._owns_channel = False
            self._channel.close()
            refuse_calls(self.raw, self._streams)

    async def __aenter__(self) -> AsyncAppClient:
        """Return self; the client is closed on exit."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the client (see :meth:`close`)."""
        await self.close()

    def __repr__(self) -> str:
        """Show where the client points, never its credentials."""
        return (
            f"{type(self).__name__}(host={self._channel._host!r}, port={self._channel._port!r}, "  # pyright: ignore[reportPrivateUsage]
            f"location_id={self.location_id!r})"
        )

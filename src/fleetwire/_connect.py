"""Dialing: parse ``host:port``, pick TLS or plaintext, exchange an API key for a bearer token.

The access token only ever lives in the metadata mapping handed to the client; it is never logged and never
part of a repr or an exception message.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from dataclasses import dataclass, field

from grpclib.client import Channel

from fleetwire_api.proto.rpc import v1 as rpc_pb
from fleetwire_api.services import AuthServiceAsyncClient

from ._retry import RetryPolicy, call_with_retry
from .errors import UnauthenticatedError

__all__ = ("DEFAULT_URL", "Dialed", "dial", "is_loopback", "parse_url", "resolve_credentials")

DEFAULT_URL = "app.viam.com:443"
API_KEY_ENV = "VIAM_API_KEY"
API_KEY_ID_ENV = "VIAM_API_KEY_ID"


def parse_url(url: str) -> tuple[str, int]:
    """Split ``host:port`` (``[v6]:port`` for IPv6; a bare host means port 443) into host and port."""
    text = url.strip()
    for scheme in ("https://", "http://", "grpc://", "grpcs://"):
        if text.startswith(scheme):
            text = text[len(scheme) :]
    text = text.rstrip("/")
    if not text:
        raise ValueError("url must be 'host:port', got an empty string")
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""
    if not host:
        raise ValueError(f"url must be 'host:port', got {url!r}")
    if not port_text:
        return host, 443
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"url has an invalid port: {url!r}")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    """Tell whether ``host`` is this machine (127.0.0.0/8, ::1 or localhost): those are dialed in plaintext."""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_credentials(api_key: str | None, api_key_id: str | None) -> tuple[str, str]:
    """Return the key and key id, taken from the environment when not given; ``ValueError`` names a missing one."""
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    key_id = api_key_id if api_key_id is not None else os.environ.get(API_KEY_ID_ENV)
    if not key:
        raise ValueError(f"api_key is required: pass api_key= or set {API_KEY_ENV}")
    if not key_id:
        raise ValueError(f"api_key_id is required: pass api_key_id= or set {API_KEY_ID_ENV}")
    return key, key_id


def ssl_for(host: str, tls: bool | ssl.SSLContext | None) -> ssl.SSLContext | None:
    """Return the TLS context to dial ``host`` with, ``None`` for plaintext.

    ``tls=None`` means TLS except for loopback hosts; ``True`` forces TLS with the system's trust store.
    """
    if isinstance(tls, ssl.SSLContext):
        return tls
    if tls is False or (tls is None and is_loopback(host)):
        return None
    context = ssl.create_default_context()
    context.set_alpn_protocols(["h2"])  # gRPC needs HTTP/2
    return context


@dataclass
class Dialed:
    """An open channel and the call metadata that authenticates it."""

    channel: Channel
    metadata: dict[str, str] = field(repr=False)


async def dial(
    url: str | None,
    *,
    api_key: str | None,
    api_key_id: str | None,
    timeout: float | None,
    tls: bool | ssl.SSLContext | None,
) -> Dialed:
    """Open a channel to ``url`` and authenticate with the API key; the channel is closed again on failure."""
    key, key_id = resolve_credentials(api_key, api_key_id)
    host, port = parse_url(url or DEFAULT_URL)
    channel = Channel(host, port, ssl=ssl_for(host, tls))
    try:
        auth = AuthServiceAsyncClient(channel, timeout=timeout)
        request = rpc_pb.AuthenticateRequest(entity=key_id, credentials=rpc_pb.Credentials(type="api-key", payload=key))
        # Authentication is idempotent: a retry on UNAVAILABLE cannot create anything twice.
        response = await call_with_retry(
            lambda: auth.authenticate(request=request), idempotent=True, policy=RetryPolicy()
        )
        if not response.access_token:
            raise UnauthenticatedError(message="the server returned an empty access token")
    except BaseException:
        channel.close()
        raise
    return Dialed(channel, {"authorization": f"Bearer {response.access_token}"})

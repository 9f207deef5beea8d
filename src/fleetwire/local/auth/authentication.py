"""Authentication: API keys (stored salted and hashed), access tokens, and the ``proto.rpc.v1.AuthService``.

A client calls ``Authenticate(entity=<api key id>, credentials={type: "api-key", payload: <api key>})`` and sends
the returned access token as ``authorization: Bearer <token>`` on every AppService call. Neither keys nor tokens
are stored in clear: a key is kept as ``sha256(salt || key)``, a token as ``sha256(token)``. Both are random
high-entropy strings, so a fast hash with a salt is sufficient (no password-stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from datetime import timedelta

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.proto.rpc import v1 as rpc
from fleetwire_api.services import AuthServiceBase

from ..context import Context, hash_token
from ..store.ids import is_id, new_id, new_secret, now, to_iso

__all__ = (
    "SCHEMA",
    "TOKEN_LIFETIME",
    "LocalAuthService",
    "check_token_lifetime",
    "hash_key",
    "insert_key",
    "issue_token",
    "revoke_key_tokens",
    "verify_key",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    salt TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS api_keys_org ON api_keys(org_id);
CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    expires_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_tokens_key ON access_tokens(key_id);
"""
"""Tables of API keys and access tokens."""

TOKEN_LIFETIME = timedelta(days=7)
"""How long an access token stays valid by default (unless its key is rotated or deleted first)."""

_INVALID_CREDENTIALS = "invalid API key id or key"


def hash_key(key: str, salt: str) -> str:
    """Return the stored form of an API key."""
    return hashlib.sha256(salt.encode() + key.encode()).hexdigest()


def insert_key(
    conn: sqlite3.Connection, *, org_id: str, user_id: str, name: str, key_id: str | None = None
) -> tuple[str, str]:
    """Create an API key row inside the caller's transaction; return ``(key_id, key)`` (the only time it is clear)."""
    key_id = key_id or new_id()
    key = new_secret()
    salt = secrets.token_hex(16)
    conn.execute(
        "INSERT INTO api_keys (id, name, org_id, user_id, salt, key_hash, created_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (key_id, name, org_id, user_id, salt, hash_key(key, salt), to_iso(now())),
    )
    return key_id, key


def verify_key(conn: sqlite3.Connection, key_id: str, key: str) -> bool:
    """Whether ``key`` is the current key of ``key_id`` (constant-time comparison)."""
    row = conn.execute("SELECT salt, key_hash FROM api_keys WHERE id = ?", (key_id,)).fetchone()
    if row is None:
        return False
    return hmac.compare_digest(hash_key(key, row["salt"]), row["key_hash"])


def check_token_lifetime(value: object) -> timedelta:
    """Validate a ``token_lifetime`` option: a positive ``timedelta`` (``TypeError``/``ValueError`` otherwise)."""
    if not isinstance(value, timedelta):
        raise TypeError(f"token_lifetime must be a datetime.timedelta, not {type(value).__name__}")
    if value <= timedelta(0):
        raise ValueError(f"token_lifetime must be positive, got {value}")
    return value


def issue_token(conn: sqlite3.Connection, key_id: str, lifetime: timedelta = TOKEN_LIFETIME) -> str:
    """Store and return a fresh access token for ``key_id``, valid for ``lifetime`` (expired ones are swept)."""
    moment = now()
    conn.execute("DELETE FROM access_tokens WHERE key_id = ? AND expires_on <= ?", (key_id, to_iso(moment)))
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO access_tokens (token_hash, key_id, expires_on) VALUES (?, ?, ?)",
        (hash_token(token), key_id, to_iso(moment + lifetime)),
    )
    return token


def revoke_key_tokens(conn: sqlite3.Connection, key_id: str) -> None:
    """Invalidate every access token issued for ``key_id``."""
    conn.execute("DELETE FROM access_tokens WHERE key_id = ?", (key_id,))


class LocalAuthService(AuthServiceBase):
    """``proto.rpc.v1.AuthService``: exchanges an API key id and key for an access token."""

    def __init__(self, ctx: Context, *, token_lifetime: timedelta = TOKEN_LIFETIME) -> None:
        """Serve authentication against ``ctx.store``, handing out tokens valid for ``token_lifetime``."""
        self.ctx = ctx
        self.token_lifetime = check_token_lifetime(token_lifetime)

    async def authenticate(
        self,
        request: rpc.AuthenticateRequest,
        stream: Stream[rpc.AuthenticateRequest, rpc.AuthenticateResponse],
    ) -> rpc.AuthenticateResponse:
        """Check ``entity`` (the API key id) and ``credentials.payload`` (the key); return an access token."""
        credentials = request.credentials
        if credentials is None:
            raise GRPCError(Status.INVALID_ARGUMENT, "credentials is required")
        if credentials.type != "api-key":
            raise GRPCError(Status.INVALID_ARGUMENT, "credentials.type must be 'api-key'")
        key_id = request.entity.strip().lower()
        key = credentials.payload
        if not is_id(key_id) or not key or len(key) > 1024:
            raise GRPCError(Status.UNAUTHENTICATED, _INVALID_CREDENTIALS)

        def check_and_issue(conn: sqlite3.Connection) -> str | None:
            if not verify_key(conn, key_id, key):
                return None
            return issue_token(conn, key_id, self.token_lifetime)

        token = await self.ctx.store.write(check_and_issue)
        if token is None:
            raise GRPCError(Status.UNAUTHENTICATED, _INVALID_CREDENTIALS)
        return rpc.AuthenticateResponse(access_token=token)

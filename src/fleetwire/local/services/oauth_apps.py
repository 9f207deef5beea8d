"""OAuth applications of an organization and their users.

The RPCs: ``Create/Read/Update/Delete/ListOAuthApps`` and ``CreateOAuthAppUser``.

An application is a client id (the "application id" its users are created under), a client secret and an
``OAuthConfig``. The secret is kept readable, as ``ReadOAuthApp`` must return it, so only the organization's owners
(``write_organization``) create, read, change or delete applications and create their users; listing the client ids
needs ``read_organization``. A user is unique per (application, email); its password (8 to 1024 characters) is kept
only as a salted scrypt hash and never returned.

This server runs no OAuth authorization server: the ``auth_token`` and ``refresh_token`` that ``CreateOAuthAppUser``
answers are opaque random strings, stored hashed, that identify the new user to the application; they do not
authenticate calls to this server.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sqlite3
from typing import TYPE_CHECKING

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.services import codec
from fleetwire_api.viam.app import v1 as app

from ..context import hash_token
from ..store.ids import invalid, new_id, new_secret, not_found, now, require_id, require_name, to_iso
from .mixin import AnyStream
from .validate import require_email

if TYPE_CHECKING:
    from ..context import Context

__all__ = ("MAX_APPS_PER_ORG", "SCHEMA", "OAuthAppsMixin", "hash_password", "verify_password")

SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_apps (
    client_id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    client_name TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    oauth_config BLOB NOT NULL,
    created_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS oauth_apps_org ON oauth_apps(org_id);
CREATE TABLE IF NOT EXISTS oauth_app_users (
    user_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_apps(client_id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    password_salt TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    registration_id TEXT NOT NULL,
    auth_token_hash TEXT NOT NULL,
    refresh_token_hash TEXT NOT NULL,
    created_on TEXT NOT NULL,
    UNIQUE (client_id, email)
);
"""
"""Tables of OAuth applications and their users."""

MAX_APPS_PER_ORG = 100
"""Most OAuth applications one organization may have."""

_MAX_URIS = 100
_MAX_URI_LENGTH = 2048
_MIN_PASSWORD, _MAX_PASSWORD = 8, 1024
# scrypt with the parameters RFC 7914 suggests for interactive logins: a password is low-entropy, unlike a key.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str, salt: str) -> str:
    """Return the stored form of an OAuth app user's password (salted scrypt, hex)."""
    return hashlib.scrypt(password.encode(), salt=salt.encode(), **_SCRYPT).hex()


def verify_password(password: str, salt: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from."""
    return secrets.compare_digest(hash_password(password, salt), stored)


def _enum(
    value: int, kind: type[app.ClientAuthentication | app.Pkce | app.UrlValidation | app.EnabledGrant], field: str
) -> None:
    if int(value) not in {int(member) for member in kind}:
        raise invalid(f"{field} is not a valid {kind.__name__}")


def _config(config: app.OAuthConfig | None) -> bytes:
    """Validate an ``OAuthConfig`` and return its stored (encoded) form; ``INVALID_ARGUMENT`` naming the field."""
    if config is None:
        raise invalid("oauth_config is required")
    _enum(config.client_authentication, app.ClientAuthentication, "oauth_config.client_authentication")
    _enum(config.pkce, app.Pkce, "oauth_config.pkce")
    _enum(config.url_validation, app.UrlValidation, "oauth_config.url_validation")
    for index, grant in enumerate(config.enabled_grants):
        _enum(grant, app.EnabledGrant, f"oauth_config.enabled_grants[{index}]")
    uri_lists = {"origin_uris": config.origin_uris, "redirect_uris": config.redirect_uris}
    for name, uris in uri_lists.items():
        if len(uris) > _MAX_URIS:
            raise invalid(f"oauth_config.{name} has more than {_MAX_URIS} entries")
        for index, uri in enumerate(uris):
            require_name(uri, f"oauth_config.{name}[{index}]", max_length=_MAX_URI_LENGTH)
    for name, uri in {"logout_uri": config.logout_uri, "invite_redirect_uri": config.invite_redirect_uri}.items():
        if uri:
            require_name(uri, f"oauth_config.{name}", max_length=_MAX_URI_LENGTH)
    return codec.encode(config)


def _fetch(conn: sqlite3.Connection, org_id: str, client_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM oauth_apps WHERE client_id = ? AND org_id = ?", (client_id, org_id)).fetchone()
    if row is None:
        raise not_found(f"client_id: organization {org_id} has no OAuth application {client_id}")
    return row


class OAuthAppsMixin:
    """Handlers for OAuth applications and their users."""

    ctx: Context

    async def _owned(self, stream: AnyStream, org_raw: str, client_raw: str, client_field: str) -> tuple[str, str]:
        """Return ``(org_id, client_id)`` of a request an owner of the organization makes; else the refusal."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(org_raw, "org_id")
        client_id = require_id(client_raw, client_field)
        await self.ctx.require(caller, "write_organization", "organization", org_id)
        return org_id, client_id

    async def create_o_auth_app(
        self, request: app.CreateOAuthAppRequest, stream: Stream[app.CreateOAuthAppRequest, app.CreateOAuthAppResponse]
    ) -> app.CreateOAuthAppResponse:
        """Create an application; answers its client id and client secret."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.org_id, "org_id")
        name = require_name(request.client_name, "client_name")
        config = _config(request.oauth_config)
        await self.ctx.require(caller, "write_organization", "organization", org_id)
        client_id, secret = new_id(), new_secret()

        def create(conn: sqlite3.Connection) -> None:
            count = conn.execute("SELECT count(*) FROM oauth_apps WHERE org_id = ?", (org_id,)).fetchone()[0]
            if count >= MAX_APPS_PER_ORG:
                raise GRPCError(
                    Status.RESOURCE_EXHAUSTED, f"org_id: organization already has {MAX_APPS_PER_ORG} OAuth applications"
                )
            conn.execute(
                "INSERT INTO oauth_apps (client_id, org_id, client_name, client_secret, oauth_config, created_on) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (client_id, org_id, name, secret, config, to_iso(now())),
            )

        await self.ctx.store.write(create)
        return app.CreateOAuthAppResponse(client_id=client_id, client_secret=secret)

    async def read_o_auth_app(
        self, request: app.ReadOAuthAppRequest, stream: Stream[app.ReadOAuthAppRequest, app.ReadOAuthAppResponse]
    ) -> app.ReadOAuthAppResponse:
        """Return an application's name, secret and config."""
        org_id, client_id = await self._owned(stream, request.org_id, request.client_id, "client_id")
        row = await self.ctx.store.read(lambda conn: _fetch(conn, org_id, client_id))
        return app.ReadOAuthAppResponse(
            client_name=row["client_name"],
            client_secret=row["client_secret"],
            oauth_config=codec.decode(app.OAuthConfig, row["oauth_config"]),
        )

    async def list_o_auth_apps(
        self, request: app.ListOAuthAppsRequest, stream: Stream[app.ListOAuthAppsRequest, app.ListOAuthAppsResponse]
    ) -> app.ListOAuthAppsResponse:
        """List the client ids of the organization's applications, oldest first."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.org_id, "org_id")
        await self.ctx.require(caller, "read_organization", "organization", org_id)
        rows = await self.ctx.store.read(
            lambda conn: conn.execute(
                "SELECT client_id FROM oauth_apps WHERE org_id = ? ORDER BY created_on, client_id", (org_id,)
            ).fetchall()
        )
        return app.ListOAuthAppsResponse(client_ids=[str(row["client_id"]) for row in rows])

    async def update_o_auth_app(
        self, request: app.UpdateOAuthAppRequest, stream: Stream[app.UpdateOAuthAppRequest, app.UpdateOAuthAppResponse]
    ) -> app.UpdateOAuthAppResponse:
        """Replace an application's name and config (its id and secret stay)."""
        name = require_name(request.client_name, "client_name")
        config = _config(request.oauth_config)
        org_id, client_id = await self._owned(stream, request.org_id, request.client_id, "client_id")

        def update(conn: sqlite3.Connection) -> None:
            _fetch(conn, org_id, client_id)
            conn.execute(
                "UPDATE oauth_apps SET client_name = ?, oauth_config = ? WHERE client_id = ?", (name, config, client_id)
            )

        await self.ctx.store.write(update)
        return app.UpdateOAuthAppResponse()

    async def delete_o_auth_app(
        self, request: app.DeleteOAuthAppRequest, stream: Stream[app.DeleteOAuthAppRequest, app.DeleteOAuthAppResponse]
    ) -> app.DeleteOAuthAppResponse:
        """Delete an application and its users."""
        org_id, client_id = await self._owned(stream, request.org_id, request.client_id, "client_id")

        def delete(conn: sqlite3.Connection) -> None:
            _fetch(conn, org_id, client_id)
            conn.execute("DELETE FROM oauth_apps WHERE client_id = ?", (client_id,))

        await self.ctx.store.write(delete)
        return app.DeleteOAuthAppResponse()

    async def create_o_auth_app_user(
        self,
        request: app.CreateOAuthAppUserRequest,
        stream: Stream[app.CreateOAuthAppUserRequest, app.CreateOAuthAppUserResponse],
    ) -> app.CreateOAuthAppUserResponse:
        """Create a user of an application; ``ALREADY_EXISTS`` if the application has one with this email."""
        email = require_email(request.email, "email")
        first_name = require_name(request.first_name, "first_name")
        last_name = require_name(request.last_name, "last_name")
        if not _MIN_PASSWORD <= len(request.password) <= _MAX_PASSWORD:
            raise invalid(f"password must be {_MIN_PASSWORD} to {_MAX_PASSWORD} characters long")
        org_id, client_id = await self._owned(stream, request.org_id, request.application_id, "application_id")
        salt = secrets.token_hex(16)
        # scrypt takes tens of milliseconds by design: off the event loop and off the store thread.
        password_hash = await asyncio.to_thread(hash_password, request.password, salt)
        user_id, registration_id = new_id(), new_id()
        auth_token, refresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)

        def create(conn: sqlite3.Connection) -> None:
            _fetch(conn, org_id, client_id)
            try:
                conn.execute(
                    "INSERT INTO oauth_app_users (user_id, client_id, email, first_name, last_name, password_salt, "
                    "password_hash, registration_id, auth_token_hash, refresh_token_hash, created_on) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user_id,
                        client_id,
                        email,
                        first_name,
                        last_name,
                        salt,
                        password_hash,
                        registration_id,
                        hash_token(auth_token),
                        hash_token(refresh_token),
                        to_iso(now()),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise GRPCError(
                    Status.ALREADY_EXISTS, f"email: application {client_id} already has a user with this email"
                ) from exc

        await self.ctx.store.write(create)
        return app.CreateOAuthAppUserResponse(
            auth_token=auth_token, registration_id=registration_id, user_id=user_id, refresh_token=refresh_token
        )

"""Mobile app settings: device push tokens and each organization's Firebase config.

Push tokens are kept per (Firebase app id, calling API key, device uuid): uploading again for the same device
replaces its token, and a key lists and deletes only its own. The Firebase config (one app per organization, its
config a JSON object) is set, read and deleted by the organization's owners only (``write_organization``), since
such a config holds credentials; ``GetFirebaseConfig`` answers the app id alone, as the API defines.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from fleetwire_api.viam.app import v1 as app

from ..store.configs import config_from_text, dump_config
from ..store.ids import invalid, not_found, now, require_id, require_name, to_iso

if TYPE_CHECKING:
    from ..context import Context

__all__ = ("MAX_DEVICES_PER_APP", "MAX_FIREBASE_CONFIG_BYTES", "SCHEMA", "AppSettingsMixin")

SCHEMA = """
CREATE TABLE IF NOT EXISTS device_push_tokens (
    app_id TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    device_uuid TEXT NOT NULL,
    device_token TEXT NOT NULL,
    updated_on TEXT NOT NULL,
    PRIMARY KEY (app_id, identity_id, device_uuid)
);
CREATE TABLE IF NOT EXISTS firebase_configs (
    org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    app_id TEXT NOT NULL,
    config_json TEXT NOT NULL,
    updated_on TEXT NOT NULL
);
"""
"""Tables of device push tokens and of Firebase configs."""

MAX_DEVICES_PER_APP = 1000
"""Most devices one key may register tokens for, per app."""

MAX_FIREBASE_CONFIG_BYTES = 64 * 1024
"""Largest accepted Firebase config (JSON text)."""

_MAX_TOKEN_LENGTH = 4096


def _text(value: str, field: str, *, max_length: int = 200) -> str:
    """Return a required single-line value of at most ``max_length`` characters."""
    return require_name(value, field, max_length=max_length)


class AppSettingsMixin:
    """Handlers for device push tokens and Firebase configs."""

    ctx: Context

    async def upload_device_push_token(
        self,
        request: app.UploadDevicePushTokenRequest,
        stream: Stream[app.UploadDevicePushTokenRequest, app.UploadDevicePushTokenResponse],
    ) -> app.UploadDevicePushTokenResponse:
        """Store (or replace) the caller's push token of one device for one app."""
        caller = await self.ctx.caller(stream)
        app_id = _text(request.app_id, "app_id")
        device_uuid = _text(request.device_uuid, "device_uuid")
        token = _text(request.device_token, "device_token", max_length=_MAX_TOKEN_LENGTH)

        def upload(conn: sqlite3.Connection) -> None:
            known = conn.execute(
                "SELECT count(*) FROM device_push_tokens WHERE app_id = ? AND identity_id = ? AND device_uuid != ?",
                (app_id, caller.key_id, device_uuid),
            ).fetchone()[0]
            if known >= MAX_DEVICES_PER_APP:
                raise GRPCError(
                    Status.RESOURCE_EXHAUSTED, f"app_id: you already have {MAX_DEVICES_PER_APP} devices for this app"
                )
            conn.execute(
                "INSERT INTO device_push_tokens (app_id, identity_id, device_uuid, device_token, updated_on) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, identity_id, device_uuid) "
                "DO UPDATE SET device_token = excluded.device_token, updated_on = excluded.updated_on",
                (app_id, caller.key_id, device_uuid, token, to_iso(now())),
            )

        await self.ctx.store.write(upload)
        return app.UploadDevicePushTokenResponse()

    async def get_device_push_tokens(
        self,
        request: app.GetDevicePushTokensRequest,
        stream: Stream[app.GetDevicePushTokensRequest, app.GetDevicePushTokensResponse],
    ) -> app.GetDevicePushTokensResponse:
        """Return the caller's push tokens for one app, oldest upload first."""
        caller = await self.ctx.caller(stream)
        app_id = _text(request.app_id, "app_id")
        rows = await self.ctx.store.read(
            lambda conn: conn.execute(
                "SELECT device_token FROM device_push_tokens WHERE app_id = ? AND identity_id = ? "
                "ORDER BY updated_on, device_uuid",
                (app_id, caller.key_id),
            ).fetchall()
        )
        return app.GetDevicePushTokensResponse(device_tokens=[str(row["device_token"]) for row in rows])

    async def delete_device_push_token(
        self,
        request: app.DeleteDevicePushTokenRequest,
        stream: Stream[app.DeleteDevicePushTokenRequest, app.DeleteDevicePushTokenResponse],
    ) -> app.DeleteDevicePushTokenResponse:
        """Delete the caller's token of one device for one app; ``NOT_FOUND`` if there is none."""
        caller = await self.ctx.caller(stream)
        app_id = _text(request.app_id, "app_id")
        device_uuid = _text(request.device_uuid, "device_uuid")

        def delete(conn: sqlite3.Connection) -> None:
            gone = conn.execute(
                "DELETE FROM device_push_tokens WHERE app_id = ? AND identity_id = ? AND device_uuid = ?",
                (app_id, caller.key_id, device_uuid),
            ).rowcount
            if not gone:
                raise not_found(f"device_uuid: no push token of device {device_uuid!r} for app {app_id!r}")

        await self.ctx.store.write(delete)
        return app.DeleteDevicePushTokenResponse()

    async def set_firebase_config(
        self,
        request: app.SetFirebaseConfigRequest,
        stream: Stream[app.SetFirebaseConfigRequest, app.SetFirebaseConfigResponse],
    ) -> app.SetFirebaseConfigResponse:
        """Set the organization's Firebase app and config (replacing any before)."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.org_id, "org_id")
        app_id = _text(request.app_id, "app_id")
        if len(request.config_json.encode()) > MAX_FIREBASE_CONFIG_BYTES:
            raise invalid(f"config_json is larger than {MAX_FIREBASE_CONFIG_BYTES} bytes")
        config_json = dump_config(config_from_text(request.config_json, "config_json"), "config_json")
        await self.ctx.require(caller, "write_organization", "organization", org_id)
        await self.ctx.store.write(
            lambda conn: conn.execute(
                "INSERT INTO firebase_configs (org_id, app_id, config_json, updated_on) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (org_id) DO UPDATE SET app_id = excluded.app_id, config_json = excluded.config_json, "
                "updated_on = excluded.updated_on",
                (org_id, app_id, config_json, to_iso(now())),
            )
        )
        return app.SetFirebaseConfigResponse()

    async def get_firebase_config(
        self,
        request: app.GetFirebaseConfigRequest,
        stream: Stream[app.GetFirebaseConfigRequest, app.GetFirebaseConfigResponse],
    ) -> app.GetFirebaseConfigResponse:
        """Return the organization's Firebase app id; ``NOT_FOUND`` if none is set."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.org_id, "org_id")
        await self.ctx.require(caller, "write_organization", "organization", org_id)
        row = await self.ctx.store.read(
            lambda conn: conn.execute("SELECT app_id FROM firebase_configs WHERE org_id = ?", (org_id,)).fetchone()
        )
        if row is None:
            raise not_found(f"org_id: organization {org_id} has no Firebase config")
        return app.GetFirebaseConfigResponse(app_id=str(row["app_id"]))

    async def delete_firebase_config(
        self,
        request: app.DeleteFirebaseConfigRequest,
        stream: Stream[app.DeleteFirebaseConfigRequest, app.DeleteFirebaseConfigResponse],
    ) -> app.DeleteFirebaseConfigResponse:
        """Delete the organization's Firebase config of ``app_id``; ``NOT_FOUND`` if that is not the one set."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.org_id, "org_id")
        app_id = _text(request.app_id, "app_id")
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        def delete(conn: sqlite3.Connection) -> None:
            gone = conn.execute(
                "DELETE FROM firebase_configs WHERE org_id = ? AND app_id = ?", (org_id, app_id)
            ).rowcount
            if not gone:
                raise not_found(f"app_id: organization {org_id} has no Firebase config for app {app_id!r}")

        await self.ctx.store.write(delete)
        return app.DeleteFirebaseConfigResponse()

"""Per-user and per-app settings: favourite machines, device push tokens, Firebase configs and OAuth app users."""

from __future__ import annotations

from .._wire import app_pb
from .args import require_id, require_str, require_text
from .base import ClientBase


class SettingsMethods(ClientBase):
    """Favourite machines of the calling user, device push tokens, Firebase configs and OAuth app users."""

    async def add_favorite_machine(self, machine_id: str, timeout: float | None = None) -> None:
        """Add a machine to the calling user's favourites (adding one twice keeps one).

        Args:
            machine_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the machine id is invalid.

        Example:
            ::

                await client.add_favorite_machine("machine-1")

        """
        require_id("machine_id", machine_id)
        request = app_pb.AddFavoriteMachineRequest(machine_id=machine_id)
        await self._write(self.raw.add_favorite_machine, request, timeout)

    async def list_favorite_machines(self, timeout: float | None = None) -> list[app_pb.FavoriteMachine]:
        """List the calling user's favourite machines.

        Args:
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The favourites: each machine with its organization and when it was added.

        Example:
            ::

                favorites = await client.list_favorite_machines()

        """
        response = await self._read(self.raw.list_favorite_machines, app_pb.ListFavoriteMachinesRequest(), timeout)
        return list(response.favorites)

    async def remove_favorite_machine(self, machine_id: str, timeout: float | None = None) -> None:
        """Remove a machine from the calling user's favourites.

        Args:
            machine_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the machine id is invalid.

        Example:
            ::

                await client.remove_favorite_machine("machine-1")

        """
        require_id("machine_id", machine_id)
        request = app_pb.RemoveFavoriteMachineRequest(machine_id=machine_id)
        await self._write(self.raw.remove_favorite_machine, request, timeout)

    async def upload_device_push_token(
        self, app_id: str, device_token: str, device_uuid: str, timeout: float | None = None
    ) -> None:
        """Register a device's push-notification token for a Firebase app (replacing the device's earlier one).

        Args:
            app_id: The Firebase app id.
            device_token: The device's push-notification token.
            device_uuid: The device's unique id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If an argument is invalid.

        Example:
            ::

                await client.upload_device_push_token("app-1", "fcm-token", "device-uuid-1")

        """
        require_id("app_id", app_id)
        require_text("device_token", device_token)
        require_id("device_uuid", device_uuid)
        request = app_pb.UploadDevicePushTokenRequest(app_id=app_id, device_token=device_token, device_uuid=device_uuid)
        await self._write(self.raw.upload_device_push_token, request, timeout)

    async def get_device_push_tokens(self, app_id: str, timeout: float | None = None) -> list[str]:
        """List the push-notification tokens registered for a Firebase app.

        Args:
            app_id: The Firebase app id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The device tokens.

        Example:
            ::

                tokens = await client.get_device_push_tokens("app-1")

        """
        require_id("app_id", app_id)
        request = app_pb.GetDevicePushTokensRequest(app_id=app_id)
        response = await self._read(self.raw.get_device_push_tokens, request, timeout)
        return list(response.device_tokens)

    async def delete_device_push_token(self, app_id: str, device_uuid: str, timeout: float | None = None) -> None:
        """Remove a device's push-notification token from a Firebase app.

        Args:
            app_id: The Firebase app id.
            device_uuid: The device's unique id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If an argument is invalid.

        Example:
            ::

                await client.delete_device_push_token("app-1", "device-uuid-1")

        """
        require_id("app_id", app_id)
        require_id("device_uuid", device_uuid)
        request = app_pb.DeleteDevicePushTokenRequest(app_id=app_id, device_uuid=device_uuid)
        await self._write(self.raw.delete_device_push_token, request, timeout)

    async def set_firebase_config(
        self, org_id: str, app_id: str, config_json: str, timeout: float | None = None
    ) -> None:
        """Set an organization's Firebase config for an app (the service-account JSON, kept secret).

        Args:
            org_id: The organization's id.
            app_id: The Firebase app id.
            config_json: The Firebase config, as JSON text.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If an argument is invalid (``config_json`` not a JSON object, for one).

        Example:
            ::

                await client.set_firebase_config("org-1", "app-1", pathlib.Path("firebase.json").read_text())

        """
        require_id("org_id", org_id)
        require_id("app_id", app_id)
        require_text("config_json", config_json)
        request = app_pb.SetFirebaseConfigRequest(org_id=org_id, app_id=app_id, config_json=config_json)
        await self._write(self.raw.set_firebase_config, request, timeout)

    async def get_firebase_config(self, org_id: str, timeout: float | None = None) -> str:
        """Fetch the Firebase app id an organization has a config for.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The Firebase app id.

        Raises:
            GRPCError: If the organization has no Firebase config.

        Example:
            ::

                app_id = await client.get_firebase_config("org-1")

        """
        require_id("org_id", org_id)
        request = app_pb.GetFirebaseConfigRequest(org_id=org_id)
        response = await self._read(self.raw.get_firebase_config, request, timeout)
        return response.app_id

    async def delete_firebase_config(self, org_id: str, app_id: str, timeout: float | None = None) -> None:
        """Delete an organization's Firebase config for an app.

        Args:
            org_id: The organization's id.
            app_id: The Firebase app id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If an argument is invalid.

        Example:
            ::

                await client.delete_firebase_config("org-1", "app-1")

        """
        require_id("org_id", org_id)
        require_id("app_id", app_id)
        request = app_pb.DeleteFirebaseConfigRequest(org_id=org_id, app_id=app_id)
        await self._write(self.raw.delete_firebase_config, request, timeout)

    async def create_oauth_app_user(  # the official signature
        self,
        org_id: str,
        application_id: str,
        email: str,
        first_name: str,
        last_name: str,
        password: str,
        timeout: float | None = None,
    ) -> app_pb.CreateOAuthAppUserResponse:
        """Create a user of an organization's OAuth application.

        Args:
            org_id: The organization's id.
            application_id: The OAuth application's id.
            email: The new user's email address.
            first_name: The new user's first name.
            last_name: The new user's last name.
            password: The new user's password (sent once, never shown in a ``repr`` or an error).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The response: ``auth_token``, ``registration_id``, ``user_id`` and ``refresh_token``.

        Raises:
            GRPCError: If an argument is invalid or the user exists already.

        Example:
            ::

                created = await client.create_oauth_app_user(
                    "org-1", "oauth-app-1", "ada@example.com", "Ada", "Lovelace", "correct horse"
                )

        """
        require_id("org_id", org_id)
        require_id("application_id", application_id)
        require_text("email", email)
        require_str("first_name", first_name)
        require_str("last_name", last_name)
        require_text("password", password)
        request = app_pb.CreateOAuthAppUserRequest(
            org_id=org_id,
            application_id=application_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=password,
        )
        return await self._write(self.raw.create_o_auth_app_user, request, timeout)

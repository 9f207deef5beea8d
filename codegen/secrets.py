"""Which message fields hold secrets: their values never appear in a generated message's repr."""

from __future__ import annotations

from betterproto2_compiler.compile.naming import pythonize_class_name, pythonize_field_name
from google.protobuf import descriptor

from .messages import PACKAGE_ROOT
from .schema import Schema, messages_of

# Field names that hold a credential wherever they appear.
SECRET_FIELD_NAMES = frozenset(
    {
        "secret",
        "client_secret",
        "location_secret",
        "password",
        "payload",  # proto.rpc.v1.Credentials: the API key itself
        "access_token",
        "auth_token",
        "refresh_token",
        "device_token",
        "device_tokens",
        "tls_private_key",
    }
)


def _is_secret(message: descriptor.Descriptor, field: descriptor.FieldDescriptor) -> bool:
    if field.type != descriptor.FieldDescriptor.TYPE_STRING:
        return False
    # ``key`` is the API key in the key messages (APIKey, CreateKeyResponse, RotateKeyResponse, ...), and merely a
    # name elsewhere (a map key, a container key).
    return field.name in SECRET_FIELD_NAMES or (field.name == "key" and "Key" in message.name)


def hide_secrets(schema: Schema, files: dict[str, str]) -> None:
    """Append to each message module a call that keeps its classes' secret fields out of ``repr``."""
    by_module: dict[str, list[str]] = {}
    for file in schema.files:
        module = f"{PACKAGE_ROOT}/{file.package.replace('.', '/')}/__init__.py"
        for message in messages_of(file):
            names = [pythonize_field_name(f.name) for f in message.fields if _is_secret(message, f)]
            if names:
                relative = message.full_name.removeprefix(file.package + ".")
                fields = ", ".join(f'"{name}"' for name in names)
                by_module.setdefault(module, []).append(f"hide_secrets({pythonize_class_name(relative)}, {fields})")
    for module, calls in sorted(by_module.items()):
        files[module] += (
            "\n\n# fleetwire: secret values never appear in a repr (see codegen/secrets.py).\n"
            f"from {PACKAGE_ROOT}._redaction import hide_secrets  # noqa: E402\n\n" + "\n".join(sorted(calls)) + "\n"
        )

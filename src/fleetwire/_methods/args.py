"""The argument contract of every client method, checked before anything is sent.

A wrong type raises ``TypeError`` naming the argument; a wrong value raises :class:`~fleetwire.ArgumentError`
(a ``ValueError`` and an ``InvalidArgumentError``) naming it. An official SDK object where a fleetwire one is
expected gets a ``TypeError`` that names the official type and the fleetwire class to use instead.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar, cast

from .._convert import dict_to_struct, to_value
from ..errors import ArgumentError

if TYPE_CHECKING:
    from fleetwire_api.google.protobuf import Struct, Value

__all__ = (
    "config_struct",
    "config_value",
    "enum_list",
    "enum_member",
    "message_list",
    "optional_config",
    "optional_datetime",
    "optional_int",
    "optional_text",
    "require_bool",
    "require_id",
    "require_instance",
    "require_str",
    "require_text",
    "text_list",
    "wrong_type",
)

T = TypeVar("T")
E = TypeVar("E", bound=enum.IntEnum)

# The official SDK's proto packages, by the prefix of their Python modules, and where their twins live here.
_OFFICIAL_PROTO_MODULES = {
    "app.v1.": "app",
    "app.packages.v1.": "app.packages",
    "app.mltraining.v1.": "app.mltraining",
    "common.v1.": "common",
}


def _official_hint(value: object, expected: type) -> str:
    """Advice for an object of the official SDK passed where a fleetwire ``expected`` belongs ("" for others)."""
    kind = type(value)
    module = kind.__module__
    descriptor = getattr(kind, "DESCRIPTOR", None)
    if descriptor is not None and hasattr(kind, "SerializeToString"):  # a protobuf message or enum of the official SDK
        twin = next((ours for prefix, ours in _OFFICIAL_PROTO_MODULES.items() if module.startswith(prefix)), "app")
        return (
            f" (an official SDK message, {module}.{kind.__qualname__}): use fleetwire.proto.{twin}."
            f"{descriptor.name}, the same message for fleetwire"
        )
    if module == "viam" or module.startswith("viam."):
        return f" (from the official SDK, {module}.{kind.__qualname__}): use {_public_name(expected)} instead"
    return ""


def _public_name(cls: type) -> str:
    """Where a user imports ``cls`` from: ``fleetwire.X``, or its proto name in ``fleetwire.proto.<namespace>``."""
    module = cls.__module__
    if module.startswith("fleetwire_api."):
        from fleetwire_api.proto_names import TWINS  # an error path: the name table loads only here

        namespace = _twin_of(module)
        names = TWINS.get(namespace, ("", {}))[1]
        proto_name = next((proto for proto, ours in names.items() if ours == cls.__name__), cls.__name__)
        return f"fleetwire.proto.{namespace}.{proto_name}"
    return f"fleetwire.{cls.__name__}" if module.startswith("fleetwire") else f"{module}.{cls.__qualname__}"


def _twin_of(module: str) -> str:
    """``fleetwire_api.viam.app.v1._x`` -> ``app``; ``fleetwire_api.viam.app.packages.v1`` -> ``app.packages``."""
    parts = module.removeprefix("fleetwire_api.viam.").split(".")
    return ".".join(part for part in parts if part != "v1" and not part.startswith("_"))


def wrong_type(name: str, value: object, expected: type) -> TypeError:
    """Build the ``TypeError`` for argument ``name`` holding ``value`` instead of an ``expected``."""
    hint = _official_hint(value, expected)
    return TypeError(f"{name} must be a {_public_name(expected)}, got {type(value).__name__}{hint}")


def require_instance(name: str, value: object, expected: type[T]) -> T:
    """Return ``value`` if it is an ``expected``; else the :func:`wrong_type` error."""
    if isinstance(value, expected):
        return value
    raise wrong_type(name, value, expected)


def message_list(name: str, value: object, expected: type[T]) -> list[T]:
    """Return ``value`` as a list if it is a list (or tuple) of ``expected``; else ``TypeError`` naming the item."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of {_public_name(expected)}, got {type(value).__name__}")
    return [require_instance(f"{name}[{n}]", item, expected) for n, item in enumerate(cast("Sequence[object]", value))]


def enum_list(name: str, value: object, enum: type[E]) -> list[E]:
    """Return ``value`` as a list of ``enum`` members if it is a list (or tuple) of their values.

    The official SDK's enum values are plain ints, so ints are taken too; an unknown value is an ``ArgumentError``.
    """
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of {enum.__name__}, got {type(value).__name__}")
    out: list[E] = []
    for n, item in enumerate(cast("Sequence[object]", value)):
        if isinstance(item, bool) or not isinstance(item, int):
            raise TypeError(f"{name}[{n}] must be a {enum.__name__}, got {type(item).__name__}")
        out.append(enum_member(f"{name}[{n}]", item, enum))
    return out


def enum_member(name: str, value: int, enum: type[E]) -> E:
    """Return the member of ``enum`` whose value is ``value``; ``ArgumentError`` naming ``name`` if there is none.

    Generated enums accept any int (an unknown value read off the wire must survive), so membership is checked here.
    """
    for member in enum:
        if member.value == value:
            return member
    allowed = ", ".join(f"{member.name} ({member.value})" for member in enum)
    raise ArgumentError(f"{name} is not a {enum.__name__}: {value} (one of {allowed})")


def require_id(name: str, value: object) -> None:
    """Reject an id that is not a non-empty string, naming the parameter."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ArgumentError(f"{name} must not be empty")


def require_text(name: str, value: object) -> None:
    """Reject a required text argument that is not a non-empty string (same rule as ids)."""
    require_id(name, value)


def require_str(name: str, value: object) -> None:
    """Reject an argument that is not a string (an empty one is left to the server)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")


def optional_text(name: str, value: object) -> None:
    """Reject an optional text argument that is neither ``None`` nor a string."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, got {type(value).__name__}")


def require_bool(name: str, value: object) -> None:
    """Reject a flag that is not a ``bool`` (``1`` or ``"yes"`` would silently mean something else)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")


def optional_int(name: str, value: object, *, minimum: int = 0) -> None:
    """Reject a count that is not ``None`` or an ``int`` of at least ``minimum`` (a ``bool`` is not a count)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ArgumentError(f"{name} must be at least {minimum}, got {value}")


def optional_datetime(name: str, value: object) -> None:
    """Reject a time that is neither ``None`` nor a ``datetime``."""
    if value is not None and not isinstance(value, datetime.datetime):
        raise TypeError(f"{name} must be a datetime.datetime or None, got {type(value).__name__}")


def text_list(name: str, value: object) -> list[str]:
    """Return ``value`` as a list if it is a list (or tuple) of strings; ``TypeError`` naming ``name`` otherwise."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of str, got {type(value).__name__}")
    items = list(cast("Sequence[object]", value))
    for n, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{n}] must be a str, got {type(item).__name__}")
    return cast("list[str]", items)


def config_struct(name: str, config: object) -> Struct:
    """Build the ``Struct`` of a config (a mapping of JSON-able values), naming the key path of anything else.

    The values the official client accepts: ``None``, ``bool``, numbers, ``str``, sequences and mappings with ``str``
    keys, nested. Anything else is a ``TypeError`` naming its path, e.g. ``robot_config["motors"][0]``. The path is
    looked for only once the conversion failed, so a good config costs what the conversion costs.
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"{name} must be a mapping of JSON-able values, got {type(config).__name__}")
    try:
        return dict_to_struct(cast("Mapping[str, object]", config))
    except TypeError:
        raise _bad_path(name, cast("object", config)) from None


def optional_config(name: str, config: object) -> Struct | None:
    """Build the ``Struct`` of an optional config; ``None`` when it is ``None`` or empty.

    An empty config leaves the stored one as it is, as the official client does; a non-mapping is a ``TypeError``
    even when empty.
    """
    if config is None:
        return None
    struct = config_struct(name, config)
    return struct if struct.fields else None


def config_value(path: str, item: object) -> Value:
    """Wrap one JSON-able value in a ``Value``; ``TypeError`` naming ``path`` (or the key path inside) otherwise."""
    try:
        return to_value(item)
    except TypeError:
        raise _bad_path(path, item) from None


def _bad_path(path: str, item: object) -> TypeError:
    """Build the error for the first thing inside ``item`` (at ``path``) a ``Struct`` cannot hold."""
    if isinstance(item, Mapping):
        for key, value in cast("Mapping[object, object]", item).items():
            if not isinstance(key, str):
                return TypeError(f"{path} has a key of type {type(key).__name__} ({key!r}): keys must be str")
            if not _json_able(value):
                return _bad_path(f"{path}[{key!r}]", value)
    elif isinstance(item, Sequence) and not isinstance(item, (str, bytes, bytearray)):
        for n, value in enumerate(cast("Sequence[object]", item)):
            if not _json_able(value):
                return _bad_path(f"{path}[{n}]", value)
    kind = type(cast("object", item)).__name__
    return TypeError(f"{path} must be a JSON-able value (None, bool, number, str, list or mapping), got {kind}")


def _json_able(item: object) -> bool:
    try:
        to_value(item)
    except TypeError:
        return False
    return True

"""``google.protobuf.Struct`` <-> plain ``dict``: the overlay speaks dicts, the wire speaks Structs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from fleetwire_api.google.protobuf import ListValue, NullValue, Struct, Value

__all__ = ("dict_to_struct", "from_value", "struct_to_dict", "to_value")


def to_value(item: object) -> Value:
    """Wrap a JSON-like Python value (None, bool, number, str, list, mapping) in a ``Value``."""
    # bool first: it is an int subclass, and must stay a bool on the wire.
    if item is None:
        return Value(null_value=NullValue.NULL_VALUE)
    if isinstance(item, bool):
        return Value(bool_value=item)
    if isinstance(item, (int, float)):
        return Value(number_value=float(item))
    if isinstance(item, str):
        return Value(string_value=item)
    if isinstance(item, Mapping):
        return Value(struct_value=dict_to_struct(cast("Mapping[str, object]", item)))
    if isinstance(item, Sequence) and not isinstance(item, (bytes, bytearray)):
        return Value(list_value=ListValue(values=[to_value(v) for v in cast("Sequence[object]", item)]))
    raise TypeError(f"cannot put a {type(item).__name__} into a protobuf Struct")


def from_value(value: Value) -> Any:
    """Return the Python value a ``Value`` holds (numbers come back as ``float``, as in JSON)."""
    if value.struct_value is not None:
        return struct_to_dict(value.struct_value)
    if value.list_value is not None:
        return [from_value(v) for v in value.list_value.values]
    if value.bool_value is not None:
        return value.bool_value
    if value.number_value is not None:
        return value.number_value
    if value.string_value is not None:
        return value.string_value
    return None


def dict_to_struct(mapping: Mapping[str, object]) -> Struct:
    """Build a ``Struct`` holding ``mapping`` (keys must be strings)."""
    fields: dict[str, Value] = {}
    for key, item in mapping.items():
        if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # callers may pass anything
            raise TypeError(f"Struct keys must be str, got {type(key).__name__}")
        fields[key] = to_value(item)
    return Struct(fields=fields)


def struct_to_dict(struct: Struct | None) -> dict[str, Any]:
    """Return the ``dict`` a ``Struct`` holds; ``None`` (field unset) gives ``{}``."""
    if struct is None:
        return {}
    return {key: from_value(value) for key, value in struct.fields.items()}

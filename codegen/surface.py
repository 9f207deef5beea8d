"""The API surface of a schema as a small JSON snapshot (``generated/api.json``), and the difference of two.

The snapshot records what the wire depends on: each service's RPCs (request, response, streaming), each message's
fields (number, label, type) and each enum's values. It is written with the generated tree and drift-checked with it,
so the next regeneration knows what the committed generation was made from and can say what changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor

from .errors import CodegenError
from .schema import Schema, messages_of

SNAPSHOT = "api.json"  # under generated/, beside the package (not shipped in the wheel)
SECTIONS = ("services", "messages", "enums")

FD = descriptor.FieldDescriptor
_SCALAR = {value: name.removeprefix("TYPE_").lower() for name, value in vars(FD).items() if name.startswith("TYPE_")}

Surface = dict[str, dict[str, dict[str, object]]]  # section -> full name -> member -> spec


def _type(field: descriptor.FieldDescriptor) -> str:
    if field.message_type is not None:
        return field.message_type.full_name
    if field.enum_type is not None:
        return field.enum_type.full_name
    return _SCALAR[field.type]


def _field_spec(field: descriptor.FieldDescriptor) -> str:
    """``"<number> [optional|repeated] <type>"``, or ``"<number> map<key, value>"``."""
    message = field.message_type
    if message is not None and message.GetOptions().map_entry:
        key, value = message.fields_by_name["key"], message.fields_by_name["value"]
        return f"{field.number} map<{_type(key)}, {_type(value)}>"
    if field.is_repeated:
        label = "repeated "
    elif field.has_presence and message is None:  # proto3 optional, oneof members
        label = "optional "
    else:
        label = ""
    return f"{field.number} {label}{_type(field)}"


def _enums(file: descriptor.FileDescriptor) -> Iterator[descriptor.EnumDescriptor]:
    yield from file.enum_types_by_name.values()
    for message in messages_of(file):
        yield from message.enum_types


def surface(schema: Schema) -> Surface:
    """The API surface of every service of the root files and every message and enum of the closure."""
    out: Surface = {section: {} for section in SECTIONS}
    for file in schema.roots:
        for service in file.services_by_name.values():
            out["services"][service.full_name] = {
                method.name: (
                    f"{'stream ' if method.client_streaming else ''}{method.input_type.full_name} -> "
                    f"{'stream ' if method.server_streaming else ''}{method.output_type.full_name}"
                )
                for method in service.methods
            }
    for file in schema.files:
        for message in messages_of(file):
            out["messages"][message.full_name] = {field.name: _field_spec(field) for field in message.fields}
        for enum in _enums(file):
            out["enums"][enum.full_name] = {value.name: value.number for value in enum.values}
    return out


def dump(api: Surface) -> str:
    """The snapshot text: one line per service, message and enum, sorted, so a change reads as a one-line diff."""
    parts: list[str] = []
    for section in SECTIONS:
        entries = ",\n".join(
            f"  {json.dumps(name)}: {json.dumps(members, sort_keys=True)}"
            for name, members in sorted(api[section].items())
        )
        parts.append(f' "{section}": {{\n{entries}\n }}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def read_snapshot(generated: Path) -> Surface | None:
    """The snapshot of the generation in ``generated``; ``None`` when there is none (a first generation)."""
    path = generated / SNAPSHOT
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CodegenError(f"{path}: unreadable API snapshot ({exc}); restore it from version control") from exc
    if not isinstance(data, dict) or any(not isinstance(data.get(section), dict) for section in SECTIONS):
        raise CodegenError(f"{path}: not an API snapshot; restore it from version control")
    return data


# Scalar types that read each other's values on the wire (same wire type and a compatible encoding).
_WIRE_FAMILIES = (
    {"int32", "uint32", "int64", "uint64", "bool", "enum"},
    {"sint32", "sint64"},
    {"fixed32", "sfixed32"},
    {"fixed64", "sfixed64"},
    {"string", "bytes"},
)


@dataclass(frozen=True)
class Change:
    """One difference between two API surfaces."""

    element: str  # "service", "rpc", "message", "field", "enum", "enum value"
    name: str  # full proto name (a field or enum value: its message's or enum's name, a dot, its own)
    change: str  # "added", "removed", "changed", "renumbered", "renamed"
    old: str = ""
    new: str = ""
    breaking: bool = False  # on the wire: an old peer and a new one would misread each other, or a call fails

    @property
    def removes_a_name(self) -> bool:
        """The change takes away or moves a field that existing code may read or set."""
        return self.element == "field" and self.change in ("removed", "renumbered", "renamed")


def _split_field(spec: str) -> tuple[int, str, str]:
    number, _, rest = spec.partition(" ")
    label, _, kind = rest.rpartition(" ") if not rest.startswith("map<") else ("map", "", rest)
    return int(number), label, kind


def _family(kind: str, enums: set[str]) -> str:
    kind = "enum" if kind in enums else kind
    return next((min(family) for family in _WIRE_FAMILIES if kind in family), kind)


def _field_compatible(old: str, new: str, enums: set[str]) -> bool:
    _, old_label, old_kind = _split_field(old)
    _, new_label, new_kind = _split_field(new)
    plain = {"", "optional"}  # presence tracking does not change the bytes
    same_label = old_label == new_label or (old_label in plain and new_label in plain)
    return same_label and (old_kind == new_kind or _family(old_kind, enums) == _family(new_kind, enums))


def _members(element: str, owner: str, old: dict[str, object], new: dict[str, object], enums: set[str]) -> list[Change]:
    changes: list[Change] = []
    removed = sorted(old.keys() - new.keys())
    added = sorted(new.keys() - old.keys())
    renamed: set[str] = set()
    if element in ("field", "enum value"):
        # Same number (and for a field, the same label and type) under a new name: the bytes are unchanged.
        def number(spec: object) -> int:
            return _split_field(str(spec))[0] if element == "field" else int(str(spec))

        by_number = {number(new[name]): name for name in added}
        for name in removed:
            other = by_number.get(number(old[name]))
            if other is not None and (
                element == "enum value" or _field_compatible(str(old[name]), str(new[other]), enums)
            ):
                changes.append(Change(element, f"{owner}.{name}", "renamed", name, other))
                renamed |= {name, other}
    for name in removed:
        if name not in renamed:
            changes.append(Change(element, f"{owner}.{name}", "removed", old=str(old[name]), breaking=True))
    for name in added:
        if name not in renamed:
            changes.append(Change(element, f"{owner}.{name}", "added", new=str(new[name])))
    for name in sorted(old.keys() & new.keys()):
        before, after = str(old[name]), str(new[name])
        if before == after:
            continue
        if element == "field" and _split_field(before)[0] != _split_field(after)[0]:
            changes.append(Change(element, f"{owner}.{name}", "renumbered", before, after, breaking=True))
        else:
            compatible = element == "field" and _field_compatible(before, after, enums)
            changes.append(Change(element, f"{owner}.{name}", "changed", before, after, breaking=not compatible))
    return changes


_ELEMENTS = {"services": ("service", "rpc"), "messages": ("message", "field"), "enums": ("enum", "enum value")}


def diff(old: Surface, new: Surface) -> list[Change]:
    """Every change from ``old`` to ``new``: containers added or removed, then their members' changes."""
    enums = set(old["enums"]) | set(new["enums"])
    changes: list[Change] = []
    for section in SECTIONS:
        container, member = _ELEMENTS[section]
        before, after = old[section], new[section]
        for name in sorted(before.keys() - after.keys()):
            changes.append(Change(container, name, "removed", breaking=True))
        for name in sorted(after.keys() - before.keys()):
            changes.append(Change(container, name, "added"))
        for name in sorted(before.keys() & after.keys()):
            changes.extend(_members(member, name, before[name], after[name], enums))
    return changes

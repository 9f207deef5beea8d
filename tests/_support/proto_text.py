"""Render ``FileDescriptorProto`` s back to ``.proto`` source text, for the generator's round-trip tests.

Covers what the API schema uses: proto3 files (and proto2 syntax lines), packages, imports, options (standard and
custom, scalar or aggregate), messages with nested types, maps, real and synthetic (``optional``) oneofs, reserved
ranges and names, enums, services with streaming RPCs, and ``extend`` blocks. Type names are written fully
qualified (``.viam.app.v1.Robot``), so the text resolves exactly as the descriptor did.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from google.protobuf import descriptor, descriptor_pb2, text_encoding, text_format
from google.protobuf.message import Message

from codegen.protoc import well_known_protos

FDP = descriptor_pb2.FieldDescriptorProto
_SCALAR_NAMES = {
    value: name.removeprefix("TYPE_").lower()
    for name, value in FDP.Type.items()
    if name not in ("TYPE_MESSAGE", "TYPE_ENUM", "TYPE_GROUP")
}


def _literal(field: descriptor.FieldDescriptor, value: object) -> str:
    if field.type == descriptor.FieldDescriptor.TYPE_MESSAGE:
        assert isinstance(value, Message)
        return "{ " + text_format.MessageToString(value, as_one_line=True) + " }"
    if field.type == descriptor.FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None and isinstance(value, int)
        return field.enum_type.values_by_number[value].name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return '"' + text_encoding.CEscape(value, as_utf8=False) + '"'
    if isinstance(value, str):
        return '"' + text_encoding.CEscape(value.encode(), as_utf8=True) + '"'
    return repr(value)


def _options(options: Message) -> list[str]:
    """``name = value`` for every option set, custom ones as ``(full.name)``; repeated options once per value."""
    out: list[str] = []
    for field, value in options.ListFields():
        name = f"({field.full_name})" if field.is_extension else field.name
        values = list(value) if field.is_repeated else [value]
        out.extend(f"{name} = {_literal(field, item)}" for item in values)
    return out


def _option_lines(options: Message, indent: str) -> list[str]:
    return [f"{indent}option {option};" for option in _options(options)]


def _bracket(options: Message, extra: list[str] | None = None) -> str:
    items = [*(extra or []), *_options(options)]
    return f" [{', '.join(items)}]" if items else ""


def _type(field: FDP) -> str:
    return field.type_name if field.type_name else _SCALAR_NAMES[field.type]


def _map_entries(message: descriptor_pb2.DescriptorProto) -> dict[str, descriptor_pb2.DescriptorProto]:
    return {nested.name: nested for nested in message.nested_type if nested.options.map_entry}


def _field(field: FDP, message: descriptor_pb2.DescriptorProto, syntax: str, indent: str) -> str:
    extra = [f'json_name = "{field.json_name}"'] if field.json_name and not _default_json(field) else []
    if field.HasField("default_value"):
        value = field.default_value
        extra.insert(
            0, f'default = "{value}"' if field.type in (FDP.TYPE_STRING, FDP.TYPE_BYTES) else f"default = {value}"
        )
    entries = _map_entries(message)
    entry = entries.get(field.type_name.rpartition(".")[2]) if field.type == FDP.TYPE_MESSAGE else None
    if (
        entry is not None
        and field.label == FDP.LABEL_REPEATED
        and field.type_name.endswith(f"{message.name}.{entry.name}")
    ):
        key, value = entry.field[0], entry.field[1]
        spelled = f"map<{_type(key)}, {_type(value)}>"
    else:
        label = ""
        if field.label == FDP.LABEL_REPEATED:
            label = "repeated "
        elif field.proto3_optional or (syntax != "proto3" and field.label == FDP.LABEL_OPTIONAL):
            label = "optional "
        elif field.label == FDP.LABEL_REQUIRED:
            label = "required "
        spelled = label + _type(field)
    return f"{indent}{spelled} {field.name} = {field.number}{_bracket(field.options, extra)};"


def _default_json(field: FDP) -> bool:
    """protoc's json_name is the lowerCamelCase of the name; only another one needs writing out."""
    parts = field.name.split("_")
    camel = parts[0] + "".join(part[:1].upper() + part[1:] for part in parts[1:])
    return field.json_name == camel


def _ranges(keyword: str, ranges: list[tuple[int, int]], top: int) -> list[str]:
    if not ranges:
        return []
    spelled = [
        str(start) if end - 1 == start else f"{start} to {'max' if end - 1 >= top else end - 1}"
        for start, end in ranges
    ]
    return [f"{keyword} {', '.join(spelled)};"]


def _message(message: descriptor_pb2.DescriptorProto, syntax: str, indent: str) -> Iterator[str]:
    yield f"{indent}message {message.name} {{"
    inner = indent + "  "
    yield from _option_lines(message.options, inner)
    entries = _map_entries(message)
    for nested in message.nested_type:
        if nested.name not in entries:
            yield from _message(nested, syntax, inner)
    for enum in message.enum_type:
        yield from _enum(enum, inner)
    open_oneof: int | None = None
    for field in message.field:
        real_oneof = field.HasField("oneof_index") and not field.proto3_optional
        if open_oneof is not None and (not real_oneof or field.oneof_index != open_oneof):
            yield f"{inner}}}"
            open_oneof = None
        if real_oneof and open_oneof is None:
            oneof = message.oneof_decl[field.oneof_index]
            yield f"{inner}oneof {oneof.name} {{"
            yield from _option_lines(oneof.options, inner + "  ")
            open_oneof = field.oneof_index
        yield _field(field, message, syntax, inner + "  " if open_oneof is not None else inner)
    if open_oneof is not None:
        yield f"{inner}}}"
    for line in _ranges("reserved", [(r.start, r.end) for r in message.reserved_range], 536870912):
        yield inner + line
    if message.reserved_name:
        yield inner + "reserved " + ", ".join(f'"{name}"' for name in message.reserved_name) + ";"
    for line in _ranges("extensions", [(r.start, r.end) for r in message.extension_range], 536870912):
        yield inner + line
    yield from _extends(list(message.extension), syntax, inner)
    yield f"{indent}}}"


def _enum(enum: descriptor_pb2.EnumDescriptorProto, indent: str) -> Iterator[str]:
    yield f"{indent}enum {enum.name} {{"
    yield from _option_lines(enum.options, indent + "  ")
    for value in enum.value:
        yield f"{indent}  {value.name} = {value.number}{_bracket(value.options)};"
    for r in enum.reserved_range:
        yield f"{indent}  reserved {r.start}" + (f" to {r.end};" if r.end != r.start else ";")
    yield f"{indent}}}"


def _extends(extensions: list[FDP], syntax: str, indent: str) -> Iterator[str]:
    by_extendee: dict[str, list[FDP]] = {}
    for extension in extensions:
        by_extendee.setdefault(extension.extendee, []).append(extension)
    for extendee, fields in by_extendee.items():
        yield f"{indent}extend {extendee} {{"
        for field in fields:
            yield _field(field, descriptor_pb2.DescriptorProto(), syntax, indent + "  ")
        yield f"{indent}}}"


def render(file: descriptor_pb2.FileDescriptorProto) -> str:
    """The ``.proto`` source text of ``file``."""
    syntax = file.syntax or "proto2"
    lines = [f'syntax = "{syntax}";', ""]
    if file.package:
        lines += [f"package {file.package};", ""]
    for index, dependency in enumerate(file.dependency):
        kind = "public " if index in file.public_dependency else "weak " if index in file.weak_dependency else ""
        lines.append(f'import {kind}"{dependency}";')
    lines += _option_lines(file.options, "")
    for message in file.message_type:
        lines += ["", *_message(message, syntax, "")]
    for enum in file.enum_type:
        lines += ["", *_enum(enum, "")]
    lines += ["", *_extends(list(file.extension), syntax, "")]
    for service in file.service:
        lines += ["", f"service {service.name} {{", *_option_lines(service.options, "  ")]
        for method in service.method:
            request = ("stream " if method.client_streaming else "") + method.input_type
            response = ("stream " if method.server_streaming else "") + method.output_type
            options = _option_lines(method.options, "    ")
            if options:
                lines += [f"  rpc {method.name}({request}) returns ({response}) {{", *options, "  }"]
            else:
                lines.append(f"  rpc {method.name}({request}) returns ({response});")
        lines.append("}")
    return "\n".join(lines) + "\n"


def write_tree(
    files: list[descriptor_pb2.FileDescriptorProto], root: Path, skip_prefix: str = "google/protobuf/"
) -> None:
    """Write every file but the well-known ones (protoc brings its own) as ``root/<name>``."""
    for file in files:
        if file.name.startswith(skip_prefix):
            continue
        path = root / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(file))


def protoc_descriptor_set(out: Path, includes: list[Path], roots: Sequence[str], *flags: str) -> Path:
    """Write a ``FileDescriptorSet`` of ``roots`` with protoc's command line, as a user would (plus the well-known
    protos grpcio-tools bundles); ``flags`` are ``--include_imports``, ``--include_source_info``."""
    command = [sys.executable, "-m", "grpc_tools.protoc", *(f"-I{i}" for i in [*includes, well_known_protos()])]
    subprocess.run(
        [*command, *flags, f"--descriptor_set_out={out}", *roots], check=True, capture_output=True, timeout=60
    )
    return out

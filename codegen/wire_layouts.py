"""The fields ``templates/codec_dicts.py.j2`` reads by their wire keys, checked against the schema on every run.

Those decoders read a few messages straight into wrapper objects and dicts, with each field's key written out for
speed. If the API's protos ever renumber, retype or drop one of these fields, generation stops here and names it,
instead of rendering a decoder that would misread the bytes.
"""

from __future__ import annotations

from google.protobuf import descriptor

from .errors import CodegenError
from .schema import Schema

_F = descriptor.FieldDescriptor
_ONE, _MANY = False, True  # repeated?

# message -> field name -> (number, type, repeated), as codec_dicts.py.j2 assumes them.
ASSUMED: dict[str, dict[str, tuple[int, int, bool]]] = {
    "google.protobuf.Struct": {"fields": (1, _F.TYPE_MESSAGE, _MANY)},
    "google.protobuf.Struct.FieldsEntry": {"key": (1, _F.TYPE_STRING, _ONE), "value": (2, _F.TYPE_MESSAGE, _ONE)},
    "google.protobuf.Value": {
        "null_value": (1, _F.TYPE_ENUM, _ONE),
        "number_value": (2, _F.TYPE_DOUBLE, _ONE),
        "string_value": (3, _F.TYPE_STRING, _ONE),
        "bool_value": (4, _F.TYPE_BOOL, _ONE),
        "struct_value": (5, _F.TYPE_MESSAGE, _ONE),
        "list_value": (6, _F.TYPE_MESSAGE, _ONE),
    },
    "google.protobuf.ListValue": {"values": (1, _F.TYPE_MESSAGE, _MANY)},
    "viam.common.v1.LogEntry": {
        "host": (1, _F.TYPE_STRING, _ONE),
        "level": (2, _F.TYPE_STRING, _ONE),
        "time": (3, _F.TYPE_MESSAGE, _ONE),
        "logger_name": (4, _F.TYPE_STRING, _ONE),
        "message": (5, _F.TYPE_STRING, _ONE),
        "caller": (6, _F.TYPE_MESSAGE, _ONE),
        "stack": (7, _F.TYPE_STRING, _ONE),
        "fields": (8, _F.TYPE_MESSAGE, _MANY),
    },
    "viam.app.v1.GetRobotPartLogsResponse": {
        "logs": (1, _F.TYPE_MESSAGE, _MANY),
        "next_page_token": (2, _F.TYPE_STRING, _ONE),
    },
    "viam.app.v1.GetRobotPartResponse": {"part": (1, _F.TYPE_MESSAGE, _ONE), "config_json": (2, _F.TYPE_STRING, _ONE)},
    "viam.app.v1.RobotPart": {
        "robot_config": (5, _F.TYPE_MESSAGE, _ONE),
        "user_supplied_info": (7, _F.TYPE_MESSAGE, _ONE),
    },
}


def _messages(schema: Schema) -> dict[str, descriptor.Descriptor]:
    found: dict[str, descriptor.Descriptor] = {}
    pending = [message for file in schema.files for message in file.message_types_by_name.values()]
    while pending:
        message = pending.pop()
        found[message.full_name] = message
        pending.extend(message.nested_types)
    return found


def check_wire_layouts(schema: Schema) -> None:
    """Raise ``CodegenError`` naming each field whose number, type or repetition differs from what the decoders read."""
    messages = _messages(schema)
    problems: list[str] = []
    for name, fields in ASSUMED.items():
        message = messages.get(name)
        if message is None:
            problems.append(f"{name}: no such message")
            continue
        for field_name, (number, kind, repeated) in fields.items():
            field = message.fields_by_name.get(field_name)
            if field is None:
                problems.append(f"{name}.{field_name}: no such field")
            elif (field.number, field.type, field.is_repeated) != (number, kind, repeated):
                problems.append(
                    f"{name}.{field_name}: number/type/repeated {field.number}/{field.type}/{field.is_repeated}, "
                    f"templates/codec_dicts.py.j2 reads {number}/{kind}/{repeated}"
                )
    if problems:
        raise CodegenError("the schema no longer has the layouts the direct decoders read:\n" + "\n".join(problems))

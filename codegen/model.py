"""A small model of the services the templates render: services, methods and the request fields they flatten."""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, replace

from betterproto2_compiler.compile.naming import (
    pythonize_class_name,
    pythonize_enum_member_name,
    pythonize_field_name,
    pythonize_method_name,
)
from google.protobuf import descriptor

from .errors import CodegenError
from .messages import PACKAGE_ROOT
from .schema import Schema

FD = descriptor.FieldDescriptor

# Parameter names every generated method already takes.
RESERVED_PARAMETERS = frozenset({"self", "request", "requests", "timeout", "metadata"})

SCALARS: dict[int, tuple[str, str, str]] = {  # proto type -> (python type, default, proto spelling)
    FD.TYPE_DOUBLE: ("float", "0.0", "double"),
    FD.TYPE_FLOAT: ("float", "0.0", "float"),
    FD.TYPE_INT64: ("int", "0", "int64"),
    FD.TYPE_UINT64: ("int", "0", "uint64"),
    FD.TYPE_INT32: ("int", "0", "int32"),
    FD.TYPE_FIXED64: ("int", "0", "fixed64"),
    FD.TYPE_FIXED32: ("int", "0", "fixed32"),
    FD.TYPE_BOOL: ("bool", "False", "bool"),
    FD.TYPE_STRING: ("str", '""', "string"),
    FD.TYPE_BYTES: ("bytes", 'b""', "bytes"),
    FD.TYPE_UINT32: ("int", "0", "uint32"),
    FD.TYPE_SFIXED32: ("int", "0", "sfixed32"),
    FD.TYPE_SFIXED64: ("int", "0", "sfixed64"),
    FD.TYPE_SINT32: ("int", "0", "sint32"),
    FD.TYPE_SINT64: ("int", "0", "sint64"),
}

# Well-known messages betterproto2 replaces by a plain Python type.
WRAPPED = {
    "google.protobuf.Timestamp": "datetime.datetime",
    "google.protobuf.Duration": "datetime.timedelta",
    "google.protobuf.BoolValue": "bool",
    "google.protobuf.Int32Value": "int",
    "google.protobuf.Int64Value": "int",
    "google.protobuf.UInt32Value": "int",
    "google.protobuf.UInt64Value": "int",
    "google.protobuf.FloatValue": "float",
    "google.protobuf.DoubleValue": "float",
    "google.protobuf.StringValue": "str",
    "google.protobuf.BytesValue": "bytes",
}


def module_alias(package: str) -> str:
    """The name a generated module imports a message package under: ``viam.app.v1`` -> ``viam_app_v1``."""
    return package.replace(".", "_")


def package_imports(packages: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """``(parent module, last component, alias)`` to import each message package under its alias."""
    out: list[tuple[str, str, str]] = []
    for package in packages:
        parent, _, leaf = f"{PACKAGE_ROOT}.{package}".rpartition(".")
        out.append((parent, leaf, module_alias(package)))
    return out


def class_ref(message: descriptor.Descriptor | descriptor.EnumDescriptor) -> str:
    """A reference to the betterproto2 class of a message or enum, through its package's module alias."""
    package = message.file.package
    relative = message.full_name.removeprefix(package + ".") if package else message.full_name
    return f"{module_alias(package)}.{pythonize_class_name(relative)}"


@dataclass(frozen=True)
class Param:
    """One request field, flattened into a keyword argument."""

    name: str  # the keyword argument
    field: str  # the attribute of the request dataclass
    annotation: str
    default: str
    value: str  # expression that turns the argument into the field's value
    given: str  # expression that is true when the caller passed something other than the default
    proto: str  # the field as written in the .proto, for docstrings
    doc: str = ""  # the first paragraph of the field's comments, on one line, ready for a docstring


@dataclass(frozen=True)
class Method:
    """One RPC."""

    name: str  # proto name, e.g. GetRobot
    py_name: str  # e.g. get_robot
    path: str  # e.g. /viam.app.v1.AppService/GetRobot
    client_streaming: bool
    server_streaming: bool
    request: str  # class reference
    response: str
    request_proto: str  # full proto names, for docstrings
    response_proto: str
    params: tuple[Param, ...]
    doc: str = ""  # the RPC's comments in the .proto, ready for a docstring

    @property
    def cardinality(self) -> str:
        """The grpclib ``Cardinality`` member name."""
        return ("STREAM" if self.client_streaming else "UNARY") + "_" + ("STREAM" if self.server_streaming else "UNARY")


@dataclass(frozen=True)
class Service:
    """One gRPC service of a root proto file."""

    name: str  # AppService
    full_name: str  # viam.app.v1.AppService
    proto_file: str
    methods: tuple[Method, ...]
    doc: str = ""  # the service's comments in the .proto, ready for a docstring


@dataclass(frozen=True)
class Model:
    """Everything the service templates render."""

    schema_version: str
    services: tuple[Service, ...]
    packages: tuple[str, ...]  # proto packages the services reference, for imports

    @property
    def imports(self) -> list[tuple[str, str, str]]:
        """``(parent module, last component, alias)`` for every message package used."""
        return package_imports(self.packages)


def _where(field: descriptor.FieldDescriptor) -> str:
    return f"{field.containing_type.file.name}: field {field.full_name}" if field.containing_type else field.full_name


def _message(field: descriptor.FieldDescriptor) -> descriptor.Descriptor:
    if field.message_type is None:
        raise CodegenError(f"{_where(field)} names a message type the descriptor does not resolve")
    return field.message_type


def _enum(field: descriptor.FieldDescriptor) -> descriptor.EnumDescriptor:
    if field.enum_type is None:
        raise CodegenError(f"{_where(field)} names an enum type the descriptor does not resolve")
    return field.enum_type


def _value_type(field: descriptor.FieldDescriptor, packages: set[str]) -> tuple[str, str]:
    """The Python type of one (non-repeated) value of ``field``, and its proto spelling."""
    if field.type == FD.TYPE_MESSAGE:
        message = _message(field)
        if message.full_name in WRAPPED:
            return WRAPPED[message.full_name], message.full_name
        packages.add(message.file.package)
        return class_ref(message), message.full_name
    if field.type == FD.TYPE_ENUM:
        enum = _enum(field)
        packages.add(enum.file.package)
        return class_ref(enum), enum.full_name
    if field.type in SCALARS:
        python, _, proto = SCALARS[field.type]
        return python, proto
    raise CodegenError(f"{_where(field)} has unsupported type {field.type}")


def _is_map(field: descriptor.FieldDescriptor) -> bool:
    return field.type == FD.TYPE_MESSAGE and _message(field).GetOptions().map_entry


def _param(field: descriptor.FieldDescriptor, packages: set[str]) -> Param:
    attr = pythonize_field_name(field.name)
    name = attr + "_" if attr in RESERVED_PARAMETERS or keyword.iskeyword(attr) else attr
    is_repeated = field.is_repeated
    if _is_map(field):
        entry = _message(field)
        key, key_proto = _value_type(entry.fields_by_name["key"], packages)
        value, value_proto = _value_type(entry.fields_by_name["value"], packages)
        return Param(
            name=name,
            field=attr,
            annotation=f"Mapping[{key}, {value}] | None",
            default="None",
            value=f"dict({name}) if {name} is not None else {{}}",
            given=f"{name} is not None",
            proto=f"map<{key_proto}, {value_proto}> {field.name} = {field.number}",
        )
    python, proto = _value_type(field, packages)
    if is_repeated:
        return Param(
            name=name,
            field=attr,
            annotation=f"Sequence[{python}]",
            default="()",
            value=f"list({name})",
            given=f"len({name}) > 0",
            proto=f"repeated {proto} {field.name} = {field.number}",
        )
    nullable = (
        field.type == FD.TYPE_MESSAGE or field.containing_oneof is not None or field.has_presence  # optional/oneof
    )
    if nullable:
        prefix = "optional " if field.containing_oneof is None and field.type != FD.TYPE_MESSAGE else ""
        oneof = f" (oneof {field.containing_oneof.name})" if field.containing_oneof is not None else ""
        return Param(
            name=name,
            field=attr,
            annotation=f"{python} | None",
            default="None",
            value=name,
            given=f"{name} is not None",
            proto=f"{prefix}{proto} {field.name} = {field.number}{oneof}",
        )
    if field.type == FD.TYPE_ENUM:
        enum = _enum(field)
        default = f"{python}.{pythonize_enum_member_name(enum.values_by_number[0].name, enum.name)}"
    else:
        default = SCALARS[field.type][1]
    return Param(
        name=name,
        field=attr,
        annotation=python,
        default=default,
        value=name,
        given=f"{name} != {default}",
        proto=f"{proto} {field.name} = {field.number}",
    )


def docstring_text(doc: str) -> str:
    """A comment made safe inside a triple-quoted docstring."""
    return doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def first_paragraph(doc: str) -> str:
    """The first paragraph of a comment, its lines joined."""
    return " ".join(doc.split("\n\n", 1)[0].split())


def _method(
    service: descriptor.ServiceDescriptor,
    method: descriptor.MethodDescriptor,
    packages: set[str],
    docs: Mapping[str, str],
) -> Method:
    if method.client_streaming and method.server_streaming:
        # No service fleetwire generates has one; the templates would need a bidirectional adapter first.
        raise CodegenError(f"{service.file.name}: {method.full_name} is bidirectional streaming, which is unsupported")
    for message in (method.input_type, method.output_type):
        packages.add(message.file.package)
    return Method(
        name=method.name,
        py_name=pythonize_method_name(method.name),
        path=f"/{service.full_name}/{method.name}",
        client_streaming=method.client_streaming,
        server_streaming=method.server_streaming,
        request=class_ref(method.input_type),
        response=class_ref(method.output_type),
        request_proto=method.input_type.full_name,
        response_proto=method.output_type.full_name,
        params=tuple(
            replace(_param(field, packages), doc=docstring_text(first_paragraph(docs.get(field.full_name, ""))))
            for field in method.input_type.fields
        ),
        doc=docstring_text(docs.get(method.full_name, "")),
    )


def build_model(schema: Schema) -> Model:
    """Collect every service defined in the schema's root files."""
    packages: set[str] = set()
    services: list[Service] = []
    docs = schema.docs
    for file in schema.roots:
        for service in file.services_by_name.values():
            methods = tuple(_method(service, method, packages, docs) for method in service.methods)
            doc = docstring_text(docs.get(service.full_name, ""))
            services.append(Service(service.name, service.full_name, file.name, methods, doc))
    names = [s.name for s in services]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise CodegenError(f"two root files define services named {sorted(duplicates)}; client names would clash")
    return Model(
        schema_version=schema.version,
        services=tuple(services),
        packages=tuple(sorted(packages)),
    )

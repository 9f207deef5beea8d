"""The generated code covers 100% of the schema: every RPC on both raw clients (and the server bases), every message and
enum in the message packages. The expectations come from the official descriptors (``viam.gen``), not from our code.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import AsyncIterator, Iterator

import betterproto2
import pytest
from _support.fleetwire_schema import (
    closure_files,
    enum_descriptors,
    is_map_entry,
    message_descriptors,
    our_class,
    our_class_name,
    our_field_name,
    our_module_name,
    real_oneof,
    root_files,
)
from betterproto2_compiler.compile.naming import pythonize_method_name
from google.protobuf import descriptor
from grpclib.const import Cardinality

from fleetwire_api.services import SERVICES

APP_SERVICE = "viam.app.v1.AppService"
APP_SERVICE_RPC_COUNT = 124


def _services() -> list[descriptor.ServiceDescriptor]:
    return [service for file in root_files() for service in file.services_by_name.values()]


def _methods() -> list[descriptor.MethodDescriptor]:
    return [method for service in _services() for method in service.methods]


def _method_id(method: descriptor.MethodDescriptor) -> str:
    return f"{method.containing_service.name}/{method.name}"


def _message_id(message: descriptor.Descriptor) -> str:
    return message.full_name


def _cardinality(method: descriptor.MethodDescriptor) -> Cardinality:
    return {
        (False, False): Cardinality.UNARY_UNARY,
        (False, True): Cardinality.UNARY_STREAM,
        (True, False): Cardinality.STREAM_UNARY,
        (True, True): Cardinality.STREAM_STREAM,
    }[(method.client_streaming, method.server_streaming)]


def _our_message(message: descriptor.Descriptor) -> type[betterproto2.Message]:
    cls = our_class(message)
    where = our_module_name(message.file.package)
    assert cls is not None, f"{message.full_name}: no class {our_class_name(message)} in {where}"
    assert issubclass(cls, betterproto2.Message), f"{message.full_name}: {cls!r} is not a betterproto2 message"
    return cls


def _fields(cls: type) -> tuple[dataclasses.Field[typing.Any], ...]:
    assert dataclasses.is_dataclass(cls), f"{cls!r} is not a dataclass"
    return dataclasses.fields(cls)


def _public_methods(cls: type) -> set[str]:
    return {name for name, value in vars(cls).items() if callable(value) and not name.startswith("_")}


def test_schema_is_the_one_the_issue_names() -> None:
    names = [file.name for file in root_files()]
    assert names == [
        "app/v1/app.proto",
        "app/v1/robot.proto",
        "common/v1/common.proto",
        "app/packages/v1/packages.proto",
        "proto/rpc/v1/auth.proto",
    ]
    # The closure pulls in the imports (google/protobuf/*, google/api/*, ...); the message test below walks all of it.
    assert len(closure_files()) > len(names)


def test_every_service_of_the_root_files_is_generated() -> None:
    expected = {service.full_name for service in _services()}
    assert set(SERVICES) == expected
    for name, (async_client, blocking_client, base) in SERVICES.items():
        assert async_client.__name__.endswith("AsyncClient"), name
        assert blocking_client.__name__.endswith("Client"), name
        assert base.__name__.endswith("Base"), name


def test_app_service_has_124_rpcs_on_both_clients_and_the_server_base() -> None:
    (app_service,) = [service for service in _services() if service.full_name == APP_SERVICE]
    assert len(app_service.methods) == APP_SERVICE_RPC_COUNT
    expected = {pythonize_method_name(method.name) for method in app_service.methods}
    assert len(expected) == APP_SERVICE_RPC_COUNT  # no two RPCs collapse onto one Python name
    async_client, blocking_client, base = SERVICES[APP_SERVICE]
    assert _public_methods(async_client) == expected
    assert _public_methods(blocking_client) == expected
    assert _public_methods(base) == expected


@pytest.mark.parametrize("service", _services(), ids=lambda service: service.full_name)
def test_clients_have_no_method_the_schema_lacks(service: descriptor.ServiceDescriptor) -> None:
    expected = {pythonize_method_name(method.name) for method in service.methods}
    async_client, blocking_client, base = SERVICES[service.full_name]
    assert _public_methods(async_client) == expected
    assert _public_methods(blocking_client) == expected
    assert _public_methods(base) == expected


def _check_request_parameters(
    method: descriptor.MethodDescriptor, function: typing.Callable[..., object], request_type: type
) -> None:
    """Keyword-only flattened fields (in declaration order, all with defaults), then request, timeout, metadata."""
    parameters = list(inspect.signature(function).parameters.values())
    assert parameters[0].name == "self"
    parameters = parameters[1:]
    fields = [our_field_name(field) for field in method.input_type.fields]
    assert [parameter.name for parameter in parameters] == [*fields, "request", "timeout", "metadata"]
    for parameter in parameters:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{parameter.name} must be keyword-only"
        assert parameter.default is not inspect.Parameter.empty, f"{parameter.name} needs a default"
    assert parameters[-3].default is None and parameters[-2].default is None and parameters[-1].default is None
    hints = typing.get_type_hints(function)
    assert hints["request"] == (request_type | None)
    assert hints["timeout"] == (float | None)


def _check_requests_parameters(function: typing.Callable[..., object]) -> None:
    """Client-streaming: ``requests`` (required), then ``timeout`` and ``metadata`` with ``None`` defaults."""
    parameters = list(inspect.signature(function).parameters.values())[1:]
    assert [parameter.name for parameter in parameters] == ["requests", "timeout", "metadata"]
    assert parameters[0].default is inspect.Parameter.empty
    assert parameters[0].kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)
    for parameter in parameters[1:]:
        assert parameter.default is None
        assert parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


@pytest.mark.parametrize("method", _methods(), ids=_method_id)
def test_every_rpc_is_on_both_raw_clients_with_the_expected_shape(method: descriptor.MethodDescriptor) -> None:
    name = pythonize_method_name(method.name)
    async_client, blocking_client, base = SERVICES[method.containing_service.full_name]
    request_type = _our_message(method.input_type)
    response_type = _our_message(method.output_type)
    cardinality = _cardinality(method)
    assert cardinality is not Cardinality.STREAM_STREAM, "no bidirectional RPC in this schema; extend the test"

    async_method = getattr(async_client, name, None)
    blocking_method = getattr(blocking_client, name, None)
    assert async_method is not None, f"{async_client.__name__} lacks {name} ({_method_id(method)})"
    assert blocking_method is not None, f"{blocking_client.__name__} lacks {name} ({_method_id(method)})"
    assert getattr(base, name, None) is not None, f"{base.__name__} lacks {name} ({_method_id(method)})"

    async_hints = typing.get_type_hints(async_method)
    blocking_hints = typing.get_type_hints(blocking_method)
    if cardinality is Cardinality.UNARY_UNARY:
        assert inspect.iscoroutinefunction(async_method)
        assert async_hints["return"] == response_type
        assert blocking_hints["return"] == response_type
    elif cardinality is Cardinality.UNARY_STREAM:
        # Called without await, iterated with ``async for``.
        assert not inspect.iscoroutinefunction(async_method)
        assert async_hints["return"] == AsyncIterator[response_type]
        assert blocking_hints["return"] == Iterator[response_type]
    else:
        assert inspect.iscoroutinefunction(async_method)
        assert async_hints["return"] == response_type
        assert blocking_hints["return"] == response_type
    assert not inspect.iscoroutinefunction(blocking_method)
    assert not inspect.isasyncgenfunction(blocking_method)

    if method.client_streaming:
        _check_requests_parameters(async_method)
        _check_requests_parameters(blocking_method)
    else:
        _check_request_parameters(method, async_method, request_type)
        _check_request_parameters(method, blocking_method, request_type)
    # The blocking surface is the async one: same parameters, same defaults.
    assert inspect.signature(blocking_method).parameters.keys() == inspect.signature(async_method).parameters.keys()
    for parameter in inspect.signature(async_method).parameters.values():
        twin = inspect.signature(blocking_method).parameters[parameter.name]
        assert (twin.kind, twin.default) == (parameter.kind, parameter.default), parameter.name

    # The server base routes the byte-identical RPC path to this method with the right types and cardinality.
    path = f"/{method.containing_service.full_name}/{method.name}"
    handler = base().__mapping__()[path]
    assert handler.cardinality is cardinality
    assert handler.request_type is request_type
    assert handler.reply_type is response_type


FD = descriptor.FieldDescriptor
PROTO_TYPES = {
    FD.TYPE_DOUBLE: betterproto2.TYPE_DOUBLE,
    FD.TYPE_FLOAT: betterproto2.TYPE_FLOAT,
    FD.TYPE_INT64: betterproto2.TYPE_INT64,
    FD.TYPE_UINT64: betterproto2.TYPE_UINT64,
    FD.TYPE_INT32: betterproto2.TYPE_INT32,
    FD.TYPE_FIXED64: betterproto2.TYPE_FIXED64,
    FD.TYPE_FIXED32: betterproto2.TYPE_FIXED32,
    FD.TYPE_BOOL: betterproto2.TYPE_BOOL,
    FD.TYPE_STRING: betterproto2.TYPE_STRING,
    FD.TYPE_MESSAGE: betterproto2.TYPE_MESSAGE,
    FD.TYPE_BYTES: betterproto2.TYPE_BYTES,
    FD.TYPE_UINT32: betterproto2.TYPE_UINT32,
    FD.TYPE_ENUM: betterproto2.TYPE_ENUM,
    FD.TYPE_SFIXED32: betterproto2.TYPE_SFIXED32,
    FD.TYPE_SFIXED64: betterproto2.TYPE_SFIXED64,
    FD.TYPE_SINT32: betterproto2.TYPE_SINT32,
    FD.TYPE_SINT64: betterproto2.TYPE_SINT64,
}


def _expected_metadata(field: FD) -> tuple[int, str, bool, str | None]:
    """(number, betterproto2 type, repeated, oneof group) as the descriptor says they must be."""
    entry = field.message_type
    if entry is not None and is_map_entry(entry):
        return field.number, betterproto2.TYPE_MAP, False, None
    oneof = real_oneof(field)
    return field.number, PROTO_TYPES[field.type], field.is_repeated, None if oneof is None else oneof.name


@pytest.mark.parametrize("message", message_descriptors(), ids=_message_id)
def test_every_message_is_generated_with_its_fields(message: descriptor.Descriptor) -> None:
    cls = _our_message(message)
    actual: dict[str, tuple[int, str, bool, str | None]] = {}
    for field in _fields(cls):
        meta = betterproto2.FieldMetadata.get(field)
        actual[field.name] = (meta.number, meta.proto_type, bool(meta.repeated), meta.group)
    expected = {our_field_name(field): _expected_metadata(field) for field in message.fields}
    assert actual == expected


@pytest.mark.parametrize("enum", enum_descriptors(), ids=lambda enum: enum.full_name)
def test_every_enum_is_generated_with_its_values(enum: descriptor.EnumDescriptor) -> None:
    cls = our_class(enum)
    assert cls is not None, f"{enum.full_name}: no class {our_class_name(enum)} in {our_module_name(enum.file.package)}"
    assert issubclass(cls, betterproto2.Enum)
    assert {int(member) for member in cls} == {value.number for value in enum.values}


def test_map_entries_are_not_classes_but_map_fields() -> None:
    # Map entries are excluded from the message list above; check they really are map-typed fields on our side.
    checked = 0
    for message in message_descriptors():
        cls = _our_message(message)
        for field in message.fields:
            if field.message_type is not None and is_map_entry(field.message_type):
                (dataclass_field,) = [f for f in _fields(cls) if f.name == our_field_name(field)]
                assert betterproto2.FieldMetadata.get(dataclass_field).proto_type == betterproto2.TYPE_MAP
                checked += 1
    assert checked > 0

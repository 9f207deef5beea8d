"""The API schema as the official ``viam-sdk`` describes it: the oracle of the coverage and wire-compatibility tests.

Descriptors come from the compiled ``viam.gen`` modules (and ``google.protobuf``'s own), never from our generated code,
so a test built on them can notice what the generator left out. The list of root files is read from
``codegen/schema.py`` with :mod:`ast` (the test dependency group does not install the generator's dependencies, and
reading the literal keeps the two lists from drifting apart).
"""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path
from types import ModuleType

from betterproto2_compiler.compile.naming import pythonize_class_name, pythonize_field_name
from google.protobuf import descriptor, descriptor_pb2, message_factory
from google.protobuf.message import Message as OfficialMessage

REPO_ROOT = Path(__file__).resolve().parents[2]
OUR_PACKAGE_ROOT = "fleetwire_api"


def _codegen_root_files() -> tuple[str, ...]:
    """``ROOT_PROTO_FILES`` as written in ``codegen/schema.py``."""
    source = (REPO_ROOT / "codegen" / "schema.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "ROOT_PROTO_FILES" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, tuple) and all(isinstance(name, str) for name in value)
            return tuple(str(name) for name in value)
    raise AssertionError("codegen/schema.py defines no ROOT_PROTO_FILES literal")


ROOT_PROTO_FILES = _codegen_root_files()


def official_module(proto_file: str) -> ModuleType:
    """The ``viam.gen`` module that registers ``proto_file`` (``app/v1/app.proto`` -> ``viam.gen.app.v1.app_pb2``)."""
    return importlib.import_module("viam.gen." + proto_file.removesuffix(".proto").replace("/", ".") + "_pb2")


@functools.cache
def root_files() -> tuple[descriptor.FileDescriptor, ...]:
    """The descriptors of the root files, in the order codegen lists them."""
    files: list[descriptor.FileDescriptor] = []
    for name in ROOT_PROTO_FILES:
        file = official_module(name).DESCRIPTOR
        assert isinstance(file, descriptor.FileDescriptor) and file.name == name
        files.append(file)
    return tuple(files)


@functools.cache
def closure_files() -> tuple[descriptor.FileDescriptor, ...]:
    """The root files and everything they import, transitively, each once."""
    seen: dict[str, descriptor.FileDescriptor] = {}

    def visit(file: descriptor.FileDescriptor) -> None:
        if file.name not in seen:
            seen[file.name] = file
            for dependency in file.dependencies:
                visit(dependency)

    for root in root_files():
        visit(root)
    return tuple(seen.values())


def is_map_entry(message: descriptor.Descriptor) -> bool:
    """True for the synthetic ``XxxEntry`` messages protoc makes for ``map<,>`` fields."""
    return message.GetOptions().map_entry


@functools.cache
def message_descriptors() -> tuple[descriptor.Descriptor, ...]:
    """Every message of the closure, nested ones included, map entries excluded."""
    found: list[descriptor.Descriptor] = []

    def visit(message: descriptor.Descriptor) -> None:
        if is_map_entry(message):
            return
        found.append(message)
        for nested in message.nested_types:
            visit(nested)

    for file in closure_files():
        for message in file.message_types_by_name.values():
            visit(message)
    return tuple(found)


@functools.cache
def enum_descriptors() -> tuple[descriptor.EnumDescriptor, ...]:
    """Every enum of the closure, nested ones included."""
    found: list[descriptor.EnumDescriptor] = list(
        enum for file in closure_files() for enum in file.enum_types_by_name.values()
    )
    for message in message_descriptors():
        found.extend(message.enum_types)
    return tuple(found)


def our_module_name(package: str) -> str:
    """Proto package ``viam.app.v1`` -> our module ``fleetwire_api.viam.app.v1``."""
    return f"{OUR_PACKAGE_ROOT}.{package}"


def our_class_name(type_descriptor: descriptor.Descriptor | descriptor.EnumDescriptor) -> str:
    """betterproto2's flattened name: ``FeatureSetDefaults.FeatureSetEditionDefault`` -> ``FeatureSetDefaults...``."""
    package = type_descriptor.file.package
    relative = type_descriptor.full_name[len(package) + 1 :] if package else type_descriptor.full_name
    return pythonize_class_name(relative)


def our_class(type_descriptor: descriptor.Descriptor | descriptor.EnumDescriptor) -> type | None:
    """Our generated class for a message or enum, or ``None`` when the generator did not emit it."""
    module = importlib.import_module(our_module_name(type_descriptor.file.package))
    found = getattr(module, our_class_name(type_descriptor), None)
    return found if isinstance(found, type) else None


def our_field_name(field: descriptor.FieldDescriptor) -> str:
    """betterproto2's attribute name for a field (snake case, Python keywords suffixed)."""
    return pythonize_field_name(field.name)


def official_class(message: descriptor.Descriptor) -> type[OfficialMessage]:
    """The official protobuf class of a message (the one its ``_pb2`` module registered)."""
    return message_factory.GetMessageClass(message)


@functools.cache
def file_proto(file: descriptor.FileDescriptor) -> descriptor_pb2.FileDescriptorProto:
    """The ``FileDescriptorProto`` of a file (for facts the runtime descriptors do not expose, like ``syntax``)."""
    proto = descriptor_pb2.FileDescriptorProto()
    file.CopyToProto(proto)
    return proto


def is_proto2(file: descriptor.FileDescriptor) -> bool:
    """True for files written in proto2 syntax (``google/protobuf/descriptor.proto`` in this closure)."""
    return file_proto(file).syntax in ("", "proto2")


@functools.cache
def proto3_optional_fields(message: descriptor.Descriptor) -> frozenset[str]:
    """The names of a message's ``optional`` proto3 fields (their oneofs are synthetic, not real choices)."""
    proto = descriptor_pb2.DescriptorProto()
    message.CopyToProto(proto)
    return frozenset(field.name for field in proto.field if field.proto3_optional)


def real_oneof(field: descriptor.FieldDescriptor) -> descriptor.OneofDescriptor | None:
    """The oneof a field belongs to, unless it is the synthetic oneof of a proto3 ``optional`` field."""
    oneof = field.containing_oneof
    if oneof is None or field.name in proto3_optional_fields(field.containing_type):
        return None
    return oneof

"""Load the API schema from the compiled descriptors shipped in the pinned ``viam-sdk`` distribution.

Only the descriptors are used: each ``*_pb2`` module of ``viam.gen`` registers a ``FileDescriptor`` from which we take
the ``FileDescriptorProto`` and those of everything it imports, in dependency order.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import metadata

from google.protobuf import descriptor, descriptor_pb2

from .errors import CodegenError

SCHEMA_DISTRIBUTION = "viam-sdk"

# The API surface fleetwire is generated from; everything these import comes along.
ROOT_PROTO_FILES = (
    "app/v1/app.proto",
    "app/v1/robot.proto",
    "common/v1/common.proto",
    "app/packages/v1/packages.proto",
    "proto/rpc/v1/auth.proto",
)


@dataclass(frozen=True)
class Schema:
    """The descriptors of the root files and of their whole import closure."""

    version: str
    roots: tuple[descriptor.FileDescriptor, ...]
    files: tuple[descriptor.FileDescriptor, ...]  # dependency order: every file after its imports

    def file_protos(self) -> list[descriptor_pb2.FileDescriptorProto]:
        """Copy every file out as a ``FileDescriptorProto`` (with an empty ``source_code_info``)."""
        protos: list[descriptor_pb2.FileDescriptorProto] = []
        for file in self.files:
            proto = descriptor_pb2.FileDescriptorProto()
            file.CopyToProto(proto)
            # Compiled modules carry no source info; betterproto2's compiler expects the field to be present.
            proto.source_code_info.SetInParent()
            protos.append(proto)
        return protos


def module_for(proto_file: str) -> str:
    """Name the ``viam.gen`` module that registers ``proto_file`` (``app/v1/app.proto`` -> ``...app.v1.app_pb2``)."""
    if not proto_file.endswith(".proto"):
        raise CodegenError(f"{proto_file}: not a .proto file name")
    return "viam.gen." + proto_file.removesuffix(".proto").replace("/", ".") + "_pb2"


def load_file(proto_file: str) -> descriptor.FileDescriptor:
    """Import the descriptor of one root proto file, or stop with an error naming it."""
    module_name = module_for(proto_file)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise CodegenError(
            f"{proto_file}: unknown proto file; {SCHEMA_DISTRIBUTION} has no module {module_name}"
        ) from exc
    except Exception as exc:  # a broken descriptor raises whatever protobuf raises
        raise CodegenError(f"{proto_file}: its descriptor does not load: {exc}") from exc
    file = getattr(module, "DESCRIPTOR", None)
    if not isinstance(file, descriptor.FileDescriptor) or file.name != proto_file:
        raise CodegenError(f"{proto_file}: {module_name} does not describe this file")
    return file


def load_schema(root_files: tuple[str, ...] = ROOT_PROTO_FILES) -> Schema:
    """Load the root files and their import closure from the installed, pinned schema distribution."""
    try:
        version = metadata.version(SCHEMA_DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise CodegenError(f"{SCHEMA_DISTRIBUTION} is not installed; run codegen with the 'codegen' group") from exc
    roots = tuple(load_file(name) for name in root_files)
    ordered: list[descriptor.FileDescriptor] = []
    seen: set[str] = set()

    def visit(file: descriptor.FileDescriptor) -> None:
        if file.name in seen:
            return
        seen.add(file.name)
        for dependency in file.dependencies:
            visit(dependency)
        ordered.append(file)

    for root in roots:
        visit(root)
    return Schema(version=version, roots=roots, files=tuple(ordered))

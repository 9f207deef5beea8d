"""Load the API schema: from the pinned ``viam-sdk`` distribution (the default), from ``.proto`` files, or from a
``FileDescriptorSet``.

Every input ends as the same thing: ``FileDescriptor`` objects of the root files and their whole import closure, in
dependency order, plus the documentation the input carries (its source comments; the compiled descriptors of the
pinned package carry none). The rest of the generator sees no difference between the inputs, so the same schema
gives the same output whichever way it came.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from google.protobuf import descriptor, descriptor_pb2, descriptor_pool
from google.protobuf.message import DecodeError

from .comments import documentation, documented_source_info, for_betterproto
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
    """The descriptors of the root files and of their whole import closure, and the documentation they carry."""

    version: str  # named in every generated file's header and in ``SCHEMA_VERSION``
    roots: tuple[descriptor.FileDescriptor, ...]
    files: tuple[descriptor.FileDescriptor, ...]  # dependency order: every file after its imports
    # proto file -> its source info, comments cleaned (see comments.py); empty for the compiled descriptors
    source_info: Mapping[str, descriptor_pb2.SourceCodeInfo] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How the generated files name the schema they come from."""
        return f"{SCHEMA_DISTRIBUTION}=={self.version}"

    @property
    def docs(self) -> dict[str, str]:
        """Full proto name of a service, RPC, message, field, enum or enum value -> its cleaned comment."""
        out: dict[str, str] = {}
        for file in self.files:
            info = self.source_info.get(file.name)
            if info is not None:
                out.update(documentation(_file_proto(file), info))
        return out

    def file_protos(self) -> list[descriptor_pb2.FileDescriptorProto]:
        """Copy every file out as a ``FileDescriptorProto``, with the cleaned comments as its source info."""
        protos: list[descriptor_pb2.FileDescriptorProto] = []
        for file in self.files:
            proto = _file_proto(file)
            info = self.source_info.get(file.name)
            if info is not None:
                proto.source_code_info.CopyFrom(for_betterproto(info))
            # Compiled modules carry no source info; betterproto2's compiler expects the field to be present.
            proto.source_code_info.SetInParent()
            protos.append(proto)
        return protos


def _file_proto(file: descriptor.FileDescriptor) -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto()
    file.CopyToProto(proto)
    return proto


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


def pinned_version() -> str:
    """The version of the installed, pinned schema distribution."""
    try:
        return metadata.version(SCHEMA_DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise CodegenError(f"{SCHEMA_DISTRIBUTION} is not installed; run codegen with the 'codegen' group") from exc


def messages_of(file: descriptor.FileDescriptor) -> Iterator[descriptor.Descriptor]:
    """Every message ``file`` defines, nested ones included, map entries aside, outer before inner."""
    pending = list(file.message_types_by_name.values())
    while pending:
        message = pending.pop(0)
        pending.extend(message.nested_types)
        if not message.GetOptions().map_entry:
            yield message


def _closure(roots: Iterable[descriptor.FileDescriptor]) -> tuple[descriptor.FileDescriptor, ...]:
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
    return tuple(ordered)


def load_schema(root_files: Sequence[str] = ROOT_PROTO_FILES) -> Schema:
    """Load the root files and their import closure from the installed, pinned schema distribution."""
    version = pinned_version()
    roots = tuple(load_file(name) for name in root_files)
    return Schema(version=version, roots=roots, files=_closure(roots))


def schema_from_files(
    protos: Sequence[descriptor_pb2.FileDescriptorProto],
    root_files: Sequence[str],
    version: str,
    origin: str,
    *,
    require_source_info: bool = True,
) -> Schema:
    """A schema from compiled ``FileDescriptorProto`` s (with their imports), as protoc or buf write them.

    ``origin`` names the input in errors. Without source info the schema would silently lose its documentation, so
    that stops here unless ``require_source_info`` is false.
    """
    by_name: dict[str, descriptor_pb2.FileDescriptorProto] = {}
    for proto in protos:
        by_name.setdefault(proto.name, proto)
    missing = [name for name in root_files if name not in by_name]
    if missing:
        raise CodegenError(f"{origin}: holds no {', '.join(missing)} (the root files to generate from)")
    if require_source_info and not any(p.source_code_info.location for p in by_name.values()):
        raise CodegenError(
            f"{origin}: the descriptor set has no source info, so its comments would be lost; write it with "
            "`protoc --include_source_info --include_imports` or `buf build` (without --exclude-source-info), "
            "or pass --without-source-info to generate without documentation"
        )
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(name: str, importer: str) -> None:
        if name in added:
            return
        proto = by_name.get(name)
        if proto is None:
            raise CodegenError(f"{importer}: imports {name}, which {origin} does not hold")
        added.add(name)
        for dependency in proto.dependency:
            add(dependency, name)
        bare = descriptor_pb2.FileDescriptorProto()
        bare.CopyFrom(proto)
        bare.ClearField("source_code_info")
        try:
            pool.Add(bare)
        except Exception as exc:  # protobuf raises TypeError or its own errors for an inconsistent file
            raise CodegenError(f"{name} ({origin}): its descriptor does not load: {exc}") from exc

    for name in root_files:
        add(name, origin)
    roots = tuple(pool.FindFileByName(name) for name in root_files)
    files = _closure(roots)
    source_info = {
        file.name: documented_source_info(by_name[file.name])
        for file in files
        if by_name[file.name].HasField("source_code_info")
    }
    return Schema(version=version, roots=roots, files=files, source_info=source_info)


def load_descriptor_set(
    path: Path, root_files: Sequence[str], version: str, *, require_source_info: bool = True
) -> Schema:
    """A schema from a ``FileDescriptorSet`` file (``buf build -o``, ``protoc --descriptor_set_out``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CodegenError(f"{path}: cannot read the descriptor set: {exc.strerror}") from exc
    fds = descriptor_pb2.FileDescriptorSet()
    try:
        fds.ParseFromString(data)
    except DecodeError as exc:
        raise CodegenError(f"{path}: not a FileDescriptorSet: {exc}") from exc
    if not fds.file:
        raise CodegenError(f"{path}: not a FileDescriptorSet, or an empty one")
    return schema_from_files(list(fds.file), root_files, version, str(path), require_source_info=require_source_info)

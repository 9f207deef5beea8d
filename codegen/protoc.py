"""Compile ``.proto`` files into a ``FileDescriptorSet`` with protoc from ``grpcio-tools`` (the codegen group).

grpcio-tools ships protoc and the well-known ``google/protobuf/*.proto`` files; the descriptors it writes keep the
source info, which holds the comments that become documentation. protoc runs in its own process, so its messages
(each naming the file and line at fault) are caught whole and passed on.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from google.protobuf import descriptor_pb2

from .errors import CodegenError
from .schema import Schema, schema_from_files


def well_known_protos() -> Path:
    """The directory of the well-known ``google/protobuf/*.proto`` files bundled with grpcio-tools."""
    try:
        return Path(str(resources.files("grpc_tools") / "_proto"))
    except ModuleNotFoundError as exc:
        raise CodegenError("grpcio-tools is not installed; run codegen with the 'codegen' group") from exc


def compile_protos(root_files: Sequence[str], includes: Sequence[Path]) -> descriptor_pb2.FileDescriptorSet:
    """Compile ``root_files`` (names relative to an include directory) and everything they import."""
    for include in includes:
        if not include.is_dir():
            raise CodegenError(f"{include}: no such directory of .proto files")
    for name in root_files:
        if not name.endswith(".proto"):
            raise CodegenError(f"{name}: not a .proto file name")
        if not any((include / name).is_file() for include in includes):
            raise CodegenError(f"{name}: not found in {', '.join(str(i) for i in includes)}")
    with tempfile.TemporaryDirectory(prefix="fleetwire-protoc-") as scratch:
        out = Path(scratch) / "schema.binpb"
        command = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            *(f"--proto_path={include}" for include in [*includes, well_known_protos()]),
            "--include_imports",
            "--include_source_info",
            f"--descriptor_set_out={out}",
            *root_files,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not out.exists():
            message = (result.stderr or result.stdout).strip() or f"protoc exited with status {result.returncode}"
            raise CodegenError(f"protoc could not compile {', '.join(root_files)}:\n{message}")
        descriptor_set = descriptor_pb2.FileDescriptorSet()
        descriptor_set.ParseFromString(out.read_bytes())
    return descriptor_set


def load_protos(directory: Path, includes: Sequence[Path], root_files: Sequence[str], version: str) -> Schema:
    """A schema from the ``.proto`` files under ``directory``; imports are looked up there, then in ``includes``,
    then among the well-known protos."""
    descriptor_set = compile_protos(root_files, [directory, *includes])
    return schema_from_files(list(descriptor_set.file), root_files, version, str(directory))

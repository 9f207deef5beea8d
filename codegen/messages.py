"""Messages and enums: betterproto2's compiler run in-process on a ``CodeGeneratorRequest`` built from the schema."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from betterproto2_compiler.lib.google.protobuf.compiler import CodeGeneratorRequest
from betterproto2_compiler.plugin.parser import generate_code
from google.protobuf.compiler import plugin_pb2

from .errors import CodegenError
from .schema import Schema

# Where the message packages live: proto package ``viam.app.v1`` becomes ``fleetwire_api.viam.app.v1``.
PACKAGE_ROOT = "fleetwire_api"


@contextlib.contextmanager
def _tools_on_path() -> Iterator[None]:
    """The compiler formats with ``ruff`` from PATH: make it the one installed beside this interpreter."""
    previous = os.environ.get("PATH", "")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + previous
    try:
        yield
    finally:
        os.environ["PATH"] = previous


def compile_messages(schema: Schema) -> dict[str, str]:
    """Return ``{path relative to generated/: source}`` for every proto package of the schema."""
    request = plugin_pb2.CodeGeneratorRequest()
    for proto in schema.file_protos():
        request.proto_file.append(proto)
        request.file_to_generate.append(proto.name)
    request.parameter = "client_generation=none,server_generation=none"
    # betterproto2 reads its own copy of the plugin protocol; hand it the bytes, as protoc would.
    parsed = CodeGeneratorRequest.parse(request.SerializeToString())
    chatter = io.StringIO()  # the compiler reports each file on stderr; keep our output quiet
    try:
        with _tools_on_path(), contextlib.redirect_stderr(chatter):
            response = generate_code(parsed)
    except Exception as exc:
        names = ", ".join(p.name for p in request.proto_file)
        raise CodegenError(f"betterproto2 could not compile the schema ({names}): {exc}") from exc
    if response.error:
        raise CodegenError(f"betterproto2 rejected the schema: {response.error}")
    return {f"{PACKAGE_ROOT}/{file.name}": file.content for file in response.file}

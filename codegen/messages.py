"""Messages and enums: betterproto2's compiler run in-process on a ``CodeGeneratorRequest`` built from the schema."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from betterproto2_compiler.lib.google.protobuf.compiler import CodeGeneratorRequest
from betterproto2_compiler.plugin.parser import generate_code
from google.protobuf.compiler import plugin_pb2

from .errors import CodegenError
from .message_classes import document_messages, write_constructors
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
    files = {f"{PACKAGE_ROOT}/{file.name}": file.content for file in response.file}
    for patch in PATCHES:
        patch.apply(files)
    for path, source in files.items():
        files[path] = write_constructors(document_messages(source), path)  # see message_classes.py
    return files


@dataclass(frozen=True)
class Patch:
    """A correction to betterproto2's output, applied before formatting. If betterproto2 stops emitting the exact
    text, generation stops: the patch must then be re-examined rather than silently skipped."""

    path: str
    old: str
    new: str
    why: str

    def apply(self, files: dict[str, str]) -> None:
        """Replace ``old`` by ``new`` in ``files[path]``, exactly once."""
        source = files.get(self.path, "")
        if source.count(self.old) != 1:
            raise CodegenError(f"{self.path}: betterproto2's output changed; re-examine the patch that {self.why}")
        files[self.path] = source.replace(self.old, self.new)


PATCHES = (
    Patch(
        path=f"{PACKAGE_ROOT}/google/protobuf/__init__.py",
        old="""        total_ms = delta // _1_microsecond
        seconds = int(total_ms / 1e6)
        nanos = int((total_ms % 1e6) * 1e3)
        return cls(seconds, nanos)
""",
        # Integer arithmetic: float division loses precision past ~2**33 s, and negative durations need seconds and
        # nanos of the same sign (the official runtime reads -1.5 s as (-1, -500000000)).
        new="""        total_us = delta // _1_microsecond
        sign = -1 if total_us < 0 else 1
        seconds, micros = divmod(abs(total_us), 1_000_000)
        return cls(sign * seconds, sign * micros * 1000)
""",
        why="makes Duration.from_timedelta exact and sign-correct",
    ),
    # dateutil parses RFC 3339 strings, only when a Timestamp is read from JSON: importing it with the messages cost
    # every client user ~10 ms at import for a path the clients never take.
    Patch(
        path=f"{PACKAGE_ROOT}/google/protobuf/__init__.py",
        old="import dateutil.parser\n",
        new="",
        why="imports dateutil only where a Timestamp is parsed from JSON",
    ),
    Patch(
        path=f"{PACKAGE_ROOT}/google/protobuf/__init__.py",
        old="            dt = dateutil.parser.isoparse(value)\n",
        new="            import dateutil.parser\n\n            dt = dateutil.parser.isoparse(value)\n",
        why="imports dateutil only where a Timestamp is parsed from JSON",
    ),
)

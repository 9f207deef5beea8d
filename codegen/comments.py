"""Source comments of a ``.proto`` file, cleaned into documentation.

protoc (and buf) keep each element's comments in ``source_code_info``: a location per element, named by its path of
field numbers and indexes in the ``FileDescriptorProto`` (``[4, 2, 2, 0]`` is the first field of the third message).
The leading and trailing comments of services, RPCs, messages, fields, oneofs, enums and enum values become their
documentation; detached comments (licence headers, section rulers) do not.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from google.protobuf import descriptor_pb2

# FileDescriptorProto / DescriptorProto / EnumDescriptorProto / ServiceDescriptorProto field numbers
_FILE_MESSAGE, _FILE_ENUM, _FILE_SERVICE = 4, 5, 6
_MESSAGE_FIELD, _MESSAGE_NESTED, _MESSAGE_ENUM, _MESSAGE_ONEOF = 2, 3, 4, 8
_ENUM_VALUE, _SERVICE_METHOD = 2, 2

Path = tuple[int, ...]


def _message_paths(message: descriptor_pb2.DescriptorProto, path: Path, name: str) -> Iterator[tuple[Path, str]]:
    yield path, name
    for i, field in enumerate(message.field):
        yield (*path, _MESSAGE_FIELD, i), f"{name}.{field.name}"
    for i, oneof in enumerate(message.oneof_decl):
        yield (*path, _MESSAGE_ONEOF, i), f"{name}.{oneof.name}"
    for i, nested in enumerate(message.nested_type):
        yield from _message_paths(nested, (*path, _MESSAGE_NESTED, i), f"{name}.{nested.name}")
    for i, enum in enumerate(message.enum_type):
        yield from _enum_paths(enum, (*path, _MESSAGE_ENUM, i), f"{name}.{enum.name}")


def _enum_paths(enum: descriptor_pb2.EnumDescriptorProto, path: Path, name: str) -> Iterator[tuple[Path, str]]:
    yield path, name
    scope = name.rpartition(".")[0]  # enum values are named in the enum's scope, as in C++
    for i, value in enumerate(enum.value):
        yield (*path, _ENUM_VALUE, i), f"{scope}.{value.name}" if scope else value.name


def element_paths(file: descriptor_pb2.FileDescriptorProto) -> dict[Path, str]:
    """Source-info path -> full proto name, for every element whose comments become documentation."""
    prefix = f"{file.package}." if file.package else ""
    out: dict[Path, str] = {}
    for i, message in enumerate(file.message_type):
        out.update(_message_paths(message, (_FILE_MESSAGE, i), prefix + message.name))
    for i, enum in enumerate(file.enum_type):
        out.update(_enum_paths(enum, (_FILE_ENUM, i), prefix + enum.name))
    for i, service in enumerate(file.service):
        out[(_FILE_SERVICE, i)] = prefix + service.name
        for j, method in enumerate(service.method):
            out[(_FILE_SERVICE, i, _SERVICE_METHOD, j)] = f"{prefix}{service.name}.{method.name}"
    return out


def _strip_margin(lines: list[str], marker: str) -> list[str]:
    """Drop ``marker`` (and one space after it) from the lines when every non-blank line after the first starts with
    it: the margin of a block comment's continuation lines (its first line follows the opening ``/*``)."""
    pattern = re.compile(rf"^\s*{re.escape(marker)} ?")
    rest = [line for line in lines[1:] if line.strip()]
    if rest and all(pattern.match(line) for line in rest):
        return [pattern.sub("", line, count=1) for line in lines]
    if len(lines) == 1 and pattern.match(lines[0]):
        return [pattern.sub("", lines[0], count=1)]
    return lines


def clean(*comments: str) -> str:
    """Comments as plain text: the block comments' ``*`` margins and ``///`` slashes gone, dedented, trailing space
    and surrounding blank lines removed, runs of blank lines made one; each comment a paragraph."""
    paragraphs: list[str] = []
    for comment in comments:
        lines = [line.rstrip() for line in comment.replace("\r\n", "\n").split("\n")]
        unmarked = _strip_margin(lines, "*")
        if unmarked != lines:  # a block comment: its first line starts right after the "/*"
            lines = [unmarked[0].strip(), textwrap.dedent("\n".join(unmarked[1:]))]
        lines = _strip_margin(lines, "/")
        text = textwrap.dedent("\n".join(lines)).strip("\n")
        text = re.sub(r"\n{3,}", "\n\n", text)
        if text.strip():
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def documented_source_info(file: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.SourceCodeInfo:
    """The source info of ``file`` reduced to its documented elements, each comment cleaned into
    ``leading_comments`` (no trailing or detached comments, no spans)."""
    paths = element_paths(file)
    info = descriptor_pb2.SourceCodeInfo()
    for location in file.source_code_info.location:
        path = tuple(location.path)
        if path not in paths:
            continue
        text = clean(location.leading_comments, location.trailing_comments)
        if text:
            info.location.add(path=path, leading_comments=text)
    return info


def documentation(file: descriptor_pb2.FileDescriptorProto, info: descriptor_pb2.SourceCodeInfo) -> dict[str, str]:
    """Full proto name -> documentation, from source info reduced by :func:`documented_source_info`."""
    paths = element_paths(file)
    return {paths[tuple(loc.path)]: loc.leading_comments for loc in info.location if tuple(loc.path) in paths}


def for_betterproto(info: descriptor_pb2.SourceCodeInfo) -> descriptor_pb2.SourceCodeInfo:
    """The same comments as betterproto2's compiler must receive them: it removes one leading space from every line
    (protoc keeps the space after ``//``), so each line gets one, and the text comes out unchanged."""
    out = descriptor_pb2.SourceCodeInfo()
    for location in info.location:
        text = "\n".join(" " + line if line else "" for line in location.leading_comments.split("\n"))
        out.location.add(path=location.path, leading_comments=text)
    return out

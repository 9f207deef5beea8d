"""Paths into a config document, as ``SetConfigProperty`` takes them: parsing, and setting a value at one.

Syntax: keys separated by dots, list indices in brackets, e.g. ``components[0].attributes.speed``. A key holding
``.``, ``[`` or ``]`` (or an empty key) is written as a JSON string in brackets: ``attributes["a.b"]``. Setting a
value creates missing object keys on the way (an empty object, or an empty list when an index follows); an index
must name an existing element, or equal the list's length to append one. Anything else is a :class:`PathError`.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

__all__ = ("MAX_PATH_LENGTH", "PathError", "Step", "parse_path", "set_at")

MAX_PATH_LENGTH = 4096
"""Longest accepted path, in characters."""

Step = str | int
"""One step of a path: an object key or a list index."""

_PLAIN_KEY = re.compile(r"[^.\[\]]+")
_INDEX = re.compile(r"\[(0|[1-9][0-9]*)\]")


class PathError(ValueError):
    """A path that does not parse, or cannot be followed in the document; the message says where and why."""


def parse_path(path: str) -> list[Step]:
    """Return the steps of ``path``; :class:`PathError` if it breaks the syntax (see the module docstring)."""
    if not path:
        raise PathError("is empty")
    if len(path) > MAX_PATH_LENGTH:
        raise PathError(f"is longer than {MAX_PATH_LENGTH} characters")
    steps: list[Step] = []
    position = 0
    while position < len(path):
        char = path[position]
        if char == "[":
            position = _bracket(path, position, steps)
            continue
        if char == ".":
            if not steps:
                raise PathError("starts with '.'")
            position += 1
        elif steps:
            raise PathError(f"expects '.' or '[' at offset {position}")
        key = _PLAIN_KEY.match(path, position)
        if key is None:
            raise PathError(f"has an empty key at offset {position}")
        steps.append(key.group())
        position = key.end()
    return steps


def _bracket(path: str, position: int, steps: list[Step]) -> int:
    """Read the ``[N]`` or ``["key"]`` at ``position`` into ``steps``; return the offset after it."""
    index = _INDEX.match(path, position)
    if index is not None:
        steps.append(int(index.group(1)))
        return index.end()
    if path.startswith('["', position):
        end = _string_end(path, position + 1)
        if end is not None and path.startswith("]", end):
            try:
                key: object = json.loads(path[position + 1 : end])
            except ValueError:
                key = None
            if isinstance(key, str):
                steps.append(key)
                return end + 1
    raise PathError(f'has a bracket at offset {position} that is neither [<index>] nor ["<key>"]')


def _string_end(path: str, start: int) -> int | None:
    """Return the offset after the JSON string that opens at ``start`` (a ``"``), or ``None`` if it never closes."""
    position = start + 1
    while position < len(path):
        char = path[position]
        if char == "\\":
            position += 2
            continue
        if char == '"':
            return position + 1
        position += 1
    return None


def _spell(steps: list[Step]) -> str:
    """Write ``steps`` back as a path (keys that need it quoted), for messages."""
    out = ""
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _PLAIN_KEY.fullmatch(step):
            out += f".{step}" if out else step
        else:
            out += f"[{json.dumps(step)}]"
    return out or "the document"


def set_at(document: dict[str, Any], steps: list[Step], value: Any) -> None:
    """Set ``value`` at ``steps`` inside ``document`` (changed in place); :class:`PathError` if it cannot be followed.

    On error ``document`` may be partly changed: apply to a copy.
    """
    container: Any = document
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        child: Any = value if last else ([] if isinstance(steps[depth + 1], int) else {})
        where = _spell(steps[:depth])
        if isinstance(container, dict):
            mapping = cast("dict[str, Any]", container)
            if isinstance(step, int):
                raise PathError(f"indexes [{step}] into {where}, which is an object")
            if last or step not in mapping:
                mapping[step] = child
            container = mapping[step]
        elif isinstance(container, list):
            items = cast("list[Any]", container)
            if isinstance(step, str):
                raise PathError(f"looks up key {step!r} in {where}, which is a list")
            if step > len(items):
                raise PathError(f"index [{step}] is past the end of {where} ({len(items)} elements)")
            if step == len(items):
                items.append(child)
            elif last:
                items[step] = child
            container = items[step]
        else:
            raise PathError(f"goes through {where}, which is a {_kind(container)}, not an object or a list")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"

"""The path syntax of ``set_config_property``: where in a machine part's config a value goes.

A path is a chain of steps from the top of the config (a JSON object):

- a key: its text, with a ``.`` before it unless it comes first (``components``, ``.attributes``);
- a key holding ``.``, ``[`` or ``]`` (or any key at all), bracketed as a JSON string: ``["a.b"]``;
- a list index: a non-negative integer in brackets, ``[0]``, without leading zeros.

So ``components[0].attributes.speed`` is the ``speed`` attribute of the first component, and
``services[1]["x.y"]`` the key ``x.y`` of the second service. A path starts with a key (the config is an object) and
is never empty, nor is a key.
"""

from __future__ import annotations

import json

__all__ = ("PathSyntaxError", "parse_path")

Step = str | int
"""A key (``str``) or a list index (``int``)."""

_SPECIAL = frozenset(".[]")
_DECODER = json.JSONDecoder()


class PathSyntaxError(ValueError):
    """A path that does not follow the syntax; the message says what is wrong and at which character."""


def parse_path(path: str) -> tuple[Step, ...]:
    """Split ``path`` into its steps; :class:`PathSyntaxError` says what is wrong otherwise."""
    steps: list[Step] = []
    i = 0
    while i < len(path):
        char = path[i]
        if char == "[":
            step, i = _bracket(path, i)
            if not steps and isinstance(step, int):
                raise PathSyntaxError("a path starts with a key: the config is an object, not a list")
        elif char == "." and steps:
            step, i = _bare_key(path, i + 1)
        elif not steps and char not in _SPECIAL:
            step, i = _bare_key(path, i)
        else:
            raise PathSyntaxError(f"unexpected {char!r} at character {i}")
        steps.append(step)
    if not steps:
        raise PathSyntaxError("the path is empty")
    return tuple(steps)


def _bare_key(path: str, start: int) -> tuple[str, int]:
    end = start
    while end < len(path) and path[end] not in _SPECIAL:
        end += 1
    if end == start:
        raise PathSyntaxError(f"empty key at character {start}")
    return path[start:end], end


def _bracket(path: str, start: int) -> tuple[Step, int]:
    """Read the step in the brackets opening at ``start``: an index, or a key as a JSON string."""
    close = path.find("]", start)
    if start + 1 < len(path) and path[start + 1] == '"':
        try:
            key, end = _DECODER.raw_decode(path, start + 1)
        except json.JSONDecodeError as exc:
            raise PathSyntaxError(f"bad quoted key at character {start + 1}: {exc.msg}") from None
        if not isinstance(key, str) or end >= len(path) or path[end] != "]":
            raise PathSyntaxError(f"a quoted key must be followed by ']' (character {end})")
        if not key:
            raise PathSyntaxError(f"empty key at character {start}")
        return key, end + 1
    if close < 0:
        raise PathSyntaxError(f"'[' at character {start} is never closed")
    digits = path[start + 1 : close]
    if not digits.isdigit() or not digits.isascii() or (len(digits) > 1 and digits[0] == "0"):
        raise PathSyntaxError(
            f"[{digits}] at character {start} is neither a list index (digits, no leading zero) nor a quoted key"
        )
    return int(digits), close + 1

"""Configs as editable trees, and the changes between two of them as ``set_config_property`` paths.

A config loaded into an object becomes a :class:`ConfigDict` (a ``dict`` whose keys also read and write as
attributes) holding :class:`ConfigList` lists, so ``part.config.components[0].attributes.speed = 5`` and
``part.config["components"][0]["attributes"]["speed"] = 5`` are the same edit. Nothing records the edits as they
happen: the object keeps a plain copy of the config as it was loaded, and :func:`changes` compares the two when
asked. So every edit counts, whatever form it takes (a method of ``dict`` or ``list``, a value built elsewhere and
assigned, a sort in place), and an edit undone by a later one is no change at all.

A change is a path and the new value there. A path is a dot-separated list of keys with ``[N]`` list indices
(``components[0].attributes.speed``); a key that is empty or contains ``.``, ``[``, ``]`` or ``"`` is written as a
JSON string in brackets (``attributes["a.b"]``). A key removed from a mapping, or a list whose length changed, is
written as the new value of the mapping or the list that holds it: ``set_config_property`` sets values, it cannot
delete one. The empty path stands for the whole config.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, SupportsIndex, cast, overload

__all__ = ("ConfigDict", "ConfigList", "changes", "format_path", "plain", "same", "tracked")

_PLAIN_KEY = re.compile(r'[^.\[\]"]+')


def tracked(value: Any) -> Any:
    """Return ``value`` with every mapping made a :class:`ConfigDict` and every list a :class:`ConfigList`."""
    if isinstance(value, (ConfigDict, ConfigList)):
        return cast("Any", value)
    if isinstance(value, Mapping):
        return ConfigDict(cast("Mapping[str, Any]", value))
    if isinstance(value, (list, tuple)):
        return ConfigList(cast("Iterable[Any]", value))
    return value


def plain(value: Any, where: str = "config") -> Any:
    """Copy a JSON-like ``value`` in plain dicts and lists; ``TypeError`` names a value that is not JSON.

    ``where`` is the name of ``value`` in the message (the path below it is appended).
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{where} must be a finite number, got {value!r}")
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in cast("Mapping[object, Any]", value).items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a key of type {type(key).__name__}: config keys must be str")
            out[key] = plain(item, where + _step(key))
        return out
    if isinstance(value, (list, tuple)):
        return [plain(item, f"{where}[{i}]") for i, item in enumerate(cast("Iterable[Any]", value))]
    if isinstance(value, datetime.datetime):
        raise TypeError(f"{where} is a datetime: store it in a config as an ISO 8601 string")
    raise TypeError(f"{where} must be a JSON value (dict, list, str, number, bool or None), got {type(value).__name__}")


def same(a: Any, b: Any) -> bool:
    """Whether two JSON-like values are equal as JSON: ``5 == 5.0``, but ``True`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        left, right = cast("Mapping[str, Any]", a), cast("Mapping[str, Any]", b)
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        first, second = cast("list[Any]", a), cast("list[Any]", b)
        return len(first) == len(second) and all(same(x, y) for x, y in zip(first, second, strict=True))
    if isinstance(a, (Mapping, list, tuple)) or isinstance(b, (Mapping, list, tuple)):
        return False
    return cast("bool", a == b)


def changes(old: Any, new: Any) -> dict[str, Any]:
    """Return the smallest set of ``path -> new value`` that turns config ``old`` into ``new`` (see the module doc)."""
    out: dict[str, Any] = {}
    _diff(old, new, "", out)
    return out


def _diff(old: Any, new: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        before, after = cast("Mapping[str, Any]", old), cast("Mapping[str, Any]", new)
        if before.keys() - after.keys():  # a removed key: only the whole mapping can say so
            out[path] = plain(after, path or "config")
            return
        for key, value in after.items():
            below = (path + _step(key)) if path else format_path([key])
            if key in before:
                _diff(before[key], value, below, out)
            else:
                out[below] = plain(value, below)
    elif isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        before_list, after_list = cast("list[Any]", old), cast("list[Any]", new)
        if len(before_list) != len(after_list):
            out[path] = plain(after_list, path or "config")
            return
        for i, (x, y) in enumerate(zip(before_list, after_list, strict=True)):
            _diff(x, y, f"{path}[{i}]", out)
    elif not same(old, new):
        out[path] = plain(new, path or "config")


def _step(key: str) -> str:
    """Return the path text of one more key below a path."""
    return "." + key if _PLAIN_KEY.fullmatch(key) else f"[{json.dumps(key)}]"


def format_path(keys: Iterable[str | int]) -> str:
    """Return the ``set_config_property`` path of a sequence of keys (str) and list indices (int)."""
    text = ""
    for key in keys:
        if isinstance(key, int):
            text += f"[{key}]"
        elif text or not _PLAIN_KEY.fullmatch(key):
            text += _step(key)
        else:
            text = key
    return text


class ConfigDict(dict[str, Any]):
    """A config mapping whose keys also read and write as attributes (``config.network.tls``).

    Mappings and lists stored into it become :class:`ConfigDict` and :class:`ConfigList`, so attribute access
    works at any depth. A key that is not an identifier, or that is the name of a ``dict`` method (``items``,
    ``values``, ``update``, ...), reads in the item form (``config["values"]``).
    """

    def __init__(self, items: Mapping[str, Any] | None = None, /, **values: Any) -> None:
        """Build from a mapping and/or keyword values, converting nested mappings and lists."""
        super().__init__()
        for key, value in {**(items or {}), **values}.items():
            self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        """Store ``value`` (made trackable) under ``key``."""
        if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # a caller's mistake
            raise TypeError(f"config keys must be str, got {type(key).__name__}")
        super().__setitem__(key, tracked(value))

    def __getattr__(self, name: str) -> Any:
        """Read the key ``name``; ``AttributeError`` when there is none (so ``hasattr`` works)."""
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"the config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        """Write the key ``name``."""
        self[name] = value

    def __delattr__(self, name: str) -> None:
        """Remove the key ``name``."""
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"the config has no key {name!r}") from None

    def update(self, *args: Any, **kwargs: Any) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
        """``dict.update``, converting the values it stores."""
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key: str, default: Any = None) -> Any:
        """``dict.setdefault``, converting the value it stores."""
        if key not in self:
            self[key] = default
        return self[key]

    def has(self, path: str) -> bool:
        """Whether the dot-separated ``path`` of keys (``"network.tls"``) leads to a value."""
        node: Any = self
        for key in path.split("."):
            if not isinstance(node, Mapping) or key not in node:
                return False
            node = cast("Mapping[str, Any]", node)[key]
        return True

    def add_element(self, name: str, **values: Any) -> ConfigDict:
        """Store a new mapping of ``values`` under ``name`` (replacing what was there) and return it."""
        self[name] = ConfigDict(values)
        return cast("ConfigDict", self[name])


class ConfigList(list[Any]):
    """A config list: mappings and lists stored into it become :class:`ConfigDict` and :class:`ConfigList`."""

    def __init__(self, items: Iterable[Any] = (), /) -> None:
        """Build from ``items``, converting nested mappings and lists."""
        super().__init__(tracked(item) for item in items)

    @overload
    def __setitem__(self, index: SupportsIndex, value: Any, /) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[Any], /) -> None: ...
    def __setitem__(self, index: SupportsIndex | slice, value: Any, /) -> None:
        """Store ``value`` (made trackable) at ``index``."""
        if isinstance(index, slice):
            super().__setitem__(index, [tracked(item) for item in cast("Iterable[Any]", value)])
        else:
            super().__setitem__(index, tracked(value))

    def append(self, value: Any, /) -> None:
        """Append ``value`` (made trackable)."""
        super().append(tracked(value))

    def insert(self, index: SupportsIndex, value: Any, /) -> None:
        """Insert ``value`` (made trackable) before ``index``."""
        super().insert(index, tracked(value))

    def extend(self, values: Iterable[Any], /) -> None:
        """Append every item of ``values`` (made trackable)."""
        super().extend(tracked(item) for item in values)

    def __iadd__(self, values: Iterable[Any], /) -> ConfigList:  # type: ignore[misc]  # pyright: ignore[reportIncompatibleMethodOverride]
        """``+=``: extend in place."""
        self.extend(values)
        return self

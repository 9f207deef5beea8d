"""The official `AppClient` surface the acceptance tests check against, read from `app_client.json` beside this file.

That file carries the facts of the official API reference for `viam.app.app_client.AppClient`: the constructor and
its 70 methods in the reference's order (names, parameter order, annotations, defaults, return annotations) and the
permission strings `check_permissions` accepts. The tests derive their matrices from it, so a method or permission
dropped from a client (or from this file) fails a test; the pinned official SDK is checked against the same facts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SURFACE_FILE = Path(__file__).with_name("app_client.json")


class _NoDefault:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _NoDefault()
"""The default of a parameter the reference declares without one."""


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str
    default: Any  # REQUIRED, or the literal value from the reference


@dataclass(frozen=True)
class Method:
    name: str
    params: tuple[Param, ...]
    returns: str  # the return annotation exactly as the reference spells it
    is_async: bool

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)


@dataclass(frozen=True)
class ClientSurface:
    constructor: tuple[Param, ...]
    methods: tuple[Method, ...]
    permissions: tuple[str, ...]

    def method(self, name: str) -> Method:
        for m in self.methods:
            if m.name == name:
                return m
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.methods)


def _params(raw: list[dict[str, Any]]) -> tuple[Param, ...]:
    return tuple(Param(p["name"], p["annotation"], p.get("default", REQUIRED)) for p in raw)


@cache
def app_client_surface() -> ClientSurface:
    """The constructor, every method (in the reference's order) and the permission strings of `AppClient`."""
    raw = json.loads(SURFACE_FILE.read_text(encoding="utf-8"))
    methods = tuple(Method(m["name"], _params(m["params"]), m["returns"], m["async"]) for m in raw["methods"])
    return ClientSurface(_params(raw["constructor"]), methods, tuple(raw["permissions"]))


def appclient_methods() -> tuple[str, ...]:
    """The names of the `AppClient` methods, in the reference's order."""
    return app_client_surface().names


def permission_strings() -> tuple[str, ...]:
    """The permission strings the reference lists as valid arguments of ``check_permissions``."""
    return app_client_surface().permissions

"""Read the official `AppClient` surface out of seed 001 (the Sphinx/autoapi text of `viam.app.app_client`).

The seed is the source of truth for names, parameter order, defaults and return annotations, so nothing here is a
hand-typed copy: every `.. py:method::` directive of the `AppClient` class is parsed as a Python signature with `ast`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_001 = SEEDS / "001_8028c13ae0da6209.txt"

_CLASS = re.compile(r"^\.\. py:class:: (?P<name>\w+)(?:\((?P<params>.*)\))?\s*$")
_METHOD = re.compile(r"^   \.\. py:method:: (?P<name>\w+)\((?P<params>.*)\)(?: -> (?P<returns>.+?))?\s*$")
_OPTION = re.compile(r"^      :(?P<option>[\w-]+):")


class _NoDefault:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _NoDefault()
"""The default of a parameter the seed declares without one."""


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str
    default: Any  # REQUIRED, or the literal value from the seed


@dataclass(frozen=True)
class Method:
    name: str
    params: tuple[Param, ...]
    returns: str  # the return annotation exactly as the seed spells it
    is_async: bool

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)


def _parse_params(owner: str, params: str, returns: str | None) -> tuple[tuple[Param, ...], str]:
    source = f"def {owner}({params}) -> {returns or 'None'}: ..."
    tree = ast.parse(source)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef), source
    args = func.args
    assert not args.posonlyargs and not args.kwonlyargs and args.vararg is None and args.kwarg is None, source
    defaults: list[Any] = [REQUIRED] * (len(args.args) - len(args.defaults))
    defaults += [ast.literal_eval(d) for d in args.defaults]
    parsed = tuple(
        Param(a.arg, ast.unparse(a.annotation) if a.annotation else "", default)
        for a, default in zip(args.args, defaults, strict=True)
    )
    assert func.returns is not None
    return parsed, ast.unparse(func.returns)


@dataclass(frozen=True)
class ClientSurface:
    constructor: tuple[Param, ...]
    methods: tuple[Method, ...]

    def method(self, name: str) -> Method:
        for m in self.methods:
            if m.name == name:
                return m
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.methods)


@cache
def app_client_surface() -> ClientSurface:
    """The constructor and every method of `AppClient` in seed 001, in the seed's order."""
    lines = SEED_001.read_text(encoding="utf-8").splitlines()
    constructor: tuple[Param, ...] | None = None
    methods: list[Method] = []
    in_app_client = False
    current: tuple[str, str, str | None] | None = None
    is_async = False

    def flush() -> None:
        nonlocal current, is_async
        if current is not None:
            name, params, returns = current
            parsed, ret = _parse_params(name, params, returns)
            methods.append(Method(name, parsed, ret, is_async))
        current, is_async = None, False

    for line in lines:
        if cls := _CLASS.match(line):
            flush()
            in_app_client = cls["name"] == "AppClient"
            if in_app_client:
                constructor, _ = _parse_params("AppClient", cls["params"] or "", None)
            continue
        if not in_app_client:
            continue
        if meth := _METHOD.match(line):
            flush()
            current = (meth["name"], meth["params"], meth["returns"])
        elif current is not None and (opt := _OPTION.match(line)) and opt["option"] == "async":
            is_async = True
    flush()
    assert constructor is not None, "seed 001 has no `.. py:class:: AppClient(...)` directive"
    return ClientSurface(constructor, tuple(methods))

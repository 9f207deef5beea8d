"""The constructors codegen writes into every message class are the ones ``@dataclass`` would have built.

Each class is compared with a reference: a subclass given its constructor by ``@dataclass`` itself, at test time.
Same signature, same attributes in the same order with equal (and fresh) defaults, same handling of positional,
keyword and ``None`` arguments, and ``__post_init__`` run.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from typing import Any

import betterproto2
import pytest

import fleetwire_api


def _message_classes() -> list[type[Any]]:
    found: list[type[Any]] = []
    for info in pkgutil.walk_packages(fleetwire_api.__path__, "fleetwire_api."):
        if ".services" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, betterproto2.Message) and value.__module__ == info.name:
                found.append(value)
    return found


MESSAGES = _message_classes()


def _reference(cls: type[Any]) -> type[Any]:
    """``cls`` with the constructor ``@dataclass`` builds (its fields are inherited, in order)."""
    return dataclasses.dataclass(eq=False, repr=False)(type(cls.__name__, (cls,), {}))


def test_every_message_module_is_covered() -> None:
    assert len(MESSAGES) > 400
    # A class lives in a module of its package (``viam.app.v1._robot``), or in the package itself (``Struct``).
    packages = {cls.__module__.rpartition("._")[0] or cls.__module__ for cls in MESSAGES}
    assert packages >= {"fleetwire_api.viam.app.v1", "fleetwire_api.google.protobuf"}


@pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")  # deprecated fields given values
@pytest.mark.parametrize("cls", MESSAGES, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_constructor_matches_the_dataclass_one(cls: type[Any]) -> None:
    reference = _reference(cls)
    assert "__init__" in vars(cls)  # written out, not inherited from a base
    assert str(inspect.signature(cls)) == str(inspect.signature(reference))
    names = [field.name for field in dataclasses.fields(cls)]

    ours, theirs = cls(), reference()
    assert list(vars(ours)) == list(vars(theirs)) == [*names, "_unknown_fields"]
    for name in names:
        value = getattr(ours, name)
        assert type(value) is type(getattr(theirs, name)) and value == getattr(theirs, name), name
        if isinstance(value, (list, dict)):
            assert getattr(cls(), name) is not value  # a fresh default for every instance

    given = [object() for _ in names]  # the constructor stores what it is given, unchecked, as dataclasses do
    for made in (cls(*given), cls(**dict(zip(names, given, strict=True)))):
        assert [getattr(made, name) for name in names] == given
        assert made._unknown_fields == b""
    nones = cls(**dict.fromkeys(names))
    assert [getattr(nones, name) for name in names] == [None] * len(names)

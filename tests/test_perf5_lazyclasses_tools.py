"""Message classes loaded on first use still behave as ordinary classes of ordinary modules to Python's tools.

Every name of every message package is reachable, its ``__module__``/``__qualname__`` lead back to the same class
(pickle, copy), its source is found, ``dir()`` and ``import *`` list it, and type checkers see it statically.
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import pickle
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import betterproto2
import pytest

import fleetwire_api

PACKAGES = [
    "fleetwire_api.google.api",
    "fleetwire_api.google.protobuf",
    "fleetwire_api.google.rpc",
    "fleetwire_api.proto.rpc.v1",
    "fleetwire_api.viam.app.mltraining.v1",
    "fleetwire_api.viam.app.packages.v1",
    "fleetwire_api.viam.app.v1",
    "fleetwire_api.viam.common.v1",
]


def _names(package: str) -> list[tuple[ModuleType, str]]:
    module = importlib.import_module(package)
    names: tuple[str, ...] = module.__all__
    return [(module, name) for name in names]


EVERY_NAME = [pair for package in PACKAGES for pair in _names(package)]


def test_every_lazy_message_package_is_listed() -> None:
    """The list above is every package whose names load on first use (a new one must be checked too)."""
    root = Path(fleetwire_api.__file__).parent
    lazy = {
        ".".join(("fleetwire_api", *init.parent.relative_to(root).parts))
        for init in root.rglob("__init__.py")
        if "_lazy_names" in init.read_text()
    }
    assert lazy == set(PACKAGES)
    assert len(EVERY_NAME) > 500


@pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")
@pytest.mark.parametrize(("package", "name"), EVERY_NAME, ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_every_class_works_with_the_standard_tools(package: ModuleType, name: str) -> None:
    cls: Any = getattr(package, name)
    assert cls.__name__ == cls.__qualname__ == name
    home = importlib.import_module(cls.__module__)
    assert getattr(home, cls.__qualname__) is cls  # where pickle and copy look the class up
    assert cls.__module__ == package.__name__ or cls.__module__.startswith(package.__name__ + "._")
    assert name in dir(package)
    assert f"class {name}(" in inspect.getsource(cls)
    value = cls() if issubclass(cls, betterproto2.Message) else cls(0)
    for again in (pickle.loads(pickle.dumps(value)), copy.deepcopy(value), copy.copy(value)):
        assert type(again) is cls
        assert again == value


def test_unknown_names_are_attribute_errors() -> None:
    import fleetwire_api.viam.app.v1 as app

    with pytest.raises(AttributeError, match="NoSuchMessage"):
        getattr(app, "NoSuchMessage")  # noqa: B009 - looked up at run time on purpose
    with pytest.raises(ImportError):
        exec("from fleetwire_api.viam.app.v1 import NoSuchMessage", {})


def test_star_import_and_dir_in_a_fresh_interpreter() -> None:
    """Before any class exists: ``dir()`` lists every name, ``import *`` creates and binds them all."""
    code = (
        "import fleetwire_api.viam.app.v1 as app\n"
        "listed = set(dir(app)) >= set(app.__all__)\n"
        "namespace = {}\n"
        "exec('from fleetwire_api.viam.app.v1 import *', namespace)\n"
        "same = all(namespace[name] is getattr(app, name) for name in app.__all__)\n"
        "print(listed, same, len(app.__all__) == len(set(namespace) - {'__builtins__'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=100)
    assert result.stdout.split() == ["True", "True", "True"]


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checkers_see_every_name(package: str) -> None:
    """The package imports each name it lists under ``TYPE_CHECKING`` (explicitly re-exported), or defines it."""
    module = importlib.import_module(package)
    tree = ast.parse(Path(module.__file__ or "").read_text())
    seen = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "_typing.TYPE_CHECKING":
            for child in node.body:
                assert isinstance(child, ast.ImportFrom)
                seen |= {alias.name for alias in child.names if alias.asname == alias.name}
    assert seen == set(module.__all__)

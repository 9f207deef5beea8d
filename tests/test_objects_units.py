"""The object layer without a server: config trees and change paths, field checks, and the generator's refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from codegen.errors import CodegenError
from codegen.objects import read_objects
from fleetwire import ArgumentError
from fleetwire.objects import ConfigDict, ConfigList, Fleet, Location, MachinePart
from fleetwire.objects._config import changes, format_path

FLEET: Any = Fleet(client=None)  # type: ignore[arg-type]  # never called: nothing here reaches a server


def test_paths_quote_keys_that_hold_path_characters() -> None:
    assert format_path(["components", 0, "attributes", "speed"]) == "components[0].attributes.speed"
    assert format_path(["a.b", "c[1]", 2, 'say "hi"']) == '["a.b"]["c[1]"][2]["say \\"hi\\""]'
    assert changes({"x": {"a.b": 1}}, {"x": {"a.b": 2}}) == {'x["a.b"]': 2}


def test_changes_are_the_smallest_settable_paths() -> None:
    old = {"a": {"b": 1, "c": [1, 2]}, "d": True}
    assert changes(old, old) == {}
    assert changes(old, {"a": {"b": 1.0, "c": [1, 2]}, "d": True}) == {}  # 1 == 1.0, as JSON numbers
    assert changes(old, {"a": {"b": 1, "c": [1, 2]}, "d": 1}) == {"d": 1}  # but True is not 1
    assert changes(old, {"a": {"b": 2, "c": [1, 3]}, "d": True}) == {"a.b": 2, "a.c[1]": 3}
    assert changes(old, {"a": {"b": 1, "c": [1, 2, 3]}, "d": True}) == {"a.c": [1, 2, 3]}  # a list grew
    assert changes(old, {"a": {"c": [1, 2]}, "d": True}) == {"a": {"c": [1, 2]}}  # a key removed
    assert changes(old, {"a": old["a"]}) == {"": {"a": {"b": 1, "c": [1, 2]}}}  # removed at the top: the whole config


def test_config_trees_take_any_form_of_edit() -> None:
    config = ConfigDict({"motors": [{"name": "left"}]})
    config.motors.append({"name": "right", "pins": [1]})
    assert isinstance(config.motors, ConfigList) and isinstance(config.motors[1], ConfigDict)
    config.motors[1].pins += [2]
    config.update(network={"tls": True})
    config.network.tls = False
    config.add_element("camera", fps=30)
    del config.camera
    assert config == {"motors": [{"name": "left"}, {"name": "right", "pins": [1, 2]}], "network": {"tls": False}}
    assert config.has("network.tls") and not config.has("network.port") and not config.has("motors.name")
    with pytest.raises(AttributeError, match="no key 'camera'"):
        _ = config.camera


def test_bad_values_and_fields_are_refused_before_anything_is_sent() -> None:
    part = MachinePart(FLEET, id="p1", name="main", config={"a": 1})
    part._mark_loaded()
    part.config.when = object()
    with pytest.raises(TypeError, match=r"MachinePart.config.when must be a JSON value"):
        part.to_json(only_updated=True)
    part.config.when = float("nan")
    with pytest.raises(TypeError, match="finite"):
        part.to_json()
    with pytest.raises(AttributeError, match="no field 'colour'"):
        part.colour = "red"  # type: ignore[attr-defined]
    with pytest.raises(ArgumentError, match="no field"):
        part.flag_update("colour")
    with pytest.raises(ArgumentError, match="has no id"):
        Location(FLEET, name="draft")._id()


async def _no_items() -> AsyncIterator[Location]:
    raise AssertionError("nothing may be read")
    yield  # an async generator


async def _no_get(id: str) -> Location:
    raise AssertionError("nothing may be read")


@pytest.mark.anyio
async def test_collections_check_their_arguments_before_any_call() -> None:
    from fleetwire.objects import Collection

    collection = Collection(Location, FLEET, _no_items, _no_get)
    with pytest.raises(ArgumentError, match="'colour'"):
        await collection.get_all(colour="red")
    with pytest.raises(TypeError, match="id must be a str"):
        await collection.get(5)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="id must not be empty"):
        await collection.get("")


def test_the_generator_twins_every_public_class() -> None:
    objects = read_objects(Path(__file__).parent.parent / "src" / "fleetwire" / "objects")
    import fleetwire.objects as package

    assert {c.name for c in objects.classes} == set(package.__all__) - {
        "Resource",
        "WithMetadata",
        "ConfigDict",
        "ConfigList",
    }
    part = next(c for c in objects.classes if c.name == "MachinePart")
    members = {m.name: m for m in part.members}
    assert members["config"].kind == "field" and members["reload"].returns == "MachinePart"  # the base's, flattened
    assert members["logs"].returns == "BlockingStream[LogEntry]" and not members["logs"].is_async


def test_the_generator_refuses_a_public_method_without_a_docstring(tmp_path: Path) -> None:
    source = Path(__file__).parent.parent / "src" / "fleetwire" / "objects"
    for module in source.glob("*.py"):
        (tmp_path / module.name).write_text(module.read_text())
    fleet = tmp_path / "fleet.py"
    fleet.write_text(fleet.read_text().replace('"""Read the machine ``id``."""', "", 1))
    with pytest.raises(CodegenError, match="machine: public members need a docstring"):
        read_objects(tmp_path)

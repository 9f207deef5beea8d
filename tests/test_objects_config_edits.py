"""Property test: random edits to a part's config (set, delete, list append and remove, nested values), made by
attribute or by key, are exactly what ``to_json(only_updated=True)`` reports, and what ``update()`` stores.

The test keeps its own copy of the config, edits it alongside, and reads the reported paths with its own parser.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetwire import AppClient
from fleetwire.local import LocalFleet
from fleetwire.objects.blocking import Fleet, Machine

KEYS = ["a", "b", "speed", "dotted.key", "with[brackets]"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=4))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)),
    max_leaves=6,
)
BASE = {"components": [{"name": "motor", "attributes": {"speed": 1, "pins": [1, 2]}}], "network": {"tls": False}}

_TOKEN = re.compile(r'\.?([^.\[\]"]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse(path: str) -> list[str | int]:
    """The keys and indices of a ``set_config_property`` path (the test's own reading of the syntax)."""
    keys: list[str | int] = []
    at = 0
    while at < len(path):
        match = _TOKEN.match(path, at)
        assert match is not None and match.end() > at, f"unreadable path {path!r} at {at}"
        name, index, quoted = match.groups()
        keys.append(name if name is not None else int(index) if index is not None else json.loads(quoted))
        at = match.end()
    return keys


def get(doc: Any, keys: list[str | int]) -> Any:
    for key in keys:
        doc = doc[key]
    return doc


def canonical(value: Any) -> str:
    """JSON text in which 5 and 5.0 are the same and True and 1 are not (the server stores numbers as doubles)."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, (int, float)):
            return float(v)
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return [norm(x) for x in v]

    return json.dumps(norm(value), sort_keys=True)


def containers(doc: Any, keys: list[str | int]) -> list[list[str | int]]:
    """The paths (as key lists) of every dict and list in ``doc``."""
    out = [keys] if isinstance(doc, (dict, list)) else []
    children = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for key, child in children:
        out += containers(child, [*keys, key])
    return out


def node(config: Any, keys: list[str | int], by_attribute: bool) -> Any:
    """Walk the object's config to ``keys``, by attribute where a key allows it (and ``by_attribute``)."""
    for key in keys:
        if by_attribute and isinstance(key, str) and key.isidentifier() and key not in dir(dict):
            config = getattr(config, key)
        else:
            config = config[key]
    return config


def edit(data: st.DataObject, model: dict[str, Any], config: Any) -> None:
    """Apply one random edit to both the test's model and the object's config."""
    where = data.draw(st.sampled_from(containers(model, [])))
    target, mine = get(model, where), node(config, where, data.draw(st.booleans()))
    if isinstance(target, dict):
        op = data.draw(st.sampled_from(["set", "delete"] if target else ["set"]))
        if op == "set":
            key, value = data.draw(st.sampled_from(KEYS)), data.draw(VALUES)
            target[key] = json.loads(json.dumps(value))
            if key.isidentifier() and data.draw(st.booleans()):
                setattr(mine, key, value)
            else:
                mine[key] = value
        else:
            key = data.draw(st.sampled_from(sorted(target)))
            del target[key]
            del mine[key]
    else:
        op = data.draw(st.sampled_from(["append", "set", "remove"] if target else ["append"]))
        if op == "append":
            value = data.draw(VALUES)
            target.append(json.loads(json.dumps(value)))
            mine.append(value)
        else:
            index = data.draw(st.integers(0, len(target) - 1))
            if op == "remove":
                del target[index]
                mine.pop(index)
            else:
                value = data.draw(VALUES)
                target[index] = json.loads(json.dumps(value))
                mine[index] = value


@pytest.mark.parametrize("merge", [False, True])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_config_edits_are_reported_and_stored(
    merge: bool, data: st.DataObject, local_fleet: LocalFleet, local_app_client: AppClient
) -> None:
    fleet = Fleet(local_app_client)
    machines = fleet.location(local_fleet.location_id).machines.get_all()
    machine = machines[0] if machines else Machine(fleet, name="rover", location_id=local_fleet.location_id).create()
    part = machine.main_part()
    part.config = json.loads(json.dumps(BASE))
    part = part.update()
    original = json.loads(json.dumps(part.config))
    model = json.loads(json.dumps(original))

    for _ in range(data.draw(st.integers(1, 6))):
        edit(data, model, part.config)

    reported = part.to_json(only_updated=True).get("config", {})
    rebuilt = json.loads(json.dumps(original))
    for path, value in reported.items():  # no reported path lies inside another (checked below): any order
        keys = parse(path)
        if not keys:
            rebuilt = value
        else:
            get(rebuilt, keys[:-1])[keys[-1]] = value
    assert canonical(rebuilt) == canonical(model), "the reported changes do not make the loaded config the edited one"
    for path in reported:
        keys = parse(path)
        assert not any(other != path and keys[: len(parse(other))] == parse(other) for other in reported), path
        try:
            before = get(original, keys)
        except (KeyError, IndexError, TypeError):
            continue  # a new key: a change by definition
        assert canonical(before) != canonical(get(model, keys)), f"{path} is reported but did not change"

    updated = part.update(merge=merge)  # merge: the paths through set_config_property
    reloaded = updated.reload()
    assert canonical(reloaded.config) == canonical(model)
    assert reloaded.config == part.config and reloaded.name == part.name
    assert reloaded.to_json(only_updated=True) == {}

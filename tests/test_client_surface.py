"""Our clients against the pinned official SDK (viam-sdk 0.85.1), by introspection: every public method of its
`AppClient` with the same parameters (name, order, kind, default), every attribute of its wrapper classes, and every
message and enum of the `viam.proto` namespaces our methods use under the same name in `fleetwire.proto`.

When the pin moves, these tests list what the new release added.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import subprocess
import sys
from typing import Any

import pytest
from _spec import data as d

import fleetwire

WRAPPERS = ("RobotPart", "Fragment", "LogEntry", "RobotPartHistoryEntry", "FragmentHistoryEntry", "APIKeyAuthorization")
TWINS = ("app", "app.packages", "app.mltraining", "common")


def official_methods() -> dict[str, inspect.Signature]:
    from viam.app.app_client import AppClient

    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(AppClient)
        if not name.startswith("_") and callable(member)
    }


def parameter_gaps(name: str, official: inspect.Signature, ours: Any) -> list[str]:
    """What ``ours`` lacks of ``official``: a parameter missing or differing in name, order, kind or default, or an
    extra parameter that is not keyword-only with a default (it would shift or require arguments)."""
    if ours is None:
        return [f"{name}: missing"]
    theirs = list(official.parameters.values())
    mine = list(inspect.signature(ours).parameters.values())
    gaps: list[str] = []
    for n, param in enumerate(theirs):
        if n >= len(mine):
            gaps.append(f"{name}: parameter {param.name} missing")
            continue
        got = mine[n]
        if (got.name, got.kind, got.default) != (param.name, param.kind, param.default):
            gaps.append(
                f"{name}: parameter {n} is {got.name} ({got.kind.name}, default {got.default!r}), the official's is "
                f"{param.name} ({param.kind.name}, default {param.default!r})"
            )
    for extra in mine[len(theirs) :]:
        if extra.kind is not inspect.Parameter.KEYWORD_ONLY or extra.default is inspect.Parameter.empty:
            gaps.append(f"{name}: extra parameter {extra.name} must be keyword-only with a default")
    return gaps


@pytest.mark.parametrize("client", [fleetwire.AsyncAppClient, fleetwire.AppClient], ids=lambda c: c.__name__)
def test_every_official_method_with_its_parameters(client: type) -> None:
    methods = official_methods()
    gaps = [gap for name, sig in methods.items() for gap in parameter_gaps(name, sig, getattr(client, name, None))]
    complete = len(methods) - len({gap.split(":")[0] for gap in gaps})
    assert (complete, len(methods), gaps) == (94, 94, []), f"{client.__name__}: {complete}/{len(methods)} methods"


def test_a_missing_method_or_changed_parameter_is_reported() -> None:
    official = inspect.signature(lambda self, part_id, limit=10, timeout=None: None)
    assert parameter_gaps("m", official, None) == ["m: missing"]
    assert parameter_gaps("m", official, lambda self, part_id, limit=10, timeout=None: None) == []
    assert parameter_gaps("m", official, lambda self, part_id, limit=10, *, timeout=None: None) == [
        "m: parameter 3 is timeout (KEYWORD_ONLY, default None), the official's is timeout (POSITIONAL_OR_KEYWORD, "
        "default None)"
    ]
    assert parameter_gaps("m", official, lambda self, part_id, limit=5, timeout=None, x=1: None) == [
        "m: parameter 2 is limit (POSITIONAL_OR_KEYWORD, default 5), the official's is limit (POSITIONAL_OR_KEYWORD, "
        "default 10)",
        "m: extra parameter x must be keyword-only with a default",
    ]


def official_attributes(cls: type) -> set[str]:
    """The official wrapper's data attributes and public members (properties, methods, nested classes)."""
    names = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    return (names | {n for n in dir(cls) if not n.startswith("_")}) - {n for n in dir(object)}


@pytest.mark.parametrize("name", WRAPPERS)
def test_every_attribute_of_the_official_wrappers(name: str) -> None:
    import viam.app.app_client as official

    theirs = getattr(official, name)
    ours = getattr(fleetwire, name)
    our_fields = {f.name for f in dataclasses.fields(ours)} if dataclasses.is_dataclass(ours) else set()
    missing = sorted(a for a in official_attributes(theirs) if not hasattr(ours, a) and a not in our_fields)
    assert missing == [], f"fleetwire.{name} lacks {missing}"


def test_parts_and_fragments_keep_last_updated_and_the_config_json_through_proto() -> None:
    part_pb = d.robot_part()
    part_pb.last_updated = d.T3
    part_pb.robot_config_json = '{"components": []}'
    part = fleetwire.RobotPart.from_proto(part_pb)
    assert (part.last_updated, part.robot_config_json) == (d.T3, '{"components": []}')
    assert part.proto == part_pb
    fragment_pb = d.fragment()
    fragment_pb.last_updated = d.T2
    fragment = fleetwire.Fragment.from_proto(fragment_pb)
    assert fragment.last_updated == d.T2
    assert fragment.proto == fragment_pb
    # The official wrappers read the same bytes the same way.
    from viam.app.app_client import Fragment, RobotPart
    from viam.proto.app import Fragment as FragmentPB
    from viam.proto.app import RobotPart as RobotPartPB

    theirs = RobotPart.from_proto(RobotPartPB.FromString(bytes(part.proto)))
    assert (theirs.last_updated, theirs.robot_config_json) == (d.T3.replace(tzinfo=None), part.robot_config_json)
    assert Fragment.from_proto(FragmentPB.FromString(bytes(fragment.proto))).last_updated == d.T2.replace(tzinfo=None)


def official_names(namespace: str) -> list[str]:
    module = importlib.import_module(f"viam.proto.{namespace}")
    return [n for n in module.__all__ if not n.endswith(("ServiceBase", "ServiceStub"))]


@pytest.mark.parametrize("namespace", TWINS)
def test_every_official_proto_name_has_its_twin(namespace: str) -> None:
    official = importlib.import_module(f"viam.proto.{namespace}")
    twin = importlib.import_module(f"fleetwire.proto.{namespace}")
    names = official_names(namespace)
    assert names, namespace
    assert set(names) <= set(twin.__all__)
    for name in names:
        theirs, ours = getattr(official, name), getattr(twin, name)
        if hasattr(theirs, "DESCRIPTOR") and hasattr(theirs, "FromString"):  # a message: same fields
            assert {f.name for f in theirs.DESCRIPTOR.fields} == {f.name for f in dataclasses.fields(ours)}, name
        else:  # an enum: same values
            assert {v.number for v in theirs.DESCRIPTOR.values} == {int(member) for member in ours}, name


def test_the_renamed_messages_of_the_issue() -> None:
    from fleetwire.proto.app import (
        PKCE,
        APIKeyWithAuthorizations,
        GetUserIDByEmailRequest,
        MLModelMetadata,
        URLValidation,
    )
    from fleetwire_api.viam.app import v1

    assert (APIKeyWithAuthorizations, GetUserIDByEmailRequest, MLModelMetadata, PKCE, URLValidation) == (
        v1.ApiKeyWithAuthorizations,
        v1.GetUserIdByEmailRequest,
        v1.MlModelMetadata,
        v1.Pkce,
        v1.UrlValidation,
    )
    with pytest.raises(AttributeError, match="NotAMessage"):
        importlib.import_module("fleetwire.proto.app").NotAMessage  # noqa: B018


def test_importing_fleetwire_loads_no_proto_twin() -> None:
    code = (
        "import sys, fleetwire; print(sorted(m for m in sys.modules if 'proto_names' in m or 'fleetwire.proto' in m))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"

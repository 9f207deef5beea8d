"""Both clients have seed 001's 70 `AppClient` methods with the same names, parameter order, kinds, defaults and
return annotations; the official SDK's `AppClient` (viam-sdk, pinned) is checked against the same seed as a second
oracle.

The expected signatures are the reference's facts carried in tests/_spec/app_client.json (read by
tests/_spec/surface.py). Our clients may add trailing keyword-only parameters with defaults (the contract's `timeout=`
on every call); nothing else may differ.
"""

from __future__ import annotations

import ast
import collections.abc
import inspect
import typing
from typing import Any

import pytest
from _spec.surface import REQUIRED, Method, Param, app_client_surface

import fleetwire
from fleetwire_api.viam.app import v1 as app

SURFACE = app_client_surface()
METHODS = SURFACE.names
CLIENTS = ("AsyncAppClient", "AppClient")

# The pinned official SDK (viam-sdk 0.85.1) is newer than seed 001 and appends these defaulted parameters; the seed's
# parameters are an exact prefix of its signatures (checked below), so seed-shaped calls run on both.
OFFICIAL_ADDITIONS = {
    "update_organization": ("default_fragments",),
    "get_robot_part_logs": ("start", "end", "order", "range"),
    "get_robot_part_history": ("start", "end", "page_limit"),
    "update_robot_part": ("last_known_update", "robot_config_json"),
    "get_fragment": ("version",),
    "update_fragment": ("last_known_update",),
    "get_registry_item": ("include_markdown_documentation",),
}


# Methods that hand out a stream which is both awaitable (it gives itself) and an async context manager.
AWAITABLE_STREAMS = {"tail_robot_part_logs"}


def client_class(name: str) -> type:
    cls = getattr(fleetwire, name, None)
    assert isinstance(cls, type), f"fleetwire.{name} is missing"
    return cls


def same_default(actual: Any, expected: Any) -> bool:
    if expected is REQUIRED:
        return actual is inspect.Parameter.empty
    return type(actual) is type(expected) and actual == expected


def check_seed_prefix(where: str, params: list[inspect.Parameter], seed: tuple[Param, ...]) -> list[inspect.Parameter]:
    """`params` starts with the seed's parameters (names, order, positional-or-keyword, defaults); returns the rest."""
    assert [p.name for p in params[: len(seed)]] == [p.name for p in seed], f"{where}: parameter names/order"
    for actual, expected in zip(params[: len(seed)], seed, strict=True):
        assert actual.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, f"{where}: {actual.name} is {actual.kind}"
        assert same_default(actual.default, expected.default), (
            f"{where}: {actual.name} defaults to {actual.default!r}, the seed says {expected.default!r}"
        )
    return params[len(seed) :]


def official_085_params(method: str) -> list[inspect.Parameter]:
    """The parameters (``self`` aside) of ``method`` on the pinned official ``AppClient``."""
    from viam.app.app_client import AppClient

    return list(inspect.signature(getattr(AppClient, method)).parameters.values())[1:]


def own_params(function: Any) -> list[inspect.Parameter]:
    params = list(inspect.signature(function).parameters.values())
    assert params and params[0].name == "self", "expected an instance method"
    return params[1:]


def test_the_seed_parses_to_70_async_methods() -> None:
    assert len(METHODS) == 70 == len(set(METHODS))
    assert all(m.is_async for m in SURFACE.methods)
    assert (METHODS[0], METHODS[-1]) == ("get_user_id_by_email", "rotate_key")


def test_the_reference_lists_35_permission_strings() -> None:
    permissions = SURFACE.permissions
    assert len(permissions) == 35 == len(set(permissions))
    assert (permissions[0], permissions[-1]) == ("read_organization", "delete_dataset")


def test_async_constructor_is_the_seeds() -> None:
    params = own_params(client_class("AsyncAppClient").__init__)
    extras = check_seed_prefix("AsyncAppClient.__init__", params, SURFACE.constructor)
    for extra in extras:
        assert extra.kind is inspect.Parameter.KEYWORD_ONLY and extra.default is not inspect.Parameter.empty, extra


@pytest.mark.parametrize("client", CLIENTS)
def test_connect_signature(client: str) -> None:
    # The contract's entry point (not in the seed): connect(url=None, *, api_key, api_key_id, location_id, ...).
    connect = inspect.signature(client_class(client).connect)
    params = list(connect.parameters.values())
    assert params[0].name == "url" and params[0].default is None
    keyword_only = {p.name: p for p in params[1:] if p.kind is inspect.Parameter.KEYWORD_ONLY}
    for name in ("api_key", "api_key_id", "location_id", "timeout", "tls"):
        assert name in keyword_only, f"{client}.connect has no keyword-only {name}"
        assert keyword_only[name].default is not inspect.Parameter.empty


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("client", CLIENTS)
def test_parameters(client: str, method: str) -> None:
    cls = client_class(client)
    function = getattr(cls, method, None)
    assert function is not None, f"{client}.{method} is missing"
    seed = SURFACE.method(method)
    extras = check_seed_prefix(f"{client}.{method}", own_params(function), seed.params)
    later = official_085_params(method)[len(seed.params) :]
    for n, extra in enumerate(extras):
        # Allowed: trailing extras with defaults, so every seed-shaped call still binds: keyword-only ones (e.g.
        # `timeout`), or the parameters the pinned viam-sdk 0.85.1 added after the seed's, in its order.
        added_by_085 = n < len(later) and (extra.name, extra.kind) == (later[n].name, later[n].kind)
        assert added_by_085 or extra.kind is inspect.Parameter.KEYWORD_ONLY, (
            f"{client}.{method}: extra {extra.name} is {extra.kind}"
        )
        assert extra.default is not inspect.Parameter.empty, f"{client}.{method}: extra {extra.name} is required"
    if client == "AsyncAppClient" and method in AWAITABLE_STREAMS:
        # A plain method whose stream is awaitable: `await client.m(...)`, as the reference's :async: says, and
        # `async with client.m(...)` both work (test_client_blocking runs both).
        assert seed.is_async and not inspect.iscoroutinefunction(function), method
    elif client == "AsyncAppClient":
        assert inspect.iscoroutinefunction(function) == seed.is_async, f"{method}: seed 001 marks it :async:"
    else:
        assert not inspect.iscoroutinefunction(function), f"AppClient.{method} must be blocking"
        assert not inspect.isasyncgenfunction(function), f"AppClient.{method} must be blocking"


# --- return annotations ---

STREAM = "stream"  # marker: viam.app._logs._LogsStream[...] -> an async iterator (a plain iterator on AppClient)
WRAPPERS = {"RobotPart", "LogEntry", "Fragment", "FragmentHistoryEntry", "RobotPartHistoryEntry", "APIKeyAuthorization"}


def proto_class(name: str) -> type:
    # The official protos spell acronyms in caps (APIKeyWithAuthorizations); betterproto2 camel-cases them.
    generated = name.replace("API", "Api")
    cls = getattr(app, generated, None)
    assert isinstance(cls, type), f"no generated message for viam.proto.app.{name}"
    return cls


def expected_shape(node: ast.expr) -> Any:
    """Seed annotation -> a comparable shape: a class, None, or (origin, *argument shapes)."""
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    if isinstance(node, ast.Name):
        if node.id in ("str", "bool", "int"):
            return {"str": str, "bool": bool, "int": int}[node.id]
        assert node.id in WRAPPERS, f"unknown seed type {node.id}"
        return node.id  # resolved against fleetwire lazily, so a missing wrapper fails one test, not collection
    if isinstance(node, ast.Attribute):
        dotted = ast.unparse(node)
        assert dotted.startswith("viam.proto.app."), dotted
        return proto_class(dotted.removeprefix("viam.proto.app."))
    assert isinstance(node, ast.Subscript), ast.unparse(node)
    origin = ast.unparse(node.value)
    args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    shapes = tuple(expected_shape(a) for a in args)
    if origin == "List":
        return (list, *shapes)
    if origin == "Tuple":
        return (tuple, *shapes)
    if origin == "viam.app._logs._LogsStream":
        return (STREAM, *shapes)
    raise AssertionError(f"unknown seed generic {origin}")


def resolve(shape: Any) -> Any:
    """Replace wrapper names by fleetwire's classes (the STREAM marker stays)."""
    if shape == STREAM:
        return shape
    if isinstance(shape, str):
        cls = getattr(fleetwire, shape, None)
        assert isinstance(cls, type), f"fleetwire.{shape} is missing"
        return cls
    if isinstance(shape, tuple):
        return tuple(resolve(s) for s in shape)
    return shape


def actual_shape(annotation: Any) -> Any:
    if annotation is None or annotation is type(None):
        return None
    origin = typing.get_origin(annotation)
    if origin is None:
        return annotation
    return (origin, *(actual_shape(a) for a in typing.get_args(annotation)))


def matches(actual: Any, expected: Any, client: str) -> bool:
    if isinstance(expected, tuple) and expected and expected[0] == STREAM:
        # Any iterator type will do: the async client yields batches asynchronously, the blocking one plainly.
        if not isinstance(actual, tuple):
            return False
        iterator = collections.abc.AsyncIterator if client == "AsyncAppClient" else collections.abc.Iterator
        origin = actual[0]
        return (
            isinstance(origin, type)
            and issubclass(origin, iterator)
            and len(actual) == len(expected)
            and all(matches(a, e, client) for a, e in zip(actual[1:], expected[1:], strict=True))
        )
    if isinstance(expected, tuple):
        return (
            isinstance(actual, tuple)
            and len(actual) == len(expected)
            and all(matches(a, e, client) for a, e in zip(actual, expected, strict=True))
        )
    return actual is expected


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("client", CLIENTS)
def test_return_annotation(client: str, method: str) -> None:
    seed: Method = SURFACE.method(method)
    function = getattr(client_class(client), method, None)
    assert function is not None, f"{client}.{method} is missing"
    expected = resolve(expected_shape(ast.parse(seed.returns, mode="eval").body))
    annotation = inspect.signature(function, eval_str=True).return_annotation
    if client == "AsyncAppClient" and typing.get_origin(annotation) in (
        collections.abc.Coroutine,
        collections.abc.Awaitable,
    ):
        annotation = typing.get_args(annotation)[-1]
    assert matches(actual_shape(annotation), expected, client), (
        f"{client}.{method} returns {annotation!r}; seed 001 says {seed.returns}"
    )


# --- second oracle: the official SDK ---


@pytest.fixture(scope="module")
def official() -> type:
    from viam.app.app_client import AppClient

    return AppClient


@pytest.mark.parametrize("method", METHODS)
def test_official_sdk_agrees_with_the_seed(official: type, method: str) -> None:
    function = getattr(official, method)
    seed = SURFACE.method(method)
    assert inspect.iscoroutinefunction(function)
    extras = check_seed_prefix(f"viam AppClient.{method}", own_params(function), seed.params)
    assert tuple(p.name for p in extras) == OFFICIAL_ADDITIONS.get(method, ())
    assert all(p.default is not inspect.Parameter.empty for p in extras)


@pytest.mark.parametrize("method", METHODS)
def test_ours_match_the_official_sdk_on_the_seed_parameters(official: type, method: str) -> None:
    n = len(SURFACE.method(method).params)
    theirs = [(p.name, p.kind, p.default) for p in own_params(getattr(official, method))[:n]]
    for client in CLIENTS:
        function = getattr(client_class(client), method, None)
        assert function is not None, f"{client}.{method} is missing"
        mine = [(p.name, p.kind, p.default) for p in own_params(function)[:n]]
        assert mine == theirs, f"{client}.{method}"


def test_official_constructor_dropped_location_id(official: type) -> None:
    # Documented divergence: seed 001's AppClient(channel, metadata, location_id=None); viam-sdk 0.85.1 has no
    # location_id, so the interop test always passes location ids explicitly.
    assert [p.name for p in own_params(official.__init__)] == ["channel", "metadata"]
    assert [p.name for p in SURFACE.constructor] == ["channel", "metadata", "location_id"]


@pytest.mark.parametrize("method", METHODS)
def test_blocking_docstring_is_the_async_one(method: str) -> None:
    # DESIGN.md: the blocking client is generated from the async overlay with the same docstrings; only the examples'
    # `await`, `async with` and `async for` have no place in blocking code.
    async_doc = getattr(client_class("AsyncAppClient"), method).__doc__
    blocking_doc = getattr(client_class("AppClient"), method).__doc__
    assert async_doc and blocking_doc
    expected = inspect.cleandoc(async_doc)
    for old, new in (("await ", ""), ("async with ", "with "), ("async for ", "for ")):
        expected = expected.replace(old, new)
    assert inspect.cleandoc(blocking_doc) == expected

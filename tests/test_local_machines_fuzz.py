"""Property test: hypothesis-generated requests (ids, strings, enum values, numbers, tokens, configs) at every RPC of
the machines, logs, fragments and registry groups. Each answer is a response or a status other than INTERNAL/UNKNOWN,
and the server keeps serving.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetwire.local.fleet import LocalFleet
from fleetwire_api.google.protobuf import Struct
from fleetwire_api.proto.rpc.v1 import Credentials
from fleetwire_api.services import AppServiceClient, AuthServiceClient, BlockingChannel, RobotServiceClient
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.common.v1 import LogEntry

BROKEN = {Status.INTERNAL, Status.UNKNOWN}


@dataclass
class World:
    fleet: LocalFleet
    app: AppServiceClient
    robot: RobotServiceClient
    ids: list[str]
    names: list[str]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with LocalFleet() as fleet:
        channel = BlockingChannel.connect(fleet.host, fleet.port)
        try:
            auth = AuthServiceClient(channel, timeout=10)
            token = auth.authenticate(
                entity=fleet.api_key_id, credentials=Credentials(type="api-key", payload=fleet.api_key)
            ).access_token
            metadata = {"authorization": f"Bearer {token}"}
            client = AppServiceClient(channel, metadata=metadata, timeout=10)
            robot_id = client.new_robot(name="fuzzed", location=fleet.location_id).id
            part_id = client.get_robot_parts(robot_id=robot_id).parts[0].id
            fragment = client.create_fragment(organization_id=fleet.organization_id, name="fuzz-frag").fragment
            assert fragment is not None
            module_id = client.create_module(organization_id=fleet.organization_id, name="fuzz_mod").module_id
            ids = [fleet.organization_id, fleet.location_id, robot_id, part_id, fragment.id]
            yield World(fleet, client, RobotServiceClient(channel, metadata=metadata, timeout=10), ids, [module_id])
        finally:
            channel.close()


def ids(world: World) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(world.ids), st.uuids().map(str), st.text(max_size=40), st.just(""))


def item_ids(world: World) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(world.names),
        st.builds(lambda a, b: f"{a}:{b}", st.sampled_from([*world.ids, "acme", ""]), st.text(max_size=20)),
        st.text(max_size=40),
    )


texts = st.one_of(st.text(max_size=60), st.just(""), st.just(" "), st.text(min_size=250, max_size=300))
enums = st.integers(min_value=-3, max_value=200)
numbers = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1))
tokens = st.one_of(st.none(), st.just(""), st.text(max_size=40), st.binary(max_size=40).map(lambda b: b.hex()))
times = st.one_of(st.none(), st.datetimes(timezones=st.just(timezone.utc)))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=12,
)
configs = st.one_of(st.none(), st.dictionaries(st.text(max_size=8), json_values, max_size=4).map(Struct.from_dict))
entries = st.lists(st.builds(LogEntry, level=texts, message=texts, time=times, host=st.text(max_size=10)), max_size=5)


def calls(world: World) -> st.SearchStrategy[Callable[[], Any]]:
    """One strategy per RPC of this engineer's groups, each drawing a whole request."""
    c, r = world.app, world.robot
    one = st.builds
    return st.one_of(
        one(lambda i: lambda: c.get_robot(id=i), ids(world)),
        one(lambda i: lambda: c.list_robots(location_id=i), ids(world)),
        one(lambda n, i: lambda: c.new_robot(name=n, location=i), texts, ids(world)),
        one(lambda i, n, loc: lambda: c.update_robot(id=i, name=n, location=loc), ids(world), texts, ids(world)),
        one(lambda i: lambda: c.get_robot_parts(robot_id=i), ids(world)),
        one(lambda i: lambda: c.get_robot_part(id=i), ids(world)),
        one(
            lambda i, n, cfg, js, known: (
                lambda: c.update_robot_part(
                    id=i, name=n, robot_config=cfg, robot_config_json=js, last_known_update=known
                )
            ),
            ids(world),
            texts,
            configs,
            st.one_of(st.none(), texts),
            times,
        ),
        one(lambda i, n: lambda: c.new_robot_part(robot_id=i, part_name=n), ids(world), texts),
        one(lambda i: lambda: c.mark_part_as_main(part_id=i), ids(world)),
        one(lambda i: lambda: c.mark_part_for_restart(part_id=i), ids(world)),
        one(lambda i: lambda: c.create_robot_part_secret(part_id=i), ids(world)),
        one(lambda i, s: lambda: c.delete_robot_part_secret(part_id=i, secret_id=s), ids(world), ids(world)),
        one(
            lambda i, t, n, s, e: lambda: c.get_robot_part_history(id=i, page_token=t, page_limit=n, start=s, end=e),
            ids(world),
            tokens,
            numbers,
            times,
            times,
        ),
        one(lambda i: lambda: c.get_robot_api_keys(robot_id=i), ids(world)),
        one(lambda i: lambda: c.get_rover_rental_robots(org_id=i), ids(world)),
        one(
            lambda i, eo, f, t, lv, s, e, n, o: (
                lambda: c.get_robot_part_logs(
                    id=i, errors_only=eo, filter=f, page_token=t, levels=lv, start=s, end=e, limit=n, order=o
                )
            ),
            ids(world),
            st.booleans(),
            st.one_of(st.none(), texts),
            tokens,
            st.lists(texts, max_size=3),
            times,
            times,
            numbers,
            st.one_of(st.none(), enums),
        ),
        one(
            lambda i, eo, f: lambda: next(iter(c.tail_robot_part_logs(id=i, errors_only=eo, filter=f, timeout=0.3))),
            ids(world),
            st.booleans(),
            st.one_of(st.none(), texts),
        ),
        one(lambda i, logs: lambda: r.log(id=i, logs=logs), ids(world), entries),
        one(lambda i: lambda: r.config(id=i), ids(world)),
        one(lambda i: lambda: r.needs_restart(id=i), ids(world)),
        one(
            lambda o, sp, vs: lambda: c.list_fragments(organization_id=o, show_public=sp, fragment_visibility=vs),
            ids(world),
            st.booleans(),
            st.lists(enums, max_size=3),
        ),
        one(lambda i: lambda: c.get_fragment(id=i), ids(world)),
        one(
            lambda o, n, cfg, v: lambda: c.create_fragment(organization_id=o, name=n, config=cfg, visibility=v),
            ids(world),
            texts,
            configs,
            st.one_of(st.none(), enums),
        ),
        one(
            lambda i, n, cfg, p, v, js: (
                lambda: c.update_fragment(id=i, name=n, config=cfg, public=p, visibility=v, fragment_config_json=js)
            ),
            ids(world),
            texts,
            configs,
            st.one_of(st.none(), st.booleans()),
            st.one_of(st.none(), enums),
            st.one_of(st.none(), texts),
        ),
        one(lambda i: lambda: c.delete_fragment(id=i), ids(world)),
        one(
            lambda i, t, n: lambda: c.get_fragment_history(id=i, page_token=t, page_limit=n),
            ids(world),
            tokens,
            numbers,
        ),
        one(lambda i: lambda: c.get_registry_item(item_id=i), item_ids(world)),
        one(
            lambda o, n, t: lambda: c.create_registry_item(organization_id=o, name=n, type=t), ids(world), texts, enums
        ),
        one(
            lambda i, t, d, v, u: lambda: c.update_registry_item(item_id=i, type=t, description=d, visibility=v, url=u),
            item_ids(world),
            enums,
            texts,
            enums,
            st.one_of(st.none(), texts),
        ),
        one(
            lambda o, ts, vs, ps, ss, term: (
                lambda: c.list_registry_items(
                    organization_id=o, types=ts, visibilities=vs, platforms=ps, statuses=ss, search_term=term
                )
            ),
            st.one_of(st.none(), ids(world)),
            st.lists(enums, max_size=2),
            st.lists(enums, max_size=2),
            st.lists(texts, max_size=2),
            st.lists(enums, max_size=2),
            st.one_of(st.none(), texts),
        ),
        one(lambda i: lambda: c.delete_registry_item(item_id=i), item_ids(world)),
        one(lambda o, n: lambda: c.create_module(organization_id=o, name=n), ids(world), texts),
        one(
            lambda i, v, u, d, e: (
                lambda: c.update_module(
                    module_id=i, visibility=v, url=u, description=d, entrypoint=e, models=[app.Model(api=d, model=u)]
                )
            ),
            item_ids(world),
            enums,
            texts,
            texts,
            texts,
        ),
        one(
            lambda i, v, p, chunks: (
                lambda: c.upload_module_file(
                    [
                        app.UploadModuleFileRequest(
                            module_file_info=app.ModuleFileInfo(module_id=i, version=v, platform=p)
                        ),
                        *(app.UploadModuleFileRequest(file=chunk) for chunk in chunks),
                    ]
                )
            ),
            item_ids(world),
            st.one_of(texts, st.just("1.0.0")),
            st.one_of(texts, st.just("linux/amd64")),
            st.lists(st.binary(max_size=50), max_size=3),
        ),
        one(lambda i: lambda: c.get_module(module_id=i), item_ids(world)),
        one(lambda o: lambda: c.list_modules(organization_id=o), st.one_of(st.none(), ids(world))),
    )


@pytest.mark.filterwarnings("ignore:GetRobotPartLogsRequest.errors_only is deprecated")
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_answer_is_a_response_or_a_proper_status(world: World, data: st.DataObject) -> None:
    call = data.draw(calls(world))
    try:
        call()
    except GRPCError as exc:
        assert exc.status not in BROKEN, exc
    except StopIteration:
        pass  # a tail that ended (its part was deleted meanwhile)
    except TimeoutError:
        pass  # a live tail with nothing to say before its short client deadline


def test_the_server_still_serves_after_the_fuzzing(world: World) -> None:
    robot_id = world.app.new_robot(name=f"after-{uuid.uuid4()}", location=world.fleet.location_id).id
    assert world.app.get_robot(id=robot_id).robot is not None
    assert world.app.list_robots(location_id=world.fleet.location_id).robots
    stamp = datetime.now(timezone.utc)
    part_id = world.app.get_robot_parts(robot_id=robot_id).parts[0].id
    world.robot.log(id=part_id, logs=[LogEntry(level="info", message="alive", time=stamp)])
    assert [e.message for e in world.app.get_robot_part_logs(id=part_id).logs] == ["alive"]

"""Importing the clients loads what a client uses, not the server, the CLI, parsers it never needs or the transport.

The transport (asyncio, grpclib's client and HTTP/2, ssl, the raw clients) loads when a client is built or
connected: a program that only imports fleetwire (pytest, through the plugin entry point; a script using the types)
never pays for it. Each check runs in a fresh interpreter and reads ``sys.modules``:
behaviour, not timing (``python -m bench`` times).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import textwrap

from fleetwire.local import LocalFleet
from fleetwire_api.google.protobuf import Timestamp

# Modules a program that only imports the clients must not load, and why each would be there by mistake.
NOT_FOR_CLIENTS = {
    "fleetwire_api.services.servers": "the grpclib server bases: only servers implement services",
    "grpclib.server": "grpclib's server",
    "fleetwire_api.services._codec": "the fast codec: loaded by the first message, not by the import",
    "fleetwire.local": "the local fleet server",
    "fleetwire.objects": "the object layer: loaded when a program imports it",
    "fleetwire.cli": "the command line",
    "sqlite3": "the local server's store",
    "argparse": "the command line",
    "dateutil": "parses Timestamps from JSON only",
    "viam": "the official SDK",
    "google.protobuf": "the official protobuf runtime",
}

# Modules a client loads when it is built or connected, not when it is imported.
TRANSPORT = {
    "asyncio": "the event loop: a client's calls run in one",
    "concurrent.futures": "asyncio's executor support",
    "ssl": "TLS, loaded by asyncio and by connect()",
    "grpclib.client": "grpclib's channel",
    "grpclib.protocol": "grpclib's HTTP/2 connection",
    "h2": "HTTP/2",
    "hpack": "HTTP/2 header compression",
    "fleetwire_api.services._runtime": "the raw clients' runtime",
    "fleetwire_api.services.aio": "the raw async clients",
    "fleetwire_api.services.blocking": "the raw blocking clients",
    "fleetwire._connect": "dialing and authentication",
}
# (``socket`` is not listed: betterproto2 reads its own version with importlib.metadata, whose email parser imports
# it, so the message classes load it.)
if sys.version_info < (3, 11):
    # Before 3.11 a timed-out call raises asyncio's own TimeoutError, not the builtin, and the retry module that
    # translates it imports asyncio for it (and asyncio brings these two).
    for _name in ("asyncio", "concurrent.futures", "ssl"):
        del TRANSPORT[_name]


def _modules_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=100)
    return set(json.loads(result.stdout))


def _loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(module.startswith(name + ".") for module in modules)


def test_importing_the_clients_loads_no_server_cli_or_json_parser() -> None:
    modules = _modules_after("from fleetwire import AppClient, AsyncAppClient")
    assert "fleetwire.aio" in modules and "fleetwire._blocking" in modules
    loaded = {name: why for name, why in NOT_FOR_CLIENTS.items() if _loaded(modules, name)}
    assert loaded == {}


def test_importing_the_clients_loads_no_transport() -> None:
    modules = _modules_after("import fleetwire\nfrom fleetwire import AppClient, AsyncAppClient, NotFoundError")
    loaded = {name: why for name, why in TRANSPORT.items() if _loaded(modules, name)}
    assert loaded == {}


# Run in a fresh interpreter against a running fleet (argv: url, key id, key, location id): import the clients,
# note the modules, then connect the blocking client, build the async client over a channel of its own and call
# both. Prints what was loaded before and after, and the calls' answers.
_CALLS = textwrap.dedent(
    """
    import json, sys
    from fleetwire import AppClient, AsyncAppClient, NotFoundError

    imported = sorted(sys.modules)
    url, key_id, key, location_id = sys.argv[1:5]
    with AppClient.connect(url, api_key=key, api_key_id=key_id, location_id=location_id) as blocking:
        location = blocking.get_location().id
        robot_id = blocking.new_robot("footprint")
        try:
            blocking.get_robot("00000000-0000-4000-8000-000000000000")
            missing = "answered"
        except NotFoundError as exc:
            missing = type(exc).__name__


    async def on_channel():
        from grpclib.client import Channel

        host, port = url.rsplit(":", 1)
        channel = Channel(host, int(port))
        try:
            client = AsyncAppClient(channel, blocking.aio.raw.metadata, location_id)
            return [robot.id for robot in await client.list_robots()]
        finally:
            channel.close()


    import asyncio

    robots = asyncio.run(on_channel())
    print(json.dumps({"imported": imported, "used": sorted(sys.modules), "location": location,
                      "robot_id": robot_id, "robots": robots, "missing": missing}))
    """
)


def test_the_transport_loads_when_a_client_connects_and_both_clients_work() -> None:
    with LocalFleet() as fleet:
        arguments = [fleet.address, fleet.api_key_id, fleet.api_key, fleet.location_id]
        result = subprocess.run([sys.executable, "-c", _CALLS, *arguments], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    imported, used = set(out["imported"]), set(out["used"])
    assert {name for name in TRANSPORT if _loaded(imported, name)} == set()
    assert {name for name in TRANSPORT if not _loaded(used, name)} == set()  # loaded by use, and the calls worked:
    assert out["location"] == fleet.location_id
    assert out["robot_id"] in out["robots"]
    assert out["missing"] == "NotFoundError"


def test_server_bases_and_service_table_load_on_first_use() -> None:
    modules = _modules_after(
        "from fleetwire_api.services import SERVICES, AppServiceBase\n"
        "assert SERVICES['viam.app.v1.AppService'][2] is AppServiceBase"
    )
    assert "fleetwire_api.services.servers" in modules


def test_unknown_service_names_are_still_attribute_errors() -> None:
    import fleetwire_api.services as services

    try:
        getattr(services, "NoSuchServiceBase")  # noqa: B009 - the name is looked up at run time on purpose
    except AttributeError as exc:
        assert "NoSuchServiceBase" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")


def test_timestamps_still_parse_from_json_strings() -> None:
    parsed = Timestamp.from_dict("2024-05-06T07:08:09.123456Z")
    expected = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)
    assert parsed == Timestamp.from_datetime(expected)

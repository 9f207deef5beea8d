"""Importing the clients loads what a client uses, not the server, the CLI or parsers it never needs.

Each check runs in a fresh interpreter and reads ``sys.modules``: behaviour, not timing (``python -m bench`` times).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

from fleetwire_api.google.protobuf import Timestamp

# Modules a program that only imports the clients must not load, and why each would be there by mistake.
NOT_FOR_CLIENTS = {
    "fleetwire_api.services.servers": "the grpclib server bases: only servers implement services",
    "grpclib.server": "grpclib's server",
    "fleetwire_api.services._codec": "the fast codec: loaded by the first message, not by the import",
    "fleetwire.local": "the local fleet server",
    "fleetwire.cli": "the command line",
    "sqlite3": "the local server's store",
    "argparse": "the command line",
    "dateutil": "parses Timestamps from JSON only",
    "viam": "the official SDK",
    "google.protobuf": "the official protobuf runtime",
}


def _modules_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


def _loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(module.startswith(name + ".") for module in modules)


def test_importing_the_clients_loads_no_server_cli_or_json_parser() -> None:
    modules = _modules_after("from fleetwire import AppClient, AsyncAppClient")
    assert "fleetwire.aio" in modules and "fleetwire._blocking" in modules
    loaded = {name: why for name, why in NOT_FOR_CLIENTS.items() if _loaded(modules, name)}
    assert loaded == {}


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

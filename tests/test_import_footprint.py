"""Importing the clients loads what a client uses, not the server, the CLI or parsers it never needs.

Each check runs in a fresh interpreter and reads ``sys.modules``: behaviour, not timing (``python -m bench`` times).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest

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


@pytest.mark.parametrize("collecting", [True, False])
def test_the_import_leaves_the_garbage_collector_as_it_found_it(collecting: bool) -> None:
    # The import pauses the collector while it creates its classes; a program's own setting must survive it.
    setting = "gc.enable()" if collecting else "gc.disable()"
    code = f"import gc\n{setting}\nimport fleetwire\nprint(gc.isenabled(), hasattr(fleetwire, '_collecting'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == [str(collecting), "False"]


def test_a_failing_import_still_restores_the_garbage_collector() -> None:
    # A module of the package failing to import (here: a name the import needs made unimportable) must not leave
    # the collector paused for the rest of the program.
    code = (
        "import gc, sys\n"
        "sys.modules['fleetwire.errors'] = None\n"
        "try:\n"
        "    import fleetwire\n"
        "except ImportError:\n"
        "    print(gc.isenabled())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True"]


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

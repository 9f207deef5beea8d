"""The generator's three schema inputs give one output, and the comments of .proto sources become docstrings.

The pinned descriptors are rendered back to .proto text (``_support/proto_text.py``); compiled from that directory,
or from a descriptor set protoc writes of it, they must regenerate what the pinned package does. The well-known
protos protoc brings carry comments, so those files differ in their docstrings only.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from _support.proto_text import protoc_descriptor_set, write_tree

from codegen.__main__ import main
from codegen.protoc import load_protos
from codegen.render import GENERATED, generate
from codegen.report import Report
from codegen.schema import ROOT_PROTO_FILES, load_schema

REPO = Path(__file__).resolve().parent.parent
FIXTURE_PROTOS = Path(__file__).resolve().parent / "_support" / "protos"
FIXTURE_ROOT = "fixture/v1/fleet.proto"
ADDED_RPC = "CountFixtureMachines"
VERSION = "0.85.1"  # the pinned version: the headers must match the committed tree's


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def without_docstrings(source: str) -> str:
    """The source with every docstring (module, class, function, attribute) and every blank line removed."""
    tree = ast.parse(source)
    dropped: set[int] = set()
    for node in ast.walk(tree):
        body = node.body if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) else []
        for child in body:
            if (
                isinstance(child, ast.Expr)
                and isinstance(child.value, ast.Constant)
                and isinstance(child.value.value, str)
            ):
                dropped.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    lines = source.splitlines()
    return "\n".join(line for number, line in enumerate(lines, 1) if number not in dropped and line.strip())


@pytest.fixture(scope="module")
def api_protos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned schema rendered back to .proto files (the well-known ones come with protoc)."""
    root = tmp_path_factory.mktemp("api-protos")
    write_tree(load_schema().file_protos(), root)
    return root


@pytest.fixture(scope="module")
def from_protos(api_protos: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("from-protos") / "generated"
    generate(target, schema=load_protos(api_protos, [], ROOT_PROTO_FILES, VERSION))
    return target


def test_a_proto_directory_regenerates_the_pinned_output(from_protos: Path) -> None:
    ours, pinned = files(from_protos), files(GENERATED)
    assert ours.keys() == pinned.keys()
    differing = sorted(name for name in ours if ours[name] != pinned[name])
    # Only the well-known protos carry comments: their docstrings are all that differs.
    assert differing, "protoc's well-known protos carry comments, which should have become docstrings"
    assert all(name.startswith("fleetwire_api/google/protobuf/") for name in differing), differing
    for name in differing:
        assert without_docstrings(ours[name].decode()) == without_docstrings(pinned[name].decode()), name
    assert ours["api.json"] == pinned["api.json"]


def test_a_descriptor_set_regenerates_what_the_proto_directory_does(
    api_protos: Path, from_protos: Path, tmp_path: Path
) -> None:
    flags = ("--include_imports", "--include_source_info")
    descriptor_set = protoc_descriptor_set(tmp_path / "api.binpb", [api_protos], ROOT_PROTO_FILES, *flags)
    target = tmp_path / "generated"
    # Through the command line, whose default schema version is the pinned one: the same schema, the same bytes.
    assert main(["--descriptor-set", str(descriptor_set), "--out", str(target)]) == 0
    assert files(target) == files(from_protos)


# --- a documented schema, and an RPC added to AppService --------------------------------------------------------

ADDED_TO_APP_SERVICE = f"""
  // Count the machines of a location.
  // The count includes machines that never connected.
  rpc {ADDED_RPC}(.viam.app.v1.{ADDED_RPC}Request) returns (.viam.app.v1.{ADDED_RPC}Response);
"""
ADDED_MESSAGES = f"""
message {ADDED_RPC}Request {{
  string location_id = 1;
}}

message {ADDED_RPC}Response {{
  int64 count = 1;
}}
"""


@pytest.fixture(scope="module")
def extended(api_protos: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report]:
    """The API plus the documented fixture schema and one documented RPC added to AppService, regenerated over a
    copy of the committed generation (so the report compares with it), with the handwritten code's uses."""
    protos = tmp_path_factory.mktemp("extended-protos")
    shutil.copytree(api_protos, protos, dirs_exist_ok=True)
    app = protos / "app/v1/app.proto"
    text = app.read_text()
    assert text.count("service AppService {\n") == 1
    app.write_text(
        text.replace("service AppService {\n", "service AppService {" + ADDED_TO_APP_SERVICE) + ADDED_MESSAGES
    )
    target = tmp_path_factory.mktemp("extended") / "generated"
    target.mkdir()
    shutil.copy(GENERATED / "api.json", target / "api.json")
    schema = load_protos(protos, [FIXTURE_PROTOS], (*ROOT_PROTO_FILES, FIXTURE_ROOT), VERSION)
    report = generate(target, schema=schema, handwritten=REPO / "src" / "fleetwire")
    return target, report


def _class(path: Path, name: str) -> ast.ClassDef:
    found = [n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef) and n.name == name]
    assert len(found) == 1, f"{path}: no class {name}"
    return found[0]


def _attribute_doc(cls: ast.ClassDef, attribute: str) -> str:
    body = cls.body
    for index, node in enumerate(body):
        target = (
            node.target
            if isinstance(node, ast.AnnAssign)
            else node.targets[0]
            if isinstance(node, ast.Assign)
            else None
        )
        if isinstance(target, ast.Name) and target.id == attribute:
            follower = body[index + 1]
            assert isinstance(follower, ast.Expr) and isinstance(follower.value, ast.Constant)
            return textwrap.dedent(str(follower.value.value)).strip()
    raise AssertionError(f"{cls.name} has no attribute {attribute}")


def _method_doc(cls: ast.ClassDef, name: str) -> str:
    found = [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
    assert len(found) == 1, f"{cls.name} has no method {name}"
    return ast.get_docstring(found[0]) or ""


def test_comments_become_docstrings_of_messages_fields_and_enum_values(extended: tuple[Path, Report]) -> None:
    package = extended[0] / "fleetwire_api/fixture/v1"
    machine = _class(package / "_machine.py", "Machine")
    assert ast.get_docstring(machine) == "A machine of the fixture fleet.\n\nMachines belong to one location."
    assert _attribute_doc(machine, "id") == "The machine's id, unique in the fleet."
    assert _attribute_doc(machine, "name") == "What people call it."  # a trailing comment
    assert _attribute_doc(machine, "joined") == "When the machine\njoined the fleet."  # a block comment
    mood = _class(package / "_mood.py", "Mood")
    assert ast.get_docstring(mood) == "How a machine feels."
    assert _attribute_doc(mood, "HAPPY") == "Ready for work."
    assert _attribute_doc(mood, "TIRED") == "Needs a charge."
    # The file's detached header comment documents nothing.
    assert not [p for p in package.rglob("*.py") if "written for the generator" in p.read_text()]


@pytest.mark.parametrize(("module", "suffix"), [("aio.py", "AsyncClient"), ("blocking.py", "Client")])
def test_comments_become_docstrings_of_the_raw_client_methods(
    extended: tuple[Path, Report], module: str, suffix: str
) -> None:
    services = extended[0] / "fleetwire_api/services" / module
    client = _class(services, f"FixtureFleetService{suffix}")
    assert (ast.get_docstring(client) or "").endswith("\n\nThe machines of the fixture fleet.")
    doc = _method_doc(client, "get_machine")
    assert doc.startswith("Call ``fixture.v1.FixtureFleetService/GetMachine`` (unary-unary).\n\n")
    assert (
        'Fetch one machine by its id.\n\nAnswers NOT_FOUND for an unknown id; "quotes" and a \\ backslash survive.'
        in doc
    )
    assert "- ``id``: ``string id = 1``: The machine to fetch. Its id, as Machine.id.\n" in doc  # a request field
    added = _method_doc(_class(services, f"AppService{suffix}"), "count_fixture_machines")
    assert "Count the machines of a location.\nThe count includes machines that never connected." in added
    # An RPC without comments keeps today's docstring.
    assert _method_doc(_class(services, f"AppService{suffix}"), "get_robot") == _method_doc(
        _class(GENERATED / "fleetwire_api/services" / module, f"AppService{suffix}"), "get_robot"
    )


def test_the_report_lists_the_added_rpc_as_compatible_and_not_covered(extended: tuple[Path, Report]) -> None:
    report = extended[1]
    changes = {(c.element, c.name): c for c, _ in report.changes}
    added = changes[("rpc", f"viam.app.v1.AppService.{ADDED_RPC}")]
    assert added.change == "added" and not added.breaking
    assert ("service", "fixture.v1.FixtureFleetService") in changes
    assert report.blocking == []
    uncovered = {(u.service, u.rpc) for u in report.uncovered}
    assert ("viam.app.v1.AppService", ADDED_RPC) in uncovered
    assert ("viam.app.v1.AppService", "GetRobot") not in uncovered  # wrapped by the overlay and served locally
    text = report.text()
    assert f"{ADDED_RPC} -> raw.count_fixture_machines" in text
    assert f"compatible rpc viam.app.v1.AppService.{ADDED_RPC}: added" in text


def test_the_added_rpc_is_reachable_through_client_raw(extended: tuple[Path, Report]) -> None:
    # Against the local server, over a real socket: the regenerated server base answers UNIMPLEMENTED with the RPC's
    # path, so the call went out through client.raw and came back.
    script = textwrap.dedent(
        f"""
        import asyncio
        import fleetwire_api
        from grpclib.const import Status
        from grpclib.exceptions import GRPCError
        from fleetwire import AsyncAppClient
        from fleetwire.local import LocalFleet

        async def main():
            assert fleetwire_api.__file__.startswith({str(extended[0])!r}), fleetwire_api.__file__
            async with LocalFleet() as fleet:
                client = await AsyncAppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id)
                try:
                    await client.raw.count_fixture_machines(location_id=fleet.location_id)
                except GRPCError as exc:
                    print(exc.status.name, exc.message)
                finally:
                    await client.close()

        asyncio.run(main())
        """
    )
    env = {**os.environ, "PYTHONPATH": str(extended[0])}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "UNIMPLEMENTED" in result.stdout and ADDED_RPC in result.stdout

"""The report of what a new schema changes, what of it the handwritten code uses, and bad schema input.

Fixture schemas are variants of ``_support/protos/fixture/v1/fleet.proto`` compiled with protoc; none of these tests
builds a generated tree (the report and the checks on the input come before any building), so they are fast.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import tokenize
from pathlib import Path

import pytest
from _support.proto_text import protoc_descriptor_set

from codegen.__main__ import main
from codegen.comments import clean
from codegen.protoc import load_protos
from codegen.render import GENERATED, BreakingChangeError, api_report, generate
from codegen.schema import Schema, load_schema
from codegen.surface import SNAPSHOT, Change, diff, dump, surface

FIXTURE = Path(__file__).resolve().parent / "_support" / "protos" / "fixture" / "v1" / "fleet.proto"
ROOT = "fixture/v1/fleet.proto"
REPO = Path(__file__).resolve().parent.parent


def fixture_schema(tmp_path: Path, *edits: tuple[str, str], name: str = "protos") -> Schema:
    """The fixture schema with each ``(old, new)`` text replaced once."""
    text = FIXTURE.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name / ROOT
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return load_protos(tmp_path / name, [], [ROOT], "1")


def committed_generation(tmp_path: Path, schema: Schema) -> Path:
    """A generated/ directory whose snapshot is ``schema``'s, with a file that must survive a stopped run."""
    target = tmp_path / "generated"
    target.mkdir()
    (target / SNAPSHOT).write_text(dump(surface(schema)))
    (target / "module.py").write_text("# the committed generation\n")
    return target


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def by_name(changes: list[Change]) -> dict[str, Change]:
    return {change.name: change for change in changes}


def test_a_field_added_is_compatible(tmp_path: Path) -> None:
    old = fixture_schema(tmp_path)
    new = fixture_schema(
        tmp_path, ("  string location_id = 5;\n", "  string location_id = 5;\n  int32 serial = 6;\n"), name="new"
    )
    changes = diff(surface(old), surface(new))
    assert changes == [Change("field", "fixture.v1.Machine.serial", "added", new="6 int32")]
    report = api_report(new, committed_generation(tmp_path, old), handwritten=tmp_path / "none")
    assert report.blocking == []
    assert "compatible field fixture.v1.Machine.serial: added (6 int32)" in report.text()


def test_a_field_renumbered_and_one_removed_are_breaking_and_stop_the_run_where_code_uses_them(tmp_path: Path) -> None:
    old = fixture_schema(tmp_path)
    new = fixture_schema(
        tmp_path, ("string name = 2;", "string name = 7;"), ("  string location_id = 5;\n", ""), name="new"
    )
    changes = by_name(diff(surface(old), surface(new)))
    assert changes.keys() == {"fixture.v1.Machine.name", "fixture.v1.Machine.location_id"}
    assert changes["fixture.v1.Machine.name"].change == "renumbered" and changes["fixture.v1.Machine.name"].breaking
    assert changes["fixture.v1.Machine.location_id"].change == "removed"
    assert changes["fixture.v1.Machine.location_id"].breaking

    handwritten = tmp_path / "src" / "fleetwire"
    (handwritten / "local").mkdir(parents=True)
    (handwritten / "machines.py").write_text(
        '"""Handwritten code reading the fixture."""\n\n\ndef where(machine):\n    return machine.location_id\n'
    )
    (handwritten / "local" / "rows.py").write_text('def row(m):\n    return {"n": m.name}\n')
    target = committed_generation(tmp_path, old)
    before = digest(target)
    with pytest.raises(BreakingChangeError) as raised:
        generate(target, schema=new, handwritten=handwritten)
    message = str(raised.value)
    assert "fixture.v1.Machine.location_id: removed, used at src/fleetwire/machines.py:5" in message
    assert "fixture.v1.Machine.name: renumbered, used at src/fleetwire/local/rows.py:2" in message
    assert digest(target) == before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []
    data = json.loads(raised.value.report.to_json())
    assert sorted(data["blocking"]) == ["fixture.v1.Machine.location_id", "fixture.v1.Machine.name"]
    uses = {change["name"]: change["uses"] for change in data["changes"]}
    assert uses["fixture.v1.Machine.location_id"] == ["src/fleetwire/machines.py:5"]


def test_breaking_changes_nobody_uses_do_not_stop_the_run(tmp_path: Path) -> None:
    old = fixture_schema(tmp_path)
    new = fixture_schema(tmp_path, ("  string location_id = 5;\n", ""), name="new")
    report = api_report(new, committed_generation(tmp_path, old), handwritten=tmp_path / "empty")
    assert [(c.name, c.breaking) for c, uses in report.changes] == [("fixture.v1.Machine.location_id", True)]
    assert report.blocking == []


def test_uses_of_removed_enum_values_and_rpcs_are_listed_without_stopping(tmp_path: Path) -> None:
    old = fixture_schema(tmp_path)
    rpc = "rpc GetMachine(GetMachineRequest) returns (GetMachineResponse);"
    new = fixture_schema(tmp_path, ("  MOOD_TIRED = 2;  // Needs a charge.\n", ""), (rpc, ""), name="new")
    handwritten = tmp_path / "src" / "fleetwire"
    handwritten.mkdir(parents=True)
    (handwritten / "moods.py").write_text(
        "from fleetwire_api.fixture.v1 import Mood\n\n\nasync def tired(raw):\n"
        "    return Mood.TIRED, await raw.get_machine(id='m')\n"
    )
    report = api_report(new, committed_generation(tmp_path, old), handwritten=handwritten)
    uses = {change.name: [str(use) for use in found] for change, found in report.changes}
    assert uses == {
        "fixture.v1.FixtureFleetService.GetMachine": ["src/fleetwire/moods.py:5"],
        "fixture.v1.Mood.MOOD_TIRED": ["src/fleetwire/moods.py:5"],
    }
    assert all(change.breaking for change, _ in report.changes)
    assert report.blocking == []  # only fields the code reads or sets stop the run


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("string name = 2;", "string label = 2;"), ("fixture.v1.Machine.name", "renamed", False)),
        (("string name = 2;", "bytes name = 2;"), ("fixture.v1.Machine.name", "changed", False)),
        (("string name = 2;", "int64 name = 2;"), ("fixture.v1.Machine.name", "changed", True)),
        (("string name = 2;", "repeated string name = 2;"), ("fixture.v1.Machine.name", "changed", True)),
        (("string name = 2;", "optional string name = 2;"), ("fixture.v1.Machine.name", "changed", False)),
        (("  MOOD_TIRED = 2;", "  MOOD_SLEEPY = 2;"), ("fixture.v1.Mood.MOOD_TIRED", "renamed", False)),
        (("  MOOD_TIRED = 2;", "  MOOD_TIRED = 3;"), ("fixture.v1.Mood.MOOD_TIRED", "changed", True)),
        (
            ("rpc GetMachine(GetMachineRequest) returns (GetMachineResponse);", ""),
            ("fixture.v1.FixtureFleetService.GetMachine", "removed", True),
        ),
        (
            (
                "rpc GetMachine(GetMachineRequest) returns (GetMachineResponse);",
                "rpc GetMachine(GetMachineRequest) returns (stream GetMachineResponse);",
            ),
            ("fixture.v1.FixtureFleetService.GetMachine", "changed", True),
        ),
    ],
)
def test_each_change_is_marked_compatible_or_breaking_on_the_wire(
    tmp_path: Path, edit: tuple[str, str], expected: tuple[str, str, bool]
) -> None:
    old, new = fixture_schema(tmp_path), fixture_schema(tmp_path, edit, name="new")
    assert [(c.name, c.change, c.breaking) for c in diff(surface(old), surface(new))] == [expected]


def test_the_real_handwritten_code_is_searched(tmp_path: Path) -> None:
    """A renumbered field the overlay and the local server read: every `.robot_config` of src/ is reported."""
    schema = load_schema()
    old = surface(schema)
    old["messages"]["viam.app.v1.RobotPart"]["robot_config"] = "99 google.protobuf.Struct"
    target = tmp_path / "generated"
    target.mkdir()
    (target / SNAPSHOT).write_text(dump(old))
    report = api_report(schema, target, handwritten=REPO / "src" / "fleetwire")
    ((change, uses),) = report.blocking
    assert change.name == "viam.app.v1.RobotPart.robot_config" and change.change == "renumbered"
    expected = set()
    for path in sorted((REPO / "src" / "fleetwire").rglob("*.py")):
        text = path.read_text()
        if text.startswith("# Generated by fleetwire codegen"):
            continue
        tokens = [
            t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type in (tokenize.NAME, tokenize.OP)
        ]
        for before, token, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
            if token.string == "robot_config" and (before.string == "." or after.string == "="):
                expected.add(f"src/{path.relative_to(REPO / 'src')}:{token.start[0]}")
    assert expected, "the handwritten code reads robot_config somewhere"
    assert expected <= {str(use) for use in uses}


def test_the_committed_snapshot_matches_the_pinned_schema() -> None:
    assert (GENERATED / SNAPSHOT).read_text() == dump(surface(load_schema()))


def test_comment_syntax_is_cleaned() -> None:
    assert clean(" A line.\n Another.\n") == "A line.\nAnother."
    assert clean(" Block\n * with margins\n *\n * and a gap. ") == "Block\nwith margins\n\nand a gap."
    assert clean("/ Triple slashes.\n/ Two lines.") == "Triple slashes.\nTwo lines."
    assert clean(" Leading.\n", " Trailing.\n") == "Leading.\n\nTrailing."
    assert clean(" Code:\n\n     indented\n") == "Code:\n\n    indented"
    assert clean("", "  \n") == ""


# --- bad input: a message naming the file, generated/ untouched -------------------------------------------------


def run_codegen(target: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> str:
    before = digest(target)
    assert main([*args, "--out", str(target)]) == 2
    assert digest(target) == before
    return capsys.readouterr().err


def test_a_proto_that_does_not_compile_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    protos = tmp_path / "bad"
    (protos / "fixture/v1").mkdir(parents=True)
    (protos / ROOT).write_text(FIXTURE.read_text().replace("string id = 1;", "string id = ;"))
    err = run_codegen(
        committed_generation(tmp_path, fixture_schema(tmp_path)), "--protos", str(protos), "--root", ROOT, capsys=capsys
    )
    assert re.search(r"fixture/v1/fleet\.proto:\d+:\d+: Expected field number", err), err


def test_a_missing_import_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    protos = tmp_path / "bad"
    (protos / "fixture/v1").mkdir(parents=True)
    text = FIXTURE.read_text().replace('import "google/protobuf/timestamp.proto";', 'import "fixture/v1/units.proto";')
    (protos / ROOT).write_text(text)
    err = run_codegen(
        committed_generation(tmp_path, fixture_schema(tmp_path)), "--protos", str(protos), "--root", ROOT, capsys=capsys
    )
    assert "fixture/v1/units.proto" in err and "fixture/v1/fleet.proto" in err, err


def test_a_descriptor_set_without_source_info_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    descriptor_set = protoc_descriptor_set(tmp_path / "fleet.binpb", [FIXTURE.parents[2]], [ROOT], "--include_imports")
    target = committed_generation(tmp_path, fixture_schema(tmp_path))
    err = run_codegen(target, "--descriptor-set", str(descriptor_set), "--root", ROOT, capsys=capsys)
    assert f"{descriptor_set}: the descriptor set has no source info" in err, err


def test_a_descriptor_set_missing_an_import_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    no_imports = ("--include_source_info",)
    descriptor_set = protoc_descriptor_set(tmp_path / "fleet.binpb", [FIXTURE.parents[2]], [ROOT], *no_imports)
    target = committed_generation(tmp_path, fixture_schema(tmp_path))
    err = run_codegen(target, "--descriptor-set", str(descriptor_set), "--root", ROOT, capsys=capsys)
    assert f"{ROOT}: imports google/protobuf/timestamp.proto, which {descriptor_set} does not hold" in err, err


def test_a_file_that_is_not_a_descriptor_set_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "schema.binpb"
    bogus.write_bytes(b"\xff\xff\xff not protobuf")
    target = committed_generation(tmp_path, fixture_schema(tmp_path))
    err = run_codegen(target, "--descriptor-set", str(bogus), "--root", ROOT, capsys=capsys)
    assert f"{bogus}: not a FileDescriptorSet" in err, err


def test_a_root_the_directory_lacks_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(FIXTURE.parents[2], tmp_path / "copy")
    target = committed_generation(tmp_path, fixture_schema(tmp_path))
    err = run_codegen(target, "--protos", str(tmp_path / "copy"), "--root", "fixture/v1/none.proto", capsys=capsys)
    assert "fixture/v1/none.proto: not found in" in err, err

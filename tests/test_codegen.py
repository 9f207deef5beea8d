"""The generator: deterministic, drift-checked, and bad input stops it without touching generated/."""

from __future__ import annotations

import ast
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import wire_layouts
from codegen.errors import CodegenError
from codegen.overlay import read_overlay
from codegen.render import GENERATED, TEMPLATES, build, check, diff_trees, generate
from codegen.schema import ROOT_PROTO_FILES, load_schema
from codegen.wire_layouts import check_wire_layouts

REPO = Path(__file__).resolve().parent.parent


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_generation_is_deterministic(tmp_path: Path) -> None:
    schema = load_schema()
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    build(schema, first)
    build(schema, second)
    assert tree_digest(first) == tree_digest(second)
    assert diff_trees(first, second) == []


def test_committed_tree_is_fresh() -> None:
    assert check() == [], "generated/ is stale: run `nox -s codegen`"


def test_generate_twice_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "generated"
    generate(target)
    before = tree_digest(target)
    generate(target)
    assert tree_digest(target) == before
    assert before == tree_digest(GENERATED)


def test_hand_edit_is_reported(tmp_path: Path) -> None:
    target = tmp_path / "generated"
    shutil.copytree(GENERATED, target, ignore=shutil.ignore_patterns("__pycache__"))
    edited = target / "fleetwire_api" / "services" / "aio.py"
    edited.write_text(edited.read_text().replace("async def get_robot(", "async def get_robot_renamed(", 1))
    (target / "fleetwire_api" / "stray.py").write_text("x = 1\n")
    diff = "".join(check(target))
    assert "generated/fleetwire_api/services/aio.py (committed)" in diff
    assert "-    async def get_robot_renamed(" in diff
    assert "+    async def get_robot(" in diff
    assert "generated/fleetwire_api/stray.py" in diff


def test_check_command_fails_on_edit(tmp_path: Path) -> None:
    target = tmp_path / "generated"
    shutil.copytree(GENERATED, target, ignore=shutil.ignore_patterns("__pycache__"))
    (target / "fleetwire_api" / "services" / "servers.py").write_text("# edited by hand\n")
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--check", "--out", str(target)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=100,
    )
    assert result.returncode == 1
    assert "+# edited by hand" not in result.stdout  # the diff goes from committed to regenerated
    assert "-# edited by hand" in result.stdout
    assert "stale or was edited by hand" in result.stdout


def test_broken_template_names_the_file_and_leaves_target_untouched(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    broken = templates / "service_base.py.j2"
    broken.write_text(broken.read_text().replace("{% endfor %}", "{% endfo %}", 1))
    target = tmp_path / "generated"
    shutil.copytree(GENERATED, target, ignore=shutil.ignore_patterns("__pycache__"))
    before = tree_digest(target)
    with pytest.raises(CodegenError, match=r"templates/service_base\.py\.j2"):
        generate(target, templates)
    assert tree_digest(target) == before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def test_template_rendering_invalid_python_names_the_template(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    broken = templates / "raw_async_client.py.j2"
    broken.write_text(
        broken.read_text().replace("class {{ service.name }}AsyncClient(Stub):", "class {{ service.name }}(")
    )
    with pytest.raises(CodegenError, match=r"templates/raw_async_client\.py\.j2 renders invalid Python"):
        generate(tmp_path / "generated", templates)
    assert not (tmp_path / "generated").exists()


def test_unknown_proto_file_is_named() -> None:
    with pytest.raises(CodegenError, match=r"app/v1/nonexistent\.proto: unknown proto file"):
        load_schema((*ROOT_PROTO_FILES, "app/v1/nonexistent.proto"))


def test_non_proto_name_is_rejected() -> None:
    with pytest.raises(CodegenError, match=r"app/v1/app\.txt: not a \.proto file name"):
        load_schema(("app/v1/app.txt",))


def test_schema_closure_is_in_dependency_order() -> None:
    schema = load_schema()
    position = {file.name: index for index, file in enumerate(schema.files)}
    assert {root.name for root in schema.roots} == set(ROOT_PROTO_FILES)
    for file in schema.files:
        for dependency in file.dependencies:
            assert position[dependency.name] < position[file.name]


def test_the_schema_has_the_layouts_the_direct_decoders_read() -> None:
    check_wire_layouts(load_schema())  # raises if the pinned schema and codec_dicts.py.j2 disagree


@pytest.mark.parametrize(
    ("message", "field", "assumed", "named"),
    [
        ("viam.common.v1.LogEntry", "caller", (9, "same type", False), "viam.common.v1.LogEntry.caller"),
        ("google.protobuf.Value", "list_value", (6, "other type", False), "google.protobuf.Value.list_value"),
        ("viam.app.v1.RobotPart", "robot_config", (5, "same type", True), "viam.app.v1.RobotPart.robot_config"),
        ("viam.app.v1.RobotPart", "no_such_field", (99, "same type", False), "viam.app.v1.RobotPart.no_such_field"),
    ],
)
def test_a_schema_change_under_the_direct_decoders_stops_generation(
    monkeypatch: pytest.MonkeyPatch, message: str, field: str, assumed: tuple[int, str, bool], named: str
) -> None:
    # What the decoders read, changed as a schema change would change the truth: renumbered, retyped, made repeated,
    # or a field that is gone.
    number, kind, repeated = assumed
    fields = dict(wire_layouts.ASSUMED[message])
    real_type = fields.get(field, (0, 9, False))[1]
    fields[field] = (number, real_type if kind == "same type" else real_type + 1, repeated)
    monkeypatch.setitem(wire_layouts.ASSUMED, message, fields)
    with pytest.raises(CodegenError) as raised:
        check_wire_layouts(load_schema())
    assert named in str(raised.value)


def test_the_blocking_client_keeps_the_overlays_annotation_only_imports_under_type_checking() -> None:
    """``aio.py`` imports ``ssl`` for annotations only; the generated ``AppClient`` must not import it at run time."""
    overlay = read_overlay(REPO / "src" / "fleetwire" / "aio.py")
    assert "import ssl" in overlay.type_checking_imports
    assert "import ssl" not in overlay.imports

    blocking = ast.parse((REPO / "src" / "fleetwire" / "_blocking.py").read_text())
    top_level = [ast.unparse(node) for node in blocking.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    guarded = [
        ast.unparse(node)
        for block in blocking.body
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in block.body
    ]
    assert "import ssl" not in top_level
    assert "import ssl" in guarded


def test_a_method_written_in_two_method_groups_is_refused(tmp_path: Path) -> None:
    """The blocking client forwards each method once: the same name in two groups of the overlay is an error."""
    overlay = tmp_path / "src" / "fleetwire"
    shutil.copytree(REPO / "src" / "fleetwire" / "_methods", overlay / "_methods")
    shutil.copy(REPO / "src" / "fleetwire" / "aio.py", overlay / "aio.py")
    fragments = overlay / "_methods" / "fragments.py"
    locations = (overlay / "_methods" / "locations.py").read_text()
    start, end = locations.index("    async def get_location("), locations.index("    async def update_location(")
    get_location = locations[start:end]
    anchor = "    async def list_fragments("
    fragments.write_text(fragments.read_text().replace(anchor, get_location + anchor, 1))
    with pytest.raises(CodegenError, match=r"fragments\.py:\d+: get_location is defined twice in AsyncAppClient"):
        read_overlay(overlay / "aio.py")

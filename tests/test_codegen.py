"""The generator: deterministic, drift-checked, and bad input stops it without touching generated/."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.errors import CodegenError
from codegen.render import GENERATED, TEMPLATES, build, check, diff_trees, generate
from codegen.schema import ROOT_PROTO_FILES, load_schema

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

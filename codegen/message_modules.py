"""Message packages split into small modules, so that a class is created only when first used.

Creating the dataclasses of a message package was most of what ``import fleetwire`` cost, and the first call created
all of them too, for the handful it needed. So each package's classes move from its ``__init__.py`` to one module per
group of classes that refer to each other (a strongly connected component of "names in its body": most groups are a
single class). A group's module imports the groups it refers to, so loading it creates exactly what its classes need;
the package ``__init__`` lists every name, imports them all for type checkers, and at run time loads a name's module on
first access (PEP 562, see ``templates/lazy_package.py.j2``). The classes stay ordinary classes of real modules:
``inspect.getsource``, pickling and ``__module__``/``__qualname__`` work as for any module.

Names from other packages are already reached lazily: betterproto2 refers to them through the package
(``___google__protobuf__.Timestamp``, in string annotations and ``unwrap`` lambdas).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import CodegenError
from .messages import PACKAGE_ROOT

# Classes that stay in their package's ``__init__``: betterproto2 recognizes ``google.protobuf.Value`` by its module
# name (``from_dict`` keeps a JSON null as a ``Value`` only when the class's module ends with "google.protobuf"),
# so ``Value`` and the classes it refers to must be defined by the package itself.
KEPT_IN_PACKAGE = {"google.protobuf": frozenset({"ListValue", "NullValue", "Struct", "Value"})}

_VERSION_CHECK = ("_COMPILER_VERSION", "betterproto2.check_compiler_version")


@dataclass(frozen=True)
class MessagePackage:
    """A message package: what its ``__init__`` keeps, and where each other name lives."""

    proto_package: str
    init: str  # path of the package's __init__.py under generated/
    kept: str  # source defining the classes kept in the package (imports included), or ""
    version_check: str  # betterproto2's compiler version check
    where: tuple[tuple[str, str], ...]  # (name, module defining it), every name not kept
    registered: tuple[tuple[str, str], ...]  # (proto name of a message, its class name)

    @property
    def module(self) -> str:
        """The Python package's dotted name."""
        return self.init.removesuffix("/__init__.py").replace("/", ".")

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the package exports."""
        kept = KEPT_IN_PACKAGE.get(self.proto_package, frozenset[str]())
        return tuple(sorted({name for name, _ in self.where} | kept))

    @property
    def modules(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``(module, its names)`` for every module of the package, for the type checkers' imports."""
        grouped: dict[str, list[str]] = {}
        for name, module in self.where:
            grouped.setdefault(module, []).append(name)
        return tuple((module, tuple(names)) for module, names in sorted(grouped.items()))


def split_message_packages(files: dict[str, str]) -> list[MessagePackage]:
    """Move every message package's classes to their modules in ``files``; return the packages, whose new
    ``__init__.py`` the caller renders (``templates/message_package.py.j2``)."""
    packages: list[MessagePackage] = []
    for path in sorted(files):
        if not path.endswith("/__init__.py") or not path.startswith(f"{PACKAGE_ROOT}/"):
            continue
        package = _split(path, files)
        if package is not None:
            packages.append(package)
    return packages


def _start(node: ast.stmt) -> int:
    """0-based first line of a statement, decorators included."""
    decorators = node.decorator_list if isinstance(node, ast.ClassDef) else []
    return min([node.lineno, *(d.lineno for d in decorators)]) - 1


def _call_name(node: ast.stmt) -> str:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return ast.unparse(node.value.func)
    return ""


def _split(path: str, files: dict[str, str]) -> MessagePackage | None:
    source = files[path]
    tree = ast.parse(source)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    if not classes:
        return None
    where = f"{path}: betterproto2's output changed"
    lines = source.splitlines(keepends=True)

    def text(node: ast.stmt) -> str:
        return "".join(lines[_start(node) : node.end_lineno])

    imports: list[str] = []  # the module's imports, wherever betterproto2 put them
    version_check: list[str] = []
    attached: dict[str, list[str]] = {node.name: [] for node in classes}  # registrations, secret hiding
    registered: list[tuple[str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                raise CodegenError(f"{where}: a __future__ import")
            imports.append(text(node).replace("  # noqa: E402", ""))
        elif isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__":
            continue  # the package __init__ lists the names
        elif ast.unparse(node).startswith(_VERSION_CHECK):
            version_check.append(text(node))
        elif (
            _call_name(node) in ("default_message_pool.register_message", "hide_secrets")
            and isinstance(node, ast.Expr)
            and isinstance(call := node.value, ast.Call)
        ):
            owner = call.args[-1] if _call_name(node).startswith("default") else call.args[0]
            if not isinstance(owner, ast.Name) or owner.id not in attached:
                raise CodegenError(f"{where}: {ast.unparse(node)} names no class of the module")
            attached[owner.id].append(text(node))
            if _call_name(node).startswith("default"):
                proto_package, message = (ast.literal_eval(arg) for arg in call.args[:2])
                registered.append((f"{proto_package}.{message}", owner.id))
        else:
            raise CodegenError(f"{where}: an unexpected statement: {ast.unparse(node)[:80]}")

    names = [node.name for node in classes]
    refers = {node.name: _names_in(node) & set(names) - {node.name} for node in classes}
    proto_package = path.removeprefix(f"{PACKAGE_ROOT}/").removesuffix("/__init__.py").replace("/", ".")
    kept = KEPT_IN_PACKAGE.get(proto_package, frozenset[str]())
    if any(refers[name] - kept for name in kept):
        raise CodegenError(f"{path}: the classes kept in the package refer to others")
    folder = path.removesuffix("__init__.py")
    module_of: dict[str, str] = {}
    groups = [group for group in _components(names, refers) if not set(group) <= kept]
    for group in groups:
        module = _module_name(group[0])
        if f"{folder}{module}.py" in files or module in module_of.values():
            raise CodegenError(f"{path}: two groups of classes would share the module {module}")
        module_of.update(dict.fromkeys(group, module))
    by_name = {node.name: node for node in classes}

    def body(group: Iterable[str]) -> str:
        return "\n\n".join(text(by_name[name]) + "".join(attached[name]) for name in group)

    for group in groups:
        module = module_of[group[0]]
        needed: dict[str, list[str]] = {}
        for dep in sorted({dep for member in group for dep in refers[member]} - set(group)):
            needed.setdefault(module_of.get(dep, ""), []).append(dep)
        siblings = "".join(
            f"from {'.' + dep if dep else '.'} import {', '.join(names)}\n" for dep, names in sorted(needed.items())
        )
        code = body(group)
        doc = f'"""{", ".join(f"``{name}``" for name in group)}: loaded by ``{proto_package}`` when first used."""\n\n'
        files[f"{folder}{module}.py"] = doc + _used(imports, code) + siblings + "\n\n" + code
    kept_source = ""
    if kept:
        code = body(name for name in names if name in kept)
        kept_source = _used(imports, code) + "\n\n" + code
    files.pop(path)
    return MessagePackage(
        proto_package=proto_package,
        init=path,
        kept=kept_source,
        version_check="".join(version_check),
        where=tuple(sorted(module_of.items())),
        registered=tuple(sorted(registered)),
    )


def _names_in(node: ast.ClassDef) -> set[str]:
    """The names a class body uses, string annotations included (betterproto2 quotes every annotation)."""
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        annotations: list[ast.expr | None] = []
        if isinstance(child, (ast.AnnAssign, ast.arg)):
            annotations.append(child.annotation)
        elif isinstance(child, ast.FunctionDef):
            annotations.append(child.returns)
        for annotation in annotations:
            if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
                found |= {n.id for n in ast.walk(ast.parse(annotation.value, mode="eval")) if isinstance(n, ast.Name)}
    return found


def _components(names: list[str], refers: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected components of ``refers`` (Tarjan), each in declaration order."""
    order = {name: i for i, name in enumerate(names)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[tuple[str, ...]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for dep in sorted(refers[name], key=order.__getitem__):
            if dep not in index:
                visit(dep)
                low[name] = min(low[name], low[dep])
            elif dep in on_stack:
                low[name] = min(low[name], index[dep])
        if low[name] == index[name]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == name:
                    break
            out.append(tuple(sorted(group, key=order.__getitem__)))

    for name in names:
        if name not in index:
            visit(name)
    return sorted(out, key=lambda group: order[group[0]])


def _module_name(name: str) -> str:
    """``RobotPartHistoryEntry`` -> ``_robot_part_history_entry``."""
    return "_" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _used(imports: list[str], code: str) -> str:
    """The import statements binding a name ``code`` uses (betterproto2 imports for the whole package)."""
    words = set(re.findall(r"\w+", code))
    kept: list[str] = []
    for statement in imports:
        node = ast.parse(statement).body[0]
        assert isinstance(node, (ast.Import, ast.ImportFrom))
        bound = {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        if bound & words:
            kept.append(statement)
    return "".join(kept)

"""Read the async object layer (``src/fleetwire/objects/``) with ``ast`` and describe it for the blocking template.

Like the blocking client, the blocking object layer is generated, never written: each public class of the async
modules gets a blocking twin with the same fields (as properties), methods, signatures and docstrings, whose
calls run in the client's event-loop thread. A twin holds the async object it drives; async objects a call returns
come back wrapped in their twins. The source is read, not imported, for the same reasons as ``overlay.py``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CodegenError
from .overlay import docstring_literal

# The modules of the async object layer, in the package ``fleetwire.objects``.
MODULES = ("_base", "organizations", "locations", "machines", "fragments", "access", "registry", "fleet")
# Bases that only lend their members to the classes below them: they get no twin of their own.
ABSTRACT = frozenset({"Resource", "WithMetadata"})
# Classes whose objects only the object layer builds: their twins get no public constructor.
INTERNAL_CONSTRUCTOR = frozenset({"Collection"})
# The type variable that stands for "the class of self" in the bases' methods.
SELF_TYPE = "_R"
# Annotations of the async layer and what they become on the blocking twin.
_BLOCKING_TYPES = (("AsyncIterator[", "Iterator["), ("LogsStream[", "BlockingStream["))


@dataclass(frozen=True)
class Param:
    """One parameter of a method (``self``/``cls`` excluded)."""

    name: str
    annotation: str
    default: str | None
    kind: str  # "positional", "keyword" (after a bare ``*``) or "varkw" (``**name``)
    wraps: bool  # its annotation names a twin class: the twin is unwrapped before the call


@dataclass(frozen=True)
class Member:
    """A field, property or method of a class, as its blocking twin declares it."""

    name: str
    kind: str  # "field", "property", "method", "classmethod", "init"
    params: tuple[Param, ...]
    returns: str  # on the blocking twin
    docstring: str
    is_async: bool
    streams: str  # "", "iterator" (an async iterator) or "logs" (a LogsStream)
    wraps: bool  # the result names a twin class: it is wrapped

    def doc(self, indent: str = "        ") -> str:
        """The docstring literal at ``indent``."""
        return docstring_literal(self.docstring, indent, f"src/fleetwire/objects: the docstring of {self.name}")

    @property
    def signature(self) -> str:
        """The parameters after ``self``/``cls``, as source."""
        parts: list[str] = []
        star = False
        for p in self.params:
            if p.kind == "keyword" and not star:
                parts.append("*")
                star = True
            text = f"{'**' if p.kind == 'varkw' else ''}{p.name}: {p.annotation}"
            parts.append(text + (f" = {p.default}" if p.default is not None else ""))
        return ", ".join(parts)

    @property
    def arguments(self) -> str:
        """The arguments forwarding every parameter to the async method (twins unwrapped)."""
        out: list[str] = []
        for p in self.params:
            value = f"_unwrap({p.name})" if p.wraps else p.name
            out.append(f"**{p.name}" if p.kind == "varkw" else f"{p.name}={value}")
        return ", ".join(out)

    @property
    def fleet_param(self) -> str:
        """The parameter holding a :class:`Fleet` (its portal serves a classmethod or a constructor)."""
        for p in self.params:
            if p.annotation == "Fleet":
                return p.name
        raise CodegenError(f"{self.name} needs a parameter annotated Fleet to find the client's event loop")


@dataclass(frozen=True)
class TwinClass:
    """An async class and what its blocking twin declares."""

    name: str
    module: str
    docstring: str
    generic: str  # "Generic[T]" when the class is generic, else ""
    members: tuple[Member, ...]

    def doc(self) -> str:
        """The class docstring literal."""
        return docstring_literal(self.docstring, "    ", f"src/fleetwire/objects: the docstring of {self.name}")


@dataclass(frozen=True)
class Objects:
    """What the template renders: the twin classes and the imports their annotations need."""

    modules: tuple[str, ...]
    imports: tuple[str, ...]
    type_checking_imports: tuple[str, ...]
    classes: tuple[TwinClass, ...]


def _blocking_annotation(text: str, owner: str) -> str:
    text = re.sub(rf"\b{SELF_TYPE}\b", owner, text)
    for old, new in _BLOCKING_TYPES:
        text = text.replace(old, new)
    return text


def _names_twin(text: str, twins: frozenset[str]) -> bool:
    return any(re.search(rf"\b{name}\b", text) for name in twins)


def _params(
    node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str, twins: frozenset[str], where: str
) -> tuple[Param, ...]:
    args = node.args
    if args.vararg or args.posonlyargs:
        raise CodegenError(f"{where}: *args and positional-only parameters cannot be forwarded")
    positional = args.args[1:]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = [(a, d, "positional") for a, d in zip(positional, defaults, strict=True)]
    pairs += [(a, d, "keyword") for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    if args.kwarg:
        pairs.append((args.kwarg, None, "varkw"))
    out: list[Param] = []
    for arg, default, kind in pairs:
        if arg.annotation is None:
            raise CodegenError(f"{where}: parameter {arg.arg!r} has no annotation")
        annotation = _blocking_annotation(ast.unparse(arg.annotation), owner)
        out.append(
            Param(
                arg.arg,
                annotation,
                None if default is None else ast.unparse(default),
                kind,
                _names_twin(annotation, twins),
            )
        )
    return tuple(out)


def _member(
    node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str, twins: frozenset[str], where: str
) -> Member | None:
    if node.name.startswith("_") and (node.name != "__init__" or owner in INTERNAL_CONSTRUCTOR):
        return None
    where = f"{where}, {node.name}"
    docstring = ast.get_docstring(node, clean=True)
    if not docstring:
        raise CodegenError(f"{where}: public members need a docstring (the blocking twin copies it)")
    decorators = {ast.unparse(d) for d in node.decorator_list}
    if decorators - {"classmethod", "property"}:
        raise CodegenError(f"{where}: unsupported decorators {sorted(decorators - {'classmethod', 'property'})}")
    if node.returns is None:
        raise CodegenError(f"{where}: public members need a return annotation")
    returns = ast.unparse(node.returns)
    streams = (
        "iterator" if returns.startswith("AsyncIterator[") else "logs" if returns.startswith("LogsStream[") else ""
    )
    blocking_returns = _blocking_annotation(returns, owner)
    kind = (
        "init"
        if node.name == "__init__"
        else "property"
        if "property" in decorators
        else "classmethod"
        if "classmethod" in decorators
        else "method"
    )
    return Member(
        name=node.name,
        kind=kind,
        params=_params(node, owner, twins, where),
        returns=blocking_returns,
        docstring=docstring,
        is_async=isinstance(node, ast.AsyncFunctionDef) and not streams,
        streams=streams,
        wraps=_names_twin(blocking_returns, twins | {"T"}),  # T: a collection's item
    )


def _fields(cls: ast.ClassDef, where: str) -> list[Member]:
    """The annotated public attributes of ``cls``, each with the docstring that follows it."""
    out: list[Member] = []
    for node, after in zip(cls.body, [*cls.body[1:], None], strict=True):
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        name, annotation = node.target.id, ast.unparse(node.annotation)
        if name.startswith("_") or annotation.startswith("ClassVar"):
            continue
        is_doc = isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
        doc = after.value.value if is_doc else None  # type: ignore[union-attr]
        if not isinstance(doc, str):
            raise CodegenError(f"{where}: field {name} needs a docstring on the line after it")
        out.append(Member(name, "field", (), annotation, doc.strip(), False, "", False))
    return out


def _imports(body: list[ast.stmt], local: frozenset[str], twins: frozenset[str]) -> list[str]:
    """The imports among ``body`` except ``__future__``, the object modules themselves and the twin names."""
    out: list[str] = []
    for node in body:
        if isinstance(node, ast.ImportFrom):
            if node.module == "__future__" or (node.level == 1 and (node.module or "") in local):
                continue
            names = [a for a in node.names if a.name not in twins]
            if names:
                out.append(ast.unparse(ast.ImportFrom(module=node.module, names=names, level=node.level)))
        elif isinstance(node, ast.Import):
            out.append(ast.unparse(node))
    return out


def read_objects(package: Path) -> Objects:
    """Describe the public classes of the async object layer in ``package``; ``CodegenError`` names a problem."""
    trees: dict[str, ast.Module] = {}
    for module in MODULES:
        path = package / f"{module}.py"
        try:
            trees[module] = ast.parse(path.read_text(), filename=str(path))
        except (OSError, SyntaxError) as exc:
            raise CodegenError(f"{path}: cannot read the object layer: {exc}") from exc
    classes = {
        node.name: (module, node)
        for module, tree in trees.items()
        for node in tree.body
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
    }
    twins = frozenset(classes) - ABSTRACT
    local = frozenset(MODULES)
    imports: list[str] = []
    type_checking: list[str] = []
    for tree in trees.values():
        imports += _imports(tree.body, local, twins)
        for block in tree.body:
            if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING":
                type_checking += _imports(block.body, local, twins)
    out: list[TwinClass] = []
    for name in sorted(twins):
        module, node = classes[name]
        out.append(_twin(name, module, node, classes, twins, package))
    return Objects(
        modules=MODULES,
        imports=tuple(dict.fromkeys(imports)),
        type_checking_imports=tuple(dict.fromkeys(type_checking)),
        classes=tuple(out),
    )


def _twin(
    name: str,
    module: str,
    node: ast.ClassDef,
    classes: dict[str, tuple[str, ast.ClassDef]],
    twins: frozenset[str],
    package: Path,
) -> TwinClass:
    """The twin of class ``name``: its members and those of its bases in the object layer, the nearest winning."""
    chain: list[tuple[str, ast.ClassDef]] = []
    todo = [node]
    while todo:
        current = todo.pop(0)
        chain.append((classes[current.name][0] if current.name in classes else module, current))
        todo += [classes[b.id][1] for b in current.bases if isinstance(b, ast.Name) and b.id in classes]
    members: dict[str, Member] = {}
    for owner_module, klass in reversed(chain):  # bases first: a subclass's member replaces its base's
        where = f"{package / owner_module}.py:{klass.lineno}"
        for field in _fields(klass, where):
            members[field.name] = field
        for item in klass.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                member = _member(item, name, twins, where)
                if member is not None:
                    members[member.name] = member
    generic = next((ast.unparse(b) for b in node.bases if ast.unparse(b).startswith("Generic[")), "")
    docstring = ast.get_docstring(node, clean=True)
    if not docstring:
        raise CodegenError(f"{package / module}.py: class {name} needs a docstring")
    return TwinClass(name, module, docstring, generic, tuple(members.values()))

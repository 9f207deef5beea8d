"""Read the async overlay (``src/fleetwire/aio.py`` and the method-group modules its ``AsyncAppClient`` is composed
of) with ``ast`` and describe its public surface for the blocking-client template.

The overlay is never imported here: codegen must run without the package being importable (and must not execute
handwritten code), so everything the template needs - signatures, defaults, annotations, docstrings and the
module's imports - is taken from the source text.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CodegenError

# The async stream type of the overlay, and the blocking type a generated method returns instead.
ASYNC_STREAM = "LogsStream"
BLOCKING_STREAM = "BlockingStream"
# Members the template writes itself (they manage the event-loop thread), instead of forwarding them.
HANDWRITTEN = frozenset({"close"})
# A Google-style docstring section header ("Args:", "Returns:", ...) on a line of its own.
_SECTION = re.compile(r"^(Args|Returns|Raises|Yields|Example|Examples|Note|Notes):$", re.MULTILINE)


@dataclass(frozen=True)
class Param:
    """One parameter of an overlay method."""

    name: str
    annotation: str
    default: str | None
    keyword_only: bool

    @property
    def mutable_default(self) -> bool:
        """The default is a list/dict/set literal (needs the overlay's ``noqa: B006`` in the generated code)."""
        return self.default is not None and self.default[:1] in "[{" and self.default[-1:] in "]}"


@dataclass(frozen=True)
class Method:
    """One public method of ``AsyncAppClient``, as the blocking twin needs it."""

    name: str
    params: tuple[Param, ...]
    returns: str
    docstring: str
    is_async: bool
    is_classmethod: bool

    @property
    def streams(self) -> bool:
        """The method hands out an async stream, which becomes a :class:`BlockingStream` on the blocking client."""
        return self.returns.startswith(f"{ASYNC_STREAM}[")

    @property
    def blocking_returns(self) -> str:
        """The return annotation on the blocking client."""
        if self.streams:
            return BLOCKING_STREAM + self.returns[len(ASYNC_STREAM) :]
        return self.returns

    @property
    def docstring_literal(self) -> str:
        """The docstring as a Python literal at method indentation, rewritten for blocking code (see below)."""
        return docstring_literal(self.docstring, "        ", f"src/fleetwire/aio.py: the docstring of {self.name}")


def docstring_literal(doc: str, indent: str, where: str) -> str:
    """``doc`` as a Python literal at ``indent`` (raw when it holds a backslash), its examples rewritten for blocking
    code: ``await x`` becomes ``x``, ``async with``/``async for`` lose ``async``. ``where`` names it in an error.
    """
    for old, new in (("await ", ""), ("async with ", "with "), ("async for ", "for ")):
        doc = doc.replace(old, new)
    prefix = "r" if "\\" in doc else ""
    lines = doc.splitlines()
    body = "\n".join((indent + line) if line.strip() else "" for line in lines[1:])
    # A Google-style section ends in a blank line before the closing quotes (ruff D413), as in the overlay.
    tail = f"\n\n{indent}" if _SECTION.search(doc) else f"\n{indent}"
    text = lines[0] + ("\n" + body + tail if len(lines) > 1 else "")
    if '"""' in text:
        raise CodegenError(f"{where} contains triple quotes")
    return f'{prefix}"""{text}"""'


@dataclass(frozen=True)
class Overlay:
    """What the blocking template renders: the client class's methods and the module's imports (those under
    ``if TYPE_CHECKING:`` apart, to stay there)."""

    class_name: str
    class_docstring: str
    imports: tuple[str, ...]
    type_checking_imports: tuple[str, ...]
    connect: Method
    methods: tuple[Method, ...]


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef, where: str) -> tuple[Param, ...]:
    args = node.args
    if args.vararg or args.kwarg or args.posonlyargs:
        raise CodegenError(f"{where}: *args, **kwargs and positional-only parameters cannot be forwarded")
    positional = args.args[1:]  # drop self / cls
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out: list[Param] = []
    for arg, default in zip(positional, defaults, strict=True):
        out.append(_param(arg, default, keyword_only=False, where=where))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append(_param(arg, default, keyword_only=True, where=where))
    return tuple(out)


def _param(arg: ast.arg, default: ast.expr | None, *, keyword_only: bool, where: str) -> Param:
    if arg.annotation is None:
        raise CodegenError(f"{where}: parameter {arg.arg!r} has no annotation")
    return Param(
        name=arg.arg,
        annotation=ast.unparse(arg.annotation),
        default=None if default is None else ast.unparse(default),
        keyword_only=keyword_only,
    )


def _method(node: ast.FunctionDef | ast.AsyncFunctionDef, where: str) -> Method:
    where = f"{where}, {node.name}"
    docstring = ast.get_docstring(node, clean=True)
    if not docstring:
        raise CodegenError(f"{where}: public methods need a docstring (the blocking twin copies it)")
    if node.returns is None:
        raise CodegenError(f"{where}: public methods need a return annotation")
    decorators = {ast.unparse(d) for d in node.decorator_list}
    if decorators - {"classmethod"}:
        raise CodegenError(f"{where}: unsupported decorators {sorted(decorators - {'classmethod'})}")
    return Method(
        name=node.name,
        params=_params(node, where),
        returns=ast.unparse(node.returns),
        docstring=docstring,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        is_classmethod="classmethod" in decorators,
    )


def _imports(body: list[ast.stmt], package: tuple[str, ...], target: tuple[str, ...]) -> tuple[str, ...]:
    """The imports among ``body`` (``__future__`` aside), which the annotations may need, written for a module of
    package ``target`` (relative imports of a module in ``package`` are rebased)."""
    out: list[str] = []
    for node in body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            absolute = _absolute(node, package)
            inside = absolute[: len(target)] == target
            rebased = ast.ImportFrom(
                module=".".join(absolute[len(target) :] if inside else absolute) or None,
                names=node.names,
                level=1 if inside else 0,
            )
            out.append(ast.unparse(rebased))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(ast.unparse(node))
    return tuple(out)


def _absolute(node: ast.ImportFrom, package: tuple[str, ...]) -> tuple[str, ...]:
    """The dotted module a relative ``from ... import`` in ``package`` names, as a tuple of parts."""
    base = package[: len(package) - (node.level - 1)]
    return base + tuple(node.module.split(".") if node.module else ())


def _type_checking_blocks(tree: ast.Module) -> list[ast.stmt]:
    """The statements of the module's top-level ``if TYPE_CHECKING:`` blocks: imports for annotations only."""
    blocks = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    return [stmt for block in blocks for stmt in block.body]


@dataclass(frozen=True)
class _Source:
    """One module of the overlay: where it is, its package and its syntax tree."""

    path: Path
    package: tuple[str, ...]
    tree: ast.Module

    @classmethod
    def read(cls, path: Path, root: Path) -> _Source:
        try:
            tree = ast.parse(path.read_text(), filename=str(path))
        except (OSError, SyntaxError) as exc:
            raise CodegenError(f"{path}: cannot read the async overlay: {exc}") from exc
        parts = path.relative_to(root).with_suffix("").parts
        return cls(path, parts[:-1] if parts[-1] != "__init__" else parts, tree)

    def find_class(self, name: str) -> ast.ClassDef:
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
        raise CodegenError(f"{self.path}: no class {name}")

    def origin(self, name: str, root: Path) -> _Source:
        """The module that defines ``name``: this one, or the one of the overlay it is imported from."""
        if any(isinstance(n, ast.ClassDef) and n.name == name for n in self.tree.body):
            return self
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and node.level and any(a.name == name for a in node.names):
                module = root.joinpath(*_absolute(node, self.package))
                path = module / "__init__.py" if module.is_dir() else module.with_suffix(".py")
                return _Source.read(path, root)
        raise CodegenError(f"{self.path}: base class {name} is neither defined here nor imported relatively")


def _composition(source: _Source, cls: ast.ClassDef, root: Path) -> list[tuple[_Source, ast.ClassDef]]:
    """``cls`` and, depth first in the order they are listed, every base class of the overlay it is built from
    (``object`` and names from outside the package have no methods to forward and cannot be listed)."""
    out: list[tuple[_Source, ast.ClassDef]] = [(source, cls)]
    for base in cls.bases:
        if not isinstance(base, ast.Name):
            raise CodegenError(f"{source.path}: base {ast.unparse(base)} of {cls.name} must be a plain name")
        origin = source.origin(base.id, root)
        for pair in _composition(origin, origin.find_class(base.id), root):
            if all((pair[0].path, pair[1].name) != (p.path, c.name) for p, c in out):
                out.append(pair)
    return out


def read_overlay(source: Path, class_name: str = "AsyncAppClient") -> Overlay:
    """Describe the public methods of ``class_name`` in ``source`` and of the method groups it is composed of (its
    base classes, read from the modules they are imported from, in the order listed); ``CodegenError`` names what
    is wrong. The imports of every module read are rebased to ``source``'s package and merged."""
    root = source.parent.parent
    top = _Source.read(source, root)
    methods: dict[str, Method] = {}
    connect: Method | None = None
    imports: dict[str, None] = {}
    type_checking: dict[str, None] = {}
    for module, cls in _composition(top, top.find_class(class_name), root):
        imports.update(dict.fromkeys(_imports(module.tree.body, module.package, top.package)))
        type_checking.update(dict.fromkeys(_imports(_type_checking_blocks(module.tree), module.package, top.package)))
        for node in cls.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith("_"):
                continue
            method = _method(node, f"{module.path}:{node.lineno}")
            if method.name in methods or (method.name == "connect" and connect is not None):
                raise CodegenError(f"{module.path}:{node.lineno}: {method.name} is defined twice in {class_name}")
            if method.name == "connect":
                connect = method
            elif method.name not in HANDWRITTEN:
                methods[method.name] = method
    if connect is None or not connect.is_classmethod or not connect.is_async:
        raise CodegenError(f"{source}: {class_name} needs an async classmethod connect()")
    cls = top.find_class(class_name)
    return Overlay(
        class_name=class_name,
        class_docstring=ast.get_docstring(cls, clean=True) or "",
        imports=tuple(imports),
        type_checking_imports=tuple(line for line in type_checking if line not in imports),
        connect=connect,
        methods=tuple(methods.values()),
    )

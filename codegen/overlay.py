"""Read the async overlay (``src/fleetwire/aio.py``) with ``ast`` and describe its public surface for the
blocking-client template.

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
        """The docstring as a Python literal at method indentation (raw when it holds a backslash).

        Examples are rewritten for blocking code: ``await x`` becomes ``x``, ``async with``/``async for`` lose
        ``async``.
        """
        doc = self.docstring
        for old, new in (("await ", ""), ("async with ", "with "), ("async for ", "for ")):
            doc = doc.replace(old, new)
        prefix = "r" if "\\" in doc else ""
        lines = doc.splitlines()
        body = "\n".join(("        " + line) if line.strip() else "" for line in lines[1:])
        # A Google-style section ends in a blank line before the closing quotes (ruff D413), as in the overlay.
        tail = "\n\n        " if _SECTION.search(doc) else "\n        "
        text = lines[0] + ("\n" + body + tail if len(lines) > 1 else "")
        if '"""' in text:
            raise CodegenError(f"src/fleetwire/aio.py: the docstring of {self.name} contains triple quotes")
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


def _imports(body: list[ast.stmt]) -> tuple[str, ...]:
    """The imports among ``body`` (``__future__`` aside), which the annotations may need."""
    out: list[str] = []
    for node in body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(ast.unparse(node))
    return tuple(out)


def _type_checking_imports(tree: ast.Module) -> tuple[str, ...]:
    """The imports of the module's top-level ``if TYPE_CHECKING:`` blocks: names for annotations only."""
    blocks = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    return tuple(line for block in blocks for line in _imports(block.body))


def read_overlay(source: Path, class_name: str = "AsyncAppClient") -> Overlay:
    """Describe the public methods of ``class_name`` in ``source``; ``CodegenError`` names what is wrong."""
    where = str(source)
    try:
        tree = ast.parse(source.read_text(), filename=where)
    except (OSError, SyntaxError) as exc:
        raise CodegenError(f"{where}: cannot read the async overlay: {exc}") from exc
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name]
    if not classes:
        raise CodegenError(f"{where}: no class {class_name}")
    cls = classes[0]
    methods: list[Method] = []
    connect: Method | None = None
    for node in cls.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith("_"):
            continue
        method = _method(node, f"{where}:{node.lineno}")
        if method.name == "connect":
            connect = method
        elif method.name not in HANDWRITTEN:
            methods.append(method)
    if connect is None or not connect.is_classmethod or not connect.is_async:
        raise CodegenError(f"{where}: {class_name} needs an async classmethod connect()")
    return Overlay(
        class_name=class_name,
        class_docstring=ast.get_docstring(cls, clean=True) or "",
        imports=_imports(tree.body),
        type_checking_imports=_type_checking_imports(tree),
        connect=connect,
        methods=tuple(methods),
    )

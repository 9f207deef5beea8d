"""What codegen changes in betterproto2's message classes, all to make them cheaper to create at import.

A message module creates some hundreds of dataclasses when imported, and that was most of the import time of the
clients. Two things ``@dataclass`` does for every class, each time, are done once here instead, in the generated
source: the docstring (``@dataclass`` builds one from ``inspect.signature`` when a class has none) and the
constructor (``@dataclass`` compiles one from source text). Neither changes what the classes do.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .errors import CodegenError

# A message class as betterproto2 writes it, and the registration that follows it (which gives its proto name).
_MESSAGE_CLASS = re.compile(r"^class (\w+)\(betterproto2\.Message\):\n(?!\s*\"\"\")", re.MULTILINE)
_REGISTRATION = re.compile(
    r'^default_message_pool\.register_message\(\s*"([\w.]+)",\s*"([\w.]+)",\s*(\w+),?\s*\)', re.MULTILINE
)


def document_messages(source: str) -> str:
    """Give every message class without a docstring one naming its proto message.

    Besides documenting the class, this makes it cheaper to create: ``@dataclass`` builds a docstring for a class
    that has none from ``inspect.signature`` of the class, a quarter or more of the cost of creating a message class,
    paid for every message at import.
    """
    names = {cls: f"{package}.{name}" for package, name, cls in _REGISTRATION.findall(source)}

    def document(match: re.Match[str]) -> str:
        cls = match.group(1)
        if cls not in names:
            raise CodegenError(f"message class {cls} has no registration in betterproto2's output")
        return f'{match.group(0)}    """The ``{names[cls]}`` message."""\n\n'

    return _MESSAGE_CLASS.sub(document, source)


# The decorator betterproto2 puts on every message class, and ours: same dataclass, constructor written out.
_DATACLASS = "@dataclass(eq=False, repr=False)"
_DATACLASS_WITHOUT_INIT = "@dataclass(eq=False, repr=False, init=False)"
_DEFAULT = "_DEFAULT"  # the marker's name in the message modules (fleetwire_api._message_init.DEFAULT)
_MARKER_IMPORT = f"from fleetwire_api._message_init import DEFAULT as {_DEFAULT}\n"
# What ``betterproto2.field`` gives a singular field without presence, by proto type (enums name theirs): literals,
# so a field named like a builtin cannot change them.
_ZERO = {
    "TYPE_BOOL": "False",
    "TYPE_INT32": "0",
    "TYPE_INT64": "0",
    "TYPE_UINT32": "0",
    "TYPE_UINT64": "0",
    "TYPE_SINT32": "0",
    "TYPE_SINT64": "0",
    "TYPE_FIXED32": "0",
    "TYPE_SFIXED32": "0",
    "TYPE_FIXED64": "0",
    "TYPE_SFIXED64": "0",
    "TYPE_FLOAT": "0.0",
    "TYPE_DOUBLE": "0.0",
    "TYPE_STRING": '""',
    "TYPE_BYTES": 'b""',
    "TYPE_MESSAGE": "None",
    "TYPE_MAP": "{}",
}


def write_constructors(source: str, path: str) -> str:
    """Write out the ``__init__`` ``@dataclass`` would build for each message class, and tell it not to.

    ``@dataclass`` builds a constructor by compiling Python source, for every class, each time the module is imported:
    most of the time it takes to create the messages. Written here, the constructors are compiled once, into the
    cached bytecode. Each one is the dataclass constructor: the fields in order as parameters (positional or
    keyword), each defaulting to a fresh value equal to what the field's ``default_factory`` makes, assigned in order,
    then ``__post_init__``. ``tests/test_message_constructors.py`` holds every class to that.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []  # (first line, line after, replacement), 0-based
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(ast.unparse(base) == "betterproto2.Message" for base in node.bases):
            edits.extend(_constructor_edits(node, lines, path))
    if not edits:
        return source
    for start, end, text in sorted(edits, reverse=True):
        lines[start:end] = [text]
    out = "".join(lines)
    anchor = "from dataclasses import dataclass\n"
    if out.count(anchor) != 1:
        raise CodegenError(f"{path}: betterproto2's output changed: no single `{anchor.strip()}` line")
    return out.replace(anchor, anchor + _MARKER_IMPORT)


def _segment(lines: list[str], node: ast.expr) -> str:
    """The source text of ``node`` (``ast.get_source_segment`` re-splits the whole module at every call)."""
    end_lineno, end_col = node.end_lineno or node.lineno, node.end_col_offset or 0
    if node.lineno == end_lineno:
        return lines[node.lineno - 1].encode()[node.col_offset : end_col].decode()
    first = lines[node.lineno - 1].encode()[node.col_offset :].decode()
    last = lines[end_lineno - 1].encode()[:end_col].decode()
    return first + "".join(lines[node.lineno : end_lineno - 1]) + last


def _constructor_edits(node: ast.ClassDef, lines: list[str], path: str) -> list[tuple[int, int, str]]:
    where = f"{path}: class {node.name}"
    decorators = node.decorator_list
    if len(decorators) != 1 or lines[decorators[0].lineno - 1].strip() != _DATACLASS:
        raise CodegenError(f"{where}: betterproto2's output changed: expected only `{_DATACLASS}`")
    decorator = decorators[0]
    if any(isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__" for stmt in node.body):
        raise CodegenError(f"{where} already has an __init__")
    fields: list[str] = []
    params: list[str] = []
    assignments: list[str] = []
    defaults: list[_Default] = []
    for stmt in node.body:
        if not isinstance(stmt, ast.AnnAssign):
            continue
        if not (isinstance(stmt.target, ast.Name) and isinstance(stmt.value, ast.Call)):
            raise CodegenError(f"{where}: a class attribute that is not a betterproto2 field")
        name = stmt.target.id
        if name in ("self", _DEFAULT):
            raise CodegenError(f"{where}: a field named {name} would shadow the constructor's own names")
        fields.append(name)
        params.append(f"{name}: {_segment(lines, stmt.annotation)} = {_DEFAULT}")
        default = _field_default(stmt.value, lines, where)
        defaults.append(default)
        assignments.append(f"self.{name} = {default.text} if {name} is {_DEFAULT} else {name}")
    for default in defaults:
        if default.names & set(fields):
            raise CodegenError(
                f"{where}: a parameter would shadow a name its default uses: {default.names & set(fields)}"
            )
    signature = "".join(f"{param}, " for param in params)
    body = "".join(f"        {line}\n" for line in [*assignments, "self.__post_init__()"])
    constructor = f"\n    def __init__(self, {signature}) -> None:\n{body}"
    decorator_line = decorator.lineno - 1
    return [
        (decorator_line, decorator_line + 1, lines[decorator_line].replace(_DATACLASS, _DATACLASS_WITHOUT_INIT)),
        (node.end_lineno or node.lineno, node.end_lineno or node.lineno, constructor),
    ]


@dataclass(frozen=True)
class _Default:
    """A field's default as an expression, and the names it reads."""

    text: str
    names: frozenset[str] = frozenset()


def _field_default(call: ast.Call, lines: list[str], where: str) -> _Default:
    """The default ``betterproto2.field(...)`` gives its field, as an expression (see ``betterproto2.field``)."""
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}

    def given(flag: str) -> bool:
        value = keywords.get(flag)
        return value is not None and not (isinstance(value, ast.Constant) and not value.value)

    if ast.unparse(call.func) != "betterproto2.field" or len(call.args) < 2:
        raise CodegenError(f"{where}: a field not made by betterproto2.field(number, type, ...)")
    proto_type = ast.unparse(call.args[1]).removeprefix("betterproto2.")
    if given("repeated"):
        return _Default("[]")
    if given("optional") or given("group"):
        return _Default("None")
    if proto_type == "TYPE_ENUM":
        factory = keywords.get("default_factory")
        if not isinstance(factory, ast.Lambda):
            raise CodegenError(f"{where}: an enum field without a default_factory lambda")
        names = frozenset(n.id for n in ast.walk(factory.body) if isinstance(n, ast.Name))
        return _Default(_segment(lines, factory.body), names)
    if proto_type not in _ZERO:
        raise CodegenError(f"{where}: unknown field type {proto_type}")
    return _Default(_ZERO[proto_type])

"""A small model of every message's wire layout, for the generated specialized codecs (``templates/codec*.j2``).

The codecs must build and consume exactly the dataclasses betterproto2's compiler emits, and reproduce what
betterproto2's own codec does with them, so this model restates the compiler's rules from the descriptors:

- a field defaults to ``None`` ("optional" here) when it is a proto3 ``optional``, a oneof member, or a singular
  message; repeated fields default to ``[]``, maps to ``{}``, other scalars to their zero value;
- ``google.protobuf.Timestamp``/``Duration`` and the scalar wrappers are unwrapped to plain Python values;
- numeric repeated fields are always written packed; map entries always carry both key and value.
"""

from __future__ import annotations

from dataclasses import dataclass

from betterproto2_compiler.compile.naming import pythonize_field_name
from google.protobuf import descriptor, descriptor_pb2

from .errors import CodegenError
from .model import WRAPPED, class_ref, package_imports
from .schema import Schema

FD = descriptor.FieldDescriptor

WIRE_VARINT, WIRE_FIXED64, WIRE_LEN, WIRE_FIXED32 = 0, 1, 2, 5

# proto type -> (kind used by the templates, wire type, Python type, zero value literal)
SCALAR_KINDS: dict[int, tuple[str, int, str, str]] = {
    FD.TYPE_INT32: ("int32", WIRE_VARINT, "int", "0"),
    FD.TYPE_INT64: ("int64", WIRE_VARINT, "int", "0"),
    FD.TYPE_UINT32: ("uint32", WIRE_VARINT, "int", "0"),
    FD.TYPE_UINT64: ("uint64", WIRE_VARINT, "int", "0"),
    FD.TYPE_SINT32: ("sint32", WIRE_VARINT, "int", "0"),
    FD.TYPE_SINT64: ("sint64", WIRE_VARINT, "int", "0"),
    FD.TYPE_BOOL: ("bool", WIRE_VARINT, "bool", "False"),
    FD.TYPE_FIXED32: ("fixed32", WIRE_FIXED32, "int", "0"),
    FD.TYPE_SFIXED32: ("sfixed32", WIRE_FIXED32, "int", "0"),
    FD.TYPE_FLOAT: ("float", WIRE_FIXED32, "float", "0.0"),
    FD.TYPE_FIXED64: ("fixed64", WIRE_FIXED64, "int", "0"),
    FD.TYPE_SFIXED64: ("sfixed64", WIRE_FIXED64, "int", "0"),
    FD.TYPE_DOUBLE: ("double", WIRE_FIXED64, "float", "0.0"),
    FD.TYPE_STRING: ("string", WIRE_LEN, "str", '""'),
    FD.TYPE_BYTES: ("bytes", WIRE_LEN, "bytes", 'b""'),
}

# struct formats of the fixed-width kinds (little endian, as betterproto2 packs them)
FIXED_FORMATS = {"fixed32": "I", "sfixed32": "i", "float": "f", "fixed64": "Q", "sfixed64": "q", "double": "d"}

TIMESTAMP = "google.protobuf.Timestamp"


def fn_name(message: descriptor.Descriptor) -> str:
    """The suffix of a message's codec functions: its full proto name with dots as underscores."""
    return message.full_name.replace(".", "_")


def enum_name(enum: descriptor.EnumDescriptor) -> str:
    """The suffix of the module-level constants that describe an enum."""
    return enum.full_name.replace(".", "_")


@dataclass(frozen=True)
class Value:
    """One value on the wire: a field's element, or a map entry's key or value."""

    kind: str  # a SCALAR_KINDS kind, or "enum", "message", "timestamp", "wrapped"
    number: int
    wire: int
    py_type: str  # annotation of one value
    zero: str  # literal of the default value of a non-optional singular value
    message_fn: str = ""  # "message"/"wrapped": the codec function suffix of the message on the wire
    wrapper: str = ""  # "wrapped": class reference of the well-known message betterproto2 unwraps
    enum: str = ""  # "enum": enum_name()

    @property
    def tag(self) -> int:
        """The decoded key of this value: field number and wire type."""
        return (self.number << 3) | self.wire

    @property
    def tag_bytes(self) -> str:
        """The key as a bytes literal, precomputed for the encoder."""
        return repr(_varint(self.tag))

    @property
    def packable(self) -> bool:
        """Numeric kinds, which betterproto2 always writes packed when repeated."""
        return self.wire != WIRE_LEN

    @property
    def fixed_format(self) -> str:
        """The struct format character of a fixed-width kind."""
        return FIXED_FORMATS[self.kind]

    @property
    def fixed_size(self) -> int:
        """Bytes per value of a fixed-width kind."""
        return 4 if self.wire == WIRE_FIXED32 else 8


@dataclass(frozen=True)
class Field:
    """One field of a message, in declaration order (the order betterproto2 writes fields in)."""

    attr: str  # the dataclass attribute
    number: int
    label: str  # "single" (zero default), "optional" (None default), "repeated" or "map"
    value: Value  # the element (maps: the entry's value)
    key: Value | None = None  # maps: the entry's key
    oneof: str = ""  # the oneof the field belongs to, if any

    @property
    def tag(self) -> int:
        """The decoded key of the field's usual wire form (maps and packed fields: length-delimited)."""
        if self.label == "map" or (self.label == "repeated" and self.value.packable):
            return (self.number << 3) | WIRE_LEN
        return self.value.tag

    @property
    def tag_bytes(self) -> str:
        """``tag`` as a bytes literal, precomputed for the encoder."""
        return repr(_varint(self.tag))

    @property
    def local(self) -> str:
        """The decoder's local variable for this field (prefixed so it never shadows the decoder's own names)."""
        return f"f_{self.attr}"

    @property
    def annotation(self) -> str:
        """The field's annotation, as betterproto2 declares it."""
        if self.label == "repeated":
            return f"list[{self.value.py_type}]"
        if self.label == "map":
            assert self.key is not None
            return f"dict[{self.key.py_type}, {self.value.py_type}]"
        if self.label == "optional":
            return f"{self.value.py_type} | None"
        return self.value.py_type

    @property
    def initial(self) -> str:
        """The default value, as an expression."""
        return {"repeated": "[]", "map": "{}", "optional": "None"}.get(self.label, self.value.zero)


@dataclass(frozen=True)
class Message:
    """One generated message class."""

    full_name: str
    fn: str
    cls: str  # class reference through its package alias
    fields: tuple[Field, ...]

    @property
    def prelude(self) -> tuple[Field, ...]:
        """The fields the decoder first tries in declaration order (the order betterproto2 writes them in), each
        with one compare of its one-byte key; it stops at the first field whose key takes more than a byte. Whatever
        does not come in that order (protobuf's number order, repeats, unknown fields) goes to the general loop."""
        out: list[Field] = []
        for f in self.fields:
            if f.tag > 127:
                break
            out.append(f)
        return tuple(out)

    @property
    def choice(self) -> tuple[Field, ...]:
        """For a message whose fields are all members of one oneof (``google.protobuf.Value``, say), the fields with a
        one-byte key: usually exactly one of them is on the wire, so the decoder dispatches on the first key instead
        of trying each field in turn. Empty for every other message."""
        group = self.fields[0].oneof if self.fields else ""
        if len(self.fields) < 2 or not group or any(f.oneof != group for f in self.fields):
            return ()
        return tuple(f for f in self.fields if f.tag <= 127)

    @property
    def numbers(self) -> tuple[int, ...]:
        """The field numbers this message knows (map keys and values excluded)."""
        return tuple(sorted(f.number for f in self.fields))


@dataclass(frozen=True)
class Enum:
    """An enum some field decodes."""

    name: str  # enum_name()
    cls: str


@dataclass(frozen=True)
class CodecModel:
    """Everything the codec templates render."""

    schema_version: str
    packages: tuple[str, ...]
    messages: tuple[Message, ...]
    enums: tuple[Enum, ...]

    @property
    def enums_reached(self) -> dict[str, tuple[str, ...]]:
        """Full name of a message -> the enums (``enum_name``) its decoder and the nested decoders it calls read,
        for every message that reads any: the codec creates those enum classes with the message's decoder."""
        by_fn = {m.fn: m for m in self.messages}
        out: dict[str, tuple[str, ...]] = {}
        for message in self.messages:
            seen: set[str] = set()
            enums: set[str] = set()
            todo = [message.fn]
            while todo:
                fn = todo.pop()
                if fn in seen:
                    continue
                seen.add(fn)
                for f in by_fn[fn].fields:
                    for v in (f.value, f.key):
                        if v is not None and v.enum:
                            enums.add(v.enum)
                        if v is not None and v.message_fn:
                            todo.append(v.message_fn)
            if enums:
                out[message.full_name] = tuple(sorted(enums))
        return out

    @property
    def imports(self) -> list[tuple[str, str, str]]:
        """``(parent module, last component, alias)`` for every message package."""
        return package_imports(self.packages)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


class _Builder:
    def __init__(self) -> None:
        self.enums: dict[str, Enum] = {}
        self.packages: set[str] = set()

    def value(self, field: descriptor.FieldDescriptor, number: int) -> Value:
        where = f"field {field.full_name}"
        if field.type == FD.TYPE_MESSAGE:
            message = field.message_type
            if message is None:
                raise CodegenError(f"{where} names a message type the descriptor does not resolve")
            self.packages.add(message.file.package)
            if message.full_name == TIMESTAMP:
                return Value("timestamp", number, WIRE_LEN, WRAPPED[TIMESTAMP], "None")
            if message.full_name in WRAPPED:
                return Value(
                    "wrapped",
                    number,
                    WIRE_LEN,
                    WRAPPED[message.full_name],
                    "None",
                    fn_name(message),
                    class_ref(message),
                )
            return Value("message", number, WIRE_LEN, class_ref(message), "None", message_fn=fn_name(message))
        if field.type == FD.TYPE_ENUM:
            enum = field.enum_type
            if enum is None:
                raise CodegenError(f"{where} names an enum type the descriptor does not resolve")
            self.packages.add(enum.file.package)
            name = enum_name(enum)
            self.enums[name] = Enum(name, class_ref(enum))
            return Value("enum", number, WIRE_VARINT, class_ref(enum), f"_EZ_{name}", enum=name)
        if field.type not in SCALAR_KINDS:
            raise CodegenError(f"{where} has a type the fast codec does not support ({field.type})")
        kind, wire, py_type, zero = SCALAR_KINDS[field.type]
        return Value(kind, number, wire, py_type, zero)

    def message(self, message: descriptor.Descriptor) -> Message:
        self.packages.add(message.file.package)
        proto = descriptor_pb2.DescriptorProto()
        message.CopyToProto(proto)
        fields: list[Field] = []
        for field, field_proto in zip(message.fields, proto.field, strict=True):
            attr = pythonize_field_name(field.name)
            entry = field.message_type if field.type == FD.TYPE_MESSAGE else None
            if entry is not None and entry.GetOptions().map_entry:
                key = self.value(entry.fields_by_name["key"], 1)
                value = self.value(entry.fields_by_name["value"], 2)
                fields.append(Field(attr, field.number, "map", value, key))
                continue
            value = self.value(field, field.number)
            if field.is_repeated:
                label = "repeated"
            elif (
                field_proto.proto3_optional
                or field.containing_oneof is not None
                or (field.type == FD.TYPE_MESSAGE)  # singular messages (and unwrapped well-known types) default to None
            ):
                label = "optional"
            else:
                label = "single"
            oneof = field.containing_oneof
            fields.append(Field(attr, field.number, label, value, oneof=oneof.name if oneof is not None else ""))
        return Message(message.full_name, fn_name(message), class_ref(message), tuple(fields))


def _walk(messages: list[descriptor.Descriptor], out: list[descriptor.Descriptor]) -> None:
    for message in messages:
        if message.GetOptions().map_entry:
            continue  # betterproto2 emits no class for map entries; the owning field reads them inline
        out.append(message)
        _walk(list(message.nested_types), out)


def build_codec_model(schema: Schema) -> CodecModel:
    """Collect every message of every file of the schema (the whole import closure, as betterproto2 compiles it)."""
    builder = _Builder()
    found: list[descriptor.Descriptor] = []
    for file in schema.files:
        _walk(list(file.message_types_by_name.values()), found)
    messages = tuple(builder.message(message) for message in found)
    names = [m.fn for m in messages]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise CodegenError(f"two messages share the codec name(s) {clashes}")
    return CodecModel(
        schema_version=schema.version,
        packages=tuple(sorted(builder.packages)),
        messages=messages,
        enums=tuple(sorted(builder.enums.values(), key=lambda e: e.name)),
    )

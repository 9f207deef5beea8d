"""What every fleet object shares: fields, change tracking, JSON, equality, reprs; and lazy collections of them.

An object keeps the JSON of its fields as they were when it was loaded from the server. ``to_json(only_updated=True)``
compares the fields with that copy (configs path by path, see ``_config``), and ``update()`` writes exactly that
comparison. An object built by its constructor has not been loaded: all its fields count as changed, and
``create()`` writes it.
"""

# The classes of this package build one another from wire messages through their protected members.
# pyright: reportPrivateUsage=false
from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from .._wire import app_pb
from ..aio import ArgumentError
from ..errors import PermissionDeniedError
from ._config import ConfigDict, changes, plain, same, tracked

if TYPE_CHECKING:
    from ..aio import AsyncAppClient
    from .fleet import Fleet

__all__ = ("Collection", "Resource", "WithMetadata", "once", "require_rights")

_R = TypeVar("_R", bound="Resource")
T = TypeVar("T", bound="Resource")

_HIDDEN = "<hidden>"

MetadataCalls = tuple[
    Callable[[str], Awaitable[Mapping[str, Any]]], Callable[[str, Mapping[str, Any]], Awaitable[None]]
]
"""The client's methods that read and replace one kind of resource's metadata."""


class Resource:
    """Base of the fleet objects: fields that track their changes, JSON in and out, equality by content.

    Subclasses declare their fields as annotated attributes and say which of them ``update()`` can write
    (``_editable``), which hold configs tracked path by path (``_configs``), which are secrets kept out of the
    repr (``_secrets``), and which field identifies the object (``_key``).
    """

    _fields: ClassVar[tuple[str, ...]] = ()
    _editable: ClassVar[frozenset[str]] = frozenset()
    _configs: ClassVar[frozenset[str]] = frozenset()
    _secrets: ClassVar[frozenset[str]] = frozenset()
    _times: ClassVar[frozenset[str]] = frozenset()
    _key: ClassVar[str] = "id"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect the public annotated attributes of the class and its bases as its fields."""
        super().__init_subclass__(**kwargs)
        fields: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for name, annotation in vars(klass).get("__annotations__", {}).items():
                text = str(annotation)
                if not name.startswith("_") and not text.startswith("ClassVar"):
                    fields[name] = text
        cls._fields = tuple(fields)
        cls._times = frozenset(name for name, text in fields.items() if "datetime" in text)

    def __init__(self, fleet: Fleet) -> None:
        """Bind the object to ``fleet``; subclasses set their fields after this."""
        object.__setattr__(self, "_fleet", fleet)
        object.__setattr__(self, "_loaded", None)
        object.__setattr__(self, "_flagged", set[str]())

    _fleet: Fleet
    _loaded: dict[str, Any] | None  # the JSON of the fields when loaded; None: never written to the server
    _flagged: set[str]

    def __setattr__(self, name: str, value: Any) -> None:
        """Set a field (configs become editable trees); an unknown public name is an ``AttributeError``."""
        if not name.startswith("_") and name not in self._fields:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        object.__setattr__(self, name, tracked(value) if name in self._configs else value)

    @property
    def fleet(self) -> Fleet:
        """The fleet (and so the client) this object reads and writes through."""
        return self._fleet

    @property
    def _client(self) -> AsyncAppClient:
        return self._fleet.client

    def _id(self) -> str:
        """Return the identifying field; ``ArgumentError`` if it is empty (the object was never created)."""
        value = getattr(self, self._key)
        if not value:
            raise ArgumentError(f"this {type(self).__name__} has no {self._key}: create() it or load it first")
        return cast("str", value)

    # JSON ------------------------------------------------------------------------------------------------------

    def to_json(self, only_updated: bool = False) -> dict[str, Any]:
        """Return the object's fields as JSON (datetimes as ISO 8601 strings).

        With ``only_updated``, only what changed since the object was loaded, which is what :meth:`update`
        writes: each changed field with its new value, and for a config the changed paths with their new
        values (``{"config": {"components[0].attributes.speed": 5}}``; the path ``""`` is the whole config).
        Fields named in :meth:`flag_update` count as changed. An object never loaded reports every field.
        """
        current = {name: self._json_of(name) for name in self._fields}
        loaded = self._loaded
        if not only_updated or loaded is None:
            return current
        out: dict[str, Any] = {}
        for name, value in current.items():
            if name in self._configs:
                diff = {"": value} if name in self._flagged else changes(loaded.get(name), value)
                if diff:
                    out[name] = diff
            elif name in self._flagged or not same(loaded.get(name), value):
                out[name] = value
        return out

    def _json_of(self, name: str) -> Any:
        value = getattr(self, name)
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        return plain(value, f"{type(self).__name__}.{name}")

    @classmethod
    def from_json(cls: type[_R], fleet: Fleet, json: Mapping[str, Any]) -> _R:
        """Build an object of this class from ``json`` (as :meth:`to_json` writes it), bound to ``fleet``.

        Fields missing from ``json`` keep their defaults. With its identifying field (``id``, or ``email`` for an
        invite, ``user_id`` for a member) set, the object counts as loaded: ``update()`` writes what changes
        after this. Without it the object is new, for ``create()``.

        Raises:
            ArgumentError: If ``json`` has a key that is not a field of the class (named in the message).

        """
        unknown = sorted(set(json) - set(cls._fields))
        if unknown:
            raise ArgumentError(f"{cls.__name__} has no field(s) {', '.join(map(repr, unknown))}")
        obj = cls(fleet)
        for name, value in json.items():
            if name in cls._times and isinstance(value, str):
                value = datetime.datetime.fromisoformat(value)
            setattr(obj, name, value)
        if getattr(obj, cls._key):
            obj._mark_loaded()
        return obj

    def _mark_loaded(self) -> None:
        """Take the fields as they are now as the loaded state changes are measured from."""
        object.__setattr__(self, "_loaded", {name: self._json_of(name) for name in self._fields})
        self._flagged.clear()

    def _copy(self: _R) -> _R:
        """Copy the object, loaded as this one was (used when there is nothing to write)."""
        copy = type(self).from_json(self._fleet, self.to_json())
        object.__setattr__(copy, "_loaded", self._loaded)
        return copy

    def flag_update(self, name: str) -> None:
        """Count field ``name`` as changed, so :meth:`update` writes it even when its value looks the same.

        A flagged config is written whole. Use it to write a value back over a change made elsewhere.

        Raises:
            ArgumentError: If the class has no field ``name``.

        """
        if name not in self._fields:
            raise ArgumentError(f"{type(self).__name__} has no field {name!r}")
        self._flagged.add(name)

    # Verbs ---------------------------------------------------------------------------------------------------

    async def reload(self: _R) -> _R:
        """Read the object again from the server: a fresh object, with no changes."""
        return await self._reread()

    async def update(self: _R) -> _R:
        """Write the changes since the object was loaded; no call at all when nothing changed.

        What is written is exactly ``to_json(only_updated=True)``. Returns a fresh object as the server has it
        after the change.

        Raises:
            ArgumentError: If a field changed that cannot be written after creation (named in the message), or
                the object was never created (before any call).

        """
        self._id()
        changed = self.to_json(only_updated=True)
        if not changed:
            return self._copy()
        fixed = sorted(set(changed) - self._editable)
        if fixed:
            raise ArgumentError(f"{', '.join(fixed)} cannot be changed by update() (class {type(self).__name__})")
        return await self._write(changed)

    async def _write(self: _R, changed: dict[str, Any]) -> _R:
        """Send ``changed`` (editable fields only, never empty) and return the object read back."""
        raise NotImplementedError

    async def _reread(self: _R) -> _R:
        """Read the object with this one's identity from the server."""
        raise NotImplementedError

    # Python protocols ----------------------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        """Objects are equal when they are of the same class with the same field values (as JSON)."""
        if type(other) is not type(self):
            return NotImplemented
        return same(self.to_json(), cast("Resource", other).to_json())

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by content

    def __repr__(self) -> str:
        """Show the fields, secrets hidden and configs summarized."""
        shown: list[str] = []
        for name in self._fields:
            value = getattr(self, name)
            if name in self._secrets:
                text = _HIDDEN if value else "''"
            elif isinstance(value, ConfigDict):
                text = f"<config: {len(value)} keys>"
            else:
                text = repr(value)
            shown.append(f"{name}={text}")
        return f"{type(self).__name__}({', '.join(shown)})"


class WithMetadata(Resource):
    """A resource that carries user-defined metadata (organizations, locations, machines and parts)."""

    def _metadata_calls(self) -> MetadataCalls:
        """Return the client's methods that read and replace this kind of resource's metadata."""
        raise NotImplementedError

    async def metadata(self) -> dict[str, Any]:
        """Read the user-defined metadata."""
        read, _ = self._metadata_calls()
        return dict(await read(self._id()))

    async def set_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Replace the user-defined metadata with ``metadata``, at once."""
        _, write = self._metadata_calls()
        await write(self._id(), metadata)


class Collection(Generic[T]):
    """The objects of one kind under a parent (an organization's locations, a machine's parts, ...).

    Nothing is read until asked: :meth:`select` reads as the iteration goes (a page at a time where the API
    pages, as for registry items), :meth:`get_all` reads them all, :meth:`get` reads one by id.
    """

    def __init__(
        self,
        kind: type[T],
        fleet: Fleet,
        items: Callable[[], AsyncIterator[T]],
        get: Callable[[str], Awaitable[T]],
    ) -> None:
        """Collect ``kind`` objects: ``items()`` iterates over all of them, ``get(id)`` reads one."""
        self._kind = kind
        self._fleet = fleet
        self._items = items
        self._get = get

    def __repr__(self) -> str:
        """Name the kind of objects held."""
        return f"Collection[{self._kind.__name__}]"

    async def get(self, id: str) -> T:
        """Read the object ``id`` (an email for invites, a user id for members).

        Raises:
            NotFoundError: If there is no such object.

        """
        if not isinstance(id, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"id must be a str, got {type(id).__name__}")
        if not id:
            raise ArgumentError("id must not be empty")
        return await self._get(id)

    async def select(self, **filters: object) -> AsyncIterator[T]:
        """Iterate over the objects whose fields equal ``filters`` (``select(name="arm")``), a page at a time.

        Raises:
            ArgumentError: If a filter is not a field of the objects (before any call).

        """
        unknown = sorted(set(filters) - set(self._kind._fields))
        if unknown:
            raise ArgumentError(f"{self._kind.__name__} has no field(s) {', '.join(map(repr, unknown))} to select by")
        async for item in self._items():
            if all(_matches(getattr(item, name), value) for name, value in filters.items()):
                yield item

    async def get_all(self, **filters: object) -> list[T]:
        """Read every object whose fields equal ``filters``, as a list (see :meth:`select`)."""
        return [item async for item in self.select(**filters)]


def once(load: Callable[[], Awaitable[list[T]]]) -> Callable[[], AsyncIterator[T]]:
    """Make the items of a collection that one call reads whole (``load``), when the iteration starts."""

    async def items() -> AsyncIterator[T]:
        for item in await load():
            yield item

    return items


def _matches(value: object, wanted: object) -> bool:
    return same(value, wanted) if not isinstance(value, datetime.datetime) else value == wanted


# check_permissions takes at most this many entries per call.
_CHECKS_PER_CALL = 500


async def require_rights(fleet: Fleet, wanted: list[tuple[str, str, str, str]]) -> None:
    """Raise ``PermissionDeniedError`` naming every ``(type, id, name, permission)`` the caller does not hold.

    Used before deleting a tree, so that a key without the rights to all of it deletes none of it.
    """
    missing: list[str] = []
    for start in range(0, len(wanted), _CHECKS_PER_CALL):
        chunk = wanted[start : start + _CHECKS_PER_CALL]
        asked = [
            app_pb.AuthorizedPermissions(resource_type=kind, resource_id=id, permissions=[permission])
            for kind, id, _, permission in chunk
        ]
        granted = await fleet.client.check_permissions(asked)
        held = {(g.resource_type, g.resource_id) for g in granted if g.permissions}
        missing += [
            f"{'machine' if kind == 'robot' else kind} {name!r} ({id})"
            for kind, id, name, _ in chunk
            if (kind, id) not in held
        ]
    if missing:
        raise PermissionDeniedError(None, "delete_tree deleted nothing: the key may not delete " + ", ".join(missing))

"""The machine and its parts: fields, part configs edited in place and written as changes, navigation, actions."""

# The classes of this package build one another from wire messages through their protected members.
# pyright: reportPrivateUsage=false
from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any, ClassVar

from .._config_path import PathSyntaxError, parse_path
from .._wire import app_pb
from ..errors import NotFoundError
from ..logs import LogsStream
from ..models import LogEntry, RobotPart, RobotPartHistoryEntry
from ._base import Collection, MetadataCalls, WithMetadata, once, require_rights
from ._config import ConfigDict, plain

if TYPE_CHECKING:
    from .fleet import Fleet
    from .locations import Location

__all__ = ("Machine", "MachinePart")


class Machine(WithMetadata):
    """A machine (the API's "robot"): one or more parts in a location.

    ``update()`` sends ``name`` (the RPC requires it) and ``location_id`` (moving the machine) when either changed.
    """

    id: str
    """The machine's id."""
    name: str
    """Its name, unique in its location."""
    location_id: str
    """The location it is in."""
    created_on: datetime.datetime | None
    """When it was created."""
    last_access: datetime.datetime | None
    """When one of its parts last reached the server."""

    _editable: ClassVar[frozenset[str]] = frozenset({"name", "location_id"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        name: str = "",
        location_id: str = "",
        id: str = "",
        created_on: datetime.datetime | None = None,
        last_access: datetime.datetime | None = None,
    ) -> None:
        """Describe a new machine for :meth:`create` (or, with ``id``, one to load or update)."""
        super().__init__(fleet)
        self.id, self.name, self.location_id = id, name, location_id
        self.created_on, self.last_access = created_on, last_access

    @classmethod
    def _from_message(cls, fleet: Fleet, message: app_pb.Robot) -> Machine:
        machine = cls(
            fleet,
            id=message.id,
            name=message.name,
            location_id=message.location,
            created_on=message.created_on,
            last_access=message.last_access,
        )
        machine._mark_loaded()
        return machine

    @classmethod
    async def _get(cls, fleet: Fleet, id: str) -> Machine:
        return cls._from_message(fleet, await fleet.client.get_robot(id))

    async def _reread(self) -> Machine:
        return await self._get(self._fleet, self._id())

    def _metadata_calls(self) -> MetadataCalls:
        return self._client.get_robot_metadata, self._client.update_robot_metadata

    async def create(self) -> Machine:
        """Create a machine with this name in ``location_id`` (the server gives it a main part).

        Calling it again makes another one (names are unique per location, so change the name first).

        Returns:
            The new machine, read back.

        """
        machine_id = await self._client.new_robot(self.name, self.location_id or None)
        return await self._get(self._fleet, machine_id)

    async def _write(self, changed: dict[str, Any]) -> Machine:
        message = await self._client.update_robot(self._id(), self.name, self.location_id or None)
        return self._from_message(self._fleet, message)

    async def delete(self) -> None:
        """Delete the machine; the API deletes its parts with it."""
        await self._client.delete_robot(self._id())

    async def delete_tree(self) -> None:
        """Delete the machine with its parts, after checking the caller may (nothing is deleted if not).

        Raises:
            PermissionDeniedError: If the caller may not delete the machine (the message names it).

        """
        await require_rights(self._fleet, [("robot", self._id(), self.name, "write_robot")])
        await self._client.delete_robot(self.id)

    @property
    def parts(self) -> Collection[MachinePart]:
        """The machine's parts."""

        async def listed() -> list[MachinePart]:
            found = await self._client.get_robot_parts(self._id())
            return [MachinePart._from_model(self._fleet, part) for part in found]

        return Collection(MachinePart, self._fleet, once(listed), self._part)

    async def _part(self, id: str) -> MachinePart:
        part = await MachinePart._get(self._fleet, id)
        if part.machine_id != self._id():
            raise NotFoundError(None, f"part {id} is not a part of machine {self.id}")
        return part

    async def main_part(self) -> MachinePart:
        """Read the machine's main part."""
        for part in await self.parts.get_all(main_part=True):
            return part
        raise NotFoundError(None, f"machine {self.id} has no main part")

    async def create_part(self, name: str) -> MachinePart:
        """Add a part named ``name`` to the machine, at once; returns it."""
        return await MachinePart(self._fleet, name=name, machine_id=self._id()).create()

    async def location(self) -> Location:
        """Read the location the machine is in."""
        from .locations import Location

        return await Location._get(self._fleet, self.location_id)


class MachinePart(WithMetadata):
    """A part of a machine, with its config.

    Edit ``config`` in place, by attribute or by key (``part.config.components[0].attributes.speed = 5``), or assign
    a new one. ``update()`` writes the name when it changed and, when the config changed, the whole new config
    together with the ``last_updated`` the part was loaded with: if someone changed the part since, the update
    fails with :class:`~fleetwire.ConflictError` and nothing is written. ``update(merge=True)`` writes only the
    changed config paths instead (see :meth:`update`).
    """

    id: str
    """The part's id."""
    name: str
    """Its name, unique in its machine."""
    machine_id: str
    """The machine it belongs to."""
    location_id: str
    """The machine's location."""
    config: ConfigDict
    """Its config: edit it in place."""
    main_part: bool
    """Whether it is the machine's main part (see :meth:`mark_main`)."""
    fqdn: str
    """Its fully qualified domain name."""
    local_fqdn: str
    """Its local domain name."""
    dns_name: str
    """Its DNS name."""
    created_on: datetime.datetime | None
    """When it was created."""
    last_access: datetime.datetime | None
    """When it last reached the server."""
    last_updated: datetime.datetime | None
    """When its name or config last changed: sent with an update to detect a concurrent change."""
    secret: str
    """Its secret (never shown in the repr)."""

    _editable: ClassVar[frozenset[str]] = frozenset({"name", "config"})
    _configs: ClassVar[frozenset[str]] = frozenset({"config"})
    _secrets: ClassVar[frozenset[str]] = frozenset({"secret"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        name: str = "",
        machine_id: str = "",
        config: dict[str, Any] | None = None,
        id: str = "",
        location_id: str = "",
        main_part: bool = False,
        fqdn: str = "",
        local_fqdn: str = "",
        dns_name: str = "",
        created_on: datetime.datetime | None = None,
        last_access: datetime.datetime | None = None,
        last_updated: datetime.datetime | None = None,
        secret: str = "",
    ) -> None:
        """Describe a new part for :meth:`create` (or, with ``id``, one to load or update)."""
        super().__init__(fleet)
        self.id, self.name, self.machine_id, self.location_id = id, name, machine_id, location_id
        self.config = ConfigDict(config or {})
        self.main_part, self.fqdn, self.local_fqdn, self.dns_name = main_part, fqdn, local_fqdn, dns_name
        self.created_on, self.last_access, self.last_updated = created_on, last_access, last_updated
        self.secret = secret

    @classmethod
    def _from_model(cls, fleet: Fleet, part: RobotPart) -> MachinePart:
        loaded = cls(
            fleet,
            id=part.id,
            name=part.name,
            machine_id=part.robot,
            location_id=part.location_id,
            config=part.robot_config,
            main_part=part.main_part,
            fqdn=part.fqdn,
            local_fqdn=part.local_fqdn,
            dns_name=part.dns_name,
            created_on=part.created_on,
            last_access=part.last_access,
            last_updated=part.last_updated,
            secret=part.secret,
        )
        loaded._mark_loaded()
        return loaded

    @classmethod
    async def _get(cls, fleet: Fleet, id: str) -> MachinePart:
        return cls._from_model(fleet, await fleet.client.get_robot_part(id))

    async def _reread(self) -> MachinePart:
        return await self._get(self._fleet, self._id())

    def _metadata_calls(self) -> MetadataCalls:
        return self._client.get_robot_part_metadata, self._client.update_robot_part_metadata

    async def create(self) -> MachinePart:
        """Add a part with this name (and config, if any) to machine ``machine_id``.

        Calling it again makes another one (names are unique per machine, so change the name first).

        Returns:
            The new part, read back.

        """
        part_id = await self._client.new_robot_part(self.machine_id, self.name)
        created = await self._get(self._fleet, part_id)
        if not self.config:
            return created
        created.config = self.config
        return await created.update()

    async def update(self, merge: bool = False) -> MachinePart:
        """Write the changes since the part was loaded; no call at all when nothing changed.

        By default the name (when changed) and the whole edited config (when changed) go in one
        ``update_robot_part`` call carrying the loaded ``last_updated``: if the part changed on the server since
        it was loaded, nothing is written and :class:`~fleetwire.ConflictError` is raised; reload the part and
        apply the edits again.

        With ``merge=True`` only the changed config paths are sent, through ``set_config_property`` (the paths
        :meth:`to_json` shows with ``only_updated=True``), and a changed name through ``update_robot_part``. This
        is not checked for conflicts: it merges with concurrent changes at other paths, and overwrites concurrent
        changes at the same paths. A change the paths cannot express (a key removed from the top level of the
        config, or a config flagged whole with :meth:`flag_update`) is written the default, conflict-safe way.

        Returns:
            The part as the server has it after the change.

        Raises:
            ConflictError: If the part changed since it was loaded (default mode only); nothing was written.
            ArgumentError: If a field that cannot be changed was changed (named in the message), before any call.
            TypeError: If the config holds a value that is not JSON (named by its path), before any call.

        """
        if not merge:
            return await super().update()
        self._id()
        changed = self.to_json(only_updated=True)
        paths: dict[str, Any] = changed.get("config", {})
        if not all(map(_settable, paths)):
            return await super().update()  # a change no path can say: the conflict-safe way
        if set(changed) - {"name", "config"}:
            return await super().update()  # refuses the fields that cannot change, before any call
        if "name" in changed:
            await self._client.update_robot_part(self.id, self.name)
        if paths:
            await self._client.set_config_property(self.id, paths)
        return await self._reread() if changed else self._copy()

    async def _write(self, changed: dict[str, Any]) -> MachinePart:
        # As JSON text: an empty config is a config too (an empty ``robot_config`` would mean "unchanged").
        config = json.dumps(plain(self.config)) if "config" in changed else None
        part = await self._client.update_robot_part(
            self._id(), self.name, last_known_update=self.last_updated, robot_config_json=config
        )
        return self._from_model(self._fleet, part)

    async def delete(self) -> None:
        """Delete the part (not the machine's main part: make another part main first)."""
        await self._client.delete_robot_part(self._id())

    async def apply_to(self, other: MachinePart | str) -> MachinePart:
        """Write this part's whole config onto part ``other`` (a part or its id), keeping that part's name.

        The other part is read first and written with its ``last_updated``, so a change made to it in between
        fails with :class:`~fleetwire.ConflictError` instead of being overwritten.

        Returns:
            The other part as it is after the change.

        """
        target = await self._get(self._fleet, other.id if isinstance(other, MachinePart) else other)
        target.config = self.config
        target.flag_update("config")
        return await target.update()

    async def machine(self) -> Machine:
        """Read the machine this part belongs to."""
        return await Machine._get(self._fleet, self.machine_id)

    def logs(
        self, filter: str | None = None, log_levels: list[str] | None = None, *, limit: int = 0
    ) -> LogsStream[LogEntry]:
        """Iterate over the part's logs, newest first, a page at a time (``limit=0``: all of them).

        Example:
            ::

                async with part.logs(log_levels=["error"]) as entries:
                    async for entry in entries:
                        print(entry.message)

        """
        return self._client.iter_robot_part_logs(
            self._id(), filter=filter, log_levels=list(log_levels or ()), num_log_entries=limit
        )

    async def history(self) -> list[RobotPartHistoryEntry]:
        """Read the part's earlier versions, newest first."""
        return await self._client.get_robot_part_history(self._id())

    async def mark_main(self) -> None:
        """Make this part its machine's main part, at once."""
        await self._client.mark_part_as_main(self._id())

    async def mark_for_restart(self) -> None:
        """Ask the part to restart the next time it checks in, at once."""
        await self._client.mark_part_for_restart(self._id())

    async def create_secret(self) -> MachinePart:
        """Add a secret to the part, at once; returns the part with its secrets, read back."""
        return self._from_model(self._fleet, await self._client.create_robot_part_secret(self._id()))


def _settable(path: str) -> bool:
    """Whether ``set_config_property`` can take ``path`` (not the whole config, no empty key)."""
    try:
        parse_path(path)
    except PathSyntaxError:
        return False
    return True

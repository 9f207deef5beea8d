"""The fragment: a reusable piece of config, edited in place and written with a conflict check."""

# The classes of this package build one another from wire messages through their protected members.
# pyright: reportPrivateUsage=false
from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any, ClassVar

from .. import models
from ..models import FragmentHistoryEntry
from ._config import ConfigDict, plain

if TYPE_CHECKING:
    from .fleet import Fleet

from ._base import Resource

__all__ = ("Fragment",)

_VISIBILITIES = ("private", "public", "public_unlisted")


class Fragment(Resource):
    """A fragment: config that machine parts import.

    ``update()`` sends ``name`` (the RPC requires it), the whole edited ``config`` when it changed, and
    ``visibility`` when it changed, with the ``last_updated`` the fragment was loaded with: if the fragment changed
    on the server since, nothing is written and :class:`~fleetwire.ConflictError` is raised.
    """

    id: str
    """The fragment's id."""
    name: str
    """Its name."""
    organization_id: str
    """The organization that owns it."""
    config: ConfigDict
    """Its config: edit it in place."""
    visibility: str
    """Who may see it: ``"private"``, ``"public"`` or ``"public_unlisted"``."""
    created_on: datetime.datetime | None
    """When it was created."""
    last_updated: datetime.datetime | None
    """When it last changed: sent with an update to detect a concurrent change."""
    part_count: int
    """How many machine parts use it (as loaded)."""

    _editable: ClassVar[frozenset[str]] = frozenset({"name", "config", "visibility"})
    _configs: ClassVar[frozenset[str]] = frozenset({"config"})

    def __init__(
        self,
        fleet: Fleet,
        *,
        name: str = "",
        organization_id: str = "",
        config: dict[str, Any] | None = None,
        visibility: str = "private",
        id: str = "",
        created_on: datetime.datetime | None = None,
        last_updated: datetime.datetime | None = None,
        part_count: int = 0,
    ) -> None:
        """Describe a new fragment for :meth:`create` (or, with ``id``, one to load or update)."""
        super().__init__(fleet)
        self.id, self.name, self.organization_id = id, name, organization_id
        self.config = ConfigDict(config or {})
        self.visibility, self.created_on, self.last_updated, self.part_count = (
            visibility,
            created_on,
            last_updated,
            part_count,
        )

    @classmethod
    def _from_model(cls, fleet: Fleet, fragment: models.Fragment) -> Fragment:
        loaded = cls(
            fleet,
            id=fragment.id,
            name=fragment.name,
            organization_id=fragment.organization_owner,
            config=dict(fragment.fragment or {}),
            visibility=fragment.visibility.value,
            created_on=fragment.created_on,
            last_updated=fragment.last_updated,
            part_count=fragment.robot_part_count,
        )
        loaded._mark_loaded()
        return loaded

    @classmethod
    async def _get(cls, fleet: Fleet, id: str) -> Fragment:
        return cls._from_model(fleet, await fleet.client.get_fragment(id))

    async def _reread(self) -> Fragment:
        return await self._get(self._fleet, self._id())

    async def create(self) -> Fragment:
        """Create a fragment with this name, config and visibility in ``organization_id``.

        Calling it again makes another one.

        Returns:
            The new fragment, read back.

        """
        _check_visibility(self.visibility)
        created = await self._client.create_fragment(self.organization_id, self.name, plain(self.config))
        fragment = self._from_model(self._fleet, created)
        if fragment.visibility == self.visibility:
            return fragment
        fragment.visibility = self.visibility
        return await fragment.update()

    async def _write(self, changed: dict[str, Any]) -> Fragment:
        visibility = changed.get("visibility")
        if visibility is not None:
            _check_visibility(visibility)
        written = await self._client.update_fragment(
            self._id(),
            self.name,
            visibility=models.Fragment.Visibility(visibility) if visibility is not None else None,
            last_known_update=self.last_updated,
            # As JSON text: an empty config is a config too (an empty ``config`` would mean "unchanged").
            fragment_config_json=json.dumps(plain(self.config)) if "config" in changed else None,
        )
        return self._from_model(self._fleet, written)

    async def delete(self) -> None:
        """Delete the fragment."""
        await self._client.delete_fragment(self._id())

    async def apply_to(self, other: Fragment | str) -> Fragment:
        """Write this fragment's whole config onto fragment ``other`` (a fragment or its id), keeping its name.

        The other fragment is read first and written with its ``last_updated``, so a change made to it in between
        fails with :class:`~fleetwire.ConflictError` instead of being overwritten.

        Returns:
            The other fragment as it is after the change.

        """
        target = await self._get(self._fleet, other.id if isinstance(other, Fragment) else other)
        target.config = self.config
        target.flag_update("config")
        return await target.update()

    async def history(self, limit: int = 10) -> list[FragmentHistoryEntry]:
        """Read the fragment's earlier versions, newest first (at most ``limit``)."""
        return await self._client.get_fragment_history(self._id(), page_limit=limit)


def _check_visibility(visibility: object) -> None:
    if visibility not in _VISIBILITIES:
        from ..aio import ArgumentError

        raise ArgumentError(f"visibility must be one of {', '.join(_VISIBILITIES)}, got {visibility!r}")

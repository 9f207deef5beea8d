"""The object layer: fleet resources as objects that create, update, reload and delete themselves.

Start from a :class:`Fleet` over a client: ``Fleet(async_client)`` here for asyncio code, and
``fleetwire.objects.blocking.Fleet(client)`` over a blocking :class:`fleetwire.AppClient` (the blocking classes
are generated from these). Objects track changes to their fields and configs; ``update()`` writes only those
(``to_json(only_updated=True)`` shows them). ``import fleetwire`` does not load this package.

The API calls a machine a "robot"; its documentation, the official app and the CLI say "machine", and so do these
classes (``Machine``, ``MachinePart``, ``machine_id``).
"""

from ._base import Collection, Resource, WithMetadata
from ._config import ConfigDict, ConfigList
from .access import APIKey, Invite, Member
from .fleet import Fleet
from .fragments import Fragment
from .locations import Location
from .machines import Machine, MachinePart
from .organizations import Organization
from .registry import Module, RegistryItem

__all__ = (
    "APIKey",
    "Collection",
    "ConfigDict",
    "ConfigList",
    "Fleet",
    "Fragment",
    "Invite",
    "Location",
    "Machine",
    "MachinePart",
    "Member",
    "Module",
    "Organization",
    "RegistryItem",
    "Resource",
    "WithMetadata",
)

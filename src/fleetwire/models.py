"""The wrapper classes of the official SDK's ``viam.app.app_client``: friendlier views of a few wire messages.

Structs become plain ``dict``s and timestamps aware ``datetime``s; ``proto`` converts back. Secrets are kept
out of every ``repr``.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from typing import Any, ClassVar, Literal, Optional, cast, get_args

from fleetwire_api.google.protobuf import Struct
from fleetwire_api.services.codec import decode
from fleetwire_api.viam.app import v1 as app_pb
from fleetwire_api.viam.common import v1 as common_pb

from ._convert import dict_to_struct, struct_to_dict
from .errors import ArgumentError

__all__ = (
    "APIKeyAuthorization",
    "Fragment",
    "FragmentHistoryEntry",
    "LogEntry",
    "ResourceType",
    "RobotPart",
    "RobotPartHistoryEntry",
    "Role",
)

Role = Literal["owner", "operator"]
"""The roles ``add_role``, ``remove_role``, ``change_role`` and API key authorizations accept."""
ResourceType = Literal["organization", "location", "robot"]
"""The kinds of resource a role or an API key authorization can apply to."""

ROLES: tuple[str, ...] = get_args(Role)
RESOURCE_TYPES: tuple[str, ...] = get_args(ResourceType)


def _struct_or_none(data: Mapping[str, Any] | None) -> Any:
    return None if data is None else dict_to_struct(data)


def _dict_or_none(struct: Struct | None) -> dict[str, Any] | None:
    return None if struct is None else struct_to_dict(struct)


class _Record:
    """``repr`` (fields marked ``repr=False`` left out) and ``==`` over a wrapper's dataclass fields.

    The wrappers write their ``__init__`` out and take ``repr`` and ``==`` from here: ``@dataclass`` builds those
    three from source text it compiles at import, about 2 M instructions a class (the five wrappers were a twentieth
    of importing the clients). They stay dataclasses (``dataclasses.fields`` works) with a dataclass's behaviour.
    """

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # set by @dataclass on each wrapper
    __hash__ = None  # type: ignore[assignment]  # compared by content and mutable, like a dataclass with eq=True

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = [f.name for f in fields(self)]
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)


@dataclass(init=False, repr=False, eq=False)
class RobotPart(_Record):
    """A machine part: the ``RobotPart`` wire message with plain Python values.

    The config and the user-supplied info are ``dict``s and timestamps are ``datetime``s; :attr:`proto` gives the
    wire message back. ``secret`` and ``secrets`` are kept out of the ``repr``.
    """

    id: str
    name: str
    dns_name: str
    secret: str = field(repr=False)
    robot: str
    location_id: str
    robot_config: Optional[dict[str, Any]]  # noqa: UP045  # the official SDK's spelling, kept for drop-in code
    last_access: Optional[datetime.datetime]  # noqa: UP045
    user_supplied_info: Optional[dict[str, Any]]  # noqa: UP045
    main_part: bool
    fqdn: str
    local_fqdn: str
    created_on: Optional[datetime.datetime]  # noqa: UP045
    secrets: Optional[list[app_pb.SharedSecret]] = field(repr=False)  # noqa: UP045
    last_updated: Optional[datetime.datetime] = None  # noqa: UP045
    """When the part was last changed: pass it back as ``update_robot_part(last_known_update=...)``."""
    robot_config_json: Optional[str] = None  # noqa: UP045
    """The config as the JSON text it was saved as (key order and number spelling kept), when the server sends it."""

    def __init__(
        self,
        id: str,
        name: str,
        dns_name: str,
        secret: str,
        robot: str,
        location_id: str,
        robot_config: Optional[dict[str, Any]],  # noqa: UP045
        last_access: Optional[datetime.datetime],  # noqa: UP045
        user_supplied_info: Optional[dict[str, Any]],  # noqa: UP045
        main_part: bool,
        fqdn: str,
        local_fqdn: str,
        created_on: Optional[datetime.datetime],  # noqa: UP045
        secrets: Optional[list[app_pb.SharedSecret]],  # noqa: UP045
        last_updated: Optional[datetime.datetime] = None,  # noqa: UP045
        robot_config_json: Optional[str] = None,  # noqa: UP045
    ) -> None:
        self.id = id
        self.name = name
        self.dns_name = dns_name
        self.secret = secret
        self.robot = robot
        self.location_id = location_id
        self.robot_config = robot_config
        self.last_access = last_access
        self.user_supplied_info = user_supplied_info
        self.main_part = main_part
        self.fqdn = fqdn
        self.local_fqdn = local_fqdn
        self.created_on = created_on
        self.secrets = secrets
        self.last_updated = last_updated
        self.robot_config_json = robot_config_json

    @classmethod
    def from_proto(cls, robot_part: app_pb.RobotPart) -> RobotPart:
        """Build a :class:`RobotPart` from its wire message.

        Args:
            robot_part: The wire message to copy.

        Returns:
            The machine part.

        """
        return cls(
            id=robot_part.id,
            name=robot_part.name,
            dns_name=robot_part.dns_name,
            secret=robot_part.secret,
            robot=robot_part.robot,
            location_id=robot_part.location_id,
            robot_config=_dict_or_none(robot_part.robot_config),
            last_access=robot_part.last_access,
            user_supplied_info=_dict_or_none(robot_part.user_supplied_info),
            main_part=robot_part.main_part,
            fqdn=robot_part.fqdn,
            local_fqdn=robot_part.local_fqdn,
            created_on=robot_part.created_on,
            secrets=list(robot_part.secrets),
            last_updated=robot_part.last_updated,
            robot_config_json=robot_part.robot_config_json,
        )

    @property
    def proto(self) -> app_pb.RobotPart:
        """The `RobotPart` wire message."""
        return app_pb.RobotPart(
            id=self.id,
            name=self.name,
            dns_name=self.dns_name,
            secret=self.secret,
            robot=self.robot,
            location_id=self.location_id,
            robot_config=_struct_or_none(self.robot_config),
            last_access=self.last_access,
            user_supplied_info=_struct_or_none(self.user_supplied_info),
            main_part=self.main_part,
            fqdn=self.fqdn,
            local_fqdn=self.local_fqdn,
            created_on=self.created_on,
            secrets=list(self.secrets or []),
            last_updated=self.last_updated,
            robot_config_json=self.robot_config_json or None,
        )


def robot_part_from_response(data: bytes) -> tuple[RobotPart, str]:
    """Decode a ``GetRobotPartResponse`` from its wire bytes: the part as a :class:`RobotPart`, and ``config_json``.

    The part's config and user-supplied info are read straight into dicts; input off the usual layout takes the
    long way (the generic codec, then :meth:`RobotPart.from_proto`), which gives the same part or raises the same
    error as any other decode.
    """
    # Imported with the first part, not with the package: it loads the (large) fast codec it shares.
    from fleetwire_api.services._codec_dicts import decode_robot_part_response

    try:
        message, robot_config, user_supplied_info, config_json = decode_robot_part_response(data)
    except Exception:
        response = decode(app_pb.GetRobotPartResponse, data)
        part = response.part if response.part is not None else app_pb.RobotPart()
        return RobotPart.from_proto(part), response.config_json
    part = RobotPart.from_proto(message if message is not None else app_pb.RobotPart())
    part.robot_config = robot_config
    part.user_supplied_info = user_supplied_info
    return part, config_json


@dataclass(init=False, repr=False, eq=False)
class LogEntry(_Record):
    """One log entry of a machine part: the ``LogEntry`` wire message with plain Python values.

    ``caller`` and each item of ``fields`` are ``dict``s, ``time`` a ``datetime``; :attr:`proto` gives the wire
    message back.
    """

    host: str
    level: str
    time: Optional[datetime.datetime]  # noqa: UP045
    logger_name: str
    message: str
    caller: Optional[Mapping[str, Any]]  # noqa: UP045
    stack: str
    fields: Optional[list[Mapping[str, Any]]]  # noqa: UP045

    def __init__(
        self,
        host: str,
        level: str,
        time: Optional[datetime.datetime],  # noqa: UP045
        logger_name: str,
        message: str,
        caller: Optional[Mapping[str, Any]],  # noqa: UP045
        stack: str,
        fields: Optional[list[Mapping[str, Any]]],  # noqa: UP045
    ) -> None:
        self.host = host
        self.level = level
        self.time = time
        self.logger_name = logger_name
        self.message = message
        self.caller = caller
        self.stack = stack
        self.fields = fields

    @classmethod
    def from_proto(cls, log_entry: common_pb.LogEntry) -> LogEntry:
        """Build a :class:`LogEntry` from its wire message.

        Args:
            log_entry: The wire message to copy.

        Returns:
            The log entry.

        """
        return cls(
            host=log_entry.host,
            level=log_entry.level,
            time=log_entry.time,
            logger_name=log_entry.logger_name,
            message=log_entry.message,
            caller=_dict_or_none(log_entry.caller),
            stack=log_entry.stack,
            fields=[struct_to_dict(f) for f in log_entry.fields],
        )

    @property
    def proto(self) -> common_pb.LogEntry:
        """The `LogEntry` wire message."""
        return common_pb.LogEntry(
            host=self.host,
            level=self.level,
            time=self.time,
            logger_name=self.logger_name,
            message=self.message,
            caller=_struct_or_none(self.caller),
            stack=self.stack,
            fields=[dict_to_struct(f) for f in self.fields or []],
        )


class _Visibility(str, enum.Enum):
    """Who may see a fragment."""

    PRIVATE = "private"
    """Members of the organization that owns the fragment only."""
    PUBLIC = "public"
    """Everyone; the fragment is listed on the public fragments page."""
    PUBLIC_UNLISTED = "public_unlisted"
    """Everyone, but the fragment is not listed on the public fragments page."""
    UNSPECIFIED = "unspecified"
    """Not set."""

    @classmethod
    def from_proto(cls, visibility: app_pb.FragmentVisibility) -> _Visibility:
        """Return the visibility a wire ``FragmentVisibility`` value stands for."""
        return _FROM_PROTO.get(int(visibility), cls.UNSPECIFIED)

    def to_proto(self) -> app_pb.FragmentVisibility:
        """Return the wire ``FragmentVisibility`` value."""
        return _TO_PROTO[self]


_TO_PROTO = {
    _Visibility.UNSPECIFIED: app_pb.FragmentVisibility.UNSPECIFIED,
    _Visibility.PRIVATE: app_pb.FragmentVisibility.PRIVATE,
    _Visibility.PUBLIC: app_pb.FragmentVisibility.PUBLIC,
    _Visibility.PUBLIC_UNLISTED: app_pb.FragmentVisibility.PUBLIC_UNLISTED,
}
_FROM_PROTO = {int(v): k for k, v in _TO_PROTO.items()}


@dataclass(init=False, repr=False, eq=False)
class Fragment(_Record):
    """A fragment (a reusable piece of machine config): the ``Fragment`` wire message with plain Python values.

    The config (``fragment``) is a ``dict``, ``created_on`` a ``datetime`` and ``visibility`` a
    :class:`Fragment.Visibility`; :attr:`proto` gives the wire message back.
    """

    Visibility = _Visibility
    """Who may see a fragment (``private``, ``public``, ``public_unlisted`` or ``unspecified``)."""

    id: str
    name: str
    fragment: Optional[Mapping[str, Any]]  # noqa: UP045
    organization_owner: str
    public: bool
    created_on: Optional[datetime.datetime]  # noqa: UP045
    organization_name: str
    robot_part_count: int
    organization_count: int
    only_used_by_owner: bool
    visibility: _Visibility
    last_updated: Optional[datetime.datetime] = None  # noqa: UP045
    """When the fragment was last changed: pass it back as ``update_fragment(last_known_update=...)``."""

    def __init__(
        self,
        id: str,
        name: str,
        fragment: Optional[Mapping[str, Any]],  # noqa: UP045
        organization_owner: str,
        public: bool,
        created_on: Optional[datetime.datetime],  # noqa: UP045
        organization_name: str,
        robot_part_count: int,
        organization_count: int,
        only_used_by_owner: bool,
        visibility: _Visibility,
        last_updated: Optional[datetime.datetime] = None,  # noqa: UP045
    ) -> None:
        self.id = id
        self.name = name
        self.fragment = fragment
        self.organization_owner = organization_owner
        self.public = public
        self.created_on = created_on
        self.organization_name = organization_name
        self.robot_part_count = robot_part_count
        self.organization_count = organization_count
        self.only_used_by_owner = only_used_by_owner
        self.visibility = visibility
        self.last_updated = last_updated

    @classmethod
    def from_proto(cls, fragment: app_pb.Fragment) -> Fragment:
        """Build a :class:`Fragment` from its wire message.

        Args:
            fragment: The wire message to copy.

        Returns:
            The fragment.

        """
        return cls(
            id=fragment.id,
            name=fragment.name,
            fragment=_dict_or_none(fragment.fragment),
            organization_owner=fragment.organization_owner,
            public=fragment.public,
            created_on=fragment.created_on,
            organization_name=fragment.organization_name,
            robot_part_count=fragment.robot_part_count,
            organization_count=fragment.organization_count,
            only_used_by_owner=fragment.only_used_by_owner,
            visibility=_Visibility.from_proto(fragment.visibility),
            last_updated=fragment.last_updated,
        )

    @property
    def proto(self) -> app_pb.Fragment:
        """The `Fragment` wire message."""
        return app_pb.Fragment(
            id=self.id,
            name=self.name,
            fragment=_struct_or_none(self.fragment),
            organization_owner=self.organization_owner,
            public=self.public,
            created_on=self.created_on,
            organization_name=self.organization_name,
            robot_part_count=self.robot_part_count,
            organization_count=self.organization_count,
            only_used_by_owner=self.only_used_by_owner,
            visibility=self.visibility.to_proto(),
            last_updated=self.last_updated,
        )


@dataclass(init=False, repr=False, eq=False)
class FragmentHistoryEntry(_Record):
    """One edit of a fragment: the ``FragmentHistoryEntry`` wire message with plain Python values.

    ``old`` is the fragment as it was before the edit, ``edited_on`` a ``datetime``; :attr:`proto` gives the wire
    message back.
    """

    fragment: str
    edited_on: datetime.datetime
    old: Fragment
    edited_by: app_pb.AuthenticatorInfo

    def __init__(
        self, fragment: str, edited_on: datetime.datetime, old: Fragment, edited_by: app_pb.AuthenticatorInfo
    ) -> None:
        self.fragment = fragment
        self.edited_on = edited_on
        self.old = old
        self.edited_by = edited_by

    @classmethod
    def from_proto(cls, fragment_history_entry: app_pb.FragmentHistoryEntry) -> FragmentHistoryEntry:
        """Build a :class:`FragmentHistoryEntry` from its wire message.

        Args:
            fragment_history_entry: The wire message to copy.

        Returns:
            The history entry.

        """
        entry = fragment_history_entry
        return cls(
            fragment=entry.fragment,
            # An unset timestamp reads as the epoch, as the protobuf runtime does for the official SDK.
            edited_on=entry.edited_on or datetime.datetime.fromtimestamp(0, datetime.timezone.utc),
            old=Fragment.from_proto(entry.old or app_pb.Fragment()),
            edited_by=entry.edited_by or app_pb.AuthenticatorInfo(),
        )

    @property
    def proto(self) -> app_pb.FragmentHistoryEntry:
        """The `FragmentHistoryEntry` wire message."""
        return app_pb.FragmentHistoryEntry(
            fragment=self.fragment, edited_on=self.edited_on, old=self.old.proto, edited_by=self.edited_by
        )


@dataclass(init=False, repr=False, eq=False)
class RobotPartHistoryEntry(_Record):
    """One recorded change of a machine part: the ``RobotPartHistoryEntry`` wire message with plain Python values.

    ``old`` is the part as it was (a :class:`RobotPart`), ``when`` a ``datetime``; :attr:`proto` gives the wire
    message back.
    """

    part: str
    robot: str
    when: Optional[datetime.datetime]  # noqa: UP045
    old: Optional[RobotPart]  # noqa: UP045

    def __init__(
        self,
        part: str,
        robot: str,
        when: Optional[datetime.datetime],  # noqa: UP045
        old: Optional[RobotPart],  # noqa: UP045
    ) -> None:
        self.part = part
        self.robot = robot
        self.when = when
        self.old = old

    @classmethod
    def from_proto(cls, robot_part_history_entry: app_pb.RobotPartHistoryEntry) -> RobotPartHistoryEntry:
        """Build a :class:`RobotPartHistoryEntry` from its wire message.

        Args:
            robot_part_history_entry: The wire message to copy.

        Returns:
            The history entry.

        """
        entry = robot_part_history_entry
        return cls(
            part=entry.part,
            robot=entry.robot,
            when=entry.when,
            old=RobotPart.from_proto(entry.old) if entry.old is not None else None,
        )

    @property
    def proto(self) -> app_pb.RobotPartHistoryEntry:
        """The `RobotPartHistoryEntry` wire message."""
        return app_pb.RobotPartHistoryEntry(
            part=self.part, robot=self.robot, when=self.when, old=self.old.proto if self.old is not None else None
        )


class APIKeyAuthorization:
    """One thing a new API key may do: a role on an organization, a location or a machine.

    Pass a list of these to ``create_key``; the role and the resource type are checked when the object is built,
    so a malformed authorization fails early instead of at the server.
    """

    def __init__(self, role: Role, resource_type: ResourceType, resource_id: str) -> None:
        """Check ``role`` and ``resource_type`` against the accepted values and keep the three values.

        Args:
            role: ``"owner"`` or ``"operator"``.
            resource_type: ``"organization"``, ``"location"`` or ``"robot"``.
            resource_id: The id of that organization, location or machine.

        Raises:
            TypeError: If ``role``, ``resource_type`` or ``resource_id`` is not a string.
            ArgumentError: If ``role`` or ``resource_type`` is not one of the accepted values (a ``ValueError``).

        """
        self._role: Role = check_role("role", role)
        self._resource_type: ResourceType = check_resource_type("resource_type", resource_type)
        if not isinstance(resource_id, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # callers may pass anything
            raise TypeError(f"resource_id must be a str, got {type(resource_id).__name__}")
        self._resource_id = resource_id

    @property
    def role(self) -> Role:
        """``"owner"`` or ``"operator"``."""
        return self._role

    @property
    def resource_type(self) -> ResourceType:
        """``"organization"``, ``"location"`` or ``"robot"``."""
        return self._resource_type

    @property
    def resource_id(self) -> str:
        """The id of the organization, location or machine."""
        return self._resource_id

    def __eq__(self, other: object) -> bool:
        """Equal when role, resource type and resource id are."""
        if not isinstance(other, APIKeyAuthorization):
            return NotImplemented
        return (self.role, self.resource_type, self.resource_id) == (
            other.role,
            other.resource_type,
            other.resource_id,
        )

    def __hash__(self) -> int:
        """Hash of role, resource type and resource id."""
        return hash((self.role, self.resource_type, self.resource_id))

    def __repr__(self) -> str:
        """Constructor-style repr."""
        return (
            f"APIKeyAuthorization(role={self.role!r}, resource_type={self.resource_type!r}, "
            f"resource_id={self.resource_id!r})"
        )


def check_role(name: str, value: object) -> Role:
    """Return ``value`` if it is one of the accepted roles; ``TypeError`` for a non-string, else ``ArgumentError``."""
    if isinstance(value, str) and value in ROLES:
        return cast("Role", value)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    raise ArgumentError(f"{name} must be one of {', '.join(map(repr, ROLES))}, got {value!r}")


def check_resource_type(name: str, value: object) -> ResourceType:
    """Return ``value`` if it is an accepted resource type; ``TypeError`` for a non-string, else ``ArgumentError``."""
    if isinstance(value, str) and value in RESOURCE_TYPES:
        return cast("ResourceType", value)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    raise ArgumentError(f"{name} must be one of {', '.join(map(repr, RESOURCE_TYPES))}, got {value!r}")

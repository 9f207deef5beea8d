"""One or more spec cases for each of the 70 `AppClient` methods of seed 001.

A case says how to call the method (built per library, so the official SDK can make the same call with its own
argument types), which RPCs the server must receive with exactly which request messages, what the server answers, and
what the method must return according to seeds 000/001. The expected request fields are the seed's parameters mapped
onto the wire messages of the pinned descriptors; where the seed leaves the wire open (for example whether an unset
`filter` goes out as "" or not at all) the expectation is what the official SDK sends, since the issue requires
byte-identical requests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import betterproto2

import fleetwire
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.app.packages import v1 as packages

from . import data as d
from .server import Reply

Args = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class Lib:
    """The library-specific argument types a call needs (ours, or the official SDK's)."""

    name: str
    visibility: Callable[[str], Any]  # "private" -> that library's Fragment.Visibility member
    api_key_authorization: Callable[[str, str, str], Any]  # (role, resource_type, resource_id)
    message: Callable[[betterproto2.Message], Any]  # a fleetwire_api message -> that library's message


def ours() -> Lib:
    return Lib(
        "fleetwire",
        lambda value: fleetwire.Fragment.Visibility(value),
        lambda role, resource_type, resource_id: fleetwire.APIKeyAuthorization(
            role=role,  # pyright: ignore[reportArgumentType]
            resource_type=resource_type,  # pyright: ignore[reportArgumentType]
            resource_id=resource_id,
        ),
        lambda message: message,
    )


RequestCheck = Callable[[betterproto2.Message], None]


@dataclass(frozen=True)
class Exchange:
    rpc: str
    expect: betterproto2.Message | tuple[betterproto2.Message, ...] | RequestCheck
    reply: Reply


Call = Callable[[Lib, Path], Args]
Check = Callable[[Any, Path], None]


@dataclass(frozen=True)
class Case:
    method: str
    label: str
    call: Call
    exchanges: tuple[Exchange, ...]
    check: Check
    interop: bool = True  # the official SDK can make the same call and must send the same bytes
    uses_default_location: bool = False

    @property
    def id(self) -> str:
        return f"{self.method}[{self.label}]"


def static(*args: Any, **kwargs: Any) -> Call:
    return lambda lib, tmp: (args, kwargs)


# --- checks on returned values ----------------------------------------------------------------------------------------


def returns_none(result: Any, tmp: Path) -> None:
    assert result is None, f"expected None, got {result!r}"


def returns(expected: Any) -> Check:
    """Exactly this value, of exactly this type (a message compares field by field, presence included)."""

    def check(result: Any, tmp: Path) -> None:
        assert type(result) is type(expected), f"expected a {type(expected).__name__}, got {type(result).__name__}"
        assert result == expected

    return check


def returns_list(expected: Sequence[Any]) -> Check:
    def check(result: Any, tmp: Path) -> None:
        assert type(result) is list, f"expected a list, got {type(result).__name__}"
        assert [type(x) for x in result] == [type(x) for x in expected]
        assert result == list(expected)

    return check


def returns_bool(expected: bool) -> Check:
    def check(result: Any, tmp: Path) -> None:
        assert result is expected, f"expected {expected}, got {result!r}"

    return check


def returns_pair(first: str, second: str) -> Check:
    def check(result: Any, tmp: Path) -> None:
        assert type(result) is tuple, f"expected a tuple, got {type(result).__name__}"
        assert result == (first, second)

    return check


def assert_aware(name: str, value: Any, expected: datetime) -> None:
    assert isinstance(value, datetime), f"{name}: expected a datetime, got {value!r}"
    assert value.tzinfo is not None and value.utcoffset() is not None, f"{name}: naive datetime {value!r}"
    assert value == expected, f"{name}: {value!r} != {expected!r}"


def assert_attrs(obj: Any, cls: type, attrs: dict[str, Any]) -> None:
    assert isinstance(obj, cls), f"expected a {cls.__name__}, got {type(obj).__name__}"
    for name, expected in attrs.items():
        value = getattr(obj, name)
        if isinstance(expected, datetime):
            assert_aware(f"{cls.__name__}.{name}", value, expected)
        elif isinstance(expected, dict):
            assert isinstance(value, dict), f"{cls.__name__}.{name}: expected a dict, got {type(value).__name__}"
            assert value == expected, f"{cls.__name__}.{name}"
        else:
            assert value == expected, f"{cls.__name__}.{name}: {value!r} != {expected!r}"


def check_robot_part(obj: Any, attrs: dict[str, Any]) -> None:
    assert_attrs(obj, fleetwire.RobotPart, attrs)


def check_log_entry(obj: Any, attrs: dict[str, Any]) -> None:
    assert_attrs(obj, fleetwire.LogEntry, attrs)
    assert all(isinstance(f, dict) for f in obj.fields)


def check_fragment(obj: Any, attrs: dict[str, Any]) -> None:
    assert_attrs(obj, fleetwire.Fragment, attrs)
    assert isinstance(obj.visibility, fleetwire.Fragment.Visibility)
    assert obj.visibility is fleetwire.Fragment.Visibility(attrs["visibility"])


def returns_robot_part(attrs: dict[str, Any]) -> Check:
    return lambda result, tmp: check_robot_part(result, attrs)


def returns_fragment(attrs: dict[str, Any]) -> Check:
    return lambda result, tmp: check_fragment(result, attrs)


def returns_logs(indices: Sequence[int], level: str = "error") -> Check:
    def check(result: Any, tmp: Path) -> None:
        assert type(result) is list, f"expected a list, got {type(result).__name__}"
        assert len(result) == len(indices), f"expected {len(indices)} entries, got {len(result)}"
        for entry, i in zip(result, indices, strict=True):
            check_log_entry(entry, d.log_entry_attrs(i, level))

    return check


# --- request builders -------------------------------------------------------------------------------------------------


def logs_page(indices: Sequence[int], next_page_token: str) -> app.GetRobotPartLogsResponse:
    return app.GetRobotPartLogsResponse(logs=[d.log_entry(i) for i in indices], next_page_token=next_page_token)


def logs_request(page_token: str, filter: str = "", levels: Sequence[str] = ()) -> app.GetRobotPartLogsRequest:
    return app.GetRobotPartLogsRequest(id=d.PART_ID, filter=filter, page_token=page_token, levels=list(levels))


def role_authorization(role: str, resource_type: str, resource_id: str, identity_id: str) -> app.Authorization:
    """The Authorization the client builds for add_role/remove_role/change_role (seed 000's `<type>_<role>` ids)."""
    return app.Authorization(
        authorization_type="role",
        authorization_id=f"{resource_type}_{role}",
        resource_type=resource_type,
        resource_id=resource_id,
        identity_id=identity_id,
        organization_id=d.ORG_ID,
        identity_type="",
    )


def key_authorization(role: str, resource_type: str, resource_id: str) -> app.Authorization:
    """The Authorization create_key builds from an APIKeyAuthorization: no identity id, identity type api-key."""
    return app.Authorization(
        authorization_type="role",
        authorization_id=f"{resource_type}_{role}",
        resource_type=resource_type,
        resource_id=resource_id,
        identity_id="",
        organization_id=d.ORG_ID,
        identity_type="api-key",
    )


def named_after_now(request: betterproto2.Message) -> None:
    assert isinstance(request, app.CreateKeyRequest)
    assert request.authorizations == [key_authorization("owner", "organization", d.ORG_ID)]
    # seed 001: "If None, defaults to the current timestamp."
    assert request.name, "an unnamed key must be named after the current timestamp, not sent without a name"
    datetime.fromisoformat(request.name)


def config_file(name: str, indent: int) -> Check:
    def check(result: Any, tmp: Path) -> None:
        check_robot_part(result, d.robot_part_attrs())
        text = (tmp / name).read_text(encoding="utf-8")
        assert json.loads(text) == d.ROBOT_CONFIG
        second_line = text.splitlines()[1]
        assert second_line.startswith(" " * indent + '"'), f"not indented by {indent}: {second_line!r}"
        leftovers = sorted(p.name for p in tmp.iterdir() if p.name != name)
        assert leftovers == [], f"the atomic write left files behind: {leftovers}"

    return check


def log_file(name: str, indices: Sequence[int]) -> Check:
    def check(result: Any, tmp: Path) -> None:
        returns_logs(indices)(result, tmp)
        lines = (tmp / name).read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(indices)
        for line, i in zip(lines, indices, strict=True):
            assert d.log_entry_attrs(i)["message"] in line
            assert "ERROR" in line.upper()

    return check


def tail_batches(batches: Sequence[Sequence[int]]) -> Check:
    def check(result: Any, tmp: Path) -> None:
        assert len(result) == len(batches), f"expected {len(batches)} batches, got {len(result)}"
        for batch, indices in zip(result, batches, strict=True):
            returns_logs(indices)(batch, tmp)

    return check


# --- the cases --------------------------------------------------------------------------------------------------------

ORG2 = d.organization(d.OTHER_ORG_ID, "Acme Field Ops")
AUTH_A = d.authorization()
AUTH_B = d.authorization("robot", d.ROBOT_ID, "operator")
PERMS = app.AuthorizedPermissions(
    resource_type="organization", resource_id=d.ORG_ID, permissions=["control_robot", "read_robot_logs"]
)
FILE_INFO = app.ModuleFileInfo(module_id=d.MODULE_ID, version="1.2.0", platform="linux/arm64")
MODULE_BYTES = b"\x1f\x8b\x08\x00" + bytes(range(256)) * 16


def _cases() -> list[Case]:
    c: list[Case] = []

    def add(
        method: str,
        label: str,
        call: Call,
        exchanges: Sequence[Exchange],
        check: Check,
        *,
        interop: bool = True,
        uses_default_location: bool = False,
    ) -> None:
        c.append(Case(method, label, call, tuple(exchanges), check, interop, uses_default_location))

    def one(rpc: str, expect: Any, reply: Reply) -> list[Exchange]:
        return [Exchange(rpc, expect, reply)]

    # organizations
    add(
        "get_user_id_by_email",
        "email",
        static("ada@acme.example"),
        one(
            "GetUserIDByEmail",
            app.GetUserIdByEmailRequest(email="ada@acme.example"),
            app.GetUserIdByEmailResponse(user_id=d.USER_ID),
        ),
        returns(d.USER_ID),
    )
    add(
        "create_organization",
        "name",
        static("Acme Robotics"),
        one(
            "CreateOrganization",
            app.CreateOrganizationRequest(name="Acme Robotics"),
            app.CreateOrganizationResponse(organization=d.organization()),
        ),
        returns(d.organization()),
    )
    add(
        "list_organizations",
        "two",
        static(),
        one(
            "ListOrganizations",
            app.ListOrganizationsRequest(),
            app.ListOrganizationsResponse(organizations=[d.organization(), ORG2]),
        ),
        returns_list([d.organization(), ORG2]),
    )
    identities = [
        app.OrganizationIdentity(id=d.ORG_ID, name="Acme Robotics"),
        app.OrganizationIdentity(id=d.OTHER_ORG_ID, name="Acme Field Ops"),
    ]
    add(
        "get_organizations_with_access_to_location",
        "location",
        static(d.LOC_ID),
        one(
            "GetOrganizationsWithAccessToLocation",
            app.GetOrganizationsWithAccessToLocationRequest(location_id=d.LOC_ID),
            app.GetOrganizationsWithAccessToLocationResponse(organization_identities=identities),
        ),
        returns_list(identities),
    )
    orgs = [
        app.OrgDetails(org_id=d.ORG_ID, org_name="Acme Robotics", public_namespace="acme"),
        app.OrgDetails(org_id=d.OTHER_ORG_ID, org_name="Acme Field Ops", org_cid="crm-0077"),
    ]
    add(
        "list_organizations_by_user",
        "user",
        static(d.USER_ID),
        one(
            "ListOrganizationsByUser",
            app.ListOrganizationsByUserRequest(user_id=d.USER_ID),
            app.ListOrganizationsByUserResponse(orgs=orgs),
        ),
        returns_list(orgs),
    )
    add(
        "get_organization",
        "org",
        static(d.ORG_ID),
        one(
            "GetOrganization",
            app.GetOrganizationRequest(organization_id=d.ORG_ID),
            app.GetOrganizationResponse(organization=d.organization()),
        ),
        returns(d.organization()),
    )
    for available in (True, False):
        add(
            "get_organization_namespace_availability",
            f"available={available}",
            static(public_namespace="my-cool-organization"),
            one(
                "GetOrganizationNamespaceAvailability",
                app.GetOrganizationNamespaceAvailabilityRequest(public_namespace="my-cool-organization"),
                app.GetOrganizationNamespaceAvailabilityResponse(available=available),
            ),
            returns_bool(available),
        )
    add(
        "update_organization",
        "name+namespace",
        static(org_id=d.ORG_ID, name="Artoo's Org", public_namespace="artoo"),
        one(
            "UpdateOrganization",
            app.UpdateOrganizationRequest(organization_id=d.ORG_ID, name="Artoo's Org", public_namespace="artoo"),
            app.UpdateOrganizationResponse(organization=d.organization(name="Artoo's Org")),
        ),
        returns(d.organization(name="Artoo's Org")),
    )
    add(
        "update_organization",
        "all positional",
        static(d.ORG_ID, "Acme", "acme", "eu-west", "crm-7"),
        one(
            "UpdateOrganization",
            app.UpdateOrganizationRequest(
                organization_id=d.ORG_ID, name="Acme", public_namespace="acme", region="eu-west", cid="crm-7"
            ),
            app.UpdateOrganizationResponse(organization=d.organization()),
        ),
        returns(d.organization()),
    )
    add(
        "delete_organization",
        "org",
        static(d.ORG_ID),
        one(
            "DeleteOrganization",
            app.DeleteOrganizationRequest(organization_id=d.ORG_ID),
            app.DeleteOrganizationResponse(),
        ),
        returns_none,
    )

    def members_and_invites(result: Any, tmp: Path) -> None:
        assert type(result) is tuple and len(result) == 2, f"expected a 2-tuple, got {result!r}"
        returns_list([d.member(), d.member("0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a", "lin@acme.example")])(result[0], tmp)
        returns_list([d.invite()])(result[1], tmp)

    add(
        "list_organization_members",
        "org",
        static(d.ORG_ID),
        one(
            "ListOrganizationMembers",
            app.ListOrganizationMembersRequest(organization_id=d.ORG_ID),
            app.ListOrganizationMembersResponse(
                organization_id=d.ORG_ID,
                members=[d.member(), d.member("0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a", "lin@acme.example")],
                invites=[d.invite()],
            ),
        ),
        members_and_invites,
    )
    add(
        "create_organization_invite",
        "defaults",
        static(d.ORG_ID, d.EMAIL),
        one(
            "CreateOrganizationInvite",
            app.CreateOrganizationInviteRequest(organization_id=d.ORG_ID, email=d.EMAIL, send_email_invite=True),
            app.CreateOrganizationInviteResponse(invite=d.invite()),
        ),
        returns(d.invite()),
    )
    add(
        "create_organization_invite",
        "authorizations, no email",
        lambda lib, tmp: (
            (d.ORG_ID, d.EMAIL),
            {"authorizations": [lib.message(AUTH_A), lib.message(AUTH_B)], "send_email_invite": False},
        ),
        one(
            "CreateOrganizationInvite",
            app.CreateOrganizationInviteRequest(
                organization_id=d.ORG_ID, email=d.EMAIL, authorizations=[AUTH_A, AUTH_B], send_email_invite=False
            ),
            app.CreateOrganizationInviteResponse(invite=d.invite()),
        ),
        returns(d.invite()),
    )
    add(
        "update_organization_invite_authorizations",
        "add+remove",
        lambda lib, tmp: (
            (),
            {
                "org_id": d.ORG_ID,
                "email": d.EMAIL,
                "add_authorizations": [lib.message(AUTH_B)],
                "remove_authorizations": [lib.message(AUTH_A)],
            },
        ),
        one(
            "UpdateOrganizationInviteAuthorizations",
            app.UpdateOrganizationInviteAuthorizationsRequest(
                organization_id=d.ORG_ID, email=d.EMAIL, add_authorizations=[AUTH_B], remove_authorizations=[AUTH_A]
            ),
            app.UpdateOrganizationInviteAuthorizationsResponse(invite=d.invite()),
        ),
        returns(d.invite()),
    )
    add(
        "delete_organization_member",
        "member",
        static(org_id=d.ORG_ID, user_id=d.USER_ID),
        one(
            "DeleteOrganizationMember",
            app.DeleteOrganizationMemberRequest(organization_id=d.ORG_ID, user_id=d.USER_ID),
            app.DeleteOrganizationMemberResponse(),
        ),
        returns_none,
    )
    add(
        "delete_organization_invite",
        "invite",
        static(d.ORG_ID, d.EMAIL),
        one(
            "DeleteOrganizationInvite",
            app.DeleteOrganizationInviteRequest(organization_id=d.ORG_ID, email=d.EMAIL),
            app.DeleteOrganizationInviteResponse(),
        ),
        returns_none,
    )
    add(
        "resend_organization_invite",
        "invite",
        static(d.ORG_ID, d.EMAIL),
        one(
            "ResendOrganizationInvite",
            app.ResendOrganizationInviteRequest(organization_id=d.ORG_ID, email=d.EMAIL),
            app.ResendOrganizationInviteResponse(invite=d.invite()),
        ),
        returns(d.invite()),
    )

    # locations
    add(
        "create_location",
        "with parent",
        static(org_id=d.ORG_ID, name="Robotville", parent_location_id=d.PARENT_LOC_ID),
        one(
            "CreateLocation",
            app.CreateLocationRequest(organization_id=d.ORG_ID, name="Robotville", parent_location_id=d.PARENT_LOC_ID),
            app.CreateLocationResponse(location=d.location(name="Robotville")),
        ),
        returns(d.location(name="Robotville")),
    )
    add(
        "create_location",
        "root",
        static(d.ORG_ID, "Robotville"),
        one(
            "CreateLocation",
            app.CreateLocationRequest(organization_id=d.ORG_ID, name="Robotville"),
            app.CreateLocationResponse(location=d.location(name="Robotville")),
        ),
        returns(d.location(name="Robotville")),
    )
    add(
        "get_location",
        "explicit",
        static(location_id=d.LOC_ID),
        one(
            "GetLocation", app.GetLocationRequest(location_id=d.LOC_ID), app.GetLocationResponse(location=d.location())
        ),
        returns(d.location()),
    )
    add(
        "get_location",
        "client default",
        static(),
        one(
            "GetLocation",
            app.GetLocationRequest(location_id=d.DEFAULT_LOC_ID),
            app.GetLocationResponse(location=d.location(d.DEFAULT_LOC_ID)),
        ),
        returns(d.location(d.DEFAULT_LOC_ID)),
        interop=False,
        uses_default_location=True,
    )
    add(
        "update_location",
        "rename",
        static(location_id=d.LOC_ID, name="Land Before Robots"),
        one(
            "UpdateLocation",
            app.UpdateLocationRequest(location_id=d.LOC_ID, name="Land Before Robots"),
            app.UpdateLocationResponse(location=d.location(name="Land Before Robots")),
        ),
        returns(d.location(name="Land Before Robots")),
    )
    add(
        "update_location",
        "move",
        static(d.LOC_ID, "", d.PARENT_LOC_ID),
        one(
            "UpdateLocation",
            app.UpdateLocationRequest(location_id=d.LOC_ID, name="", parent_location_id=d.PARENT_LOC_ID),
            app.UpdateLocationResponse(location=d.location()),
        ),
        returns(d.location()),
    )
    add(
        "delete_location",
        "location",
        static(location_id=d.LOC_ID),
        one("DeleteLocation", app.DeleteLocationRequest(location_id=d.LOC_ID), app.DeleteLocationResponse()),
        returns_none,
    )
    add(
        "list_locations",
        "org",
        static(d.ORG_ID),
        one(
            "ListLocations",
            app.ListLocationsRequest(organization_id=d.ORG_ID),
            app.ListLocationsResponse(locations=[d.location(), d.location(d.PARENT_LOC_ID, "HQ")]),
        ),
        returns_list([d.location(), d.location(d.PARENT_LOC_ID, "HQ")]),
    )
    for method, rpc, request, response in (
        ("share_location", "ShareLocation", app.ShareLocationRequest, app.ShareLocationResponse),
        ("unshare_location", "UnshareLocation", app.UnshareLocationRequest, app.UnshareLocationResponse),
    ):
        add(
            method,
            "positional",
            static(d.OTHER_ORG_ID, d.LOC_ID),
            one(rpc, request(location_id=d.LOC_ID, organization_id=d.OTHER_ORG_ID), response()),
            returns_none,
        )
    for method, rpc, request, response in (
        ("location_auth", "LocationAuth", app.LocationAuthRequest, app.LocationAuthResponse),
        (
            "create_location_secret",
            "CreateLocationSecret",
            app.CreateLocationSecretRequest,
            app.CreateLocationSecretResponse,
        ),
    ):
        add(
            method,
            "explicit",
            static(location_id=d.LOC_ID),
            one(rpc, request(location_id=d.LOC_ID), response(auth=d.location_auth())),
            returns(d.location_auth()),
        )
        add(
            method,
            "client default",
            static(),
            one(rpc, request(location_id=d.DEFAULT_LOC_ID), response(auth=d.location_auth(d.DEFAULT_LOC_ID))),
            returns(d.location_auth(d.DEFAULT_LOC_ID)),
            interop=False,
            uses_default_location=True,
        )
    add(
        "delete_location_secret",
        "explicit",
        static(secret_id=d.SECRET_ID, location_id=d.LOC_ID),
        one(
            "DeleteLocationSecret",
            app.DeleteLocationSecretRequest(location_id=d.LOC_ID, secret_id=d.SECRET_ID),
            app.DeleteLocationSecretResponse(),
        ),
        returns_none,
    )
    add(
        "delete_location_secret",
        "client default",
        static(d.SECRET_ID),
        one(
            "DeleteLocationSecret",
            app.DeleteLocationSecretRequest(location_id=d.DEFAULT_LOC_ID, secret_id=d.SECRET_ID),
            app.DeleteLocationSecretResponse(),
        ),
        returns_none,
        interop=False,
        uses_default_location=True,
    )

    # machines
    add(
        "get_robot",
        "robot",
        static(robot_id=d.ROBOT_ID),
        one("GetRobot", app.GetRobotRequest(id=d.ROBOT_ID), app.GetRobotResponse(robot=d.robot())),
        returns(d.robot()),
    )
    rentals = [
        app.RoverRentalRobot(
            robot_id=d.ROBOT_ID, location_id=d.LOC_ID, robot_name="rover-7", robot_main_part_id=d.PART_ID
        ),
        app.RoverRentalRobot(
            robot_id="2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091",
            location_id=d.LOC_ID,
            robot_name="rover-8",
            robot_main_part_id=d.PART2_ID,
        ),
    ]
    add(
        "get_rover_rental_robots",
        "org",
        static(d.ORG_ID),
        one(
            "GetRoverRentalRobots",
            app.GetRoverRentalRobotsRequest(org_id=d.ORG_ID),
            app.GetRoverRentalRobotsResponse(robots=rentals),
        ),
        returns_list(rentals),
    )

    def two_parts(result: Any, tmp: Path) -> None:
        assert type(result) is list and len(result) == 2, f"expected a list of 2 parts, got {result!r}"
        check_robot_part(result[0], d.robot_part_attrs())
        check_robot_part(result[1], d.robot_part_attrs(d.PART2_ID, "rover-7-arm", main=False))

    add(
        "get_robot_parts",
        "robot",
        static(robot_id=d.ROBOT_ID),
        one(
            "GetRobotParts",
            app.GetRobotPartsRequest(robot_id=d.ROBOT_ID),
            app.GetRobotPartsResponse(parts=[d.robot_part(), d.robot_part(d.PART2_ID, "rover-7-arm", main=False)]),
        ),
        two_parts,
    )
    part_reply = app.GetRobotPartResponse(part=d.robot_part(), config_json=d.config_json())
    add(
        "get_robot_part",
        "part",
        static(robot_part_id=d.PART_ID),
        one("GetRobotPart", app.GetRobotPartRequest(id=d.PART_ID), part_reply),
        returns_robot_part(d.robot_part_attrs()),
    )
    add(
        "get_robot_part",
        "dest, default indent",
        lambda lib, tmp: ((d.PART_ID,), {"dest": str(tmp / "rover-7.json")}),
        one("GetRobotPart", app.GetRobotPartRequest(id=d.PART_ID), part_reply),
        config_file("rover-7.json", 4),
        interop=False,
    )
    add(
        "get_robot_part",
        "dest, indent 2",
        lambda lib, tmp: ((d.PART_ID, str(tmp / "rover-7.json"), 2), {}),
        one("GetRobotPart", app.GetRobotPartRequest(id=d.PART_ID), part_reply),
        config_file("rover-7.json", 2),
        interop=False,
    )

    # logs
    add(
        "get_robot_part_logs",
        "defaults, one page",
        static(robot_part_id=d.PART_ID),
        one("GetRobotPartLogs", logs_request(""), logs_page([0, 1, 2], "")),
        returns_logs([0, 1, 2]),
    )
    add(
        "get_robot_part_logs",
        "all pages (num_log_entries=0)",
        static(d.PART_ID, filter="stall", log_levels=["error", "warn"], num_log_entries=0),
        [
            Exchange("GetRobotPartLogs", logs_request("", "stall", ["error", "warn"]), logs_page([0, 1, 2], "pg-2")),
            Exchange(
                "GetRobotPartLogs", logs_request("pg-2", "stall", ["error", "warn"]), logs_page([3, 4, 5], "pg-3")
            ),
            Exchange("GetRobotPartLogs", logs_request("pg-3", "stall", ["error", "warn"]), logs_page([6, 7], "")),
        ],
        returns_logs(range(8)),
    )
    add(
        "get_robot_part_logs",
        "stops at num_log_entries",
        static(d.PART_ID, num_log_entries=5),
        [
            Exchange("GetRobotPartLogs", logs_request(""), logs_page([0, 1, 2], "pg-2")),
            Exchange("GetRobotPartLogs", logs_request("pg-2"), logs_page([3, 4, 5], "pg-3")),
        ],
        returns_logs(range(5)),
    )
    add(
        "get_robot_part_logs",
        "dest",
        lambda lib, tmp: ((d.PART_ID,), {"dest": str(tmp / "rover-7.log")}),
        one("GetRobotPartLogs", logs_request(""), logs_page([0, 1, 2], "")),
        log_file("rover-7.log", [0, 1, 2]),
        interop=False,
    )
    add(
        "tail_robot_part_logs",
        "defaults (errors only)",
        static(d.PART_ID),
        one(
            "TailRobotPartLogs",
            app.TailRobotPartLogsRequest(id=d.PART_ID, errors_only=True, filter=""),
            [
                app.TailRobotPartLogsResponse(logs=[d.log_entry(0), d.log_entry(1)]),
                app.TailRobotPartLogsResponse(logs=[d.log_entry(2)]),
            ],
        ),
        tail_batches([[0, 1], [2]]),
    )
    add(
        "tail_robot_part_logs",
        "all levels, filter",
        static(robot_part_id=d.PART_ID, errors_only=False, filter="stall"),
        one(
            "TailRobotPartLogs",
            app.TailRobotPartLogsRequest(id=d.PART_ID, errors_only=False, filter="stall"),
            [app.TailRobotPartLogsResponse(logs=[d.log_entry(i) for i in range(3)])],
        ),
        tail_batches([[0, 1, 2]]),
    )

    def part_history(result: Any, tmp: Path) -> None:
        assert type(result) is list and len(result) == 2, f"expected a list of 2 entries, got {result!r}"
        first, second = result
        assert_attrs(first, fleetwire.RobotPartHistoryEntry, {"part": d.PART_ID, "robot": d.ROBOT_ID, "when": d.T3})
        check_robot_part(first.old, d.robot_part_attrs(name="rover-7-old"))
        assert_attrs(second, fleetwire.RobotPartHistoryEntry, {"part": d.PART_ID, "robot": d.ROBOT_ID, "when": d.T3})
        assert second.old is None

    add(
        "get_robot_part_history",
        "part",
        static(d.PART_ID),
        one(
            "GetRobotPartHistory",
            app.GetRobotPartHistoryRequest(id=d.PART_ID),
            app.GetRobotPartHistoryResponse(history=[d.part_history_entry(), d.part_history_entry(old=False)]),
        ),
        part_history,
    )
    add(
        "update_robot_part",
        "config",
        static(robot_part_id=d.PART_ID, name="rover-7-main", robot_config=d.ROBOT_CONFIG),
        one(
            "UpdateRobotPart",
            app.UpdateRobotPartRequest(id=d.PART_ID, name="rover-7-main", robot_config=d.struct(d.ROBOT_CONFIG)),
            app.UpdateRobotPartResponse(part=d.robot_part()),
        ),
        returns_robot_part(d.robot_part_attrs()),
    )
    add(
        "update_robot_part",
        "rename only",
        static(d.PART_ID, "rover-7-renamed"),
        one(
            "UpdateRobotPart",
            app.UpdateRobotPartRequest(id=d.PART_ID, name="rover-7-renamed"),
            app.UpdateRobotPartResponse(part=d.robot_part(name="rover-7-renamed")),
        ),
        returns_robot_part(d.robot_part_attrs(name="rover-7-renamed")),
    )
    add(
        "new_robot_part",
        "part",
        static(robot_id=d.ROBOT_ID, part_name="myNewSubPart"),
        one(
            "NewRobotPart",
            app.NewRobotPartRequest(robot_id=d.ROBOT_ID, part_name="myNewSubPart"),
            app.NewRobotPartResponse(part_id=d.PART2_ID),
        ),
        returns(d.PART2_ID),
    )
    for method, rpc, request, response in (
        ("delete_robot_part", "DeleteRobotPart", app.DeleteRobotPartRequest, app.DeleteRobotPartResponse),
        ("mark_part_as_main", "MarkPartAsMain", app.MarkPartAsMainRequest, app.MarkPartAsMainResponse),
        ("mark_part_for_restart", "MarkPartForRestart", app.MarkPartForRestartRequest, app.MarkPartForRestartResponse),
    ):
        add(
            method,
            "part",
            static(robot_part_id=d.PART_ID),
            one(rpc, request(part_id=d.PART_ID), response()),
            returns_none,
        )
    add(
        "get_robot_api_keys",
        "robot",
        static(robot_id=d.ROBOT_ID),
        one(
            "GetRobotAPIKeys",
            app.GetRobotApiKeysRequest(robot_id=d.ROBOT_ID),
            app.GetRobotApiKeysResponse(api_keys=[d.api_key_with_authorizations()]),
        ),
        returns_list([d.api_key_with_authorizations()]),
    )
    add(
        "create_robot_part_secret",
        "part",
        static(d.PART_ID),
        one(
            "CreateRobotPartSecret",
            app.CreateRobotPartSecretRequest(part_id=d.PART_ID),
            app.CreateRobotPartSecretResponse(part=d.robot_part()),
        ),
        returns_robot_part(d.robot_part_attrs()),
    )
    add(
        "delete_robot_part_secret",
        "secret",
        static(robot_part_id=d.PART_ID, secret_id=d.SECRET_ID),
        one(
            "DeleteRobotPartSecret",
            app.DeleteRobotPartSecretRequest(part_id=d.PART_ID, secret_id=d.SECRET_ID),
            app.DeleteRobotPartSecretResponse(),
        ),
        returns_none,
    )
    robots = [d.robot(), d.robot("2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091", "rover-8")]
    add(
        "list_robots",
        "explicit",
        static(location_id=d.LOC_ID),
        one("ListRobots", app.ListRobotsRequest(location_id=d.LOC_ID), app.ListRobotsResponse(robots=robots)),
        returns_list(robots),
    )
    add(
        "list_robots",
        "client default",
        static(),
        one("ListRobots", app.ListRobotsRequest(location_id=d.DEFAULT_LOC_ID), app.ListRobotsResponse(robots=robots)),
        returns_list(robots),
        interop=False,
        uses_default_location=True,
    )
    add(
        "new_robot",
        "explicit",
        static(name="beepboop", location_id=d.LOC_ID),
        one("NewRobot", app.NewRobotRequest(name="beepboop", location=d.LOC_ID), app.NewRobotResponse(id=d.ROBOT_ID)),
        returns(d.ROBOT_ID),
    )
    add(
        "new_robot",
        "client default",
        static("beepboop"),
        one(
            "NewRobot",
            app.NewRobotRequest(name="beepboop", location=d.DEFAULT_LOC_ID),
            app.NewRobotResponse(id=d.ROBOT_ID),
        ),
        returns(d.ROBOT_ID),
        interop=False,
        uses_default_location=True,
    )
    add(
        "update_robot",
        "explicit",
        static(robot_id=d.ROBOT_ID, name="Orange-Robot", location_id=d.LOC_ID),
        one(
            "UpdateRobot",
            app.UpdateRobotRequest(id=d.ROBOT_ID, name="Orange-Robot", location=d.LOC_ID),
            app.UpdateRobotResponse(robot=d.robot(name="Orange-Robot")),
        ),
        returns(d.robot(name="Orange-Robot")),
    )
    add(
        "update_robot",
        "client default",
        static(d.ROBOT_ID, "Orange-Robot"),
        one(
            "UpdateRobot",
            app.UpdateRobotRequest(id=d.ROBOT_ID, name="Orange-Robot", location=d.DEFAULT_LOC_ID),
            app.UpdateRobotResponse(robot=d.robot(name="Orange-Robot", location_id=d.DEFAULT_LOC_ID)),
        ),
        returns(d.robot(name="Orange-Robot", location_id=d.DEFAULT_LOC_ID)),
        interop=False,
        uses_default_location=True,
    )
    add(
        "delete_robot",
        "robot",
        static(robot_id=d.ROBOT_ID),
        one("DeleteRobot", app.DeleteRobotRequest(id=d.ROBOT_ID), app.DeleteRobotResponse()),
        returns_none,
    )

    # fragments
    fragments_reply = app.ListFragmentsResponse(
        fragments=[d.fragment(), d.fragment("22b22bc2-2345-6789-bcde-bcde12345678", app.FragmentVisibility.PRIVATE)]
    )

    def two_fragments(result: Any, tmp: Path) -> None:
        assert type(result) is list and len(result) == 2, f"expected a list of 2 fragments, got {result!r}"
        check_fragment(result[0], d.fragment_attrs())
        check_fragment(result[1], d.fragment_attrs("22b22bc2-2345-6789-bcde-bcde12345678", "private"))

    add(
        "list_fragments",
        "visibilities",
        lambda lib, tmp: (
            (),
            {"org_id": d.ORG_ID, "visibilities": [lib.visibility("private"), lib.visibility("public_unlisted")]},
        ),
        one(
            "ListFragments",
            app.ListFragmentsRequest(
                organization_id=d.ORG_ID,
                show_public=True,
                fragment_visibility=[app.FragmentVisibility.PRIVATE, app.FragmentVisibility.PUBLIC_UNLISTED],
            ),
            fragments_reply,
        ),
        two_fragments,
    )
    add(
        "list_fragments",
        "show_public=False",
        static(d.ORG_ID, False),
        one("ListFragments", app.ListFragmentsRequest(organization_id=d.ORG_ID, show_public=False), fragments_reply),
        two_fragments,
    )
    add(
        "get_fragment",
        "fragment",
        static(fragment_id=d.FRAGMENT_ID),
        one("GetFragment", app.GetFragmentRequest(id=d.FRAGMENT_ID), app.GetFragmentResponse(fragment=d.fragment())),
        returns_fragment(d.fragment_attrs()),
    )
    add(
        "create_fragment",
        "config",
        static(org_id=d.ORG_ID, name="wheeled-base", config=d.FRAGMENT_CONFIG),
        one(
            "CreateFragment",
            app.CreateFragmentRequest(
                name="wheeled-base", config=d.struct(d.FRAGMENT_CONFIG), organization_id=d.ORG_ID
            ),
            app.CreateFragmentResponse(fragment=d.fragment(visibility=app.FragmentVisibility.PRIVATE)),
        ),
        returns_fragment(d.fragment_attrs(visibility="private")),
    )
    add(
        "create_fragment",
        "no config",
        static(d.ORG_ID, "wheeled-base"),
        one(
            "CreateFragment",
            app.CreateFragmentRequest(name="wheeled-base", organization_id=d.ORG_ID),
            app.CreateFragmentResponse(fragment=d.fragment(visibility=app.FragmentVisibility.PRIVATE)),
        ),
        returns_fragment(d.fragment_attrs(visibility="private")),
    )
    add(
        "update_fragment",
        "config + visibility",
        lambda lib, tmp: (
            (d.FRAGMENT_ID, "better_name"),
            {"config": d.FRAGMENT_CONFIG, "visibility": lib.visibility("public_unlisted")},
        ),
        one(
            "UpdateFragment",
            app.UpdateFragmentRequest(
                id=d.FRAGMENT_ID,
                name="better_name",
                config=d.struct(d.FRAGMENT_CONFIG),
                visibility=app.FragmentVisibility.PUBLIC_UNLISTED,
            ),
            app.UpdateFragmentResponse(fragment=d.fragment()),
        ),
        returns_fragment(d.fragment_attrs()),
    )
    add(
        "update_fragment",
        "deprecated public",
        static(fragment_id=d.FRAGMENT_ID, name="better_name", public=True),
        one(
            "UpdateFragment",
            app.UpdateFragmentRequest(id=d.FRAGMENT_ID, name="better_name", public=True),
            app.UpdateFragmentResponse(fragment=d.fragment(visibility=app.FragmentVisibility.PUBLIC)),
        ),
        returns_fragment(d.fragment_attrs(visibility="public")),
    )
    add(
        "delete_fragment",
        "fragment",
        static(d.FRAGMENT_ID),
        one("DeleteFragment", app.DeleteFragmentRequest(id=d.FRAGMENT_ID), app.DeleteFragmentResponse()),
        returns_none,
    )

    def fragment_history(result: Any, tmp: Path) -> None:
        assert type(result) is list and len(result) == 1, f"expected a list of 1 entry, got {result!r}"
        entry = result[0]
        assert_attrs(
            entry,
            fleetwire.FragmentHistoryEntry,
            {"fragment": d.FRAGMENT_ID, "edited_on": d.T3, "edited_by": d.authenticator()},
        )
        check_fragment(entry.old, d.fragment_attrs(visibility="private"))

    history_reply = app.GetFragmentHistoryResponse(history=[d.fragment_history_entry()], next_page_token="hist-2")
    add(
        "get_fragment_history",
        "defaults",
        static(id=d.FRAGMENT_ID),
        one(
            "GetFragmentHistory",
            app.GetFragmentHistoryRequest(id=d.FRAGMENT_ID, page_token="", page_limit=10),
            history_reply,
        ),
        fragment_history,
    )
    add(
        "get_fragment_history",
        "page",
        static(d.FRAGMENT_ID, "pg-token", 25),
        one(
            "GetFragmentHistory",
            app.GetFragmentHistoryRequest(id=d.FRAGMENT_ID, page_token="pg-token", page_limit=25),
            history_reply,
        ),
        fragment_history,
    )

    # roles and permissions
    add(
        "add_role",
        "owner of location",
        static(org_id=d.ORG_ID, identity_id=d.USER_ID, role="owner", resource_type="location", resource_id=d.LOC_ID),
        one(
            "AddRole",
            app.AddRoleRequest(authorization=role_authorization("owner", "location", d.LOC_ID, d.USER_ID)),
            app.AddRoleResponse(),
        ),
        returns_none,
    )
    add(
        "remove_role",
        "operator of robot",
        static(d.ORG_ID, d.USER_ID, "operator", "robot", d.ROBOT_ID),
        one(
            "RemoveRole",
            app.RemoveRoleRequest(authorization=role_authorization("operator", "robot", d.ROBOT_ID, d.USER_ID)),
            app.RemoveRoleResponse(),
        ),
        returns_none,
    )
    add(
        "change_role",
        "operator to owner",
        static(
            organization_id=d.ORG_ID,
            old_identity_id=d.USER_ID,
            old_role="operator",
            old_resource_type="location",
            old_resource_id=d.LOC_ID,
            new_identity_id=d.USER_ID,
            new_role="owner",
            new_resource_type="organization",
            new_resource_id=d.ORG_ID,
        ),
        one(
            "ChangeRole",
            app.ChangeRoleRequest(
                old_authorization=role_authorization("operator", "location", d.LOC_ID, d.USER_ID),
                new_authorization=role_authorization("owner", "organization", d.ORG_ID, d.USER_ID),
            ),
            app.ChangeRoleResponse(),
        ),
        returns_none,
    )
    add(
        "list_authorizations",
        "resources",
        static(org_id=d.ORG_ID, resource_ids=[d.ROBOT_ID, d.LOC_ID]),
        one(
            "ListAuthorizations",
            app.ListAuthorizationsRequest(organization_id=d.ORG_ID, resource_ids=[d.ROBOT_ID, d.LOC_ID]),
            app.ListAuthorizationsResponse(authorizations=[AUTH_A, AUTH_B]),
        ),
        returns_list([AUTH_A, AUTH_B]),
    )
    add(
        "list_authorizations",
        "all resources",
        static(d.ORG_ID),
        one(
            "ListAuthorizations",
            app.ListAuthorizationsRequest(organization_id=d.ORG_ID),
            app.ListAuthorizationsResponse(authorizations=[AUTH_A]),
        ),
        returns_list([AUTH_A]),
    )
    granted = app.AuthorizedPermissions(
        resource_type="organization", resource_id=d.ORG_ID, permissions=["read_robot_logs"]
    )
    add(
        "check_permissions",
        "filtered",
        lambda lib, tmp: (([lib.message(PERMS)],), {}),
        one(
            "CheckPermissions",
            app.CheckPermissionsRequest(permissions=[PERMS]),
            app.CheckPermissionsResponse(authorized_permissions=[granted]),
        ),
        returns_list([granted]),
    )

    # registry
    add(
        "get_registry_item",
        "item",
        static(d.MODULE_ID),
        one(
            "GetRegistryItem",
            # The seed has no include_markdown_documentation parameter; the pinned official SDK always sends its
            # default (False, present on the wire), and the issue requires byte-identical requests.
            app.GetRegistryItemRequest(item_id=d.MODULE_ID, include_markdown_documentation=False),
            app.GetRegistryItemResponse(item=d.registry_item()),
        ),
        returns(d.registry_item()),
    )
    add(
        "create_registry_item",
        "module",
        static(d.ORG_ID, "hoverboard-base", packages.PackageType.MODULE),
        one(
            "CreateRegistryItem",
            app.CreateRegistryItemRequest(
                organization_id=d.ORG_ID, name="hoverboard-base", type=packages.PackageType.MODULE
            ),
            app.CreateRegistryItemResponse(),
        ),
        returns_none,
    )
    add(
        "update_registry_item",
        "module",
        static(d.MODULE_ID, packages.PackageType.ML_TRAINING, "description", app.Visibility.PUBLIC),
        one(
            "UpdateRegistryItem",
            app.UpdateRegistryItemRequest(
                item_id=d.MODULE_ID,
                type=packages.PackageType.ML_TRAINING,
                description="description",
                visibility=app.Visibility.PUBLIC,
            ),
            app.UpdateRegistryItemResponse(),
        ),
        returns_none,
    )
    items = [d.registry_item(), d.registry_item("acme:gripper")]
    add(
        "list_registry_items",
        "search + page",
        static(
            organization_id=d.ORG_ID,
            types=[packages.PackageType.MODULE, packages.PackageType.ML_TRAINING],
            visibilities=[app.Visibility.PRIVATE, app.Visibility.PUBLIC],
            platforms=["linux/arm64", "darwin/arm64"],
            statuses=[app.RegistryItemStatus.PUBLISHED],
            search_term="hover",
            page_token="pg-2",
        ),
        one(
            "ListRegistryItems",
            app.ListRegistryItemsRequest(
                organization_id=d.ORG_ID,
                types=[packages.PackageType.MODULE, packages.PackageType.ML_TRAINING],
                visibilities=[app.Visibility.PRIVATE, app.Visibility.PUBLIC],
                platforms=["linux/arm64", "darwin/arm64"],
                statuses=[app.RegistryItemStatus.PUBLISHED],
                search_term="hover",
                page_token="pg-2",
            ),
            app.ListRegistryItemsResponse(items=items),
        ),
        returns_list(items),
    )
    add(
        "list_registry_items",
        "all public linux modules",
        static(
            "",
            [packages.PackageType.MODULE],
            [app.Visibility.PUBLIC],
            ["linux/any"],
            [app.RegistryItemStatus.PUBLISHED],
        ),
        one(
            "ListRegistryItems",
            app.ListRegistryItemsRequest(
                organization_id="",
                types=[packages.PackageType.MODULE],
                visibilities=[app.Visibility.PUBLIC],
                platforms=["linux/any"],
                statuses=[app.RegistryItemStatus.PUBLISHED],
                search_term="",
                page_token="",
            ),
            app.ListRegistryItemsResponse(items=items[:1]),
        ),
        returns_list(items[:1]),
    )
    add(
        "delete_registry_item",
        "item",
        static(d.MODULE_ID),
        one("DeleteRegistryItem", app.DeleteRegistryItemRequest(item_id=d.MODULE_ID), app.DeleteRegistryItemResponse()),
        returns_none,
    )

    # modules
    add(
        "create_module",
        "module",
        static(org_id=d.ORG_ID, name="hoverboard-base"),
        one(
            "CreateModule",
            app.CreateModuleRequest(organization_id=d.ORG_ID, name="hoverboard-base"),
            app.CreateModuleResponse(module_id=d.MODULE_ID, url=d.MODULE_URL),
        ),
        returns_pair(d.MODULE_ID, d.MODULE_URL),
    )
    add(
        "update_module",
        "private (default)",
        lambda lib, tmp: (
            (),
            {
                "module_id": d.MODULE_ID,
                "url": "https://docsformymodule.viam.com",
                "models": [lib.message(d.model())],
                "description": "A base to support hoverboards.",
                "entrypoint": "exec",
            },
        ),
        one(
            "UpdateModule",
            app.UpdateModuleRequest(
                module_id=d.MODULE_ID,
                visibility=app.Visibility.PRIVATE,
                url="https://docsformymodule.viam.com",
                description="A base to support hoverboards.",
                models=[d.model()],
                entrypoint="exec",
            ),
            app.UpdateModuleResponse(url=d.MODULE_URL),
        ),
        returns(d.MODULE_URL),
    )
    add(
        "update_module",
        "public, no models",
        static(d.MODULE_ID, "https://docsformymodule.viam.com", "A base.", None, "bin/hoverboard", True),
        one(
            "UpdateModule",
            app.UpdateModuleRequest(
                module_id=d.MODULE_ID,
                visibility=app.Visibility.PUBLIC,
                url="https://docsformymodule.viam.com",
                description="A base.",
                entrypoint="bin/hoverboard",
            ),
            app.UpdateModuleResponse(url=d.MODULE_URL),
        ),
        returns(d.MODULE_URL),
    )
    add(
        "upload_module_file",
        "file",
        lambda lib, tmp: ((), {"module_file_info": lib.message(FILE_INFO), "file": MODULE_BYTES}),
        one(
            "UploadModuleFile",
            (app.UploadModuleFileRequest(module_file_info=FILE_INFO), app.UploadModuleFileRequest(file=MODULE_BYTES)),
            app.UploadModuleFileResponse(url=f"{d.MODULE_URL}/1.2.0/linux-arm64.tar.gz"),
        ),
        returns(f"{d.MODULE_URL}/1.2.0/linux-arm64.tar.gz"),
    )
    add(
        "get_module",
        "module",
        static(module_id=d.MODULE_ID),
        one("GetModule", app.GetModuleRequest(module_id=d.MODULE_ID), app.GetModuleResponse(module=d.module())),
        returns(d.module()),
    )
    modules = [d.module(), d.module("acme:gripper")]
    add(
        "list_modules",
        "org",
        static(d.ORG_ID),
        one("ListModules", app.ListModulesRequest(organization_id=d.ORG_ID), app.ListModulesResponse(modules=modules)),
        returns_list(modules),
    )

    # API keys
    add(
        "create_key",
        "named",
        lambda lib, tmp: (
            (
                d.ORG_ID,
                [
                    lib.api_key_authorization("owner", "robot", d.ROBOT_ID),
                    lib.api_key_authorization("operator", "location", d.LOC_ID),
                ],
            ),
            {"name": "ci-deploy-key"},
        ),
        one(
            "CreateKey",
            app.CreateKeyRequest(
                authorizations=[
                    key_authorization("owner", "robot", d.ROBOT_ID),
                    key_authorization("operator", "location", d.LOC_ID),
                ],
                name="ci-deploy-key",
            ),
            app.CreateKeyResponse(key=d.NEW_KEY, id=d.NEW_KEY_ID),
        ),
        returns_pair(d.NEW_KEY, d.NEW_KEY_ID),
    )
    add(
        "create_key",
        "unnamed",
        lambda lib, tmp: (
            (),
            {"org_id": d.ORG_ID, "authorizations": [lib.api_key_authorization("owner", "organization", d.ORG_ID)]},
        ),
        one("CreateKey", named_after_now, app.CreateKeyResponse(key=d.NEW_KEY, id=d.NEW_KEY_ID)),
        returns_pair(d.NEW_KEY, d.NEW_KEY_ID),
        interop=False,  # the name is the current time: not the same bytes twice
    )
    add(
        "delete_key",
        "key",
        static(d.KEY_ID),
        one("DeleteKey", app.DeleteKeyRequest(id=d.KEY_ID), app.DeleteKeyResponse()),
        returns_none,
    )
    add(
        "create_key_from_existing_key_authorizations",
        "key",
        static(id=d.KEY_ID),
        one(
            "CreateKeyFromExistingKeyAuthorizations",
            app.CreateKeyFromExistingKeyAuthorizationsRequest(id=d.KEY_ID),
            app.CreateKeyFromExistingKeyAuthorizationsResponse(id=d.NEW_KEY_ID, key=d.NEW_KEY),
        ),
        returns_pair(d.NEW_KEY, d.NEW_KEY_ID),
    )
    add(
        "list_keys",
        "org",
        static(org_id=d.ORG_ID),
        one(
            "ListKeys",
            app.ListKeysRequest(org_id=d.ORG_ID),
            app.ListKeysResponse(api_keys=[d.api_key_with_authorizations()]),
        ),
        returns_list([d.api_key_with_authorizations()]),
    )
    add(
        "rotate_key",
        "key",
        static(d.KEY_ID),
        one(
            "RotateKey",
            app.RotateKeyRequest(id=d.KEY_ID),
            app.RotateKeyResponse(id=d.KEY_ID, key="r0tat3d-k3y-000000000000secret"),
        ),
        # seed 001 `:returns: The API key and API key id` (the example's `id, key = ...` names disagree; the rtype text,
        # create_key and create_key_from_existing_key_authorizations all say key first)
        returns_pair("r0tat3d-k3y-000000000000secret", d.KEY_ID),
    )
    return c


CASES: tuple[Case, ...] = tuple(_cases())


def cases_for(method: str) -> list[Case]:
    return [case for case in CASES if case.method == method]

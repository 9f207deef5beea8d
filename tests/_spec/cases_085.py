"""Spec cases for what viam-sdk 0.85.1's `AppClient` has beyond the 70 methods of tests/_spec/cases.py: its 24 added
methods and the optional parameters it added to older ones.

The expected requests are what the pinned official SDK sends for the same call (tests/test_client_085.py checks the
official client against them, and our bytes against the official's); the expected results are what the official
docstrings describe (a dict for metadata, a list of `FavoriteMachine`, the `CreateOAuthAppUserResponse` itself, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import fleetwire
from fleetwire_api.google.protobuf import Value
from fleetwire_api.viam.app import v1 as app

from . import data as d
from .cases import (
    Call,
    Case,
    Check,
    Exchange,
    returns,
    returns_fragment,
    returns_list,
    returns_logs,
    returns_none,
    returns_robot_part,
    static,
)
from .server import Reply

METADATA = {"owner": "ops", "shift": 2.0, "tags": ["night", "dock-4"], "nested": {"ok": True, "none": None}}
APP_ID = "1:1234567890:android:abcdef"
DEVICE_UUID = "5d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a"
DEVICE_TOKEN = "fcm-t0ken-0000000000000000000000secret"
FIREBASE_JSON = '{"type": "service_account", "project_id": "acme-fleet"}'
OAUTH_APP_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
LAST_UPDATED = d.T3
FAVORITE = app.FavoriteMachine(machine=d.robot(), organization_id=d.ORG_ID, created_on=d.T1)
FRAGMENT_IMPORT = app.FragmentImport(fragment_id=d.FRAGMENT_ID, version="3")
CONFIG_JSON = '{"components": [], "services": [], "network": {"bind_address": ":8080"}}'


def _value(python: Any) -> Value:
    from fleetwire._convert import to_value

    return to_value(python)


def _part_with_update() -> app.RobotPart:
    part = d.robot_part()
    part.last_updated = LAST_UPDATED
    part.robot_config_json = CONFIG_JSON
    return part


def _fragment_with_update() -> app.Fragment:
    fragment = d.fragment()
    fragment.last_updated = LAST_UPDATED
    return fragment


def _returns_metadata(result: Any, tmp: Any) -> None:
    assert isinstance(result, dict), f"expected a dict, got {type(result).__name__}"
    assert result == METADATA


def _cases() -> list[Case]:
    c: list[Case] = []

    def add(method: str, label: str, call: Call, rpc: str, expect: Any, reply: Reply, check: Check) -> None:
        c.append(Case(method, label, call, (Exchange(rpc, expect, reply),), check))

    # metadata: organizations, locations, machines, parts
    for part, param, value, req, field in (
        ("organization", "org_id", d.ORG_ID, "Organization", "organization_id"),
        ("location", "location_id", d.LOC_ID, "Location", "location_id"),
        ("robot", "robot_id", d.ROBOT_ID, "Robot", "id"),
        ("robot_part", "robot_part_id", d.PART_ID, "RobotPart", "id"),
    ):
        get_request = getattr(app, f"Get{req}MetadataRequest")(**{field: value})
        get_reply = getattr(app, f"Get{req}MetadataResponse")(data=d.struct(METADATA))
        add(
            f"get_{part}_metadata",
            "metadata",
            static(value),
            f"Get{req}Metadata",
            get_request,
            get_reply,
            _returns_metadata,
        )
        empty_reply = getattr(app, f"Get{req}MetadataResponse")()
        add(
            f"get_{part}_metadata",
            "none set",
            static(**{param: value}),
            f"Get{req}Metadata",
            get_request,
            empty_reply,
            returns({}),
        )
        update_request = getattr(app, f"Update{req}MetadataRequest")(**{field: value}, data=d.struct(METADATA))
        update_reply = getattr(app, f"Update{req}MetadataResponse")()
        add(
            f"update_{part}_metadata",
            "metadata",
            static(value, METADATA),
            f"Update{req}Metadata",
            update_request,
            update_reply,
            returns_none,
        )
        cleared = getattr(app, f"Update{req}MetadataRequest")(**{field: value}, data=d.struct({}))
        add(
            f"update_{part}_metadata",
            "cleared",
            static(**{param: value, "metadata": {}}),
            f"Update{req}Metadata",
            cleared,
            update_reply,
            returns_none,
        )

    # favourite machines
    add(
        "add_favorite_machine",
        "machine",
        static(d.ROBOT_ID),
        "AddFavoriteMachine",
        app.AddFavoriteMachineRequest(machine_id=d.ROBOT_ID),
        app.AddFavoriteMachineResponse(),
        returns_none,
    )
    add(
        "list_favorite_machines",
        "two",
        static(),
        "ListFavoriteMachines",
        app.ListFavoriteMachinesRequest(),
        app.ListFavoriteMachinesResponse(favorites=[FAVORITE, FAVORITE]),
        returns_list([FAVORITE, FAVORITE]),
    )
    add(
        "list_favorite_machines",
        "with timeout",
        static(timeout=5.0),
        "ListFavoriteMachines",
        app.ListFavoriteMachinesRequest(),
        app.ListFavoriteMachinesResponse(),
        returns_list([]),
    )
    add(
        "remove_favorite_machine",
        "machine",
        static(machine_id=d.ROBOT_ID),
        "RemoveFavoriteMachine",
        app.RemoveFavoriteMachineRequest(machine_id=d.ROBOT_ID),
        app.RemoveFavoriteMachineResponse(),
        returns_none,
    )

    # registry deprecation
    add(
        "deprecate_registry_item",
        "item",
        static(d.MODULE_ID, "use acme:hoverboard-v2"),
        "DeprecateRegistryItem",
        app.DeprecateRegistryItemRequest(item_id=d.MODULE_ID, message="use acme:hoverboard-v2"),
        app.DeprecateRegistryItemResponse(),
        returns_none,
    )
    add(
        "undeprecate_registry_item",
        "item",
        static(item_id=d.MODULE_ID),
        "UndeprecateRegistryItem",
        app.UndeprecateRegistryItemRequest(item_id=d.MODULE_ID),
        app.UndeprecateRegistryItemResponse(),
        returns_none,
    )
    add(
        "deprecate_registry_item_version",
        "version",
        static(d.MODULE_ID, "1.2.0", "stalls on start"),
        "DeprecateRegistryItemVersion",
        app.DeprecateRegistryItemVersionRequest(item_id=d.MODULE_ID, version="1.2.0", message="stalls on start"),
        app.DeprecateRegistryItemVersionResponse(),
        returns_none,
    )
    add(
        "undeprecate_registry_item_version",
        "version",
        static(d.MODULE_ID, version="1.2.0"),
        "UndeprecateRegistryItemVersion",
        app.UndeprecateRegistryItemVersionRequest(item_id=d.MODULE_ID, version="1.2.0"),
        app.UndeprecateRegistryItemVersionResponse(),
        returns_none,
    )

    # device push tokens and Firebase configs
    add(
        "upload_device_push_token",
        "token",
        static(APP_ID, DEVICE_TOKEN, DEVICE_UUID),
        "UploadDevicePushToken",
        app.UploadDevicePushTokenRequest(app_id=APP_ID, device_token=DEVICE_TOKEN, device_uuid=DEVICE_UUID),
        app.UploadDevicePushTokenResponse(),
        returns_none,
    )
    add(
        "get_device_push_tokens",
        "two",
        static(APP_ID),
        "GetDevicePushTokens",
        app.GetDevicePushTokensRequest(app_id=APP_ID),
        app.GetDevicePushTokensResponse(device_tokens=[DEVICE_TOKEN, "second"]),
        returns([DEVICE_TOKEN, "second"]),
    )
    add(
        "delete_device_push_token",
        "token",
        static(APP_ID, DEVICE_UUID),
        "DeleteDevicePushToken",
        app.DeleteDevicePushTokenRequest(app_id=APP_ID, device_uuid=DEVICE_UUID),
        app.DeleteDevicePushTokenResponse(),
        returns_none,
    )
    add(
        "set_firebase_config",
        "config",
        static(d.ORG_ID, APP_ID, FIREBASE_JSON),
        "SetFirebaseConfig",
        app.SetFirebaseConfigRequest(org_id=d.ORG_ID, app_id=APP_ID, config_json=FIREBASE_JSON),
        app.SetFirebaseConfigResponse(),
        returns_none,
    )
    add(
        "get_firebase_config",
        "app id",
        static(d.ORG_ID),
        "GetFirebaseConfig",
        app.GetFirebaseConfigRequest(org_id=d.ORG_ID),
        app.GetFirebaseConfigResponse(app_id=APP_ID),
        returns(APP_ID),
    )
    add(
        "delete_firebase_config",
        "config",
        static(org_id=d.ORG_ID, app_id=APP_ID),
        "DeleteFirebaseConfig",
        app.DeleteFirebaseConfigRequest(org_id=d.ORG_ID, app_id=APP_ID),
        app.DeleteFirebaseConfigResponse(),
        returns_none,
    )

    # OAuth app users
    created = app.CreateOAuthAppUserResponse(
        auth_token="auth-t0ken-secret", registration_id="reg-1", user_id=d.USER_ID, refresh_token="refresh-secret"
    )
    add(
        "create_oauth_app_user",
        "user",
        static(d.ORG_ID, OAUTH_APP_ID, d.EMAIL, "Grace", "Hopper", "c0b0l-rules"),
        "CreateOAuthAppUser",
        app.CreateOAuthAppUserRequest(
            org_id=d.ORG_ID,
            application_id=OAUTH_APP_ID,
            email=d.EMAIL,
            first_name="Grace",
            last_name="Hopper",
            password="c0b0l-rules",
        ),
        created,
        returns(created),
    )

    # machines of several locations
    robots = [d.robot(), d.robot("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "rover-8", d.PARENT_LOC_ID)]
    add(
        "list_robots_for_locations",
        "two locations",
        static([d.LOC_ID, d.PARENT_LOC_ID]),
        "ListRobotsForLocations",
        app.ListRobotsForLocationsRequest(location_ids=[d.LOC_ID, d.PARENT_LOC_ID]),
        app.ListRobotsForLocationsResponse(robots=robots),
        returns_list(robots),
    )

    # config properties by path
    changes = {"components[0].attributes.max_rpm": 250, 'network["bind.address"]': ":9090", "services": []}
    results = [
        app.ConfigPropertyChangeResult(path=path, value=_value(value), success=True) for path, value in changes.items()
    ]
    add(
        "set_config_property",
        "three paths",
        static(d.PART_ID, changes),
        "SetConfigProperty",
        app.SetConfigPropertyRequest(
            robot_part_id=d.PART_ID,
            property_changes=[app.ConfigPropertyChange(path=p, value=_value(v)) for p, v in changes.items()],
        ),
        app.SetConfigPropertyResponse(property_changes=results),
        returns_list(results),
    )

    # 0.85.1's optional parameters of older methods
    add(
        "get_robot_part_logs",
        "time range, order and range",
        static(d.PART_ID, num_log_entries=3, start=d.T0, end=d.T2, order=app.LogOrder.ASCENDING.value, range="1h"),
        "GetRobotPartLogs",
        app.GetRobotPartLogsRequest(
            id=d.PART_ID,
            filter="",
            page_token="",
            levels=[],
            start=d.T0,
            end=d.T2,
            order=app.LogOrder.ASCENDING,
            range="1h",
        ),
        app.GetRobotPartLogsResponse(logs=[d.log_entry(i) for i in range(3)], next_page_token="p2"),
        returns_logs([0, 1, 2]),
    )
    add(
        "update_robot_part",
        "last_known_update and config JSON",
        static(d.PART_ID, "rover-7-main", d.ROBOT_CONFIG, LAST_UPDATED, CONFIG_JSON),
        "UpdateRobotPart",
        app.UpdateRobotPartRequest(
            id=d.PART_ID,
            name="rover-7-main",
            robot_config=d.struct(d.ROBOT_CONFIG),
            last_known_update=LAST_UPDATED,
            robot_config_json=CONFIG_JSON,
        ),
        app.UpdateRobotPartResponse(part=_part_with_update()),
        returns_robot_part(d.robot_part_attrs() | {"last_updated": LAST_UPDATED, "robot_config_json": CONFIG_JSON}),
    )
    add(
        "get_fragment",
        "version",
        static(d.FRAGMENT_ID, "3"),
        "GetFragment",
        app.GetFragmentRequest(id=d.FRAGMENT_ID, version="3"),
        app.GetFragmentResponse(fragment=_fragment_with_update()),
        returns_fragment(d.fragment_attrs() | {"last_updated": LAST_UPDATED}),
    )
    add(
        "update_fragment",
        "last_known_update",
        static(d.FRAGMENT_ID, "wheeled-base", last_known_update=LAST_UPDATED),
        "UpdateFragment",
        app.UpdateFragmentRequest(id=d.FRAGMENT_ID, name="wheeled-base", last_known_update=LAST_UPDATED),
        app.UpdateFragmentResponse(fragment=_fragment_with_update()),
        returns_fragment(d.fragment_attrs() | {"last_updated": LAST_UPDATED}),
    )
    add(
        "get_registry_item",
        "with documentation",
        static(d.MODULE_ID, include_markdown_documentation=True),
        "GetRegistryItem",
        app.GetRegistryItemRequest(item_id=d.MODULE_ID, include_markdown_documentation=True),
        app.GetRegistryItemResponse(item=d.registry_item()),
        returns(d.registry_item()),
    )
    add(
        "get_robot_part_history",
        "time range and page limit",
        static(d.PART_ID, start=d.T0, end=d.T3, page_limit=2),
        "GetRobotPartHistory",
        app.GetRobotPartHistoryRequest(id=d.PART_ID, start=d.T0, end=d.T3, page_limit=2),
        app.GetRobotPartHistoryResponse(history=[d.part_history_entry()], next_page_token="more"),
        _returns_history(1),
    )
    c.append(
        Case(
            "update_organization",
            "default fragments",
            lambda lib, tmp: ((d.ORG_ID,), {"default_fragments": [lib.message(FRAGMENT_IMPORT)]}),
            (
                Exchange(
                    "UpdateOrganization",
                    app.UpdateOrganizationRequest(
                        organization_id=d.ORG_ID, default_fragments=app.FragmentImportList(fragments=[FRAGMENT_IMPORT])
                    ),
                    app.UpdateOrganizationResponse(organization=d.organization()),
                ),
            ),
            returns(d.organization()),
        )
    )
    return c


def _returns_history(count: int) -> Check:
    def check(result: Any, tmp: Any) -> None:
        assert type(result) is list and len(result) == count
        assert all(isinstance(entry, fleetwire.RobotPartHistoryEntry) for entry in result)
        assert result[0].old.name == "rover-7-old"

    return check


CASES_085: tuple[Case, ...] = tuple(_cases())


def cases_085_for(method: str) -> Sequence[Case]:
    return [case for case in CASES_085 if case.method == method]

"""Realistic fleet data for the recording server: ids shaped like the hosted service's, timestamps with microseconds,
nested messages and machine configs as Structs. Each wrapper's expected Python attributes are written out from the
same constants (never computed by the code under test)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from fleetwire_api.google.protobuf import Struct
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.app.packages import v1 as packages
from fleetwire_api.viam.common import v1 as common

ORG_ID = "7a1c2e4f-58b9-4d3e-a6f0-91c2b3d4e5f6"
OTHER_ORG_ID = "c0ffee00-1234-4abc-9def-0123456789ab"
LOC_ID = "xk3r9q2m1d"
PARENT_LOC_ID = "xyz34xxxxx"
DEFAULT_LOC_ID = "d3fau1tl0c"  # the location the clients are constructed with
ROBOT_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
PART_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
PART2_ID = "0b1c2d3e-4f50-4617-a829-3a4b5c6d7e8f"
USER_ID = "4b7e1f0a-22c9-4d8b-9e3f-5a6b7c8d9e0f"
FRAGMENT_ID = "12a12ab1-1234-5678-abcd-abcd01234567"
SECRET_ID = "123xyz12-abcd-4321-12ab-12xy1xyz12xy"
KEY_ID = "a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d"
KEY = "k3y0000000000000000000000000secret"
NEW_KEY_ID = "f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f1a0b"
NEW_KEY = "n3wk3y00000000000000000000000secret"
MODULE_ID = "acme:hoverboard-base"
MODULE_URL = "https://app.viam.com/module/acme/hoverboard-base"
EMAIL = "grace@acme.example"

UTC = timezone.utc
T0 = datetime(2023, 11, 2, 9, 15, 0, 125000, tzinfo=UTC)
T1 = datetime(2024, 1, 17, 22, 4, 31, 500000, tzinfo=UTC)
T2 = datetime(2024, 3, 9, 16, 45, 12, 345678, tzinfo=UTC)
T3 = datetime(2024, 3, 10, 8, 0, 0, 1000, tzinfo=UTC)

ROBOT_CONFIG: dict[str, Any] = {
    "components": [
        {
            "name": "left-wheel",
            "type": "motor",
            "model": "gpio",
            "attributes": {"pins": {"pwm": "12", "dir": "11"}, "max_rpm": 300.0, "encoder": None},
            "depends_on": ["local-board"],
        },
        {"name": "local-board", "type": "board", "model": "pi", "attributes": {}},
    ],
    "services": [],
    "network": {"bind_address": ":8080", "tls": False},
}
USER_SUPPLIED_INFO: dict[str, Any] = {"owner": "ops", "rack": 4.0, "tags": ["warehouse", "night-shift"]}
FRAGMENT_CONFIG: dict[str, Any] = {
    "components": [{"name": "base", "type": "base", "model": "wheeled", "attributes": {"width_mm": 380.0}}],
    "modules": [{"type": "registry", "name": "acme_hoverboard", "module_id": MODULE_ID, "version": "1.2.0"}],
}
CALLER: dict[str, Any] = {
    "Defined": True,
    "File": "resource_manager.go",
    "Line": 412.0,
    "Function": "rdk.(*manager).Add",
}


def struct(value: dict[str, Any]) -> Struct:
    return Struct.from_dict(value)


# --- organizations -------------------------------------------------------------------------------------------------


def organization(org_id: str = ORG_ID, name: str = "Acme Robotics") -> app.Organization:
    return app.Organization(
        id=org_id, name=name, created_on=T0, public_namespace="acme", default_region="us-east", cid="crm-0042"
    )


def authorization(
    resource_type: str = "location", resource_id: str = LOC_ID, role: str = "owner", identity_id: str = USER_ID
) -> app.Authorization:
    return app.Authorization(
        authorization_type="role",
        authorization_id=f"{resource_type}_{role}",
        resource_type=resource_type,
        resource_id=resource_id,
        identity_id=identity_id,
        organization_id=ORG_ID,
        identity_type="user",
    )


def invite(email: str = EMAIL) -> app.OrganizationInvite:
    return app.OrganizationInvite(
        organization_id=ORG_ID,
        email=email,
        created_on=T1,
        authorizations=[authorization(), authorization("robot", ROBOT_ID, "operator")],
    )


def member(user_id: str = USER_ID, email: str = "ada@acme.example") -> app.OrganizationMember:
    return app.OrganizationMember(user_id=user_id, emails=[email], date_added=T0, last_login=T2, last_access=T3)


# --- locations ------------------------------------------------------------------------------------------------------


def shared_secret(secret_id: str = SECRET_ID, secret: str = "s3cr3t-0f-th3-l0cat10n") -> app.SharedSecret:
    return app.SharedSecret(id=secret_id, secret=secret, created_on=T1, state=app.SharedSecretState.ENABLED)


def location_auth(location_id: str = LOC_ID) -> app.LocationAuth:
    return app.LocationAuth(
        location_id=location_id,
        secrets=[shared_secret(), shared_secret("9d8c7b6a-0000-4111-8222-333344445555", "an0th3r-s3cr3t")],
    )


def location(location_id: str = LOC_ID, name: str = "Warehouse 7") -> app.Location:
    return app.Location(
        id=location_id,
        name=name,
        parent_location_id=PARENT_LOC_ID,
        auth=location_auth(location_id),
        organizations=[app.LocationOrganization(organization_id=ORG_ID, primary=True)],
        created_on=T0,
        robot_count=3,
        config=app.StorageConfig(region="us-east"),
    )


# --- machines and parts ---------------------------------------------------------------------------------------------


def robot(robot_id: str = ROBOT_ID, name: str = "rover-7", location_id: str = LOC_ID) -> app.Robot:
    return app.Robot(id=robot_id, name=name, location=location_id, last_access=T2, created_on=T0)


def robot_part(part_id: str = PART_ID, name: str = "rover-7-main", main: bool = True) -> app.RobotPart:
    return app.RobotPart(
        id=part_id,
        name=name,
        dns_name=f"{name}.{LOC_ID}",
        secret="p4rt-s3cr3t",
        robot=ROBOT_ID,
        location_id=LOC_ID,
        robot_config=struct(ROBOT_CONFIG),
        last_access=T2,
        user_supplied_info=struct(USER_SUPPLIED_INFO),
        main_part=main,
        fqdn=f"{name}.{LOC_ID}.viam.cloud",
        local_fqdn=f"{name}.{LOC_ID}.local.viam.cloud",
        created_on=T0,
        secrets=[shared_secret("5e6f7a8b-1111-4222-8333-444455556666", "p4rt-s3cr3t")],
    )


def robot_part_attrs(part_id: str = PART_ID, name: str = "rover-7-main", main: bool = True) -> dict[str, Any]:
    """Seed 001's `RobotPart` attributes for `robot_part(part_id, name, main)`."""
    return {
        "id": part_id,
        "name": name,
        "dns_name": f"{name}.{LOC_ID}",
        "secret": "p4rt-s3cr3t",
        "robot": ROBOT_ID,
        "location_id": LOC_ID,
        "robot_config": ROBOT_CONFIG,
        "last_access": T2,
        "user_supplied_info": USER_SUPPLIED_INFO,
        "main_part": main,
        "fqdn": f"{name}.{LOC_ID}.viam.cloud",
        "local_fqdn": f"{name}.{LOC_ID}.local.viam.cloud",
        "created_on": T0,
        "secrets": [shared_secret("5e6f7a8b-1111-4222-8333-444455556666", "p4rt-s3cr3t")],
    }


def config_json() -> str:
    return json.dumps(ROBOT_CONFIG)


def log_entry(i: int, level: str = "error") -> common.LogEntry:
    return common.LogEntry(
        host="rover-7-main",
        level=level,
        time=T2 + timedelta(seconds=i, microseconds=7),
        logger_name="rdk.resource_manager",
        message=f"motor left-wheel: stall detected (sample {i})",
        caller=struct(CALLER),
        stack="goroutine 1 [running]:" if level == "error" else "",
        fields=[struct({"resource": "rdk:component:motor/left-wheel", "attempt": float(i)})],
    )


def log_entry_attrs(i: int, level: str = "error") -> dict[str, Any]:
    """Seed 001's `LogEntry` attributes for `log_entry(i, level)`."""
    return {
        "host": "rover-7-main",
        "level": level,
        "time": T2 + timedelta(seconds=i, microseconds=7),
        "logger_name": "rdk.resource_manager",
        "message": f"motor left-wheel: stall detected (sample {i})",
        "caller": CALLER,
        "stack": "goroutine 1 [running]:" if level == "error" else "",
        "fields": [{"resource": "rdk:component:motor/left-wheel", "attempt": float(i)}],
    }


def part_history_entry(old: bool = True) -> app.RobotPartHistoryEntry:
    return app.RobotPartHistoryEntry(
        part=PART_ID, robot=ROBOT_ID, when=T3, old=robot_part(name="rover-7-old") if old else None
    )


def api_key_with_authorizations() -> app.ApiKeyWithAuthorizations:
    return app.ApiKeyWithAuthorizations(
        api_key=app.ApiKey(id=KEY_ID, key=KEY, name="ci-deploy-key", created_on=T1),
        authorizations=[
            app.AuthorizationDetails(
                authorization_type="role",
                authorization_id="robot_operator",
                resource_type="robot",
                resource_id=ROBOT_ID,
                org_id=ORG_ID,
            )
        ],
    )


# --- fragments ------------------------------------------------------------------------------------------------------


def fragment(
    fragment_id: str = FRAGMENT_ID, visibility: app.FragmentVisibility = app.FragmentVisibility.PUBLIC_UNLISTED
) -> app.Fragment:
    return app.Fragment(
        id=fragment_id,
        name="wheeled-base",
        fragment=struct(FRAGMENT_CONFIG),
        organization_owner=ORG_ID,
        public=visibility == app.FragmentVisibility.PUBLIC,
        created_on=T0,
        organization_name="Acme Robotics",
        robot_part_count=12,
        organization_count=2,
        only_used_by_owner=False,
        visibility=visibility,
    )


def fragment_attrs(fragment_id: str = FRAGMENT_ID, visibility: str = "public_unlisted") -> dict[str, Any]:
    """Seed 001's `Fragment` attributes for `fragment(...)`; `visibility` is the `Fragment.Visibility` value."""
    return {
        "id": fragment_id,
        "name": "wheeled-base",
        "fragment": FRAGMENT_CONFIG,
        "organization_owner": ORG_ID,
        "public": visibility == "public",
        "created_on": T0,
        "organization_name": "Acme Robotics",
        "robot_part_count": 12,
        "organization_count": 2,
        "only_used_by_owner": False,
        "visibility": visibility,
    }


def authenticator() -> app.AuthenticatorInfo:
    return app.AuthenticatorInfo(type=app.AuthenticationType.WEB_OAUTH, value="ada@acme.example", is_deactivated=False)


def fragment_history_entry() -> app.FragmentHistoryEntry:
    return app.FragmentHistoryEntry(
        fragment=FRAGMENT_ID,
        edited_on=T3,
        old=fragment(visibility=app.FragmentVisibility.PRIVATE),
        edited_by=authenticator(),
    )


# --- registry, modules ----------------------------------------------------------------------------------------------


def model() -> app.Model:
    return app.Model(api="rdk:component:base", model="acme:hoverboard-base:wheeled")


def registry_item(item_id: str = MODULE_ID) -> app.RegistryItem:
    return app.RegistryItem(
        item_id=item_id,
        organization_id=ORG_ID,
        public_namespace="acme",
        name=item_id.split(":")[1],
        type=packages.PackageType.MODULE,
        visibility=app.Visibility.PUBLIC,
        url="https://github.com/acme/hoverboard-base",
        description="A base for hoverboards.",
        total_robot_usage=17,
        total_organization_usage=3,
        module_metadata=app.ModuleMetadata(models=[model()], entrypoint="bin/hoverboard"),
        created_at=T0,
        updated_at=T3,
    )


def module(module_id: str = MODULE_ID) -> app.Module:
    return app.Module(
        module_id=module_id,
        name=module_id.split(":")[1],
        visibility=app.Visibility.PUBLIC,
        versions=[
            app.VersionHistory(
                version="1.2.0",
                files=[app.Uploads(platform="linux/arm64", uploaded_at=T2)],
                models=[model()],
                entrypoint="bin/hoverboard",
            )
        ],
        url="https://github.com/acme/hoverboard-base",
        description="A base for hoverboards.",
        models=[model()],
        total_robot_usage=17,
        total_organization_usage=3,
        organization_id=ORG_ID,
        entrypoint="bin/hoverboard",
        public_namespace="acme",
    )

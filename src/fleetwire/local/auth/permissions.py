"""Role-based access control vocabulary: roles, resource types and the permission strings of ``check_permissions``."""

from __future__ import annotations

__all__ = (
    "ALL_PERMISSIONS",
    "OPERATOR_PERMISSIONS",
    "RESOURCE_TYPES",
    "ROLES",
    "role_grants",
)

ROLES = ("owner", "operator")
"""The roles an identity can hold on a resource."""

RESOURCE_TYPES = ("organization", "location", "robot")
"""The resource types a role can be held on; an organization covers its locations, a location its machines."""

ALL_PERMISSIONS: frozenset[str] = frozenset(
    {
        "read_organization",
        "write_organization",
        "read_fragment",
        "write_fragment",
        "read_location",
        "write_location",
        "read_location_secret",
        "read_robot_secret",
        "read_robot",
        "read_robot_config",
        "read_robot_logs",
        "write_robot",
        "control_robot",
        "read_organization_data_management",
        "read_location_data_management",
        "read_robot_data_management",
        "write_organization_data_management",
        "write_location_data_management",
        "write_robot_data_management",
        "read_robot_history",
        "read_mapping_sessions",
        "create_maps",
        "write_private_registry_item",
        "write_public_registry_item",
        "read_private_registry_item",
        "train_models",
        "read_packages",
        "write_packages",
        "delete_packages",
        "configure_database_user",
        "get_database_connection",
        "create_dataset",
        "list_dataset",
        "rename_dataset",
        "delete_dataset",
    }
)
"""Every permission string ``check_permissions`` accepts; an owner holds all of them."""

OPERATOR_PERMISSIONS: frozenset[str] = frozenset(
    {
        "read_organization",
        "read_fragment",
        "read_location",
        "read_robot",
        "read_robot_config",
        "read_robot_logs",
        "control_robot",
        "read_robot_history",
        "read_organization_data_management",
        "read_location_data_management",
        "read_robot_data_management",
        "read_mapping_sessions",
        "read_private_registry_item",
        "read_packages",
        "list_dataset",
    }
)
"""What an operator may do: read and operate machines, but change no configuration and read no secret."""


def role_grants(role: str, permission: str) -> bool:
    """Whether holding ``role`` grants ``permission``."""
    if role == "owner":
        return permission in ALL_PERMISSIONS
    if role == "operator":
        return permission in OPERATOR_PERMISSIONS
    return False

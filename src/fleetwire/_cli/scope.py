"""Choosing what a command works on when an id is left out: the key's only organization, or all of them."""

from __future__ import annotations

from .._blocking import AppClient
from .failures import CliError

__all__ = ("organization_ids", "single_organization")


def organization_ids(client: AppClient, org_id: str | None) -> list[str]:
    """Return ``[org_id]`` if given, else the id of every organization the key can see."""
    if org_id:
        return [org_id]
    return [org.id for org in client.list_organizations()]


def single_organization(client: AppClient, org_id: str | None) -> str:
    """Return ``org_id`` if given, else the key's only organization; :class:`CliError` if there are several."""
    if org_id:
        return org_id
    orgs = client.list_organizations()
    if len(orgs) == 1:
        return orgs[0].id
    if not orgs:
        raise CliError("not found: the API key sees no organization; pass --org-id")
    names = ", ".join(f"{org.id} ({org.name})" for org in orgs)
    raise CliError(f"several organizations: pass --org-id, one of {names}")

"""The names of ``fleetwire.proto``, the twin of the official SDK's ``viam.proto`` namespaces.

``from viam.proto.app import APIKeyWithAuthorizations`` becomes ``from fleetwire.proto.app import
APIKeyWithAuthorizations``: every top-level message and enum of a proto package is listed here under its proto name,
with the class betterproto2 generated for it (``APIKey`` -> ``ApiKey``, ``PKCE`` -> ``Pkce``), read from the
descriptors of the pinned schema. ``src/fleetwire/proto/`` serves the names from this table, loading each class on
first use.
"""

from __future__ import annotations

from dataclasses import dataclass

from betterproto2_compiler.casing import pascal_case

from .messages import PACKAGE_ROOT
from .schema import Schema

# The official namespace (after ``viam.proto.``) -> the proto package it re-exports.
TWINS = {
    "app": "viam.app.v1",
    "app.packages": "viam.app.packages.v1",
    "app.mltraining": "viam.app.mltraining.v1",
    "common": "viam.common.v1",
}


@dataclass(frozen=True)
class Twin:
    """One namespace of ``fleetwire.proto``: the generated package, and proto name -> class name."""

    namespace: str
    module: str
    names: tuple[tuple[str, str], ...]


def proto_twins(schema: Schema) -> list[Twin]:
    """The twins of :data:`TWINS`, each with every top-level message and enum of its proto package."""
    twins: list[Twin] = []
    for namespace, package in TWINS.items():
        names: dict[str, str] = {}
        for file in schema.files:
            if file.package == package:
                for name in (*file.message_types_by_name, *file.enum_types_by_name):
                    names[name] = pascal_case(name)
        if names:
            module = f"{PACKAGE_ROOT}.{package}".replace("/", ".")
            twins.append(Twin(namespace, module, tuple(sorted(names.items()))))
    return twins

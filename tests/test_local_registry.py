"""Registry items and modules of the local fleet server over real gRPC: ids, visibility, listing filters, module
updates, chunked uploads with validation and a size limit, bad input and cross-organization access.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable

import pytest
from grpclib.const import Status
from test_local_machines import Conn, status_of, stranger

import fleetwire.local.services.registry as registry
from fleetwire.local.fleet import LocalFleet
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.app.packages.v1 import PackageType

pytestmark = pytest.mark.anyio

V = app.Visibility


async def upload(conn: Conn, module_id: str, version: str, platform: str, *chunks: bytes) -> str:
    async def requests() -> AsyncIterator[app.UploadModuleFileRequest]:
        yield app.UploadModuleFileRequest(
            module_file_info=app.ModuleFileInfo(module_id=module_id, version=version, platform=platform)
        )
        for chunk in chunks:
            yield app.UploadModuleFileRequest(file=chunk)

    return (await conn.app.upload_module_file(requests())).url


async def test_items_ids_visibility_and_listing(fleet: LocalFleet, owner: Conn) -> None:
    org_id = fleet.organization_id
    await owner.app.create_registry_item(organization_id=org_id, name="detector", type=PackageType.ML_MODEL)
    item = (await owner.app.get_registry_item(item_id=f"{org_id}:detector")).item
    assert item is not None and (item.item_id, item.visibility, item.type) == (
        f"{org_id}:detector",
        V.PRIVATE,
        PackageType.ML_MODEL,
    )

    # Public needs a namespace; once the organization has one, the item answers to namespace:name too.
    make_public = owner.app.update_registry_item(
        item_id=item.item_id, type=PackageType.ML_MODEL, description="finds things", visibility=V.PUBLIC
    )
    status, message = await status_of(make_public)
    assert status == Status.FAILED_PRECONDITION and "namespace" in message
    await owner.app.update_organization(organization_id=org_id, public_namespace="acme")
    await owner.app.update_registry_item(
        item_id="acme:detector", type=PackageType.ML_MODEL, description="finds things", visibility=V.PUBLIC
    )
    item = (await owner.app.get_registry_item(item_id="acme:detector")).item
    assert item is not None and (item.item_id, item.public_namespace, item.description, item.visibility) == (
        "acme:detector",
        "acme",
        "finds things",
        V.PUBLIC,
    )
    await owner.app.create_registry_item(organization_id=org_id, name="trainer", type=PackageType.ML_TRAINING)

    async def names(conn: Conn, **query: object) -> set[str]:
        return {i.name for i in (await conn.app.list_registry_items(**query)).items}  # type: ignore[arg-type]

    assert await names(owner, organization_id=org_id) == {"detector", "trainer"}
    assert await names(owner, organization_id=org_id, types=[PackageType.ML_TRAINING]) == {"trainer"}
    assert await names(owner, organization_id=org_id, visibilities=[V.PUBLIC]) == {"detector"}
    assert await names(owner, organization_id=org_id, search_term="FINDS") == {"detector"}
    assert await names(owner, organization_id=org_id, public_namespaces=["elsewhere"]) == set()
    assert await names(owner) == {"detector"}  # no organization: public items only

    other = await stranger(fleet, owner)
    try:
        assert await names(other) == {"detector"}
        assert (await other.app.get_registry_item(item_id="acme:detector")).item is not None
        denied = {Status.PERMISSION_DENIED, Status.NOT_FOUND}
        calls: list[Awaitable[object]] = [
            other.app.get_registry_item(item_id="acme:trainer"),
            other.app.list_registry_items(organization_id=org_id),
            other.app.create_registry_item(organization_id=org_id, name="planted", type=PackageType.ML_MODEL),
            other.app.update_registry_item(
                item_id="acme:detector", type=PackageType.ML_MODEL, description="mine", visibility=V.PUBLIC
            ),
            other.app.delete_registry_item(item_id="acme:detector"),
        ]
        for call in calls:
            assert (await status_of(call))[0] in denied
    finally:
        other.channel.close()

    await owner.app.delete_registry_item(item_id="acme:detector")
    assert (await status_of(owner.app.get_registry_item(item_id="acme:detector")))[0] == Status.NOT_FOUND


async def test_modules_update_and_upload(fleet: LocalFleet, owner: Conn, monkeypatch: pytest.MonkeyPatch) -> None:
    org_id = fleet.organization_id
    created = await owner.app.create_module(organization_id=org_id, name="hover_base")
    module_id = created.module_id
    assert module_id == f"{org_id}:hover_base" and created.url
    model = app.Model(api="rdk:component:base", model="acme:hover:wheeled")
    await owner.app.update_module(
        module_id=module_id,
        visibility=V.PRIVATE,
        url="https://docs.example.com/hover",
        description="A base.",
        models=[model],
        entrypoint="bin/run",
    )
    listed = (
        await owner.app.list_registry_items(organization_id=org_id, statuses=[app.RegistryItemStatus.IN_DEVELOPMENT])
    ).items
    assert [i.name for i in listed] == ["hover_base"]

    # Uploads arrive in chunks; versions are listed in semantic-version order with their platforms.
    assert await upload(owner, module_id, "1.10.0", "linux/amd64", b"\x7fELF", b" part two")
    await upload(owner, module_id, "1.2.0", "linux/arm64", b"arm")
    await upload(owner, module_id, "1.2.0", "darwin/arm64", b"mac")
    module = (await owner.app.get_module(module_id=module_id)).module
    assert module is not None
    assert (module.url, module.description, module.entrypoint) == (
        "https://docs.example.com/hover",
        "A base.",
        "bin/run",
    )
    assert [(m.api, m.model) for m in module.models] == [("rdk:component:base", "acme:hover:wheeled")]
    assert [(v.version, sorted(f.platform for f in v.files)) for v in module.versions] == [
        ("1.2.0", ["darwin/arm64", "linux/arm64"]),
        ("1.10.0", ["linux/amd64"]),
    ]
    assert all(v.entrypoint == "bin/run" for v in module.versions)
    published = await owner.app.list_registry_items(
        organization_id=org_id, statuses=[app.RegistryItemStatus.PUBLISHED], platforms=["linux/arm64"]
    )
    assert [i.name for i in published.items] == ["hover_base"]
    none_for_windows = await owner.app.list_registry_items(organization_id=org_id, platforms=["windows/amd64"])
    assert none_for_windows.items == []
    assert [m.module_id for m in (await owner.app.list_modules(organization_id=org_id)).modules] == [module_id]

    bad: list[tuple[Awaitable[object], Status, str]] = [
        (upload(owner, module_id, "1.2.0", "linux/arm64", b"again"), Status.ALREADY_EXISTS, "module_file_info"),
        (upload(owner, module_id, "v1", "linux/arm64", b"x"), Status.INVALID_ARGUMENT, "version"),
        (upload(owner, module_id, "2.0.0", "plan9/mips", b"x"), Status.INVALID_ARGUMENT, "platform"),
        (upload(owner, module_id, "2.0.0", "linux/amd64"), Status.INVALID_ARGUMENT, "file"),
        (upload(owner, "acme-nope:thing", "2.0.0", "linux/amd64", b"x"), Status.NOT_FOUND, "module_id"),
        (upload(owner, "no-colon", "2.0.0", "linux/amd64", b"x"), Status.INVALID_ARGUMENT, "module_id"),
        (
            owner.app.upload_module_file([app.UploadModuleFileRequest(file=b"x")]),
            Status.INVALID_ARGUMENT,
            "module_file_info",
        ),
        (owner.app.upload_module_file([]), Status.INVALID_ARGUMENT, "module_file_info"),
    ]
    for call, expected, field in bad:
        status, message = await status_of(call)
        assert (status, field in message) == (expected, True), (expected, field, status, message)

    monkeypatch.setattr(registry, "MAX_MODULE_FILE_BYTES", 1000)
    status, message = await status_of(upload(owner, module_id, "3.0.0", "linux/amd64", b"x" * 600, b"x" * 600))
    assert status == Status.INVALID_ARGUMENT and "file" in message
    module = (await owner.app.get_module(module_id=module_id)).module
    assert module is not None and [v.version for v in module.versions] == ["1.2.0", "1.10.0"]  # nothing half-written


async def test_bad_input_names_the_field(fleet: LocalFleet, owner: Conn) -> None:
    org_id = fleet.organization_id
    module_id = (await owner.app.create_module(organization_id=org_id, name="mod")).module_id

    def update_module(**changes: object) -> Awaitable[object]:
        fields: dict[str, object] = {"module_id": module_id, "url": "", "description": "", "entrypoint": "run"}
        fields.update(changes)
        return owner.app.update_module(**fields)  # type: ignore[arg-type]

    cases: list[tuple[Awaitable[object], Status, str]] = [
        (owner.app.create_module(organization_id=org_id, name=""), Status.INVALID_ARGUMENT, "name"),
        (owner.app.create_module(organization_id=org_id, name="mod"), Status.ALREADY_EXISTS, "name"),
        (owner.app.create_module(organization_id=org_id, name="bad name!"), Status.INVALID_ARGUMENT, "name"),
        (owner.app.create_module(organization_id="x", name="m"), Status.INVALID_ARGUMENT, "organization_id"),
        (owner.app.create_registry_item(organization_id=org_id, name="i"), Status.INVALID_ARGUMENT, "type"),
        (
            owner.app.create_registry_item(organization_id=org_id, name="i", type=77),  # type: ignore[arg-type]
            Status.INVALID_ARGUMENT,
            "type",
        ),
        (owner.app.get_registry_item(item_id="nocolon"), Status.INVALID_ARGUMENT, "item_id"),
        (owner.app.get_registry_item(item_id=f"{uuid.uuid4()}:x"), Status.NOT_FOUND, "item_id"),
        (owner.app.get_module(module_id="a:b:c"), Status.INVALID_ARGUMENT, "module_id"),
        (
            owner.app.update_registry_item(
                item_id=module_id, type=PackageType.ML_MODEL, description="", visibility=V.PRIVATE
            ),
            Status.INVALID_ARGUMENT,
            "type",
        ),
        (
            owner.app.update_registry_item(item_id=module_id, type=PackageType.MODULE, description="", visibility=9),  # type: ignore[arg-type]
            Status.INVALID_ARGUMENT,
            "visibility",
        ),
        (owner.app.list_registry_items(visibilities=[12]), Status.INVALID_ARGUMENT, "visibilities"),  # type: ignore[list-item]
        (owner.app.list_registry_items(statuses=[5]), Status.INVALID_ARGUMENT, "statuses"),  # type: ignore[list-item]
        (update_module(url="ftp://nope"), Status.INVALID_ARGUMENT, "url"),
        (update_module(entrypoint=""), Status.INVALID_ARGUMENT, "entrypoint"),
        (update_module(models=[app.Model(api="base", model="x:y:z")]), Status.INVALID_ARGUMENT, "models[0].api"),
        (update_module(description="d" * 20_000), Status.INVALID_ARGUMENT, "description"),
        (update_module(visibility=V.PUBLIC), Status.FAILED_PRECONDITION, "namespace"),
    ]
    for call, expected, field in cases:
        status, message = await status_of(call)
        assert (status, field in message) == (expected, True), (expected, field, status, message)
    module = (await owner.app.get_module(module_id=module_id)).module
    assert module is not None and (module.entrypoint, module.url, module.visibility) == ("", "", V.PRIVATE)

"""No credential appears in the repr of a generated message; everything else still does."""

from __future__ import annotations

import pytest

from fleetwire_api.proto.rpc.v1 import AuthenticateResponse, Credentials
from fleetwire_api.viam.app.v1 import (
    ApiKey,
    CreateKeyResponse,
    CreateOAuthAppUserRequest,
    LocationAuth,
    RobotPart,
    RotateKeyResponse,
    SharedSecret,
)

SENTINEL = "s3cr3t-value-that-must-not-leak"

# The deprecated field still carries a secret when a server fills it, so its repr must hide it too; setting it warns.
with pytest.deprecated_call(match="LocationAuth.secret"):
    DEPRECATED_SECRET = LocationAuth(
        secret=SENTINEL, location_id="loc-1", secrets=[SharedSecret(id="nested", secret=SENTINEL)]
    )

CASES = [
    SharedSecret(id="secret-id", secret=SENTINEL),
    ApiKey(id="key-id", key=SENTINEL, name="ci key"),
    CreateKeyResponse(id="key-id", key=SENTINEL),
    RotateKeyResponse(id="key-id", key=SENTINEL),
    Credentials(type="api-key", payload=SENTINEL),
    AuthenticateResponse(access_token=SENTINEL),
    CreateOAuthAppUserRequest(password=SENTINEL),
    DEPRECATED_SECRET,
    RobotPart(id="part-1", name="main", secret=SENTINEL, secrets=[SharedSecret(id="nested", secret=SENTINEL)]),
]


@pytest.mark.parametrize("message", CASES, ids=lambda m: type(m).__name__)
def test_secret_values_are_hidden_but_other_fields_shown(message: object) -> None:
    text = repr(message)
    assert SENTINEL not in text
    assert SENTINEL not in str(message)
    assert "<hidden>" in text
    assert type(message).__name__ in text


def test_the_value_is_still_there_and_on_the_wire() -> None:
    part = RobotPart(id="part-1", secret=SENTINEL)
    assert part.secret == SENTINEL
    assert RobotPart.parse(bytes(part)).secret == SENTINEL
    assert "id='part-1'" in repr(part)


def test_a_key_field_that_is_not_a_credential_stays_visible() -> None:
    from fleetwire_api.viam.app.mltraining.v1 import Container

    assert "key='registry/image'" in repr(Container(key="registry/image"))

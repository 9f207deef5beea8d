"""The "before" configuration: fleetwire's clients with betterproto2's own codec instead of the generated one.

``install()`` makes the generated runtime leave every channel's codec alone, so channels keep grpclib's
``ProtoCodec``, which calls betterproto2's ``FromString``/``SerializeToString``. Used by ``python -m bench --codec
betterproto2`` to measure the baseline in the same harness.
"""

from __future__ import annotations

from grpclib.client import Channel


def _keep(channel: Channel) -> Channel:
    return channel


def install() -> None:
    from fleetwire_api.services import _runtime

    _runtime.use_fast_codec = _keep  # type: ignore[assignment]

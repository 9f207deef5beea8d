"""The generated code the overlay builds on, imported in one place under short names.

The generated blocking client (``_blocking.py``) imports these through this module, so its import block is the
same whatever a tool decides about ``fleetwire_api`` being first- or third-party.
"""

from fleetwire_api.services import AppServiceAsyncClient, AppServiceClient, AuthServiceAsyncClient, BlockingChannel
from fleetwire_api.services._runtime import LoopPortal
from fleetwire_api.viam.app import v1 as app_pb
from fleetwire_api.viam.app.packages import v1 as pkg_pb
from fleetwire_api.viam.common import v1 as common_pb

__all__ = (
    "AppServiceAsyncClient",
    "AppServiceClient",
    "AuthServiceAsyncClient",
    "BlockingChannel",
    "LoopPortal",
    "app_pb",
    "common_pb",
    "pkg_pb",
)

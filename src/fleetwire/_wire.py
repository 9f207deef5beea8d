"""The generated code the overlay builds on, imported in one place under short names.

The generated blocking client (``_blocking.py``) imports these through this module, so its import block is the
same whatever a tool decides about ``fleetwire_api`` being first- or third-party.

The message modules are imported here; the raw clients and their runtime are not: ``services`` loads each of
its names on first use, and they bring the transport (asyncio, grpclib's client, ssl). So the overlay refers to
them as ``services.<name>`` where a client is built, and imports the names themselves for annotations only
(``if TYPE_CHECKING:``): ``import fleetwire`` loads no transport, a client loads it when it is constructed.
"""

from typing import TYPE_CHECKING

from fleetwire_api import services
from fleetwire_api.viam.app import v1 as app_pb
from fleetwire_api.viam.app.packages import v1 as pkg_pb
from fleetwire_api.viam.common import v1 as common_pb

if TYPE_CHECKING:
    from fleetwire_api.services import LoopPortal as LoopPortal  # for annotations

__all__ = (
    "app_pb",
    "common_pb",
    "pkg_pb",
    "services",
)

"""Keep secrets out of log lines written by the libraries under the client.

``hpack`` (HTTP/2 header compression, used by grpclib through h2) logs every header it encodes or decodes at
DEBUG level, the ``authorization: Bearer <token>`` header included. A filter on those loggers rewrites such
records through :func:`fleetwire.errors.redact` before any handler sees them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import redact

if TYPE_CHECKING:
    import logging

__all__ = ("protect_library_logs",)

# Loggers that may print request headers.
HEADER_LOGGERS = ("hpack.hpack", "hpack.table", "grpclib.protocol", "grpclib.server", "grpclib.client")


class RedactingFilter:
    """Replace a record's message by its redacted form (the record is kept, only the secret goes).

    A logging filter is any object with this ``filter`` method; not subclassing ``logging.Filter`` leaves
    ``logging`` to be imported by the first client, with the transport that logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keep it."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def protect_library_logs() -> None:
    """Attach the redacting filter to the header-logging loggers (idempotent)."""
    import logging

    for name in HEADER_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)

"""The ``fleetwire`` command line beyond ``serve``: ``demo`` and the everyday fleet commands.

Only :mod:`fleetwire.cli` imports this package, so ``import fleetwire`` never loads CLI code.
"""

from __future__ import annotations

from .commands import register, show_help
from .connection import DEFAULT_TIMEOUT_S, add_timeout_option

__all__ = ("DEFAULT_TIMEOUT_S", "add_timeout_option", "register", "show_help")

"""The ``fleetwire`` command line beyond ``serve``: ``demo`` and the everyday fleet commands.

Only :mod:`fleetwire.cli` imports this package, so ``import fleetwire`` never loads CLI code.
"""

from __future__ import annotations

from .commands import register, show_help
from .connection import add_timeout_option
from .serving import run_serve

__all__ = ("add_timeout_option", "register", "run_serve", "show_help")

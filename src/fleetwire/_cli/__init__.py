"""The ``fleetwire`` command line beyond ``serve``: ``demo`` and the everyday fleet commands.

Only :mod:`fleetwire.cli` imports this package, so ``import fleetwire`` never loads CLI code.
"""

from __future__ import annotations

from .commands import register

__all__ = ("register",)

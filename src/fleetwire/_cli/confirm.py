"""Asking before a change that cannot be undone: ``--yes`` skips the question, no terminal means no.

The question goes to stderr, so a command's ``--json`` output on stdout stays one clean document. Without a
terminal on stdin (a script, a pipe, CI) nobody can answer, so the command refuses with exit status 2 and says to
pass ``--yes``, rather than guessing either way.
"""

from __future__ import annotations

import argparse
import sys

from .failures import CliError, UsageError

__all__ = ("add_yes_option", "confirm")

_YES = ("y", "yes")


def add_yes_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--yes``/``-y`` (do it without asking) to ``parser``."""
    parser.add_argument("--yes", "-y", action="store_true", help="do it without asking for confirmation")


def confirm(args: argparse.Namespace, action: str) -> None:
    """Return if the user agrees to ``action`` (e.g. ``"delete machine rover (ID)"``) or passed ``--yes``.

    Raises:
        UsageError: If stdin is not a terminal and ``--yes`` was not given.
        CliError: If the user answers anything but yes (end of input included).

    """
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(f"not confirmed: {action} needs --yes when stdin is not a terminal; nothing was changed")
    sys.stderr.write(f"{action[:1].upper()}{action[1:]}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):  # end of input: finish the prompt's line
        sys.stderr.write("\n")
    if answer.strip().lower() not in _YES:
        raise CliError("cancelled: nothing was changed")

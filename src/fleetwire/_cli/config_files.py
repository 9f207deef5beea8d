"""Reading a config (a part's or a fragment's) from a JSON file the user wrote, with one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from .failures import CliError

__all__ = ("read_config",)


def read_config(path: Path) -> dict[str, Any]:
    """Return the JSON object in ``path``; :class:`CliError` if it cannot be read, is not JSON, or is not an object."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CliError(f"cannot read {path}: not UTF-8 text") from None
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise CliError(f"{path} must hold a JSON object (a config), not {type(data).__name__}")
    return cast("dict[str, Any]", data)

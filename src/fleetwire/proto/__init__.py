"""The twin of the official SDK's ``viam.proto`` namespaces: the same messages and enums under the same names.

``from viam.proto.app import APIKeyWithAuthorizations`` becomes ``from fleetwire.proto.app import
APIKeyWithAuthorizations``. ``fleetwire.proto.app``, ``fleetwire.proto.app.packages``,
``fleetwire.proto.app.mltraining`` and ``fleetwire.proto.common`` list every top-level message and enum of their
proto package under its proto name (``APIKey``, ``PKCE``, ``MLModelMetadata``), as the official namespaces do;
each is the fleetwire class of that message (``fleetwire_api``), created the first time it is asked for, so
importing a namespace costs little. The names are generated from the pinned schema (``codegen/proto_twin.py``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ("twin",)


def twin(namespace: dict[str, Any], name: str) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for the twin module whose ``globals()`` is ``namespace``.

    Args:
        namespace: The module's ``globals()``; a class is kept there once loaded, so later lookups are plain.
        name: The namespace after ``viam.proto.`` (``"app"``, ``"common"``, ...).

    Returns:
        The module hooks and its list of names.

    """
    from fleetwire_api.proto_names import TWINS

    module, names = TWINS[name]
    package: str = namespace["__name__"]

    def __getattr__(attr: str) -> Any:
        class_name = names.get(attr)
        if class_name is None:
            raise AttributeError(f"module {package!r} has no attribute {attr!r}")
        value = getattr(importlib.import_module(module), class_name)
        namespace[attr] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__, sorted(names)

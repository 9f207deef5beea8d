"""The ``viam.proto.app.mltraining`` messages and enums under their proto names (see :mod:`fleetwire.proto`)."""

from fleetwire.proto import twin

__getattr__, __dir__, __all__ = twin(globals(), "app.mltraining")  # pyright: ignore[reportUnsupportedDunderAll]

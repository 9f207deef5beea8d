"""fleetwire: typed sync and async Python SDK for fleet management over ``viam.app.v1.AppService``."""

__version__ = "0.1.0"

"""fleetwire's generator: pinned API descriptors + Jinja templates -> ``generated/``."""

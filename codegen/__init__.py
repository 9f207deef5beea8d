"""fleetwire's generator: the API schema (the pinned package, .proto files or a descriptor set) + Jinja templates
-> ``generated/``, and a report of what changed."""

"""The one error the generator raises: it always names the file at fault."""


class CodegenError(Exception):
    """Generation stopped; the message names the proto file, template or descriptor that caused it."""

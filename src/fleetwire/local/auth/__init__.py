"""Authentication and authorization of the local fleet server.

API keys and access tokens with the ``proto.rpc.v1.AuthService`` (``authentication``), the role vocabulary and
permission strings (``permissions``), stored role grants (``grants``) and the cache of answers that drops itself
when anything they depend on changes (``cache``).
"""

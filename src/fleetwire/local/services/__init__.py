"""The RPC handlers of the local fleet server.

The ``AppService`` mixins, one per area (organizations, members, locations, keys, roles, fragments, registry,
machines with their parts and logs), the base they share (``mixin``), the ``RobotService`` simulated machines call
(``robot_service``), the live log fan-out (``logbus``) and the validation of structured inputs (``validate``).
"""

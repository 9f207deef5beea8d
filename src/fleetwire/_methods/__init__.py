"""The methods of ``AsyncAppClient``, one module per resource group, over the shared :mod:`.base`."""

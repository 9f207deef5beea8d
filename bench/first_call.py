"""Import, connect and first call, in a fresh process: ``python -m bench.first_call PORT CLIENT``.

Prints the seconds from before the client's import to the first ``get_robot`` answer, against the canned server on
``PORT``. It is the import figure's check: a client that merely postpones its imports to the first call is no faster
here. ``CLIENT`` is ``official`` (viam-sdk's async client on a grpclib channel), ``async`` (``AsyncAppClient`` built
the same way) or ``blocking`` (``AppClient.connect`` with an API key: its own event-loop thread and an authentication
call first, so it does more than the other two).
"""

import time

STARTED = time.perf_counter()  # before anything of the client's: this module imports nothing else first

import asyncio  # noqa: E402 - the timed region starts above
import sys  # noqa: E402
from typing import Any  # noqa: E402

METADATA = {"authorization": "Bearer bench-token"}  # the canned server's token (bench.clients.TOKEN)


async def _on_channel(port: int, client: str) -> Any:
    from grpclib.client import Channel

    if client == "official":
        from viam.app.app_client import AppClient as Official

        channel = Channel("127.0.0.1", port)
        app: Any = Official(channel, METADATA)
    else:
        from fleetwire import AsyncAppClient

        channel = Channel("127.0.0.1", port)
        app = AsyncAppClient(channel, METADATA)
    try:
        return await app.get_robot("r1")
    finally:
        channel.close()


def _blocking(port: int) -> Any:
    from fleetwire import AppClient

    with AppClient.connect(f"127.0.0.1:{port}", api_key="bench-key", api_key_id="bench-key-id") as app:
        return app.get_robot("r1")


def main() -> None:
    port, client = int(sys.argv[1]), sys.argv[2]
    robot = _blocking(port) if client == "blocking" else asyncio.run(_on_channel(port, client))
    elapsed = time.perf_counter() - STARTED
    assert robot.id, robot  # a real answer, decoded into the client's own type
    print(elapsed)


if __name__ == "__main__":
    main()

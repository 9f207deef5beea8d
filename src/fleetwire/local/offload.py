"""Work in proportion to a request's size, done where it cannot hold up the other calls.

A large request (a config of 100,000 values, a body of megabytes) costs the server CPU in proportion to its size:
decoding it, converting a config between its wire form and JSON text, checking it. On the event loop that would
stall every other call for as long; in an ordinary worker thread it still would, in bursts, because the thread
holds the interpreter lock and because the cyclic garbage collector, set off by the many objects such work makes,
walks them all in one pass that holds the lock throughout (tens to hundreds of milliseconds for one config).

:func:`off_loop` runs such work in one dedicated thread, one piece at a time, with the collector paused: the work
is plain Python (which yields the lock to the loop every few milliseconds) and calls into C only on pieces whose
cost is bounded by a value's size, not the request's. The objects it builds die before it returns (it hands back
text, bytes or a small message whose large parts stay in wire form), so the collector has nothing to walk
afterwards. Pieces run one at a time, so the collector is never paused for longer than one piece takes, and runs
normally between them.
"""

from __future__ import annotations

import asyncio
import functools
import gc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ("off_loop", "off_loop_if")

T = TypeVar("T")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fleetwire-large")


def _collector_paused(func: Callable[[], T]) -> T:
    if not gc.isenabled():  # paused by someone else (or by the application): leave it as it is
        return func()
    gc.disable()
    try:
        return func()
    finally:
        gc.enable()


async def off_loop(func: Callable[..., T], /, *args: object) -> T:
    """Return ``func(*args)``, run in the server's thread for large work with the cyclic collector paused.

    ``func`` must not leave behind many live objects (see the module's docstring); its exceptions propagate.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_worker, _collector_paused, functools.partial(func, *args))


async def off_loop_if(large: bool, func: Callable[..., T], /, *args: object) -> T:
    """Return ``func(*args)``: by :func:`off_loop` when ``large``, inline otherwise (where a hop costs more)."""
    if large:
        return await off_loop(func, *args)
    return func(*args)

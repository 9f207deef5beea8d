"""The benchmark's server processes, seen from the harness: ending one that reads its orders from stdin."""

from __future__ import annotations

import subprocess

__all__ = ("stop",)


def stop(server: subprocess.Popen[str]) -> None:
    """Close ``server``'s stdin (its cue to exit) and wait for it; kill it if it has not exited within 20 s."""
    if server.stdin is not None:
        server.stdin.close()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()

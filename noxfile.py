"""Every fleetwire workflow. Each session syncs its own environment from uv.lock, so results match CI's."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "typecheck", "codegen_check", "tests"]


def sync(session: nox.Session, *groups: str) -> None:
    """Install the project and the named dependency groups, exactly as locked."""
    args = ["uv", "sync", "--locked", "--no-default-groups", *(f"--group={group}" for group in groups)]
    session.run_install(*args, env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location})


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (unit, integration over real gRPC, interop with the official SDK, property tests)."""
    sync(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    sync(session, "dev")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """pyright: strict on src/ and on the templates' output, standard elsewhere."""
    sync(session, "dev")
    session.run("pyright")


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate generated/ (and the generated blocking overlay) and report what changed. Options after --:
    --protos DIR or --descriptor-set FILE instead of the pinned package, --report-json FILE, ... (--help)."""
    sync(session, "codegen")
    session.run("python", "-m", "codegen", *session.posargs)


@nox.session
def codegen_check(session: nox.Session) -> None:
    """Fail with a diff when generated/ is stale or was edited by hand."""
    sync(session, "codegen")
    session.run("python", "-m", "codegen", "--check")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the official SDK, on the same server in the same run."""
    sync(session, "dev")
    session.run("python", "-m", "bench", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The README's main command: a tour of the SDK on the embedded local fleet server."""
    sync(session)
    session.run("fleetwire", "demo", *session.posargs)

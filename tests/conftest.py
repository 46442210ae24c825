"""Shared fixtures: external services (PostgreSQL, ...) that some tests need.

A missing service skips its tests with a hint on how to run them, unless
``RISKRULES_REQUIRE_SERVICES=1`` (CI), where a missing service is a failure.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def services_required() -> bool:
    return os.environ.get("RISKRULES_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def require_service_unavailable(name: str, how_to: str, reason: str = "") -> NoReturn:
    """Skip the current test because ``name`` is unavailable, or fail under
    ``RISKRULES_REQUIRE_SERVICES=1``. Never returns."""
    message = f"{name} is not available{f' ({reason})' if reason else ''}: {how_to}"
    if services_required():
        pytest.fail(f"{message} [RISKRULES_REQUIRE_SERVICES=1 forbids skipping]", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def require_service():
    """``require_service(name, how_to, reason="")``: skip (or, when services are
    required, fail) the requesting test because a service is unreachable."""
    return require_service_unavailable


def _probe_postgres(url: str) -> str | None:
    """None when ``url`` answers, else why not."""
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - psycopg is a dependency
        return f"psycopg is not installed: {error}"
    from sqlalchemy import make_url

    parsed = make_url(url).set(drivername="postgresql")
    conninfo = parsed.render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:  # any failure means "not usable here"
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a reachable PostgreSQL (``RISKRULES_PG_URL``, default
    postgresql://postgres@127.0.0.1:5432/test); skips or fails when unreachable."""
    url = os.environ.get("RISKRULES_PG_URL") or DEFAULT_PG_URL
    reason = _probe_postgres(url)
    if reason is not None:
        from sqlalchemy import make_url

        shown = make_url(url).render_as_string(hide_password=True)
        require_service_unavailable(
            "PostgreSQL",
            f"start PostgreSQL or set RISKRULES_PG_URL=postgresql://user@host:port/dbname (tried {shown})",
            reason,
        )
    return url

"""Fixtures for the review store: every test runs on SQLite and on PostgreSQL.

PostgreSQL tests get a fresh schema each (``search_path`` set through the URL),
dropped afterwards, so tests never see each other's rows and leave nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from riskrules.review.store import Store
from riskrules.review.store.connect import normalize_url

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """URL of an empty database on ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'review.db'}"
        return
    base = normalize_url(request.getfixturevalue("pg_url"))
    schema = f"rr_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def make_cases():
    """``make_cases(store, n, ruleset=..., **enqueue_kw)``: ``n`` logged decisions,
    each with an open case; returns the case ids."""
    return _log_and_enqueue


def _log_and_enqueue(store: Store, n: int = 1, *, ruleset: str = "origination", **case_kw) -> list[int]:
    ids = []
    for i in range(n):
        decision = store.log_decision(
            ruleset=ruleset, version="1.0.0", digest="sha256:abc", outcome="review", score=0.5,
            input={"application": {"amount": 1000 + i}}, decision={"outcome": "review"},
        )
        kw = {"amount": 1000.0 + i, "model_score": 0.4, "evidence": {"rules_fired": []}} | case_kw
        ids.append(store.enqueue_case(decision.id, **kw).id)
    return ids

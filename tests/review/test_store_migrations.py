"""Migrations: shipped in the package, run on open, and in step with the models."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from riskrules.review.store import ClaimExpired, MigrationError, Store, migrate
from riskrules.review.store.connect import create_engine, normalize_url
from riskrules.review.store.models import metadata


def test_migrations_ship_inside_the_package():
    versions = migrate.MIGRATIONS_DIR / "versions"
    assert (migrate.MIGRATIONS_DIR / "env.py").is_file()
    assert sorted(p.name for p in versions.glob("*.py") if p.name != "__init__.py")
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1, "migrations must form one line"


def test_open_upgrades_an_empty_database_to_head(store_url):
    engine = create_engine(normalize_url(store_url))
    try:
        assert migrate.current_revision(engine) is None
        with Store.open(store_url) as store:
            assert migrate.current_revision(engine) == migrate.head_revision()
            assert set(metadata.tables) <= set(sa.inspect(engine).get_table_names())
            # models and migrations agree (what `alembic check` verifies)
            assert store.schema_diff() == []
        with Store.open(store_url, upgrade=False) as again:  # already at head: fine
            assert again.counts_by_status()["open"] == 0
    finally:
        engine.dispose()


def test_upgrade_false_refuses_an_old_schema(store_url):
    with pytest.raises(MigrationError, match="upgrade=True"):
        Store.open(store_url, upgrade=False)


def test_downgrade_to_base_and_back(store_url, make_cases):
    with Store.open(store_url) as store:
        make_cases(store)
    engine = create_engine(normalize_url(store_url))
    try:
        with engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "base")
        assert not set(metadata.tables) & set(sa.inspect(engine).get_table_names())
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()
    with Store.open(store_url) as store:
        assert store.schema_diff() == []
        assert store.counts_by_status()["open"] == 0


def test_schema_diff_notices_a_model_without_migration(store):
    extra = sa.Table("review_extra", metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        assert [d[0] for d in store.schema_diff()] == ["add_table"]
    finally:
        metadata.remove(extra)


def test_0002_gives_claims_made_before_it_a_lease_and_lets_them_be_taken_over(store_url):
    """A database at 0001 with a case claimed long ago (the stuck-claim defect)
    upgrades; the old claim gets the default lease from its claim time, so it is
    stale at once and another reviewer takes the case over."""
    engine = create_engine(normalize_url(store_url))
    long_ago = datetime(2026, 1, 5, 17, 45, 12, 345678, tzinfo=timezone.utc)
    stamp = long_ago if engine.dialect.name == "postgresql" else long_ago.replace(tzinfo=None)
    try:
        migrate.upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO decision_log (id, ruleset, version, digest, outcome, created_at, input, decision)"
                " VALUES ('d1', 'origination', '1', 'sha256:0', 'review', :at, '{}', '{}')"), {"at": stamp})
            connection.execute(sa.text(
                "INSERT INTO review_case (id, decision_id, ruleset, status, priority, amount, created_at,"
                " claimed_by, evidence) VALUES (1, 'd1', 'origination', 'claimed', 1, 1, :at, 'ghost', '{}')"),
                {"at": stamp})
            connection.execute(sa.text(
                "INSERT INTO review_claim (case_id, reviewer, claimed_at, from_status)"
                " VALUES (1, 'ghost', :at, 'open')"), {"at": stamp})
    finally:
        engine.dispose()
    with Store.open(store_url) as store:
        assert store.schema_diff() == []
        expires = long_ago + timedelta(minutes=30)
        assert store.get_case(1).claim_expires_at == expires
        (claim,) = store.case_history(1).claims
        assert (claim.expires_at, claim.end_reason) == (expires, None)
        assert [c.id for c in store.list_cases(stale=True)] == [1]
        assert store.claim_next("alice").id == 1
        with pytest.raises(ClaimExpired, match="ghost's claim on case 1 expired at 2026-01-05 18:15 UTC"):
            store.record_verdict(1, "ghost", "bad")

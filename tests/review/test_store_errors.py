"""Bad URLs and unreachable databases fail with clear, typed errors."""

from __future__ import annotations

import sqlite3

import pytest

from riskrules.review.store import DatabaseUnavailable, InvalidURL, Store, StoreBusy, connect
from riskrules.review.store.connect import normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@db/risk", "postgresql+psycopg://u@db/risk"),
        ("postgres://u:secret@db:6543/risk", "postgresql+psycopg://u:***@db:6543/risk"),
        ("postgresql+psycopg2://u@db/risk", "postgresql+psycopg://u@db/risk"),
        ("sqlite:///review.db", "sqlite+pysqlite:///review.db"),
        ("sqlite:////var/lib/review.db", "sqlite+pysqlite:////var/lib/review.db"),
        ("review.db", "sqlite+pysqlite:///review.db"),
    ],
)
def test_urls_are_normalised(url, expected):
    assert normalize_url(url).render_as_string() == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@db/risk", "unsupported database 'mysql'"),
        ("postgresql://u@db", "names no database"),
        ("::not a url::/x://", "cannot parse"),
    ],
)
def test_bad_urls(url, message):
    with pytest.raises(InvalidURL, match=message):
        Store.open(url)


def test_unreachable_postgres_is_a_clear_error():
    url = "postgresql://nobody:hunter2@127.0.0.1:1/nowhere?connect_timeout=2"
    with pytest.raises(DatabaseUnavailable, match="cannot open postgresql") as caught:
        Store.open(url)
    assert "hunter2" not in str(caught.value)


def test_sqlite_in_a_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="unable to open"):
        Store.open(f"sqlite:///{tmp_path / 'missing' / 'review.db'}")


def test_in_memory_sqlite_and_plain_paths_work(tmp_path):
    with Store.open("sqlite://") as memory:
        assert memory.backend == "sqlite"
        memory.add_outcome("app", "fraud")
        assert len(memory.outcomes_for("app")) == 1
    with Store.open(tmp_path / "plain.db") as plain:
        assert plain.counts_by_status()["open"] == 0
    assert (tmp_path / "plain.db").exists()


def test_locked_sqlite_is_store_busy_not_a_raw_driver_error(tmp_path, monkeypatch):
    monkeypatch.setattr(connect, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "busy.db"
    with Store.open(path) as store:
        other_writer = sqlite3.connect(path, isolation_level=None)
        other_writer.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreBusy, match="locked"):
                store.add_outcome("app", "fraud")
            assert store.outcomes_for("app") == []  # readers are not blocked (WAL)
        finally:
            other_writer.execute("ROLLBACK")
            other_writer.close()
        store.add_outcome("app", "fraud")

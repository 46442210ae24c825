"""Every change writes an audit entry in its own transaction; the log is append-only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from riskrules.review.store import Store


def test_every_mutation_is_audited(store, make_cases):
    (case_id,) = make_cases(store)
    (other,) = make_cases(store)
    store.claim(case_id, "alice")
    store.release(case_id, "alice")
    store.claim_next("alice")
    store.add_note(case_id, "bob", "hm")
    store.record_verdict(case_id, "alice", "bad")
    store.log_decisions_many([{"ruleset": "o", "version": "1", "digest": "x", "outcome": "approve"}])
    store.add_outcome("app", "fraud")
    proposal = store.create_proposal("o", "x > 1", "alice")
    store.record_backtest(proposal.id, {"hits": 3}, "learner")
    store.set_proposal_status(proposal.id, "shadow", "alice")
    actions = [(e.action, e.actor) for e in store.audit_log()]
    assert actions == [
        ("decision.logged", "engine"), ("case.enqueued", "intake"),
        ("decision.logged", "engine"), ("case.enqueued", "intake"),
        ("case.claimed", "alice"), ("case.released", "alice"), ("case.claimed", "alice"),
        ("case.note", "bob"), ("case.verdict", "alice"),
        ("decision.logged_many", "engine"), ("outcome.added", "servicing"),
        ("proposal.created", "alice"), ("proposal.backtest", "learner"), ("proposal.status", "alice"),
    ]
    entries = store.audit_log(entity="case", entity_id=case_id)
    assert [e.action for e in entries][-1] == "case.verdict"
    assert entries[-1].detail["verdict"] == "bad" and entries[-1].at.tzinfo is not None
    assert store.audit_log(entity="case", entity_id=other, action="case.verdict") == []
    assert len(store.audit_log(limit=2)) == 2


def test_store_has_no_api_to_change_the_audit_log():
    public = {name for name in dir(Store) if not name.startswith("_")}
    assert not {name for name in public if "audit" in name} - {"audit_log"}


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"],
    ids=["update", "delete"],
)
def test_database_rejects_changes_to_audit_log(store, make_cases, statement):
    make_cases(store)
    engine = sa.create_engine(store.url)
    try:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with engine.begin() as connection:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()
    assert {e.actor for e in store.audit_log()} == {"engine", "intake"}


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])  # SQLite has no TRUNCATE
def test_postgres_rejects_truncate_of_audit_log(store):
    store.add_outcome("app", "fraud")
    engine = sa.create_engine(store.url)
    try:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with engine.begin() as connection:
                connection.exec_driver_sql("TRUNCATE audit_log")
    finally:
        engine.dispose()
    assert len(store.audit_log()) == 1

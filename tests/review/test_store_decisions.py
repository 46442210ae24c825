"""The decision log: single and bulk writes, JSON round-trips, bad rows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from riskrules.review.store import DecisionNotFound, IntegrityViolation, InvalidData


def test_log_decision_round_trips_json_and_time(store):
    at = datetime(2024, 5, 1, 12, 30, tzinfo=timezone(timedelta(hours=8)))
    payload = {"applicant": {"age": 31, "name": "李雷"}, "flags": [True, None], "ratio": 0.25}
    logged = store.log_decision(
        id="app-1", ruleset="origination", version="1.3.0", digest="sha256:1", outcome="decline",
        score=71.5, input=payload, decision={"reasons": ["AGE"]}, created_at=at,
    )
    got = store.get_decision("app-1")
    assert got == logged
    assert got.input == payload
    assert got.decision == {"reasons": ["AGE"]}
    assert got.created_at == at and got.created_at.tzinfo is not None


def test_log_decision_makes_an_id_and_serialises_dates_and_decimals(store):
    logged = store.log_decision(
        ruleset="monitoring", version="1", digest="d", outcome="alert",
        input={"due_at": datetime(2024, 1, 2, tzinfo=timezone.utc), "amount": Decimal("10.50")},
    )
    assert len(logged.id) == 32
    assert store.get_decision(logged.id).input == {"due_at": "2024-01-02T00:00:00+00:00", "amount": "10.50"}


def test_amounts_in_the_evidence_come_back_with_their_digits_and_replay_the_same(store, tmp_path):
    import yaml

    from riskrules import Engine

    (tmp_path / "r.yaml").write_text(yaml.safe_dump({
        "ruleset": "money", "version": "1", "schema": {"loan": {"amount": "decimal", "rate": "decimal(8)"}},
        "tables": {"t": {"hit": "first", "inputs": ["loan.rate"], "outputs": ["interest"],
                         "rows": [{"when": ["-"], "then": ["loan.amount * loan.rate"]}]}}}))
    engine = Engine.load(tmp_path / "r.yaml")
    at = datetime(2024, 5, 1, tzinfo=timezone.utc)
    data = {"loan": {"amount": Decimal("10.50"), "rate": Decimal("0.00000000")}}
    d = engine.decide(data, now=at)
    logged = store.log_decision(ruleset="money", version="1", digest=d.ruleset["digest"], outcome=d.outcome,
                                input=data, decision=d.to_dict(plain=False))
    got = store.get_decision(logged.id)
    assert got.input == {"loan": {"amount": "10.50", "rate": "0.00000000"}}
    assert got.decision["tables"] == {"t": {"interest": "0.0000000000"}} == d.to_dict()["tables"]
    assert engine.decide(got.input, now=at).to_dict()["tables"] == d.to_dict()["tables"]


def test_log_decisions_many_is_bulk_and_fast(store):
    rows = [
        {"id": f"d{i}", "ruleset": "origination", "version": "1", "digest": "x", "outcome": "approve",
         "score": i / 10, "input": {"i": i}, "decision": {}}
        for i in range(5000)
    ]
    import sqlalchemy as sa

    statements = []

    def count(conn, cursor, statement, params, context, executemany):
        statements.append(executemany)

    sa.event.listen(store._engine, "before_cursor_execute", count)
    try:
        assert store.log_decisions_many(rows) == 5000
    finally:
        sa.event.remove(store._engine, "before_cursor_execute", count)
    # bulk: a handful of statements for 5,000 rows (counted, not timed: a clock fails under load)
    assert len(statements) < 50, len(statements)
    assert store.get_decision("d4999").input == {"i": 4999}
    entries = store.audit_log(action="decision.logged_many")
    assert [e.detail for e in entries] == [{"count": 5000, "rulesets": ["origination"]}]


def test_log_decisions_many_is_all_or_nothing(store):
    rows = [{"id": "same", "ruleset": "o", "version": "1", "digest": "x", "outcome": "approve"}] * 2
    with pytest.raises(IntegrityViolation):
        store.log_decisions_many(rows)
    with pytest.raises(DecisionNotFound):
        store.get_decision("same")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"ruleset": "o", "version": "1", "digest": "x"}, "missing outcome"),
        ({"ruleset": "o", "version": "1", "digest": "x", "outcome": "a", "colour": 1}, "unknown colour"),
        ({"ruleset": "o", "version": "1", "digest": "x", "outcome": "a", "input": {"x": object()}}, "not JSON"),
        ({"ruleset": "o", "version": "1", "digest": "x", "outcome": "a", "created_at": datetime(2024, 1, 1)}, "naive"),
    ],
    ids=["missing", "unknown", "not-json", "naive-time"],
)
def test_bad_rows_raise_invalid_data(store, row, message):
    with pytest.raises(InvalidData, match=message):
        store.log_decisions_many([row])


def test_duplicate_decision_id_is_a_typed_error(store):
    store.log_decision(id="dup", ruleset="o", version="1", digest="x", outcome="approve")
    with pytest.raises(IntegrityViolation, match="refused"):
        store.log_decision(id="dup", ruleset="o", version="1", digest="x", outcome="approve")


def test_unknown_decision(store):
    with pytest.raises(DecisionNotFound, match="nope"):
        store.get_decision("nope")

"""The review queue: enqueue, list, claim, release, verdicts, notes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from riskrules.review.store import (
    AlreadyClaimed,
    CaseNotFound,
    ClaimRequired,
    DecisionNotFound,
    DuplicateCase,
    InvalidData,
    InvalidTransition,
)

T0 = datetime(2024, 3, 1, tzinfo=timezone.utc)


def test_enqueue_snapshots_evidence_and_defaults_priority_and_sla(store):
    decision = store.log_decision(ruleset="origination", version="1", digest="sha256:9", outcome="review")
    evidence = {
        "input": {"applicant": {"age": 40}}, "features": {"dti": 0.61},
        "contributions": {"pd": {"dti": 12.5}}, "rules_fired": ["FRD-014"],
        "rules_nearly_fired": [{"id": "KYC-001", "margin": 1}], "digest": "sha256:9",
    }
    before = datetime.now(timezone.utc)
    case = store.enqueue_case(decision.id, amount=2000, model_score=0.35, evidence=evidence)
    got = store.get_case(case.id)
    assert got.evidence == evidence
    assert (got.status, got.ruleset, got.decision_id, got.claimed_by) == ("open", "origination", decision.id, None)
    assert got.priority == pytest.approx(700.0)
    assert before + timedelta(hours=23) < got.sla_due_at < before + timedelta(hours=25)


def test_enqueue_needs_a_logged_decision_and_only_once(store, make_cases):
    with pytest.raises(DecisionNotFound):
        store.enqueue_case("missing", amount=1, evidence={})
    (case_id,) = make_cases(store)
    with pytest.raises(DuplicateCase):
        store.enqueue_case(store.get_case(case_id).decision_id, amount=1, evidence={})


def _queue(store):
    """Four cases whose order differs for every sort key (age: see test_list_cases_by_age)."""
    rows = [  # name, priority, amount, score, created, sla
        ("a", 10.0, 400.0, 0.9, T0 + timedelta(hours=3), T0 + timedelta(days=2)),
        ("b", 40.0, 100.0, 0.1, T0 + timedelta(hours=1), T0 + timedelta(days=4)),
        ("c", 30.0, 300.0, 0.5, T0 + timedelta(hours=4), T0 + timedelta(days=1)),
        ("d", 20.0, 200.0, None, T0 + timedelta(hours=2), T0 + timedelta(days=3)),
    ]
    names = {}
    for name, priority, amount, score, created, sla in rows:
        store.log_decision(id=name, ruleset="origination", version="1", digest="x", outcome="review",
                           created_at=created)
        case = store.enqueue_case(name, amount=amount, model_score=score, priority=priority,
                                  sla_due_at=sla, evidence={})
        names[case.id] = name
    return names


@pytest.mark.parametrize(
    ("order_by", "desc", "expected"),
    [
        ("priority", True, "bcda"), ("priority", False, "adcb"),
        ("amount", True, "acdb"), ("score", True, "acbd"), ("score", False, "bcad"),
        ("sla", True, "cadb"),  # most overdue (earliest due) first
        ("sla", False, "bdac"),
    ],
)
def test_list_cases_orders(store, order_by, desc, expected):
    names = _queue(store)
    got = "".join(names[c.id] for c in store.list_cases(order_by=order_by, desc=desc))
    assert got == expected


def test_list_cases_by_age(store, make_cases):
    first, second, third = make_cases(store, 3)
    assert [c.id for c in store.list_cases(order_by="age")] == [first, second, third]
    assert [c.id for c in store.list_cases(order_by="age", desc=False)] == [third, second, first]


def test_list_cases_filters_and_pages(store, make_cases):
    make_cases(store, 3, ruleset="origination")
    make_cases(store, 2, ruleset="collections")
    store.claim_next("alice", ruleset="collections")
    assert len(store.list_cases(ruleset="collections")) == 2
    assert [c.status for c in store.list_cases(status="claimed")] == ["claimed"]
    assert len(store.list_cases(status="open")) == 4
    everything = store.list_cases()
    assert store.list_cases(limit=2, offset=1) == everything[1:3]
    with pytest.raises(InvalidData, match="order"):
        store.list_cases(order_by="colour")
    with pytest.raises(InvalidData, match="status"):
        store.list_cases(status="pending")


def test_counts_by_status(store, make_cases):
    assert store.counts_by_status() == {"open": 0, "claimed": 0, "decided": 0, "escalated": 0}
    ids = make_cases(store, 4)
    make_cases(store, 1, ruleset="collections")
    store.claim(ids[0], "alice")
    store.claim(ids[1], "bob")
    store.record_verdict(ids[1], "bob", "good")
    assert store.counts_by_status() == {"open": 3, "claimed": 1, "decided": 1, "escalated": 0}
    assert store.counts_by_status("collections") == {"open": 1, "claimed": 0, "decided": 0, "escalated": 0}


def test_claim_next_takes_highest_priority_then_oldest(store, make_cases):
    low, high_old, high_new = (
        make_cases(store, 1, priority=1.0)[0],
        make_cases(store, 1, priority=9.0)[0],
        make_cases(store, 1, priority=9.0)[0],
    )
    assert store.claim_next("alice").id == high_old
    assert store.claim_next("bob").id == high_new
    assert store.claim_next("carol", min_priority=2.0) is None
    assert store.claim_next("carol").id == low
    assert store.claim_next("dave") is None


def test_claim_next_filters_by_ruleset(store, make_cases):
    make_cases(store, 1, ruleset="origination", priority=100.0)
    (collections,) = make_cases(store, 1, ruleset="collections", priority=1.0)
    assert store.claim_next("alice", ruleset="collections").id == collections


def test_claim_is_exclusive_and_idempotent_for_the_holder(store, make_cases):
    (case_id,) = make_cases(store)
    claimed = store.claim(case_id, "alice")
    assert (claimed.status, claimed.claimed_by) == ("claimed", "alice")
    assert store.claim(case_id, "alice").claimed_by == "alice"
    with pytest.raises(AlreadyClaimed, match="claimed by alice"):
        store.claim(case_id, "bob")
    with pytest.raises(CaseNotFound):
        store.claim(999_999, "bob")


def test_release_returns_case_to_its_queue(store, make_cases):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    with pytest.raises(ClaimRequired, match="bob does not hold"):
        store.release(case_id, "bob")
    released = store.release(case_id, "alice")
    assert (released.status, released.claimed_by) == ("open", None)
    with pytest.raises(ClaimRequired):
        store.release(case_id, "alice")
    store.claim(case_id, "bob")
    assert store.release(case_id, "supervisor", force=True).status == "open"
    claims = store.case_history(case_id).claims
    assert [(c.reviewer, c.released_at is not None) for c in claims] == [("alice", True), ("bob", True)]
    assert store.audit_log(action="case.released")[-1].detail["forced"] is True


@pytest.mark.parametrize(
    ("verdict", "status"), [("bad", "decided"), ("good", "decided"), ("escalate", "escalated"), ("skip", "open")]
)
def test_verdict_moves_case(store, make_cases, verdict, status):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    row = store.record_verdict(case_id, "alice", verdict, note="looked at the device graph")
    history = store.case_history(case_id)
    assert (history.case.status, history.case.claimed_by) == (status, None)
    assert [(v.id, v.verdict, v.reviewer) for v in history.verdicts] == [(row.id, verdict, "alice")]
    assert [(n.author, n.text) for n in history.notes] == [("alice", "looked at the device graph")]
    assert history.claims[0].released_at == row.created_at


def test_verdict_needs_the_claim(store, make_cases):
    (case_id,) = make_cases(store)
    with pytest.raises(ClaimRequired, match="it is open"):
        store.record_verdict(case_id, "alice", "bad")
    store.claim(case_id, "alice")
    with pytest.raises(ClaimRequired, match="claimed by alice"):
        store.record_verdict(case_id, "bob", "bad")
    with pytest.raises(InvalidData, match="unknown verdict"):
        store.record_verdict(case_id, "alice", "maybe")
    with pytest.raises(CaseNotFound):
        store.record_verdict(424242, "alice", "bad")
    store.record_verdict(case_id, "alice", "bad")
    with pytest.raises(InvalidTransition, match="decided"):
        store.claim(case_id, "alice")


def test_escalated_cases_form_their_own_queue(store, make_cases):
    (case_id,) = make_cases(store)
    store.claim(case_id, "junior")
    store.record_verdict(case_id, "junior", "escalate")
    assert store.claim_next("senior") is None
    assert store.claim_next("senior", status="escalated").id == case_id
    store.release(case_id, "senior")
    assert store.get_case(case_id).status == "escalated"  # release goes back where it came from
    store.claim(case_id, "senior")
    store.record_verdict(case_id, "senior", "bad")
    assert [v.verdict for v in store.case_history(case_id).verdicts] == ["escalate", "bad"]
    with pytest.raises(InvalidData):
        store.claim_next("senior", status="decided")


def test_notes(store, make_cases):
    (case_id,) = make_cases(store)
    note = store.add_note(case_id, "bob", "same device as case 12")
    assert store.case_history(case_id).notes == [note]
    with pytest.raises(InvalidData):
        store.add_note(case_id, "bob", "   ")
    with pytest.raises(CaseNotFound):
        store.add_note(31337, "bob", "hello")

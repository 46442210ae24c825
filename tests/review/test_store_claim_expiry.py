"""Claim leases: a claim runs out, another reviewer takes the case over, the old
holder's late verdict is refused; renewing, listing stale claims, bad leases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from riskrules.review.store import (
    AlreadyClaimed,
    ClaimExpired,
    ClaimRequired,
    InvalidData,
    Store,
)
from riskrules.review.store.store import DEFAULT_CLAIM_LEASE

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LEASE = timedelta(minutes=30)


class Clock:
    """The store's idea of now, moved by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock(store: Store) -> Clock:
    store.clock = clock = Clock()
    return clock


def test_a_claim_carries_its_lease(store, clock, make_cases):
    (case_id,) = make_cases(store)
    case = store.claim(case_id, "alice")
    assert case.claim_expires_at == T0 + DEFAULT_CLAIM_LEASE
    assert store.case_history(case_id).claims[0].expires_at == T0 + DEFAULT_CLAIM_LEASE
    clock.advance(minutes=29)
    with pytest.raises(AlreadyClaimed, match="claimed by alice until 2026-03-02 09:30 UTC"):
        store.claim(case_id, "bob")
    assert store.claim_next("bob") is None


def test_an_expired_claim_is_taken_over_and_audited(store, clock, make_cases):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    clock.advance(minutes=31)
    case = store.claim(case_id, "bob")
    assert (case.status, case.claimed_by, case.claim_expires_at) == ("claimed", "bob", clock.now + LEASE)
    old, new = store.case_history(case_id).claims
    assert (old.reviewer, old.end_reason, old.released_at) == ("alice", "expired", clock.now)
    assert (new.reviewer, new.end_reason, new.released_at, new.from_status) == ("bob", None, None, "open")
    (entry,) = store.audit_log(action="case.claim_expired")
    assert (entry.actor, entry.entity_id) == ("bob", str(case_id))
    assert entry.detail["holder"] == "alice" and entry.detail["taken_over_by"] == "bob"


def test_the_old_holders_verdict_after_a_takeover_is_refused(store, clock, make_cases):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    clock.advance(hours=14)  # went home
    store.claim_next("bob")
    with pytest.raises(ClaimExpired, match=r"alice's claim on case \d+ expired at .* bob took the case over"):
        store.record_verdict(case_id, "alice", "bad", note="synthetic ID")
    with pytest.raises(ClaimExpired):
        store.release(case_id, "alice")
    history = store.case_history(case_id)
    assert (history.verdicts, history.notes, history.case.claimed_by) == ([], [], "bob")
    # still refused once bob has decided the case
    store.record_verdict(case_id, "bob", "good")
    with pytest.raises(ClaimExpired, match="it is now decided"):
        store.record_verdict(case_id, "alice", "bad")


def test_a_verdict_on_an_expired_claim_nobody_took_counts(store, clock, make_cases):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    clock.advance(hours=2)
    verdict = store.record_verdict(case_id, "alice", "bad")
    assert verdict.created_at == clock.now
    assert store.get_case(case_id).status == "decided"
    (claim,) = store.case_history(case_id).claims
    assert claim.end_reason == "verdict"
    (entry,) = store.audit_log(action="case.verdict")
    assert entry.detail["lease_expired"] is True


def test_claiming_again_or_writing_a_note_renews_the_lease(store, clock, make_cases):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    clock.advance(minutes=20)
    assert store.claim(case_id, "alice").claim_expires_at == clock.now + LEASE
    assert [e.actor for e in store.audit_log(action="case.claim_renewed")] == ["alice"]
    clock.advance(minutes=25)
    store.add_note(case_id, "alice", "waiting for the bank statement")
    assert store.get_case(case_id).claim_expires_at == clock.now + LEASE
    clock.advance(minutes=25)
    with pytest.raises(AlreadyClaimed):
        store.claim(case_id, "bob")
    # a note by someone else renews nothing
    store.add_note(case_id, "bob", "same device as case 12")
    clock.advance(minutes=6)
    assert store.claim(case_id, "bob").claimed_by == "bob"


def test_claim_next_takes_stale_claims_by_priority_from_their_own_queue(store, clock, make_cases):
    low, high, escalated = make_cases(store, 3)
    store.claim(escalated, "junior")
    store.record_verdict(escalated, "junior", "escalate")
    store.claim(high, "alice")
    store.claim(escalated, "senior")
    clock.advance(minutes=31)
    # alice's own stale claim is not handed back to her as "next"
    assert store.claim_next("alice").id == low
    assert store.claim_next("bob").id == high
    assert store.claim_next("carol") is None  # the stale escalated claim stays in its queue
    taken = store.claim_next("carol", status="escalated")
    assert (taken.id, taken.claimed_by) == (escalated, "carol")
    assert store.case_history(escalated).claims[-1].from_status == "escalated"


def test_list_cases_shows_stale_claims(store, clock, make_cases):
    fresh, stale, _ = make_cases(store, 3)
    store.claim(stale, "alice")
    clock.advance(minutes=40)
    store.claim(fresh, "bob")
    assert [c.id for c in store.list_cases(stale=True)] == [stale]
    by_id = {c.id: c for c in store.list_cases(status="claimed")}
    assert by_id[stale].claim_expired(clock.now) and not by_id[fresh].claim_expired(clock.now)


def test_a_forced_release_is_recorded_as_such(store, clock, make_cases):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    store.release(case_id, "supervisor", force=True)
    (claim,) = store.case_history(case_id).claims
    assert claim.end_reason == "forced"
    with pytest.raises(ClaimRequired) as refused:
        store.record_verdict(case_id, "alice", "bad")
    assert type(refused.value) is ClaimRequired  # released, not taken over after expiry


@pytest.mark.parametrize("lease", [timedelta(0), timedelta(minutes=-5), 30])
def test_a_lease_must_be_a_positive_duration(store_url, lease):
    with pytest.raises(InvalidData, match="positive duration"):
        Store.open(store_url, claim_lease=lease)


def test_the_lease_is_set_per_store(store_url, make_cases):
    with Store.open(store_url, claim_lease=timedelta(hours=2), clock=Clock()) as store:
        (case_id,) = make_cases(store)
        assert store.claim(case_id, "alice").claim_expires_at == T0 + timedelta(hours=2)


def test_times_are_read_after_the_case_is_locked(store, clock, make_cases, monkeypatch):
    """A writer that waited for the case's lock must not stamp its change with the time it
    started waiting: claim histories then showed overlapping holders (issue 14)."""
    from riskrules.review.store import queue

    locked: list[bool] = []
    reads: list[bool] = []
    real_lock = queue.lock_case

    def lock_case(session, case_id):
        case = real_lock(session, case_id)
        locked.append(True)
        return case

    def reading_clock():
        reads.append(bool(locked))
        return clock.now

    monkeypatch.setattr(queue, "lock_case", lock_case)
    store.clock = reading_clock
    (case_id,) = make_cases(store)
    for step in (lambda: store.claim(case_id, "alice"), lambda: store.add_note(case_id, "alice", "looked"),
                 lambda: store.release(case_id, "alice"), lambda: store.claim(case_id, "bob"),
                 lambda: store.record_verdict(case_id, "bob", "bad")):
        locked.clear()
        reads.clear()
        step()
        assert reads and all(reads), "the time was read before the case was locked"


def test_a_slow_clock_never_makes_claims_overlap(store, clock, make_cases):
    """Bob's clock is five minutes behind Alice's: his claim still starts no earlier than
    her release, and his verdict no earlier than his claim."""
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    clock.advance(minutes=10)
    store.release(case_id, "alice")
    clock.advance(minutes=-5)
    store.claim(case_id, "bob")
    clock.advance(minutes=-1)
    store.record_verdict(case_id, "bob", "good")
    alice, bob = store.case_history(case_id).claims
    assert alice.released_at <= bob.claimed_at <= bob.released_at
    assert bob.claimed_at == T0 + timedelta(minutes=10)


def test_claim_next_reads_the_time_again_once_the_case_is_locked(store, clock, make_cases, monkeypatch):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    clock.advance(minutes=31)
    times = iter([T0 + timedelta(minutes=31), T0 + timedelta(minutes=40)])
    store.clock = lambda: next(times)
    case = store.claim_next("bob")
    assert case.id == case_id
    old, new = store.case_history(case_id).claims
    assert old.released_at == new.claimed_at == T0 + timedelta(minutes=40)


def test_a_clock_in_another_zone_stamps_its_own_time(store, clock, make_cases):
    """Claim times do not depend on the clock's zone: a UTC-5 clock's changes are stamped
    at its own instants (the last claim time read back is UTC, as stored)."""
    clock.now = T0.astimezone(timezone(timedelta(hours=-5)))
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    clock.advance(minutes=10)
    store.release(case_id, "alice")
    (alice,) = store.case_history(case_id).claims
    assert (alice.claimed_at, alice.released_at) == (T0, T0 + timedelta(minutes=10))

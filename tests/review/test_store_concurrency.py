"""Real concurrent reviewers: no case is ever handed out twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from riskrules.review.store import AlreadyClaimed, ClaimExpired, Store
from riskrules.review.store.connect import normalize_url

CLAIMERS, CASES = 4, 50


def _run_claimers(store_url, work):
    """Run ``work(store, name)`` in CLAIMERS threads, each with its own Store
    (its own engine and connections, like separate reviewer processes)."""
    start = threading.Barrier(CLAIMERS)
    results, errors = {}, []

    def claimer(name):
        try:
            with Store.open(store_url) as own:
                start.wait()
                results[name] = work(own, name)
        except BaseException as error:  # surfaced below, with the thread's name
            errors.append((name, error))

    threads = [threading.Thread(target=claimer, args=(f"reviewer-{i}",)) for i in range(CLAIMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _drain_all(store_url, ids) -> dict:
    """Every claimer takes cases with claim_next until none is left; each of ``ids`` is
    handed out exactly once. Returns what each claimer got."""

    def drain(own, name):
        mine = []
        while (case := own.claim_next(name)) is not None:
            mine.append(case.id)
        return mine

    results = _run_claimers(store_url, drain)
    claimed = [case_id for mine in results.values() for case_id in mine]
    assert sorted(claimed) == sorted(ids), Counter(claimed).most_common(3)
    return results


def test_claim_next_never_hands_out_a_case_twice(store, store_url, make_cases):
    ids = make_cases(store, CASES)
    results = _drain_all(store_url, ids)
    # the database agrees: every case claimed once, by the reviewer who got it
    holders = {c.id: c.claimed_by for c in store.list_cases(limit=None)}
    assert all(holders[case_id] == name for name, mine in results.items() for case_id in mine)
    with sa.create_engine(normalize_url(store_url)).connect() as connection:
        per_case = connection.execute(sa.text("SELECT case_id, count(*) FROM review_claim GROUP BY case_id"))
        assert sorted(per_case) == [(case_id, 1) for case_id in sorted(ids)]


def _race_for(store, store_url, case_id) -> str:
    """Every claimer claims ``case_id`` at once; exactly one wins. Returns the winner."""

    def grab(own, name):
        try:
            return own.claim(case_id, name).claimed_by
        except AlreadyClaimed:
            return None

    results = _run_claimers(store_url, grab)
    winners = [name for name, got in results.items() if got == name]
    assert len(winners) == 1
    assert store.get_case(case_id).claimed_by == winners[0]
    return winners[0]


def test_racing_claims_on_one_case_have_one_winner(store, store_url, make_cases):
    (case_id,) = make_cases(store)
    _race_for(store, store_url, case_id)


def test_claim_release_churn_keeps_one_live_claim(store, store_url, make_cases):
    rounds = 3
    ids = make_cases(store, 10)

    def churn(own, name):
        done = 0
        for _ in range(rounds):
            taken = []
            while (case := own.claim_next(name)) is not None:
                taken.append(case.id)
            for case_id in taken:
                own.release(case_id, name)
            done += len(taken)
        return done

    _run_claimers(store_url, churn)
    assert store.counts_by_status()["open"] == len(ids)
    assert all(len(store.case_history(i).claims) >= 1 for i in ids)


def _abandon(store_url, ids):
    """Claim every case in ``ids`` for "ghost" an hour ago, with the default lease:
    all of those claims have expired."""
    hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    with Store.open(store_url, clock=lambda: hour_ago) as past:
        for case_id in ids:
            past.claim(case_id, "ghost")


def test_stale_claims_are_taken_over_once_each(store, store_url, make_cases):
    ids = make_cases(store, CASES)
    _abandon(store_url, ids)
    _drain_all(store_url, ids)
    takeovers = store.audit_log(action="case.claim_expired")
    assert sorted(int(e.entity_id) for e in takeovers) == sorted(ids)
    assert {e.detail["holder"] for e in takeovers} == {"ghost"}
    with sa.create_engine(normalize_url(store_url)).connect() as connection:
        ends = connection.execute(sa.text(
            "SELECT case_id, reviewer, end_reason FROM review_claim ORDER BY case_id, id")).all()
    expected = [(case_id, who, end) for case_id in sorted(ids)
                for who, end in (("ghost", "expired"), (store.get_case(case_id).claimed_by, None))]
    assert ends == expected


def test_racing_takeovers_of_one_stale_claim_have_one_winner(store, store_url, make_cases):
    (case_id,) = make_cases(store)
    _abandon(store_url, [case_id])
    _race_for(store, store_url, case_id)
    assert len(store.audit_log(action="case.claim_expired")) == 1
    with pytest.raises(ClaimExpired):
        store.record_verdict(case_id, "ghost", "bad")

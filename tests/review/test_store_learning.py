"""What learning reads and writes: labelled cases, outcomes, rule proposals."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from riskrules.review.store import (
    InvalidData,
    InvalidTransition,
    MakerCheckerViolation,
    ProposalNotFound,
)


def _decide(store, case_id, reviewer, *verdicts):
    for verdict in verdicts:
        store.claim(case_id, reviewer)
        store.record_verdict(case_id, reviewer, verdict)


def test_labelled_cases_use_the_latest_bad_or_good_verdict(store, make_cases):
    bad, good, flipped, escalated, untouched = make_cases(store, 5, evidence={"features": {"dti": 0.7}})
    (other,) = make_cases(store, 1, ruleset="collections")
    _decide(store, bad, "alice", "skip", "bad")
    _decide(store, good, "bob", "good")
    _decide(store, escalated, "alice", "escalate")
    _decide(store, other, "alice", "bad")
    store.claim(flipped, "alice")
    store.record_verdict(flipped, "alice", "escalate")
    _decide(store, flipped, "senior", "good")
    store.add_outcome(store.get_case(bad).decision_id, "fraud")

    labelled = {lc.case.id: lc for lc in store.labelled_cases("origination")}
    assert sorted(labelled) == sorted([bad, good, flipped])
    assert (labelled[bad].verdict, labelled[bad].reviewer) == ("bad", "alice")
    assert (labelled[flipped].verdict, labelled[flipped].reviewer) == ("good", "senior")
    assert labelled[bad].evidence == {"features": {"dti": 0.7}}
    assert labelled[bad].outcomes == ("fraud",) and labelled[good].outcomes == ()
    assert labelled[good].decided_at.tzinfo is not None
    assert len(store.labelled_cases()) == 4
    assert untouched not in labelled


def test_outcomes_are_idempotent_and_queryable(store):
    seen = datetime(2024, 9, 1, tzinfo=timezone.utc)
    first = store.add_outcome("app-1", "default_90d", observed_at=seen)
    assert store.add_outcome("app-1", "default_90d") == first
    store.add_outcome("app-1", "fraud")
    store.add_outcome("app-2", "default_90d")
    assert [(o.label, o.observed_at) for o in store.outcomes_for("app-1", label="default_90d")] == [
        ("default_90d", seen)
    ]
    assert [(o.decision_id, o.label) for o in store.outcomes_for(["app-2", "app-1", "app-3"])] == [
        ("app-1", "default_90d"), ("app-1", "fraud"), ("app-2", "default_90d"),
    ]
    assert len(store.audit_log(action="outcome.added")) == 3


def test_proposal_lifecycle_with_maker_checker(store):
    proposal = store.create_proposal(
        "origination", "application.apps_7d >= 5 and models.pd > 0.3", "alice", action="review",
        provenance={"cases": [1, 2, 3], "learner": "ripper"}, backtest=None,
    )
    assert (proposal.status, proposal.promoted_by, proposal.backtest) == ("draft", None, None)
    store.record_backtest(proposal.id, {"precision": 0.8, "recall": 0.4}, "learner")
    assert store.set_proposal_status(proposal.id, "shadow", "alice").status == "shadow"
    with pytest.raises(MakerCheckerViolation, match="alice proposed"):
        store.set_proposal_status(proposal.id, "active", "Alice ")
    active = store.set_proposal_status(proposal.id, "active", "bob")
    assert (active.status, active.promoted_by, active.proposed_by) == ("active", "bob", "alice")
    got = store.get_proposal(proposal.id)
    assert got.backtest == {"precision": 0.8, "recall": 0.4}
    assert got.provenance == {"cases": [1, 2, 3], "learner": "ripper"}
    assert [e.detail for e in store.audit_log(entity="proposal", action="proposal.status")] == [
        {"from": "draft", "to": "shadow"}, {"from": "shadow", "to": "active"},
    ]


@pytest.mark.parametrize(
    ("path", "bad_step"),
    [
        (["active"], "active"),  # no activation without shadow
        (["rejected", "draft"], "draft"),  # rejected is final
        (["shadow", "active", "shadow"], "shadow"),
    ],
)
def test_proposal_transitions_are_checked(store, path, bad_step):
    proposal = store.create_proposal("collections", "loan.dpd > 30", "alice")
    *ok_steps, last = path
    for status in ok_steps:
        store.set_proposal_status(proposal.id, status, "bob")
    assert last == bad_step
    with pytest.raises(InvalidTransition):
        store.set_proposal_status(proposal.id, last, "bob")


def test_proposal_errors_and_listing(store):
    a = store.create_proposal("origination", "x > 1", "alice")
    b = store.create_proposal("collections", "y > 2", "alice")
    store.set_proposal_status(b.id, "rejected", "bob")
    assert [p.id for p in store.list_proposals()] == [a.id, b.id]
    assert [p.id for p in store.list_proposals(ruleset="collections")] == [b.id]
    assert [p.id for p in store.list_proposals(status="draft")] == [a.id]
    with pytest.raises(InvalidData):
        store.list_proposals(status="live")
    with pytest.raises(InvalidData):
        store.set_proposal_status(a.id, "live", "bob")
    with pytest.raises(InvalidData):
        store.create_proposal("origination", "  ", "alice")
    with pytest.raises(ProposalNotFound):
        store.get_proposal(9999)
    with pytest.raises(ProposalNotFound):
        store.set_proposal_status(9999, "shadow", "bob")


class _Refused(Exception):
    pass


def test_a_status_move_commits_only_if_its_body_succeeds(store):
    proposal = store.create_proposal("origination", "x > 1", "alice")
    store.set_proposal_status(proposal.id, "shadow", "alice")
    audit_before = [(e.action, e.detail) for e in store.audit_log(entity="proposal")]
    with pytest.raises(_Refused):
        with store.moving_proposal(proposal.id, "active", "bob") as moving:
            assert (moving.status, moving.promoted_by) == ("active", "bob")
            raise _Refused  # e.g. the learned rules could not be written
    got = store.get_proposal(proposal.id)
    assert (got.status, got.promoted_by) == ("shadow", None)
    assert [(e.action, e.detail) for e in store.audit_log(entity="proposal")] == audit_before
    with pytest.raises(MakerCheckerViolation):  # refused on entering: the body never runs
        with store.moving_proposal(proposal.id, "active", "alice"):
            raise AssertionError("the body ran for the proposer")
    with store.moving_proposal(proposal.id, "active", "bob"):
        pass
    assert store.get_proposal(proposal.id).promoted_by == "bob"

"""A verdict is all or nothing: verdict, case status, claim end, note and audit
entry commit together. Checked with an injected fault and with a real SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

import riskrules
from riskrules.review.store import StoreError, audit, queue
from riskrules.review.store.models import AuditEntry

REPO = Path(riskrules.__file__).resolve().parents[1]


def assert_untouched(store, case_id, reviewer="alice"):
    """The case is exactly as claimed before the verdict: nothing half-written."""
    history = store.case_history(case_id)
    assert (history.case.status, history.case.claimed_by) == ("claimed", reviewer)
    assert history.verdicts == [] and history.notes == []
    assert [c.released_at for c in history.claims] == [None]
    assert store.audit_log(entity="case", entity_id=case_id, action="case.verdict") == []


def _failing_audit_insert(session, **entry):
    """A real database failure at the last step: an audit row breaking NOT NULL."""
    session.add(AuditEntry(actor=None, action=entry["action"], entity="case", entity_id="x", detail={}))
    session.flush()


def test_failed_audit_insert_rolls_back_the_whole_verdict(store, make_cases, monkeypatch):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    monkeypatch.setattr(audit, "append", _failing_audit_insert)
    with pytest.raises(StoreError):
        store.record_verdict(case_id, "alice", "bad", note="fraud ring")
    monkeypatch.undo()
    assert_untouched(store, case_id)
    store.record_verdict(case_id, "alice", "bad", note="fraud ring")  # and the store still works
    assert store.get_case(case_id).status == "decided"


def test_python_error_mid_verdict_rolls_back_too(store, make_cases, monkeypatch):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")

    def crash(session, **entry):
        raise KeyboardInterrupt  # e.g. Ctrl-C between the writes and the commit

    monkeypatch.setattr(queue.audit, "append", crash)
    with pytest.raises(KeyboardInterrupt):
        store.record_verdict(case_id, "alice", "good", note="fine")
    monkeypatch.undo()
    assert_untouched(store, case_id)


# The child writes the verdict inside its transaction, says so, and hangs before
# COMMIT until the test kills it with SIGKILL (no cleanup, no rollback by Python).
_CHILD = textwrap.dedent(
    """
    import sys, time
    from riskrules.review.store import Store, audit
    url, case_id = sys.argv[1], int(sys.argv[2])
    store = Store.open(url)
    real_append = audit.append

    def append_then_hang(session, **entry):
        written = real_append(session, **entry)
        if entry["action"] == "case.verdict":
            session.flush()
            print("IN-TRANSACTION", flush=True)
            time.sleep(120)
        return written

    audit.append = append_then_hang
    store.record_verdict(case_id, "alice", "bad", note="never committed")
    print("COMMITTED", flush=True)
    """
)


def test_sigkill_before_commit_leaves_case_unchanged(store, store_url, make_cases):
    (case_id,) = make_cases(store)
    store.claim(case_id, "alice")
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, store_url, str(case_id)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = child.stdout.readline().strip()
        assert line == "IN-TRANSACTION", child.stderr.read()
        # the rows exist in the child's open transaction, but nobody else can see them
        assert_untouched(store, case_id)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert_untouched(store, case_id)
    with sa.create_engine(store.url).connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM review_verdict")).scalar() == 0
    # no lock or claim left dangling: alice can still finish the case
    store.record_verdict(case_id, "alice", "good")
    assert store.get_case(case_id).status == "decided"

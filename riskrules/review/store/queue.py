"""The review queue: cases, claims, verdicts and notes.

Functions here take an open :class:`Session` inside a write transaction and never
commit; :class:`~riskrules.review.store.store.Store` owns transactions, so every
change below and its audit entry land together.

Claiming is safe under concurrency on both backends: on PostgreSQL the case row is
locked with ``FOR UPDATE`` (``SKIP LOCKED`` when picking the next case); on SQLite
the transaction began with ``BEGIN IMMEDIATE`` and so already holds the write lock
(``FOR UPDATE`` compiles to nothing there).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from . import audit
from .connect import jsonable
from .errors import (
    AlreadyClaimed,
    CaseNotFound,
    ClaimRequired,
    DecisionNotFound,
    DuplicateCase,
    InvalidData,
    InvalidTransition,
)
from .models import CASE_STATUSES, VERDICTS, Case, Claim, DecisionRecord, Note, Verdict, utcnow

CLAIMABLE = ("open", "escalated")
# where a verdict sends the case; "skip" returns it to the queue it came from
_STATUS_AFTER = {"bad": "decided", "good": "decided", "escalate": "escalated"}


def enqueue(
    session: Session,
    decision_id: str,
    *,
    amount: float,
    evidence: Mapping[str, Any],
    model_score: float | None,
    priority: float | None,
    sla_due_at: datetime | None,
    default_sla: timedelta,
    actor: str,
) -> Case:
    decision = session.get(DecisionRecord, decision_id)
    if decision is None:
        raise DecisionNotFound(f"no decision {decision_id!r} in the decision log: log it before enqueueing")
    if session.exec(select(Case.id).where(Case.decision_id == decision_id)).first() is not None:
        raise DuplicateCase(f"decision {decision_id!r} already has a review case")
    if priority is None:
        # expected loss in money terms: risk x exposure
        priority = (model_score if model_score is not None else decision.score or 0.0) * amount
    now = utcnow()
    case = Case(
        decision_id=decision_id,
        ruleset=decision.ruleset,
        priority=float(priority),
        amount=float(amount),
        model_score=model_score,
        sla_due_at=sla_due_at if sla_due_at is not None else now + default_sla,
        created_at=now,
        evidence=jsonable(dict(evidence), "case evidence"),
    )
    session.add(case)
    session.flush()
    audit.append(
        session, actor=actor, action="case.enqueued", entity="case", entity_id=case.id,
        detail={"decision_id": decision_id, "ruleset": case.ruleset, "priority": case.priority},
    )
    return case


def lock_case(session: Session, case_id: int) -> Case:
    case = session.exec(select(Case).where(Case.id == case_id).with_for_update()).first()
    if case is None:
        raise CaseNotFound(f"no review case {case_id}")
    return case


def claim(session: Session, case_id: int, reviewer: str) -> Case:
    case = lock_case(session, case_id)
    if case.status == "claimed":
        if case.claimed_by == reviewer:
            return case
        raise AlreadyClaimed(f"case {case_id} is claimed by {case.claimed_by}")
    if case.status not in CLAIMABLE:
        raise InvalidTransition(f"case {case_id} is {case.status}; only open or escalated cases can be claimed")
    return _start_claim(session, case, reviewer)


def claim_next(
    session: Session,
    reviewer: str,
    *,
    ruleset: str | None,
    status: str,
    min_priority: float | None,
) -> Case | None:
    if status not in CLAIMABLE:
        raise InvalidData(f"can only claim from {CLAIMABLE}, not {status!r}")
    query = (
        select(Case)
        .where(Case.status == status)
        .order_by(col(Case.priority).desc(), col(Case.created_at), col(Case.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if ruleset is not None:
        query = query.where(Case.ruleset == ruleset)
    if min_priority is not None:
        query = query.where(Case.priority >= min_priority)
    case = session.exec(query).first()
    return None if case is None else _start_claim(session, case, reviewer)


def _start_claim(session: Session, case: Case, reviewer: str) -> Case:
    session.add(Claim(case_id=case.id, reviewer=reviewer, from_status=case.status))
    audit.append(
        session, actor=reviewer, action="case.claimed", entity="case", entity_id=case.id,
        detail={"from_status": case.status},
    )
    case.status, case.claimed_by = "claimed", reviewer
    session.add(case)
    session.flush()
    return case


def _live_claim(session: Session, case: Case, reviewer: str, *, force: bool = False) -> Claim:
    if case.status != "claimed" or (case.claimed_by != reviewer and not force):
        holder = f"claimed by {case.claimed_by}" if case.status == "claimed" else case.status
        raise ClaimRequired(f"{reviewer} does not hold case {case.id} (it is {holder})")
    live = session.exec(
        select(Claim).where(Claim.case_id == case.id, col(Claim.released_at).is_(None))
    ).one()
    return live


def release(session: Session, case_id: int, reviewer: str, *, force: bool) -> Case:
    case = lock_case(session, case_id)
    live = _live_claim(session, case, reviewer, force=force)
    live.released_at = utcnow()
    session.add(live)
    case.status, case.claimed_by = live.from_status, None
    session.add(case)
    session.flush()
    audit.append(
        session, actor=reviewer, action="case.released", entity="case", entity_id=case.id,
        detail={"holder": live.reviewer, "status": case.status, "forced": force and live.reviewer != reviewer},
    )
    return case


def record_verdict(
    session: Session, case_id: int, reviewer: str, verdict: str, note: str | None
) -> Verdict:
    if verdict not in VERDICTS:
        raise InvalidData(f"unknown verdict {verdict!r}; expected one of {', '.join(VERDICTS)}")
    case = lock_case(session, case_id)
    live = _live_claim(session, case, reviewer)
    now = utcnow()
    live.released_at = now
    row = Verdict(case_id=case_id, reviewer=reviewer, verdict=verdict, created_at=now)
    case.status, case.claimed_by = _STATUS_AFTER.get(verdict, live.from_status), None
    session.add_all([live, row, case])
    if note:
        session.add(Note(case_id=case_id, author=reviewer, text=note, created_at=now))
    session.flush()
    audit.append(
        session, actor=reviewer, action="case.verdict", entity="case", entity_id=case_id,
        detail={"verdict": verdict, "status": case.status, "verdict_id": row.id, "with_note": bool(note)},
    )
    return row


def add_note(session: Session, case_id: int, author: str, text: str) -> Note:
    if not text.strip():
        raise InvalidData("a note needs some text")
    if session.get(Case, case_id) is None:
        raise CaseNotFound(f"no review case {case_id}")
    note = Note(case_id=case_id, author=author, text=text)
    session.add(note)
    session.flush()
    audit.append(
        session, actor=author, action="case.note", entity="case", entity_id=case_id,
        detail={"note_id": note.id},
    )
    return note


def check_status(status: str | None) -> None:
    if status is not None and status not in CASE_STATUSES:
        raise InvalidData(f"unknown case status {status!r}; expected one of {', '.join(CASE_STATUSES)}")

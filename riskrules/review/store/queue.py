"""The review queue: cases, claims, verdicts and notes.

Functions here take an open :class:`Session` inside a write transaction and never
commit; :class:`~riskrules.review.store.store.Store` owns transactions, so every
change below and its audit entry land together.

Claiming is safe under concurrency on both backends: on PostgreSQL the case row is
locked with ``FOR UPDATE`` (``SKIP LOCKED`` when picking the next case); on SQLite
the transaction began with ``BEGIN IMMEDIATE`` and so already holds the write lock
(``FOR UPDATE`` compiles to nothing there).

Claims are leases. A claim runs until ``expires_at`` (claimed at + the store's
lease), renewed when the holder claims the case again or writes a note on it. Once
it has run out, the case stays the holder's until another reviewer claims it
(``claim`` or ``claim_next``, which treat a stale claim like a case waiting in the
queue it was claimed from); the takeover ends the old claim as ``expired`` with a
``case.claim_expired`` audit entry naming the old holder, and the old holder's
verdict or release is then refused with :class:`ClaimExpired`. A holder whose lease
ran out but whose case nobody took may still give a verdict (audited with
``lease_expired``): refusing it would protect nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..._common.time import assume_utc
from . import audit
from .connect import jsonable
from .errors import (
    AlreadyClaimed,
    CaseNotFound,
    ClaimExpired,
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


def locked_now(session: Session, case: Case, clock: Callable[[], datetime]) -> datetime:
    """The time of a change to ``case``, read after its row is locked: never before the
    last claim event of the case, so claim histories never overlap, even when clients'
    clocks disagree or a writer waited for the lock."""
    now = clock()
    last = session.exec(
        select(sa.func.max(sa.func.coalesce(Claim.released_at, Claim.claimed_at))).where(Claim.case_id == case.id)
    ).first()
    if last is not None:
        last = assume_utc(last)  # stored as UTC; should a driver hand it back naive, it is UTC, not the clock's zone
    return max(now, last) if last is not None else now


def claim(session: Session, case_id: int, reviewer: str, *, clock: Callable[[], datetime], lease: timedelta) -> Case:
    case = lock_case(session, case_id)
    now = locked_now(session, case, clock)
    if case.status == "claimed":
        live = _live(session, case)
        if case.claimed_by == reviewer:
            return _renew(session, case, live, now, lease, audited=True)
        if not case.claim_expired(now):
            raise AlreadyClaimed(f"case {case_id} is claimed by {case.claimed_by} until {_hhmm(live.expires_at)}")
        _take_over(session, case, live, reviewer, now)
    elif case.status not in CLAIMABLE:
        raise InvalidTransition(f"case {case_id} is {case.status}; only open or escalated cases can be claimed")
    return _start_claim(session, case, reviewer, now, lease)


def claim_next(
    session: Session,
    reviewer: str,
    *,
    ruleset: str | None,
    status: str,
    min_priority: float | None,
    clock: Callable[[], datetime],
    lease: timedelta,
) -> Case | None:
    if status not in CLAIMABLE:
        raise InvalidData(f"can only claim from {CLAIMABLE}, not {status!r}")
    # a case whose claim has expired counts as waiting in the queue it was claimed from;
    # the time is read again once the case is locked (an earlier time only finds fewer stale)
    now = clock()
    stale = sa.and_(
        Case.status == "claimed",
        col(Case.claim_expires_at) <= now,
        col(Case.claimed_by) != reviewer,
        sa.exists().where(
            col(Claim.case_id) == col(Case.id), col(Claim.released_at).is_(None), Claim.from_status == status
        ),
    )
    query = (
        select(Case)
        .where(sa.or_(Case.status == status, stale))
        .order_by(col(Case.priority).desc(), col(Case.created_at), col(Case.id))
        .limit(1)
        .with_for_update(skip_locked=True, of=Case)
    )
    if ruleset is not None:
        query = query.where(Case.ruleset == ruleset)
    if min_priority is not None:
        query = query.where(Case.priority >= min_priority)
    case = session.exec(query).first()
    if case is None:
        return None
    now = locked_now(session, case, clock)
    if case.status == "claimed":
        # PostgreSQL re-checked the row after locking it, and a live claim's lease only
        # grows, so the claim found stale is still stale and still the live one
        _take_over(session, case, _live(session, case), reviewer, now)
    return _start_claim(session, case, reviewer, now, lease)


def _start_claim(session: Session, case: Case, reviewer: str, now: datetime, lease: timedelta) -> Case:
    expires = now + lease
    session.add(Claim(case_id=case.id, reviewer=reviewer, from_status=case.status, claimed_at=now, expires_at=expires))
    audit.append(
        session, actor=reviewer, action="case.claimed", entity="case", entity_id=case.id,
        detail={"from_status": case.status, "expires_at": expires},
    )
    case.status, case.claimed_by, case.claim_expires_at = "claimed", reviewer, expires
    session.add(case)
    session.flush()
    return case


def _take_over(session: Session, case: Case, live: Claim, reviewer: str, now: datetime) -> None:
    """End ``live`` as expired and put the case back in its queue, for ``reviewer`` to claim."""
    live.released_at, live.end_reason = now, "expired"
    case.status, case.claimed_by, case.claim_expires_at = live.from_status, None, None
    session.add_all([live, case])
    session.flush()  # the old claim must be over before the new one exists (uq_review_claim_live)
    audit.append(
        session, actor=reviewer, action="case.claim_expired", entity="case", entity_id=case.id,
        detail={"holder": live.reviewer, "claimed_at": live.claimed_at, "expired_at": live.expires_at,
                "taken_over_by": reviewer},
    )


def _renew(session: Session, case: Case, live: Claim, now: datetime, lease: timedelta, *, audited: bool) -> Case:
    """Extend the holder's lease to ``now + lease`` (never shorten it)."""
    expires = max(live.expires_at, now + lease)
    live.expires_at = case.claim_expires_at = expires
    session.add_all([live, case])
    session.flush()
    if audited:
        audit.append(
            session, actor=live.reviewer, action="case.claim_renewed", entity="case", entity_id=case.id,
            detail={"expires_at": expires},
        )
    return case


def _live(session: Session, case: Case) -> Claim:
    return session.exec(select(Claim).where(Claim.case_id == case.id, col(Claim.released_at).is_(None))).one()


def _live_claim(session: Session, case: Case, reviewer: str, *, force: bool = False) -> Claim:
    if case.status != "claimed" or (case.claimed_by != reviewer and not force):
        _refuse(session, case, reviewer)
    return _live(session, case)


def _refuse(session: Session, case: Case, reviewer: str) -> NoReturn:
    """Raise ClaimRequired, or ClaimExpired when ``reviewer`` lost the case to a takeover."""
    holder = f"claimed by {case.claimed_by}" if case.status == "claimed" else case.status
    mine = session.exec(
        select(Claim).where(Claim.case_id == case.id, Claim.reviewer == reviewer).order_by(col(Claim.id).desc())
    ).first()
    if mine is not None and mine.end_reason == "expired":
        taker = session.exec(
            select(Claim).where(Claim.case_id == case.id, col(Claim.id) > mine.id).order_by(col(Claim.id))
        ).first()
        by = f"{taker.reviewer} took the case over at {_hhmm(mine.released_at)}" if taker else "the case was taken over"
        raise ClaimExpired(
            f"{reviewer}'s claim on case {case.id} expired at {_hhmm(mine.expires_at)} and {by} "
            f"(it is now {holder}); nothing was recorded"
        )
    raise ClaimRequired(f"{reviewer} does not hold case {case.id} (it is {holder})")


def _hhmm(when: datetime | None) -> str:
    return "?" if when is None else when.strftime("%Y-%m-%d %H:%M UTC")


def release(session: Session, case_id: int, reviewer: str, *, force: bool, clock: Callable[[], datetime]) -> Case:
    case = lock_case(session, case_id)
    now = locked_now(session, case, clock)
    live = _live_claim(session, case, reviewer, force=force)
    forced = force and live.reviewer != reviewer
    live.released_at, live.end_reason = now, "forced" if forced else "released"
    session.add(live)
    case.status, case.claimed_by, case.claim_expires_at = live.from_status, None, None
    session.add(case)
    session.flush()
    audit.append(
        session, actor=reviewer, action="case.released", entity="case", entity_id=case.id,
        detail={"holder": live.reviewer, "status": case.status, "forced": forced},
    )
    return case


def record_verdict(
    session: Session, case_id: int, reviewer: str, verdict: str, note: str | None, *, clock: Callable[[], datetime]
) -> Verdict:
    if verdict not in VERDICTS:
        raise InvalidData(f"unknown verdict {verdict!r}; expected one of {', '.join(VERDICTS)}")
    case = lock_case(session, case_id)
    now = locked_now(session, case, clock)
    live = _live_claim(session, case, reviewer)
    # a lease that ran out with nobody taking the case over still counts: the holder
    # did the work and no one else was kept from it
    late = live.expires_at <= now
    live.released_at, live.end_reason = now, "verdict"
    row = Verdict(case_id=case_id, reviewer=reviewer, verdict=verdict, created_at=now)
    case.status, case.claimed_by, case.claim_expires_at = _STATUS_AFTER.get(verdict, live.from_status), None, None
    session.add_all([live, row, case])
    if note:
        session.add(Note(case_id=case_id, author=reviewer, text=note, created_at=now))
    session.flush()
    audit.append(
        session, actor=reviewer, action="case.verdict", entity="case", entity_id=case_id,
        detail={"verdict": verdict, "status": case.status, "verdict_id": row.id, "with_note": bool(note),
                "lease_expired": late},
    )
    return row


def add_note(session: Session, case_id: int, author: str, text: str, *, clock: Callable[[], datetime],
             lease: timedelta) -> Note:
    if not text.strip():
        raise InvalidData("a note needs some text")
    case = lock_case(session, case_id)
    now = locked_now(session, case, clock)
    # writing a note is work on the case: the holder's lease is renewed
    renewed = case.status == "claimed" and case.claimed_by == author
    if renewed:
        _renew(session, case, _live(session, case), now, lease, audited=False)
    note = Note(case_id=case_id, author=author, text=text, created_at=now)
    session.add(note)
    session.flush()
    audit.append(
        session, actor=author, action="case.note", entity="case", entity_id=case_id,
        detail={"note_id": note.id, "claim_renewed_until": case.claim_expires_at if renewed else None},
    )
    return note


def check_status(status: str | None) -> None:
    if status is not None and status not in CASE_STATUSES:
        raise InvalidData(f"unknown case status {status!r}; expected one of {', '.join(CASE_STATUSES)}")

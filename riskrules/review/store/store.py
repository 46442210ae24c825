"""`Store`: the one object the review loop talks to.

Each public method is one transaction: the change and its audit entry commit
together or not at all. Methods return detached SQLModel rows; changing them does
not write anything back — call a method instead.

>>> store = Store.open("sqlite:///review.db")          # doctest: +SKIP
>>> case = store.claim_next("alice", ruleset="origination")  # doctest: +SKIP
>>> store.record_verdict(case.id, "alice", "bad", note="synthetic ID")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import URL
from sqlmodel import Session, col, func, select

from . import audit, decisions, labels, migrate, proposals, queue
from .connect import READ_ONLY, create_engine, describe, normalize_url, translate_errors
from .errors import (
    CaseNotFound,
    DatabaseUnavailable,
    DecisionNotFound,
    InvalidData,
    MigrationError,
    ProposalNotFound,
    StoreError,
)
from .labels import LabelledCase
from .models import (
    CASE_STATUSES,
    PROPOSAL_STATUSES,
    AuditEntry,
    Case,
    Claim,
    DecisionRecord,
    Note,
    Outcome,
    RuleProposal,
    Verdict,
    utcnow,
)

DEFAULT_PATH: Final = "riskrules-review.db"
DEFAULT_SLA: Final = timedelta(hours=24)
# long enough to read a case and write a note, short enough that a case left claimed
# overnight is back in the queue before the next shift. Each claim keeps the lease it
# was given, so reviewers with different settings still agree on when it runs out.
DEFAULT_CLAIM_LEASE: Final = timedelta(minutes=30)

# list_cases sort keys. "age" and "sla" read as "how old" and "how overdue", so
# desc=True puts the oldest / most overdue first, like the numeric keys put the largest first.
_ORDER: Final = {
    "priority": (Case.priority, False),
    "amount": (Case.amount, False),
    "score": (Case.model_score, False),
    "age": (Case.created_at, True),
    "sla": (Case.sla_due_at, True),
}


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """A case with everything that happened to it, oldest first."""

    case: Case
    decision: DecisionRecord
    claims: list[Claim]
    verdicts: list[Verdict]
    notes: list[Note]


class Store:
    """Persistent store of the review loop, on SQLite (default) or PostgreSQL."""

    def __init__(
        self,
        engine: sa.Engine,
        url: URL,
        *,
        default_sla: timedelta = DEFAULT_SLA,
        claim_lease: timedelta = DEFAULT_CLAIM_LEASE,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})
        self.url = url
        self.default_sla = default_sla
        self.claim_lease = check_lease(claim_lease)
        # what "now" is for claims and leases; tests move it forward instead of sleeping
        self.clock = clock

    # -- lifecycle -----------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str | URL | Path = DEFAULT_PATH,
        *,
        upgrade: bool = True,
        default_sla: timedelta = DEFAULT_SLA,
        claim_lease: timedelta = DEFAULT_CLAIM_LEASE,
        clock: Callable[[], datetime] = utcnow,
    ) -> Store:
        """Connect and bring the schema to the newest migration.

        ``url`` is ``sqlite:///path.db``, a bare file path, or ``postgresql://...``
        (always driven by psycopg 3). With ``upgrade=False`` an out-of-date schema
        raises :class:`MigrationError` instead of being migrated. ``claim_lease`` is
        how long the claims this store makes (and renews) last.

        >>> Store.open("sqlite:///:memory:").counts_by_status()["open"]
        0
        """
        parsed = normalize_url(url)
        check_lease(claim_lease)
        try:
            engine = create_engine(parsed)
        except (exc.SQLAlchemyError, ImportError, ValueError, TypeError) as error:
            raise DatabaseUnavailable(f"cannot set up a connection to {describe(parsed)}: {error}") from error
        try:
            _probe(engine, parsed)
            _bring_schema_up_to_date(engine, parsed, upgrade)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, parsed, default_sla=default_sla, claim_lease=claim_lease, clock=clock)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({describe(self.url)!r})"

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.url.get_backend_name()

    def schema_diff(self) -> list[Any]:
        """Differences between models and the live schema (``alembic check``); empty when in sync."""
        with translate_errors(self.url):
            return migrate.schema_diff(self._engine)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        with translate_errors(self.url), Session(self._engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextlib.contextmanager
    def _read(self) -> Iterator[Session]:
        with translate_errors(self.url), Session(self._reader, expire_on_commit=False) as session:
            with session.begin():
                yield session

    # -- decision log --------------------------------------------------------------

    def log_decision(
        self,
        *,
        ruleset: str,
        version: str,
        digest: str,
        outcome: str,
        score: float | None = None,
        input: Mapping[str, Any] | None = None,
        decision: Mapping[str, Any] | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
        actor: str = "engine",
    ) -> DecisionRecord:
        """Log one decision; ``id`` defaults to a fresh UUID hex."""
        values = {
            "id": id, "ruleset": ruleset, "version": version, "digest": digest, "outcome": outcome,
            "score": score, "input": input, "decision": decision, "created_at": created_at,
        }
        with self._write() as session:
            return decisions.log_one(session, values, actor)

    def log_decisions_many(self, rows: Iterable[Mapping[str, Any]], *, actor: str = "engine") -> int:
        """Bulk-log decisions (dicts with the keyword arguments of :meth:`log_decision`).

        One transaction, batched executemany, one audit entry; returns the count.
        """
        with self._write() as session:
            return decisions.log_many(session, rows, actor)

    def get_decision(self, decision_id: str) -> DecisionRecord:
        with self._read() as session:
            record = session.get(DecisionRecord, decision_id)
            if record is None:
                raise DecisionNotFound(f"no decision {decision_id!r} in the decision log")
            return record

    def decisions(self, ruleset: str | None = None, *, since: datetime | None = None,
                  ids: list[str] | None = None) -> list[DecisionRecord]:
        """Logged decisions in bulk, oldest first; filtered by ruleset, time or ids.

        >>> store.decisions("origination", since=datetime(2026, 3, 1, tzinfo=timezone.utc))
        """
        query = select(DecisionRecord).order_by(col(DecisionRecord.created_at), col(DecisionRecord.id))
        if ruleset is not None:
            query = query.where(DecisionRecord.ruleset == ruleset)
        if since is not None:
            query = query.where(col(DecisionRecord.created_at) >= since)
        if ids is not None:
            query = query.where(col(DecisionRecord.id).in_(ids))
        with self._read() as session:
            return list(session.exec(query).all())

    # -- cases ---------------------------------------------------------------------

    def enqueue_case(
        self,
        decision_id: str,
        *,
        amount: float,
        evidence: Mapping[str, Any],
        model_score: float | None = None,
        priority: float | None = None,
        sla_due_at: datetime | None = None,
        actor: str = "intake",
    ) -> Case:
        """Open a review case for a logged decision.

        ``priority`` defaults to risk x amount (``model_score`` or the decision's
        score, times ``amount``); ``sla_due_at`` to now + ``default_sla``.
        ``evidence`` is the snapshot the reviewer sees: input, feature values,
        model contributions, rules fired and nearly fired, ruleset digest.
        """
        with self._write() as session:
            return queue.enqueue(
                session, decision_id, amount=amount, evidence=evidence, model_score=model_score,
                priority=priority, sla_due_at=sla_due_at, default_sla=self.default_sla, actor=actor,
            )

    def get_case(self, case_id: int) -> Case:
        with self._read() as session:
            return _case(session, case_id)

    def case_history(self, case_id: int) -> CaseHistory:
        with self._read() as session:
            case = _case(session, case_id)

            def rows(model: Any) -> list[Any]:
                query = select(model).where(model.case_id == case_id).order_by(col(model.id))
                return list(session.exec(query).all())

            decision = session.get(DecisionRecord, case.decision_id)
            assert decision is not None  # foreign key
            return CaseHistory(case, decision, rows(Claim), rows(Verdict), rows(Note))

    def list_cases(
        self,
        status: str | None = None,
        ruleset: str | None = None,
        order_by: str = "priority",
        desc: bool = True,
        limit: int | None = 100,
        offset: int = 0,
        stale: bool = False,
    ) -> list[Case]:
        """Cases filtered by status/ruleset, sorted by priority, age, sla, amount or score.

        ``desc=True`` means highest priority/amount/score first, oldest first for
        ``age`` and most overdue (earliest SLA) first for ``sla``. Ties go by id.
        ``stale=True`` keeps only claimed cases whose claim has expired.
        """
        queue.check_status(status)
        if order_by not in _ORDER:
            raise InvalidData(f"cannot order cases by {order_by!r}; use one of {', '.join(_ORDER)}")
        column, inverted = _ORDER[order_by]
        descending = desc != inverted
        key = col(column).desc() if descending else col(column).asc()
        query = select(Case).order_by(key.nulls_last(), col(Case.id)).offset(offset)
        if status is not None:
            query = query.where(Case.status == status)
        if ruleset is not None:
            query = query.where(Case.ruleset == ruleset)
        if stale:
            query = query.where(Case.status == "claimed", col(Case.claim_expires_at) <= self.clock())
        if limit is not None:
            query = query.limit(limit)
        with self._read() as session:
            return list(session.exec(query).all())

    def counts_by_status(self, ruleset: str | None = None) -> dict[str, int]:
        """Number of cases in each status (every status present, zeros included)."""
        query = select(Case.status, func.count()).group_by(Case.status)
        if ruleset is not None:
            query = query.where(Case.ruleset == ruleset)
        counts = dict.fromkeys(CASE_STATUSES, 0)
        with self._read() as session:
            counts.update({status: n for status, n in session.exec(query).all()})
        return counts

    # -- claims, verdicts, notes ---------------------------------------------------

    def claim(self, case_id: int, reviewer: str) -> Case:
        """Claim one case for ``claim_lease``. Raises :class:`AlreadyClaimed` if someone
        else holds it and their claim has not expired; an expired claim is taken over.

        Claiming a case you already hold renews your lease.
        """
        with self._write() as session:
            return queue.claim(session, case_id, reviewer, clock=self.clock, lease=self.claim_lease)

    def claim_next(
        self,
        reviewer: str,
        *,
        ruleset: str | None = None,
        status: str = "open",
        min_priority: float | None = None,
    ) -> Case | None:
        """Claim the highest-priority unclaimed case (oldest first on ties), or None.

        A case whose claim has expired counts as unclaimed in the queue it was claimed
        from, and is taken over. Safe with many concurrent reviewers: no case is ever
        handed out twice. ``status="escalated"`` takes from the escalation queue instead.
        """
        with self._write() as session:
            return queue.claim_next(
                session, reviewer, ruleset=ruleset, status=status, min_priority=min_priority,
                clock=self.clock, lease=self.claim_lease,
            )

    def release(self, case_id: int, reviewer: str, *, force: bool = False) -> Case:
        """Give a claimed case back to its queue. ``force`` lets a supervisor
        release someone else's claim (audited as such)."""
        with self._write() as session:
            return queue.release(session, case_id, reviewer, force=force, clock=self.clock)

    def record_verdict(self, case_id: int, reviewer: str, verdict: str, note: str | None = None) -> Verdict:
        """Record ``bad``/``good`` (case decided), ``escalate`` or ``skip`` (back to its queue).

        The reviewer must hold the claim (:class:`ClaimRequired` otherwise;
        :class:`ClaimExpired` when their claim ran out and someone took the case over).
        A claim that ran out with nobody taking the case still counts. Verdict, case
        status, claim end, note and audit entry commit as one transaction.
        """
        with self._write() as session:
            return queue.record_verdict(session, case_id, reviewer, verdict, note, clock=self.clock)

    def add_note(self, case_id: int, author: str, text: str) -> Note:
        """Add a note; a note by the claim's holder renews their lease."""
        with self._write() as session:
            return queue.add_note(session, case_id, author, text, clock=self.clock, lease=self.claim_lease)

    # -- learning ------------------------------------------------------------------

    def labelled_cases(self, ruleset: str | None = None) -> list[LabelledCase]:
        """Cases with a bad/good verdict (the latest one counts), with evidence and outcomes."""
        with self._read() as session:
            return labels.labelled_cases(session, ruleset)

    def add_outcome(
        self, decision_id: str, label: str, *, observed_at: datetime | None = None, actor: str = "servicing"
    ) -> Outcome:
        """Record what became of an application (``default_90d``, ``fraud`` ...). Idempotent."""
        with self._write() as session:
            return labels.add_outcome(session, decision_id, label, observed_at, actor)

    def outcomes_for(self, decision_ids: str | Iterable[str], label: str | None = None) -> list[Outcome]:
        ids = [decision_ids] if isinstance(decision_ids, str) else list(decision_ids)
        with self._read() as session:
            return labels.outcomes_for(session, ids, label)

    # -- rule proposals ------------------------------------------------------------

    def create_proposal(
        self,
        ruleset: str,
        expression: str,
        proposed_by: str,
        *,
        action: str | None = None,
        provenance: Mapping[str, Any] | None = None,
        backtest: Mapping[str, Any] | None = None,
    ) -> RuleProposal:
        """Store a proposed rule as a draft. ``provenance`` says where it came from
        (case ids, learner, parameters); ``backtest`` holds its measured effect."""
        with self.creating_proposal(ruleset, expression, proposed_by, action=action, provenance=provenance,
                                    backtest=backtest) as proposal:
            return proposal

    @contextlib.contextmanager
    def creating_proposal(
        self,
        ruleset: str,
        expression: str,
        proposed_by: str,
        *,
        status: str = "draft",
        action: str | None = None,
        provenance: Mapping[str, Any] | None = None,
        backtest: Mapping[str, Any] | None = None,
    ) -> Iterator[RuleProposal]:
        """Create a proposal (moved on to ``status``) and commit it only if the ``with``
        body succeeds: if the body raises, no proposal row and no audit entry remain.

        For work that needs the proposal's id and must stand or fall with it, such as
        writing the rule into the ruleset's learned rules (:meth:`moving_proposal` is the
        same for a status change). The write transaction stays open during the body, so
        keep the body short and do not call this store in it.

        >>> with store.creating_proposal("origination", "device.accounts >= 5", "alice",
        ...                              status="shadow") as proposal:   # doctest: +SKIP
        ...     write_rule(f"LRN-{proposal.id:03d}")                      # doctest: +SKIP
        """
        with self._write() as session:
            proposal = proposals.create(
                session, ruleset=ruleset, expression=expression, proposed_by=proposed_by,
                action=action, provenance=provenance, backtest=backtest,
            )
            if status != proposal.status:
                assert proposal.id is not None
                proposal = proposals.set_status(session, proposal.id, status, proposed_by)
            yield proposal

    def set_proposal_status(self, proposal_id: int, status: str, actor: str) -> RuleProposal:
        """Move a proposal along draft -> shadow -> active (or to rejected).

        Raises :class:`MakerCheckerViolation` when the proposer activates their own
        rule and :class:`InvalidTransition` for a move the lifecycle does not allow.
        """
        with self.moving_proposal(proposal_id, status, actor) as proposal:
            return proposal

    @contextlib.contextmanager
    def moving_proposal(self, proposal_id: int, status: str, actor: str) -> Iterator[RuleProposal]:
        """Move a proposal to ``status`` (as :meth:`set_proposal_status`) and commit the
        move only if the ``with`` body succeeds: if the body raises, the proposal keeps
        its status and no audit entry remains.

        The refusals (maker-checker, a move the lifecycle does not allow, no such
        proposal) are raised on entering, before the body runs. As with
        :meth:`creating_proposal`, keep the body short and do not call this store in it.

        >>> with store.moving_proposal(7, "active", "bob") as proposal:   # doctest: +SKIP
        ...     activate_rule("LRN-007")                                   # doctest: +SKIP
        """
        with self._write() as session:
            yield proposals.set_status(session, proposal_id, status, actor)

    def record_backtest(self, proposal_id: int, backtest: Mapping[str, Any], actor: str) -> RuleProposal:
        with self._write() as session:
            return proposals.record_backtest(session, proposal_id, backtest, actor)

    def get_proposal(self, proposal_id: int) -> RuleProposal:
        with self._read() as session:
            proposal = session.get(RuleProposal, proposal_id)
            if proposal is None:
                raise ProposalNotFound(f"no rule proposal {proposal_id}")
            return proposal

    def list_proposals(self, ruleset: str | None = None, status: str | None = None) -> list[RuleProposal]:
        if status is not None and status not in PROPOSAL_STATUSES:
            raise InvalidData(f"unknown proposal status {status!r}; expected one of {', '.join(PROPOSAL_STATUSES)}")
        query = select(RuleProposal).order_by(col(RuleProposal.id))
        if ruleset is not None:
            query = query.where(RuleProposal.ruleset == ruleset)
        if status is not None:
            query = query.where(RuleProposal.status == status)
        with self._read() as session:
            return list(session.exec(query).all())

    # -- audit ---------------------------------------------------------------------

    def audit_log(
        self,
        *,
        entity: str | None = None,
        entity_id: object | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Audit entries, oldest first. There is no way to change or delete them."""
        with self._read() as session:
            return audit.entries(
                session, entity=entity, entity_id=entity_id, actor=actor, action=action, limit=limit
            )


def check_lease(lease: timedelta) -> timedelta:
    """``lease`` if it is a usable claim lease, else :class:`InvalidData`."""
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        raise InvalidData(f"a claim lease must be a positive duration, not {lease!r}")
    return lease


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(f"no review case {case_id}")
    return case


def _probe(engine: sa.Engine, url: URL) -> None:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise DatabaseUnavailable(f"cannot open {describe(url)}: {reason}") from error


def _bring_schema_up_to_date(engine: sa.Engine, url: URL, upgrade: bool) -> None:
    try:
        head = migrate.head_revision()
        if upgrade:
            migrate.upgrade(engine)
        current = migrate.current_revision(engine)
    except StoreError:
        raise
    except Exception as error:  # alembic raises many kinds; none should leak raw
        raise MigrationError(f"cannot migrate {describe(url)}: {error}") from error
    if current != head:
        raise MigrationError(
            f"{describe(url)} is at schema revision {current or 'none'}, the code needs {head}; "
            "open it with upgrade=True to migrate"
        )

"""Tables of the review store (SQLModel).

Statuses and verdicts are plain strings guarded by CHECK constraints rather than
database enum types: adding a value is then one migration on both SQLite and
PostgreSQL, with no ``ALTER TYPE`` dance.

The tables live in their own ``MetaData`` so that other parts of riskrules may
declare SQLModel tables without leaking into these migrations.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ..._common.time import assume_utc

CASE_STATUSES: Final = ("open", "claimed", "decided", "escalated")
VERDICTS: Final = ("bad", "good", "escalate", "skip")
PROPOSAL_STATUSES: Final = ("draft", "shadow", "active", "rejected")
# how a claim ended: given back, given back by a supervisor, a verdict, or its lease
# ran out and another reviewer took the case over
CLAIM_ENDS: Final = ("released", "forced", "verdict", "expired")

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no time zones; values are stored as naive UTC and come back aware,
    so comparisons never mix naive and aware datetimes.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return assume_utc(value).astimezone(timezone.utc)


def _when(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=UTCDateTime(), nullable=True)
    return Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


def _json(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=sa.JSON(), nullable=True)
    return Field(default_factory=dict, sa_type=sa.JSON(), nullable=False)


def _in(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name)


class ReviewModel(SQLModel):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class DecisionRecord(ReviewModel, table=True):
    """One decision the engine made, as it was made (input and full result)."""

    __tablename__ = "decision_log"
    __table_args__ = (sa.Index("ix_decision_log_ruleset_created_at", "ruleset", "created_at"),)

    id: str = Field(primary_key=True, max_length=64)
    ruleset: str = Field(max_length=128)
    version: str = Field(max_length=64)
    digest: str = Field(max_length=128)
    outcome: str = Field(max_length=64)
    score: float | None = None
    created_at: datetime = _when()
    input: dict[str, Any] = _json()
    decision: dict[str, Any] = _json()


class Case(ReviewModel, table=True):
    """A decision the rules could not explain, waiting for (or past) human review.

    ``evidence`` is a snapshot taken at intake (input, feature values, model
    contributions, rules fired and nearly fired, ruleset digest) so a reviewer sees
    what the engine saw even after the ruleset changes.
    """

    __tablename__ = "review_case"
    __table_args__ = (
        _in("status", CASE_STATUSES, "status"),
        sa.Index("ix_review_case_queue", "status", "ruleset", "priority"),
    )

    id: int | None = Field(default=None, primary_key=True)
    decision_id: str = Field(foreign_key="decision_log.id", unique=True, max_length=64)
    ruleset: str = Field(max_length=128)
    status: str = Field(default="open", max_length=16)
    priority: float = 0.0
    amount: float = 0.0
    model_score: float | None = None
    sla_due_at: datetime | None = _when(nullable=True)
    created_at: datetime = _when()
    claimed_by: str | None = Field(default=None, max_length=128)
    # the live claim's lease (a copy of Claim.expires_at): after it, another reviewer
    # may take the case over. On the case so that claim_next finds stale claims in
    # the same locked scan as open cases.
    claim_expires_at: datetime | None = _when(nullable=True)
    evidence: dict[str, Any] = _json()

    def claim_expired(self, now: datetime | None = None) -> bool:
        """True when the case is claimed and the claim's lease has run out."""
        return (
            self.status == "claimed"
            and self.claim_expires_at is not None
            and self.claim_expires_at <= (now or utcnow())
        )


class Claim(ReviewModel, table=True):
    """One reviewer holding one case for a lease; ends on release, verdict or takeover.

    A claim whose lease has run out stays the holder's until someone else claims the
    case: then it ends with ``end_reason="expired"``.
    """

    __tablename__ = "review_claim"
    __table_args__ = (
        _in("end_reason", CLAIM_ENDS, "end_reason"),
        # belt and braces under the claim logic: at most one live claim per case
        sa.Index(
            "uq_review_claim_live",
            "case_id",
            unique=True,
            sqlite_where=sa.text("released_at IS NULL"),
            postgresql_where=sa.text("released_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id")
    reviewer: str = Field(max_length=128)
    claimed_at: datetime = _when()
    released_at: datetime | None = _when(nullable=True)
    # the status to go back to on release ("open" or "escalated")
    from_status: str = Field(default="open", max_length=16)
    # the lease: renewed when the holder claims the case again or adds a note
    expires_at: datetime = _when()
    # one of CLAIM_ENDS once released_at is set (None on claims ended before revision 0002)
    end_reason: str | None = Field(default=None, max_length=16)


class Verdict(ReviewModel, table=True):
    __tablename__ = "review_verdict"
    __table_args__ = (_in("verdict", VERDICTS, "verdict"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    reviewer: str = Field(max_length=128)
    verdict: str = Field(max_length=16)
    created_at: datetime = _when()


class Note(ReviewModel, table=True):
    __tablename__ = "review_note"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    author: str = Field(max_length=128)
    text: str = Field(sa_type=sa.Text())
    created_at: datetime = _when()


class RuleProposal(ReviewModel, table=True):
    """A rule learnt from verdicts, on its way draft -> shadow -> active (or rejected)."""

    __tablename__ = "rule_proposal"
    __table_args__ = (_in("status", PROPOSAL_STATUSES, "status"),)

    id: int | None = Field(default=None, primary_key=True)
    ruleset: str = Field(max_length=128, index=True)
    expression: str = Field(sa_type=sa.Text())
    action: str | None = Field(default=None, max_length=64)
    status: str = Field(default="draft", max_length=16)
    proposed_by: str = Field(max_length=128)
    promoted_by: str | None = Field(default=None, max_length=128)
    provenance: dict[str, Any] = _json()
    backtest: dict[str, Any] | None = _json(nullable=True)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class Outcome(ReviewModel, table=True):
    """What later became of an application: a label such as ``default_90d`` or ``fraud``.

    ``decision_id`` is not a foreign key: outcomes arrive from loan servicing and may
    name applications decided before the decision log existed.
    """

    __tablename__ = "outcome"
    __table_args__ = (sa.UniqueConstraint("decision_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: str = Field(max_length=64, index=True)
    label: str = Field(max_length=64)
    observed_at: datetime = _when()
    created_at: datetime = _when()


class AuditEntry(ReviewModel, table=True):
    """Append-only record of every change. The store has no API to edit it, and the
    database rejects UPDATE and DELETE with a trigger."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when()
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    entity: str = Field(max_length=64)
    entity_id: str = Field(max_length=64)
    detail: dict[str, Any] = _json()


metadata = ReviewModel.metadata

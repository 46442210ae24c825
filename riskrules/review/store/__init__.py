"""Persistent store of the review loop: decision log, review queue, verdicts,
rule proposals, outcomes and an append-only audit log, on SQLite or PostgreSQL.

>>> from riskrules.review.store import Store
>>> store = Store.open("sqlite:///:memory:")
>>> store.backend
'sqlite'
"""

from .errors import (
    AlreadyClaimed,
    AuditLogImmutable,
    CaseNotFound,
    ClaimExpired,
    ClaimRequired,
    DatabaseUnavailable,
    DecisionNotFound,
    DuplicateCase,
    IntegrityViolation,
    InvalidData,
    InvalidTransition,
    InvalidURL,
    MakerCheckerViolation,
    MigrationError,
    NotFound,
    ProposalNotFound,
    StoreBusy,
    StoreError,
)
from .labels import LabelledCase
from .models import (
    CASE_STATUSES,
    CLAIM_ENDS,
    PROPOSAL_STATUSES,
    VERDICTS,
    AuditEntry,
    Case,
    Claim,
    DecisionRecord,
    Note,
    Outcome,
    RuleProposal,
    Verdict,
)
from .store import CaseHistory, Store

__all__ = [
    "CASE_STATUSES", "CLAIM_ENDS", "PROPOSAL_STATUSES", "VERDICTS",
    "AlreadyClaimed", "AuditEntry", "AuditLogImmutable", "Case", "CaseHistory", "CaseNotFound",
    "Claim", "ClaimExpired", "ClaimRequired", "DatabaseUnavailable", "DecisionNotFound", "DecisionRecord",
    "DuplicateCase", "IntegrityViolation", "InvalidData", "InvalidTransition", "InvalidURL",
    "LabelledCase", "MakerCheckerViolation", "MigrationError", "Note", "NotFound", "Outcome",
    "ProposalNotFound", "RuleProposal", "Store", "StoreBusy", "StoreError", "Verdict",
]
